"""CloudWatch options for any command that accepts a log source.

Two calls give a command ``--log-group``::

    from lexlens.analytics.cli.cloudwatch_options import add_cloudwatch_arguments, load_from_args

    add_cloudwatch_arguments(parser)            # in add_parser()
    paths += load_from_args(args)               # in run(), before analytics.ingest.loading.load_logs(paths)

``add_cloudwatch_arguments(parser)`` adds ``--log-group NAME`` (repeatable), ``--region``,
``--profile``, ``--endpoint-url``, ``--cache-dir`` and, unless the parser already has them,
``--since``/``--until`` (ISO 8601 or an age such as ``7d``, ``36h``; default the last 7 days).

``load_from_args(args, progress=None) -> list[Path]`` returns ``[]`` when no ``--log-group``
was given; otherwise it pulls the window into the cache and returns one file holding the
window's events as CloudWatch event lines (sorted, unique eventIds) for
``analytics.ingest.loading.load_logs``. ``progress=None`` draws a bar on stderr when it is a
terminal; pass a callable to receive ``PullProgress`` instead, or ``False`` for silence.
Bot and locale filters already on ``args`` (``bot_id``/``bot``, ``locale``; str or list)
are pushed into the FilterLogEvents pattern. Raises ``LexlensError``: exit code 2 for
setup errors (credentials, unknown group, endpoint), 1 when slices failed after retries.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lexlens.analytics.cli.option_types import given_path


def add_cloudwatch_arguments(parser: argparse.ArgumentParser, *, window: bool = True) -> None:
    """Register the CloudWatch source options on ``parser``; ``window``: also --since and --until
    (False when the command already has them, as ``report``'s filters, which bound the pull too)."""
    group = parser.add_argument_group("CloudWatch Logs source")
    group.add_argument("--log-group", action="append", default=[], metavar="NAME",
                       help="pull this CloudWatch Logs group (repeatable)")
    from lexlens.analytics.aws import endpoint_url, region_name

    group.add_argument("--region", type=region_name,
                       help="AWS region (default: AWS_DEFAULT_REGION or the profile's region)")
    group.add_argument("--profile", help="AWS profile from your shared config/credentials files")
    group.add_argument("--endpoint-url", metavar="URL", type=endpoint_url,
                       help="CloudWatch Logs endpoint (default: boto3's, e.g. AWS_ENDPOINT_URL_CLOUDWATCH_LOGS)")
    group.add_argument("--cache-dir", type=given_path, metavar="DIR",
                       help="where pulled events are cached (default: the user cache directory)")
    if window:
        group.add_argument("--since", metavar="T", help="start of the window: ISO 8601 or an age like 7d, 36h "
                           "(default 7d)")
        group.add_argument("--until", metavar="T", help="end of the window, exclusive (default now)")


def resolve_cache_dir(args) -> Path:
    """``--cache-dir`` or the user's cache directory."""
    from lexlens.analytics.sources.cloudwatch.cache import default_cache_dir

    return Path(args.cache_dir) if getattr(args, "cache_dir", None) else default_cache_dir()


def _as_list(value) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(value) if isinstance(value, (list, tuple, set)) else (str(value),)


def pull_from_args(args, progress=None, client=None):
    """Pull ``args.log_group`` for the window in ``args``; returns the ``PullResult``."""
    from lexlens.analytics.sources.cloudwatch import make_logs_client, pull_log_groups
    from lexlens.analytics.timewindow import parse_window

    since, until = parse_window(getattr(args, "since", None), getattr(args, "until", None))
    workers = getattr(args, "workers", None) or 8
    client = client or make_logs_client(args.region, args.profile, args.endpoint_url, max_workers=workers)
    bar = make_progress_bar() if progress is None else (progress or None)
    options = {"max_workers": workers}
    if getattr(args, "slice_hours", None):
        options["slice_hours"] = args.slice_hours
    try:
        return pull_log_groups(
            client, args.log_group, since, until, resolve_cache_dir(args), progress=bar,
            bot_ids=_as_list(getattr(args, "bot_id", None) or getattr(args, "bot", None)),
            locales=_as_list(getattr(args, "locale", None)),
            refresh=bool(getattr(args, "refresh", False)), **options)
    finally:
        if isinstance(bar, ProgressBar):
            bar.close()


def raise_for_failures(result, named: int = 3) -> None:
    """LexlensError (exit 1) naming the failed slices, if any: the first ``named``, then
    how many more and why (one sentence, however many failed)."""
    from collections import Counter

    from lexlens.analytics.errors import LexlensError

    failures = result.failed_slices
    if not failures:
        return
    names = "; ".join(str(failure) for failure in failures[:named])
    if len(failures) > named:
        reasons = ", ".join(f"{reason} {count}" for reason, count in
                            Counter(failure.error for failure in failures).most_common(3))
        names += f"; and {len(failures) - named:,} more ({len(failures):,} failed slices: {reasons})"
    raise LexlensError(f"{names} (the other slices are cached; run again to pull only the missing ones).",
                       exit_code=1)


def load_from_args(args, progress=None) -> list[Path]:
    """Pull ``--log-group`` windows into the cache; the window file(s) for ``load_logs``: one
    file per pull request (groups, region, endpoint, profile, start, pull filters), which a
    later pull of the same request with a later end appends to, so that the store parses only
    the new events (analytics/store). The window is the pull's, exactly: a relative start
    ('--since 7d') is another request at every run."""
    from lexlens.analytics.sources.cloudwatch.cache import stable_window_path, write_window_appending

    if not getattr(args, "log_group", None):
        return []
    result = pull_from_args(args, progress)
    raise_for_failures(result)
    request = [sorted(args.log_group), args.region, args.endpoint_url, args.profile, result.since,
               _as_list(getattr(args, "bot_id", None) or getattr(args, "bot", None)),
               _as_list(getattr(args, "locale", None))]
    path = stable_window_path(resolve_cache_dir(args), request)
    write_window_appending(list(result.groups.values()), result.since, result.until, path)
    return [path]


class ProgressBar:
    """``pulling 3/12 slices (2 cached) · 48,210 events · 71.3 MB`` redrawn on stderr."""

    def __init__(self, stream):
        self.stream, self.last, self.width = stream, 0.0, 0

    def __call__(self, state) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and state.slices_done < state.slices_total:
            return  # at most ten redraws a second
        self.last = now
        text = (f"pulling {state.slices_done}/{state.slices_total} slices ({state.slices_cached} cached)"
                f" · {state.events:,} events · {state.bytes / 1e6:.1f} MB")
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.width:
            self.stream.write("\n")
            self.stream.flush()


def make_progress_bar(stream=None):
    """A progress callback drawing on ``stream`` (stderr), or None when it is not a terminal."""
    stream = stream or sys.stderr
    return ProgressBar(stream) if hasattr(stream, "isatty") and stream.isatty() else None
