"""``lexlens check``'s verdicts as text (one line per rule) and as JSON."""
from __future__ import annotations

from typing import Optional

from lexlens.analytics.text.visible import json_text, show_visible


def format_value(value: Optional[float], kind: str) -> str:
    """A rule's value for people: a rate as a percentage, a count with separators."""
    if value is None:
        return "no data"
    if kind == "rate":
        return f"{value:.2%}"
    if kind == "seconds":
        return f"{value:,.1f} s"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def describe_window(values: dict, filters) -> dict:
    """The window a check covered: the filters' bounds and the first and last turn seen."""
    return {"since": filters.since.isoformat() if filters.since is not None else None,
            "until": filters.until.isoformat() if filters.until is not None else None,
            "first_turn": values["time_range"]["first"], "last_turn": values["time_range"]["last"],
            "records": values["records"]}


def verdict_record(verdict) -> dict:
    rule = verdict.rule
    return {"name": rule.name, "rule": rule.text, "metric": rule.metric.name, "argument": rule.argument,
            "op": rule.op, "threshold": rule.threshold, "value": verdict.value,
            "verdict": "breached" if verdict.breached else ("no data" if verdict.value is None else "held")}


def anomaly_records(latest) -> list[dict]:
    """The latest complete hour's judgement per metric: hour, metric, value, usual, score, weeks, verdict."""
    return [{"hour": row["bin_start"].isoformat(), "metric": row["metric"], "value": float(row["value"]),
             "usual": float(row["usual"]), "score": round(float(row["score"]), 3), "weeks": int(row["weeks"]),
             "verdict": "unusual" if row["anomalous"] else "usual"} for _, row in latest.iterrows()]


def render_verdicts_json(verdicts: list, values: dict, filters, latest=None) -> str:
    """One JSON object: window, rules (name, rule, metric, argument, op, threshold, value,
    verdict), anomalies (with --anomalies), breached (how many rules and unusual metrics)."""
    document = {"window": describe_window(values, filters), "rules": [verdict_record(v) for v in verdicts]}
    breached = sum(v.breached for v in verdicts)
    if latest is not None:
        document["anomalies"] = anomaly_records(latest)
        breached += int(latest["anomalous"].sum())
    document["breached"] = breached
    return json_text(document) + "\n"


def describe_anomalies(latest) -> list[str]:
    """One line per metric of the latest complete hour, or why none could be judged."""
    if latest is None:
        return []
    if latest.empty:
        return ["no data   anomalies: no complete hour has the same hour in 3 earlier weeks of the window "
                "(widen --since)"]
    lines = []
    for record in anomaly_records(latest):
        rate = record["metric"] == "fallback rate"
        shown = (lambda x: f"{x:.1%}") if rate else (lambda x: f"{x:,.0f}")
        label = "UNUSUAL" if record["verdict"] == "unusual" else "ok"
        lines.append(f"{label:9} {record['metric']} at {record['hour'][:16]} UTC: {shown(record['value'])}, usually "
                     f"{shown(record['usual'])} (median of {record['weeks']} weeks), score {record['score']:+.1f}")
    return lines


def render_verdicts_text(verdicts: list, values: dict, filters, latest=None) -> str:
    """A headline, then per rule: verdict, rule, value (and its name when it has one)."""
    window = describe_window(values, filters)
    breached = sum(v.breached for v in verdicts) + (int(latest["anomalous"].sum()) if latest is not None else 0)
    span = (f"{window['first_turn'][:16]} .. {window['last_turn'][:16]} UTC"
            if window["first_turn"] else "no turn in the window")
    lines = [f"{len(verdicts)} rule{'s' * (len(verdicts) != 1)}, {breached} breached; "
             f"{window['records']:,} turns ({span})"]
    width = max((len(v.rule.text) for v in verdicts), default=0)
    for verdict in verdicts:
        rule = verdict.rule
        label = "BREACHED" if verdict.breached else ("no data" if verdict.value is None else "ok")
        named = f"  ({rule.name})" if rule.name != rule.text else ""
        lines.append(f"{label:9} {rule.text:{width}}  {format_value(verdict.value, rule.metric.kind)}{named}")
    lines += describe_anomalies(latest)
    return "\n".join(show_visible(line) for line in lines) + "\n"
