"""The report rendered for a terminal: plain text, control characters made visible."""
from __future__ import annotations

from lexlens.analytics.report.model import Report
from lexlens.analytics.text.visible import show_visible as visible


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 turn', '2 turns' (with separators)."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


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


def render_text_report(report: Report) -> str:
    """A readable multi-section summary of the report."""
    values = report.values()
    duration = values["session_duration_s"]
    lines = [
        f"Records {values['records']:,}  (lines {values['lines']:,}; "
        + (f"server responses {values['server_responses']:,}; " if values["server_responses"] else "")
        + f"duplicates {values['duplicates']:,}; "
        f"rejected {values['rejected']:,}; blank {values['blank']:,})",
        f"Sessions {values['sessions']:,}   conversations {values['conversations']:,}   "
        f"utterances {values['utterances']:,}",
        f"Missed utterances {values['missed_utterances']:,}   fallback rate {percent(values['fallback_rate'])}",
        f"Session duration (m:ss): median {format_duration(duration['median'])}, mean "
        f"{format_duration(duration['mean'])}, p90 {format_duration(duration['p90'])}   "
        f"turns per session: mean {values['turns_per_session']['mean']:.2f}",
        f"Time range: {format_time(values['time_range']['first'])} – {format_time(values['time_range']['last'])} UTC",
        "",
    ]
    lines += render_rows("Rejected lines by reason", list(values["rejected_reasons"].items()))
    lines += render_rows("Intents (turns)", list(values["intents"].items()))
    lines += render_rows("Modality (turns)", list(values["modality"].items()))
    lines += render_rows("Lex sentiment (turns)", list(values["sentiment"].items()))
    lines += render_rows("VADER sentiment where Lex gave none (turns)", list(values["vader_sentiment"].items()))
    lines += render_rows("Top utterances", [(r["utterance"], r["count"]) for r in values["top_utterances"]])
    lines += render_rows("Top missed utterances", [(r["utterance"], r["count"])
                                                   for r in values["top_missed_utterances"]])
    lines += render_rows("Top paths (sessions)", [(r["path"], r["sessions"]) for r in values["top_paths"]])
    lines += render_rows("Conversation outcomes", list(values["conversation_outcomes"].items()))
    if any(values["generative"].values()):
        lines += render_rows("Generative answers (turns)", list(values["generative"].items()))
    containment = values["containment_rate"]
    lines.append("Containment rate: " + (percent(containment) if containment is not None else
                 "not computed (define escalation with --escalation-intent, "
                 "--escalation-attribute or --escalation-action)"))
    return "\n".join(lines) + "\n"
