"""Partial aggregates: what either engine hands to ``metrics.finalize`` (docs/insights-engine.md).

The local engine computes them from the turns table (``local_partials``); the Logs Insights
engine reads them from query rows (``analytics.insights``). Every partial is a mapping
from a group key to counts, first and last times, so partials of disjoint slices of the logs
(time chunks, log-group batches) merge exactly: counts add, firsts take the minimum, lasts the
maximum. Times are epoch milliseconds (UTC); a quarter is a 15-minute bin floored from the
epoch, Logs Insights' ``bin(15m)``: every time zone's offset is a multiple of 15 minutes, so a
quarter falls inside one local hour in any zone.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from lexlens.analytics.schema import FALLBACK_INTENT, text_values

QUARTER_MS = 15 * 60 * 1000

# (quarter_ms, missed, input_mode, intent, lex_sentiment): the turns of one kind in one quarter
TurnKey = tuple[int, bool, str, str, str]
# (session_id, bot_id, alias_id, locale, quarter_ms): one session's turns in one quarter
SessionKey = tuple[str, str, str, str, int]


@dataclass
class Partials:
    """Mergeable partial aggregates of a set of turns (see the module's docstring)."""

    turns: Counter = field(default_factory=Counter)            # TurnKey -> turns
    transcripts: Counter = field(default_factory=Counter)      # (transcript, missed) -> utterances
    utterance_bins: Counter = field(default_factory=Counter)   # (quarter_ms, missed) -> utterances
    session_bins: dict = field(default_factory=dict)           # SessionKey -> [turns, first_ms, last_ms]
    session_intents: dict = field(default_factory=dict)        # (*SessionKey[:4], intent) -> [first_ms, last_ms]

    def merge(self, other: "Partials") -> "Partials":
        """Add ``other`` (a disjoint slice of the logs) into this one; returns self."""
        self.turns.update(other.turns)
        self.transcripts.update(other.transcripts)
        self.utterance_bins.update(other.utterance_bins)
        for key, (turns, first, last) in other.session_bins.items():
            self.add_session_bin(key, turns, first, last)
        for key, (first, last) in other.session_intents.items():
            self.add_session_intent(key, first, last)
        return self

    def add_session_intent(self, key: tuple, first: int, last: int) -> None:
        """One intent of one session, seen from ``first`` to ``last`` ms."""
        held = self.session_intents.get(key)
        if held is None:
            self.session_intents[key] = [first, last]
        else:
            held[0], held[1] = min(held[0], first), max(held[1], last)

    def add_session_bin(self, key: SessionKey, turns: int, first: int, last: int) -> None:
        """Count ``turns`` of one session in one quarter, between ``first`` and ``last`` ms."""
        held = self.session_bins.get(key)
        if held is None:
            self.session_bins[key] = [turns, first, last]
        else:
            held[0] += turns
            held[1], held[2] = min(held[1], first), max(held[2], last)


def resolve_intent(state_intent, top_intent, missed: bool) -> str:
    """The intent of a turn (schema's ``intent``): sessionState.intent.name, else the top
    interpretation's intent, else FallbackIntent on a missed utterance, else ''."""
    return state_intent or top_intent or (FALLBACK_INTENT if missed else "")


def is_utterance(transcript) -> bool:
    """Utterance: a turn with a transcript that is not empty or only spaces (schema's ``is_utterance``)."""
    return isinstance(transcript, str) and transcript.strip() != ""


def local_partials(turns: pd.DataFrame) -> Partials:
    """The partials of the turns table (after the filters), as the Insights engine reads them."""
    partials = Partials()
    if turns.empty:
        return partials
    ms = ((turns["time"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(1, "ms")).to_numpy("int64")
    quarters = ms // QUARTER_MS * QUARTER_MS
    frame = pd.DataFrame({
        "quarter": quarters, "ms": ms, "missed": turns["missed"].to_numpy(bool),
        "input_mode": text_values(turns["input_mode"]).to_numpy(object),
        "intent": text_values(turns["intent"]).to_numpy(object),
        "sentiment": text_values(turns["lex_sentiment"]).to_numpy(object),
        "transcript": turns["transcript"].to_numpy(object), "utterance": turns["is_utterance"].to_numpy(bool),
        "session_id": text_values(turns["session_id"]).to_numpy(object),
        "bot_id": text_values(turns["bot_id"]).to_numpy(object),
        "alias_id": text_values(turns["alias_id"]).to_numpy(object),
        "locale": text_values(turns["locale"]).to_numpy(object)})
    kinds = frame.groupby(["quarter", "missed", "input_mode", "intent", "sentiment"], sort=False).size()
    partials.turns.update({(int(q), bool(m), mode, intent, sentiment): int(n)
                           for (q, m, mode, intent, sentiment), n in kinds.items()})
    spoken = frame[frame["utterance"]]
    partials.transcripts.update({(text, bool(m)): int(n)
                                 for (text, m), n in spoken.groupby(["transcript", "missed"], sort=False).size().items()})
    partials.utterance_bins.update({(int(q), bool(m)): int(n)
                                    for (q, m), n in spoken.groupby(["quarter", "missed"], sort=False).size().items()})
    per_session = frame.groupby(["session_id", "bot_id", "alias_id", "locale", "quarter"], sort=False)["ms"] \
        .agg(["size", "min", "max"])
    for (session, bot, alias, locale, quarter), n, first, last in zip(
            per_session.index, per_session["size"], per_session["min"], per_session["max"]):
        partials.session_bins[(session, bot, alias, locale, int(quarter))] = [int(n), int(first), int(last)]
    with_intent = frame[frame["intent"] != ""]
    spans = with_intent.groupby(["session_id", "bot_id", "alias_id", "locale", "intent"], sort=False)["ms"] \
        .agg(["min", "max"])
    for key, first, last in zip(spans.index, spans["min"], spans["max"]):
        partials.session_intents[key] = [int(first), int(last)]
    with_intent = frame[frame["intent"] != ""]
    spans = with_intent.groupby(["session_id", "bot_id", "alias_id", "locale", "intent"], sort=False)["ms"] \
        .agg(["min", "max"])
    for key, first, last in zip(spans.index, spans["min"], spans["max"]):
        partials.session_intents[key] = [int(first), int(last)]
    return partials

