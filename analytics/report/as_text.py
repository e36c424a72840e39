"""The report rendered for a terminal: plain text, control characters made visible."""
from __future__ import annotations

from lexlens.analytics.text.visible import show_visible as visible


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def format_duration(seconds) -> str:
    """'m:ss' ('h:mm:ss' from an hour on; '—' when unknown), rounded to the second."""
    if seconds is None or seconds != seconds:  # None or NaN
        return "—"
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_time(iso: str | None) -> str:
    """An ISO 8601 UTC time as 'YYYY-MM-DD HH:MM:SS' ('—' when unknown)."""
    if not iso:
        return "—"
    from datetime import datetime

    return datetime.fromisoformat(str(iso)).strftime("%Y-%m-%d %H:%M:%S")


def render_rows(title: str, rows: list[tuple[str, object]]) -> list[str]:
    """A titled list; every label comes from the logs, so it is printed through ``visible``."""
    rows = [(visible(label), value) for label, value in rows]
    if not rows:
        return [f"{title}: none", ""]
    width = min(60, max(len(label) for label, _ in rows))
    lines = [f"{title}:"]
    lines += [f"  {label[:60]:<{width}}  {value}" for label, value in rows]
    return lines + [""]


def render_text_report(report: dict) -> str:
    """A readable multi-section summary of ``analytics.report.build.compute_report``'s dict."""
    duration = report["session_duration_s"]
    lines = [
        f"Records {report['records']:,}  (lines {report['lines']:,}; duplicates {report['duplicates']:,}; "
        f"rejected {report['rejected']:,}; blank {report['blank']:,})",
        f"Sessions {report['sessions']:,}   conversations {report.get('conversations', 0):,}   "
        f"utterances {report['utterances']:,}",
        f"Missed utterances {report['missed_utterances']:,}   fallback rate {percent(report['fallback_rate'])}",
        f"Session duration (m:ss): median {format_duration(duration['median'])}, mean "
        f"{format_duration(duration['mean'])}, p90 {format_duration(duration['p90'])}   "
        f"turns per session: mean {report['turns_per_session']['mean']:.2f}",
        f"Time range: {format_time(report['time_range']['first'])} – {format_time(report['time_range']['last'])} UTC",
        "",
    ]
    lines += render_rows("Rejected lines by reason", list(report["rejected_reasons"].items()))
    lines += render_rows("Intents (turns)", list(report["intents"].items()))
    lines += render_rows("Modality (turns)", list(report["modality"].items()))
    lines += render_rows("Lex sentiment (turns)", list(report["sentiment"].items()))
    lines += render_rows("VADER sentiment where Lex gave none (turns)",
                         list(report["vader_sentiment"].items()))
    lines += render_rows("Top utterances", [(r["utterance"], r["count"]) for r in report["top_utterances"]])
    lines += render_rows("Top missed utterances", [(r["utterance"], r["count"])
                                                   for r in report["top_missed_utterances"]])
    lines += render_rows("Top paths (sessions)", [(r["path"], r["sessions"]) for r in report["top_paths"]])
    if "conversation_outcomes" in report:
        lines += render_rows("Conversation outcomes", list(report["conversation_outcomes"].items()))
        containment = report.get("containment_rate")
        lines.append("Containment rate: " + (percent(containment) if containment is not None else
                     "not computed (define escalation with --escalation-intent, "
                     "--escalation-attribute or --escalation-action)"))
    return "\n".join(lines) + "\n"
