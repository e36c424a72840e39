"""What ``lexlens publish`` prints: the data points of a dry run, and the summary of a run."""
from __future__ import annotations

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.text.visible import show_visible


def check_same_period(state, groups, period_s: int) -> None:
    """A namespace is always published with one period: a second period would count twice."""
    for namespace in sorted({group.namespace for group in groups}):
        other = sorted(state.periods.get(namespace, set()) - {period_s})
        if other:
            raise LexlensError(f"{namespace} was published with --period {other[0]}; publish it with the same "
                               "period (or to another --namespace), or its values would be counted twice.",
                               exit_code=2)


def format_datum(namespace: str, datum) -> str:
    dimensions = ",".join(f"{name}={value}" for name, value in datum.dimensions) or "-"
    return show_visible(f"{datum.start:%Y-%m-%dT%H:%M}Z  {namespace}  {datum.metric}  {dimensions}  {datum.value}")


def render_dry_run(batches: list) -> str:
    """One line per data point (time, namespace, metric, dimensions, value), call by call."""
    lines = []
    for number, batch in enumerate(batches, start=1):
        lines.append(f"# PutMetricData call {number} of {len(batches)}: {len(batch.data)} data points")
        lines += [format_datum(batch.namespace, datum) for datum in batch.data]
    return "\n".join(lines) + ("\n" if lines else "")


def span(groups: list) -> str:
    starts = [group.start for group in groups]
    return f"{min(starts):%Y-%m-%d %H:%M} .. {max(starts):%Y-%m-%d %H:%M} UTC"


def count_periods(groups: list) -> int:
    return len({(group.namespace, group.start) for group in groups})


def render_summary(selection, batches: list, resolution, *, dry_run: bool, complete_until) -> str:
    """A few lines: what was (or would be) sent, what was left out and why."""
    sent = sum(len(batch.data) for batch in batches)
    verb = "would send" if dry_run else "sent"
    lines = []
    if resolution is not None:
        lines.append(f"a stopped run left {len(resolution.confirmed) + len(resolution.absent) + len(resolution.waiting)}"
                     f" call(s) unconfirmed: {len(resolution.confirmed)} found in CloudWatch, "
                     f"{len(resolution.absent)} not (sent again below), {len(resolution.waiting)} still awaiting "
                     "CloudWatch (data points older than 3 hours can take hours to show; run again later)")
    if batches:
        to_send = selection.to_send
        lines.append(f"{verb} {sent:,} data points in {len(batches):,} PutMetricData call(s): "
                     f"{count_periods(to_send):,} periods ({span(to_send)}), "
                     f"{len({g.namespace for g in to_send})} namespace(s)")
    else:
        lines.append("nothing to send: no complete period that was not sent before")
    if selection.already_sent:
        lines.append(f"{count_periods(selection.already_sent):,} periods already sent before, skipped")
    if selection.awaiting:
        lines.append(f"{count_periods(selection.awaiting):,} periods await confirmation from CloudWatch, skipped")
    if selection.too_old:
        lines.append(f"{count_periods(selection.too_old):,} periods older than two weeks skipped "
                     f"({span(selection.too_old)}): CloudWatch accepts no older data points")
    lines.append(f"periods from {complete_until:%Y-%m-%d %H:%M} UTC on are not complete yet")
    return "\n".join(lines) + "\n"
