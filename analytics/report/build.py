"""The headless report: one dict of values and one set of tables, computed once and
rendered as text, JSON (``lexlens report --json``) or CSV files (``--out``)."""
from __future__ import annotations

import re

import pandas as pd

from lexlens.analytics.metrics import (attributes, breakdowns, heatmaps, intents, paths, sentiment,
                                       sessions, slots, timeseries, totals, utterances)
from lexlens.analytics.metrics.conversations import Conversations, compute_conversations
from lexlens.analytics.schema import LoadReport, LogData

REASON_DETAIL = re.compile(r"\s*\(.*\)\s*$|^event \d+: ")


def records_of(table: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: numpy scalars made plain, timestamps ISO strings."""
    rows = table.to_dict("records")
    return [{key: plain(value) for key, value in row.items()} for row in rows]


def plain(value):
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def summarise_rejections(report: LoadReport) -> pd.DataFrame:
    """[reason, lines, first_file, first_line]: rejections grouped by reason (details dropped)."""
    if not report.rejections:
        return pd.DataFrame({"reason": [], "lines": [], "first_file": [], "first_line": []})
    frame = pd.DataFrame([(REASON_DETAIL.sub("", r.reason), r.source, r.line)
                          for r in report.rejections], columns=["reason", "file", "line"])
    table = frame.groupby("reason", sort=False).agg(lines=("line", "size"), first_file=("file", "first"),
                                                    first_line=("line", "first")).reset_index()
    return table.sort_values(["lines", "reason"], ascending=[False, True]).reset_index(drop=True)


def compute_report(data: LogData, top: int = 10, extras: bool = True,
                   idle_timeout_s: float = 300.0, escalation=None) -> dict:
    """Every headline value of the report, JSON-ready. Raw text stays raw."""
    found = compute_conversations(data.turns, idle_timeout_s=idle_timeout_s)
    result = compute_core_report(data, top, found)
    result.update(compute_costly_report(data, extras, idle_timeout_s, escalation, found))
    return result


def compute_costly_report(data: LogData, extras: bool = True, idle_timeout_s: float = 300.0,
                          escalation=None, found=None) -> dict:
    """The report's slower parts, independent of the core (so they may run alongside it):
    VADER sentiment and, with ``extras``, the Lex-style outcomes, NLU and clusters."""
    result = {"vader_sentiment": vader_counts(data.turns)}
    if extras:
        from lexlens.analytics.report.extras import compute_extra_report

        result.update(compute_extra_report(data, idle_timeout_s, escalation, conversations=found))
    return result


def compute_core_report(data: LogData, top: int, found: Conversations) -> dict:
    """The report's headline values from the reference dashboard; ``found``: the turns'
    conversations."""
    turns = data.turns
    session_table = sessions.compute_sessions(turns, conversations=found)
    summary = totals.compute_totals(turns, session_table)
    result = {
        "lines": data.report.lines,
        "records": summary["records"],
        "blank": data.report.blank,
        "duplicates": data.report.duplicates,
        "rejected": data.report.rejected,
        "rejected_reasons": {row["reason"]: row["lines"]
                             for row in records_of(summarise_rejections(data.report))},
        **{key: summary[key] for key in ("utterances", "sessions", "conversations",
                                         "missed_utterances", "fallback_rate")},
        "time_range": {"first": summary["first_time"], "last": summary["last_time"]},
        "intents": {row["intent"]: row["turns"] for row in records_of(intents.top_intents(turns))},
        "modality": {row["input_mode"]: row["turns"]
                     for row in records_of(breakdowns.compute_modality(turns))},
        "sentiment": {row["sentiment"]: row["turns"]
                      for row in records_of(breakdowns.compute_lex_sentiment(turns))},
        "session_duration_s": sessions.compute_duration_stats(session_table),
        "turns_per_session": sessions.compute_turns_per_session(session_table),
        "top_utterances": records_of(utterances.top_utterances(turns, top)),
        "top_missed_utterances": records_of(utterances.top_utterances(turns, top, missed_only=True)),
        "top_sessions": records_of(sessions.top_sessions(session_table, top)[
            ["session_id", "bot_name", "alias_name", "locale", "start", "turns", "duration_s"]]),
        "top_paths": records_of(paths.top_paths(turns, top)),
    }
    return result


def vader_counts(turns: pd.DataFrame) -> dict:
    """{label: turns} of VADER's labels for utterances Lex gave no sentiment for."""
    labels = sentiment.compute_vader_scores(turns)["sentiment"]
    return {str(label): int(count) for label, count in labels.value_counts().items()}


def report_tables(data: LogData, tz: str = "UTC", extras: bool = True, idle_timeout_s: float = 300.0,
                  escalation=None) -> dict[str, pd.DataFrame]:
    """Name -> table, one CSV each for ``--out``; top utterances first."""
    turns = data.turns
    found = compute_conversations(turns, idle_timeout_s=idle_timeout_s)
    graph = paths.build_intent_graph(turns)
    tables = {
        "utterances": utterances.top_utterances(turns, None),
        "missed_utterances": utterances.top_utterances(turns, None, missed_only=True),
        "missed_by_previous_intent": utterances.missed_by_previous_intent(turns),
        "intents": intents.top_intents(turns),
        "sessions": sessions.compute_sessions(turns, conversations=found),
        "turns": turns.drop(columns=["session_key"]),
        "activity_over_time": timeseries.compute_activity_over_time(turns, tz=tz),
        "heatmap_sessions": heatmaps.compute_session_heatmap(turns, tz).reset_index(),
        "heatmap_intents": heatmaps.compute_intent_heatmap(turns, tz).reset_index(),
        "path_edges": paths.compute_path_edges(graph),
        "path_flow": paths.compute_bot_flows(turns),
        "returning_transitions": paths.compute_returning_transitions(turns),
        "paths": paths.top_paths(turns, None),
        "slot_values": slots.compute_slot_values(data, None),
        "session_attributes": attributes.compute_attribute_values(data, None),
        "modality": breakdowns.compute_modality(turns),
        "sentiment": sentiment.compute_sentiment_summary(turns),
        "rejects_summary": summarise_rejections(data.report),
    }
    if extras:
        from lexlens.analytics.report.extras import extra_tables

        tables.update(extra_tables(data, idle_timeout_s, escalation, conversations=found))
    return tables
