"""The report: one object, computed once by ``report.build`` and rendered by ``as_json``,
``as_text`` and ``as_csv``.

Each section is a small frozen dataclass; each of its fields is one key of ``lexlens report
--json`` (in this order) and names the definition it follows (``topic``, a key of
``analytics.report.glossary.GLOSSARY``), so the README, ``--help`` and the dashboard
quote the same text. ``Report.tables`` holds the ``--csv-dir`` tables, by name, when they were
asked for.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping, Optional

import pandas as pd


def value(topic: str, unit: str = "") -> Any:
    """A report field following the definition ``topic`` (``unit``: how it is counted)."""
    return field(metadata={"topic": topic, "unit": unit})


@dataclass(frozen=True)
class LoadSummary:
    """What happened to every line read."""

    lines: int = value("Lines", "lines read")
    records: int = value("Record", "records after the filters: user turns and server responses")
    server_responses: int = value("Server response", "records after the filters")
    blank: int = value("Lines", "blank lines")
    duplicates: int = value("Duplicate", "lines")
    rejected: int = value("Rejected line", "lines")
    rejected_reasons: dict = value("Rejected line", "{reason: lines}")


@dataclass(frozen=True)
class Totals:
    """The headline counts."""

    utterances: int = value("Utterance", "turns")
    sessions: int = value("Session", "sessions")
    conversations: int = value("Conversation", "conversations")
    missed_utterances: int = value("Missed utterance", "turns")
    fallback_rate: float = value("Fallback rate", "share, 0 to 1")
    time_range: dict = value("Times", "{first, last}: ISO 8601, UTC")


@dataclass(frozen=True)
class Breakdowns:
    """Turns per intent, input mode and Lex sentiment."""

    intents: dict = value("Top intents", "{intent: turns}")
    modality: dict = value("Modality", "{input mode: turns}")
    sentiment: dict = value("Sentiment", "{Lex label: turns}")


@dataclass(frozen=True)
class SessionStats:
    """How long sessions last and how many turns they take."""

    session_duration_s: dict = value("Session duration", "{mean, median, p90}: seconds")
    turns_per_session: dict = value("Turns per session", "{mean, median, max}")


@dataclass(frozen=True)
class TopLists:
    """The top-N lists (``--top``)."""

    top_utterances: list = value("Top utterances", "[{utterance, count, obfuscated}]")
    top_missed_utterances: list = value("Top utterances", "[{utterance, count, obfuscated}], missed only")
    top_sessions: list = value("Top sessions", "[{session_id, bot_name, alias_name, locale, start, turns, "
                                               "duration_s}]")
    top_paths: list = value("Intent paths", "[{sessions, share, path}]")


@dataclass(frozen=True)
class VaderSentiment:
    """VADER's labels where Lex gave none, kept apart from Lex's."""

    vader_sentiment: dict = value("Sentiment", "{VADER label: turns}")


@dataclass(frozen=True)
class OutcomeSummary:
    """Lex-style outcomes under the inactivity threshold and escalation rule."""

    intent_outcomes: dict = value("Intent outcome", "{intent: {Success, Failed, Switched, Dropped}}")
    conversation_outcomes: dict = value("Conversation outcome", "{Success, Failed, Dropped}")
    containment_rate: Optional[float] = value("Containment rate", "share, 0 to 1; null without escalation")
    slot_outcomes: dict = value("Slot outcome", "{intent: {slot: {Success, Failed, Dropped, Retries}}}")


@dataclass(frozen=True)
class UtteranceAnalysis:
    """Where the bot confuses intents, and what users say that it misses."""

    confusion_pairs: list = value("Intent confusion", "[{intent_a, intent_b, a_then_b, b_then_a, ...}]")
    clusters: list = value("Utterance clusters", "the 20 largest, each with a {week: turns} trend")


@dataclass(frozen=True)
class GenerativeSummary:
    """What the generative intents and Bedrock did: QnAIntent answers, agent turns, assisted NLU."""

    generative: dict = value("Generative answers", "{qna_turns, qna_answered, qna_unanswered, "
                                                   "bedrock_interpretations, bedrock_agent_turns}: turns")


SECTIONS = (LoadSummary, Totals, Breakdowns, SessionStats, TopLists, VaderSentiment, OutcomeSummary,
            UtteranceAnalysis, GenerativeSummary)


@dataclass(frozen=True)
class Report:
    """Every value of one report, and its tables when asked for."""

    load: LoadSummary
    totals: Totals
    breakdowns: Breakdowns
    sessions: SessionStats
    top: TopLists
    vader: VaderSentiment
    outcomes: OutcomeSummary
    utterances: UtteranceAnalysis
    generative: GenerativeSummary
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def sections(self) -> list:
        """The sections in key order (``tables`` is not one)."""
        return [getattr(self, f.name) for f in fields(self) if f.name != "tables"]

    def values(self) -> dict:
        """Every key of the report and its value, in order: what ``--json`` prints."""
        return {f.name: getattr(section, f.name) for section in self.sections() for f in fields(section)}


def report_keys() -> dict[str, dict]:
    """Each key of ``lexlens report --json``, in order, with its field's metadata (topic, unit)."""
    return {f.name: dict(f.metadata) for section in SECTIONS for f in fields(section)}
