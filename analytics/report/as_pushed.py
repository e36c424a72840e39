"""The Logs Insights engine's report (``lexlens report --engine insights``) as JSON or text: the
values of ``metrics.finalize.PUSHED_KEYS``, which engine computed them and what the run cost."""
from __future__ import annotations

from lexlens.analytics.report.as_text import format_duration, format_time, percent, render_rows
from lexlens.analytics.text.visible import json_text


def render_pushed_json(metrics: dict, cost: dict) -> str:
    """One line of JSON: ``engine``, the pushed-down metrics, then ``insights`` (the run's cost)."""
    return json_text({"engine": "insights", **metrics, "insights": cost}, default=str) + "\n"


def render_pushed_text(metrics: dict, cost: dict) -> str:
    """A readable summary; labels from the logs are printed through ``visible``."""
    duration = metrics["session_duration_s"]
    lines = [
        "Computed by CloudWatch Logs Insights (--engine insights): conversations, paths, outcomes, "
        "clusters and VADER sentiment need --engine local.",
        f"Records {metrics['records']:,}   sessions {metrics['sessions']:,}   utterances {metrics['utterances']:,}",
        f"Missed utterances {metrics['missed_utterances']:,}   fallback rate {percent(metrics['fallback_rate'])}",
        f"Session duration (m:ss): median {format_duration(duration['median'])}, mean "
        f"{format_duration(duration['mean'])}, p90 {format_duration(duration['p90'])}   "
        f"turns per session: mean {metrics['turns_per_session']['mean']:.2f}",
        f"Time range: {format_time(metrics['time_range']['first'])} – {format_time(metrics['time_range']['last'])} UTC",
        "",
    ]
    lines += render_rows("Intents (turns)", list(metrics["intents"].items()))
    lines += render_rows("Modality (turns)", list(metrics["modality"].items()))
    lines += render_rows("Lex sentiment (turns)", list(metrics["sentiment"].items()))
    lines += render_rows("Top utterances", [(r["utterance"], r["count"]) for r in metrics["top_utterances"]])
    lines += render_rows("Top missed utterances", [(r["utterance"], r["count"])
                                                   for r in metrics["top_missed_utterances"]])
    lines.append(f"Logs Insights: {cost['queries']:,} queries ({cost['splits']:,} splits; {cost['cached']:,} answers "
                 f"from the cache), {cost['rows']:,} rows, "
                 f"{cost['records_scanned']:,} records and {cost['bytes_scanned'] / 1e9:.3f} GB scanned")
    return "\n".join(lines) + "\n"
