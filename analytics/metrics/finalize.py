"""The one finisher of partial aggregates (``metrics.partials``), shared by both engines.

Ratios, means, percentiles, the time-zone folding of quarters into heatmaps and the top-N
lists with their tie-breaks are computed here and only here, with the same functions the local
report uses (``sessions.compute_duration_stats``, ``utterances.rank_utterances``,
``heatmaps.compute_session_heatmap``), so the local and the Logs Insights engines give the same
numbers from the same records (``tests/test_insights_engine.py`` checks it).
"""
from __future__ import annotations

from collections import Counter

import pandas as pd

from lexlens.analytics.metrics import heatmaps, sessions, totals, utterances
from lexlens.analytics.metrics.partials import Partials

HOUR_MS = 3_600_000

# The keys of ``finalize``'s result, in order, with what each holds (README and --help quote them).
PUSHED_KEYS = {
    "records": "records (user turns) in the window",
    "utterances": "turns with a transcript",
    "sessions": "distinct sessions",
    "missed_utterances": "turns with missedUtterance true",
    "fallback_rate": "missed utterances / utterances",
    "time_range": "{first, last}: ISO 8601, UTC",
    "intents": "{intent: turns}",
    "modality": "{input mode: turns}",
    "sentiment": "{Lex label: turns}",
    "session_duration_s": "{mean, median, p90}: seconds",
    "turns_per_session": "{mean, median, max}",
    "top_utterances": "[{utterance, count, obfuscated}]",
    "top_missed_utterances": "[{utterance, count, obfuscated}], missed only",
    "activity": "[{hour, records, utterances, missed_utterances, sessions}] per UTC hour with traffic",
    "heatmap_sessions": "{weekday: [24 counts]}: distinct sessions per local hour, summed over dates",
    "heatmap_intents": "{intent: [24 counts]}: turns per intent and local hour, most turns first",
    "busiest_sessions": "[{session_id, bot_id, alias_id, locale, start, turns, duration_s}]: the --top sessions with "
                        "the most turns (ties: longer, then earlier); --drill-down pulls their turns",
    "first_intents": "{intent: sessions}: the intent of each session's first turn with one",
    "last_intents": "{intent: sessions}: the intent of each session's last turn with one",
}


def iso_ms(ms: int | None) -> str | None:
    """ISO 8601 of epoch milliseconds, as the local report writes times (None stays None)."""
    return None if ms is None else pd.Timestamp(int(ms) * 1_000_000, tz="UTC").isoformat()


def ranked(counts: Counter) -> dict:
    """{key: count} most first, ties by key (the local report's order); empty keys left out."""
    return {key: int(n) for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if key and n}


def session_table(partials: Partials) -> pd.DataFrame:
    """One row per session (sessionId, bot, alias and locale), merged over its quarters:
    [session_id, bot_id, alias_id, locale, first_ms, turns, duration_s]."""
    merged: dict = {}
    for (session, bot, alias, locale, _), (n, first, last) in partials.session_bins.items():
        held = merged.setdefault((session, bot, alias, locale), [0, first, last])
        held[0] += n
        held[1], held[2] = min(held[1], first), max(held[2], last)
    keys = list(merged)
    return pd.DataFrame({**{name: pd.Series([key[i] for key in keys], dtype=object)
                            for i, name in enumerate(("session_id", "bot_id", "alias_id", "locale"))},
                         "first_ms": pd.Series([merged[key][1] for key in keys], dtype="int64"),
                         "turns": pd.Series([merged[key][0] for key in keys], dtype="float64"),
                         "duration_s": pd.Series([(merged[key][2] - merged[key][1]) / 1000 for key in keys],
                                                 dtype="float64")})


def busiest_sessions(table: pd.DataFrame, top: int) -> list[dict]:
    """The ``top`` sessions with the most turns; ties: longer, then earlier, then by id (as
    ``sessions.top_sessions`` orders them, with a total order for sessions alike in all three)."""
    ordered = table.sort_values(["turns", "duration_s", "first_ms", "session_id", "bot_id", "alias_id", "locale"],
                                ascending=[False, False, True, True, True, True, True], kind="stable").head(top)
    return [{"session_id": row["session_id"], "bot_id": row["bot_id"], "alias_id": row["alias_id"],
             "locale": row["locale"], "start": iso_ms(row["first_ms"]), "turns": int(row["turns"]),
             "duration_s": float(row["duration_s"])} for row in ordered.to_dict("records")]


def hourly_activity(partials: Partials) -> list[dict]:
    """Records, utterances, missed utterances and distinct sessions per UTC hour with traffic."""
    hours: dict[int, list] = {}

    def row(quarter: int) -> list:
        return hours.setdefault(quarter // HOUR_MS * HOUR_MS, [0, 0, 0, set()])

    for (quarter, missed, *_), n in partials.turns.items():
        row(quarter)[0] += n
        row(quarter)[2] += n if missed else 0
    for (quarter, _), n in partials.utterance_bins.items():
        row(quarter)[1] += n
    for (*session, quarter) in partials.session_bins:
        row(quarter)[3].add(tuple(session))
    return [{"hour": iso_ms(hour), "records": held[0], "utterances": held[1], "missed_utterances": held[2],
             "sessions": len(held[3])} for hour, held in sorted(hours.items())]


def session_heatmap(partials: Partials, tz: str) -> dict:
    """{weekday: [24 counts]}: ``heatmaps.compute_session_heatmap`` over one row per session and
    quarter (a quarter lies inside one local hour in every time zone)."""
    keys = list(partials.session_bins)
    codes: dict = {}
    frame = pd.DataFrame({
        "session_key": [codes.setdefault(tuple(key[:4]), len(codes)) for key in keys],
        "time": pd.to_datetime([key[4] for key in keys], unit="ms", utc=True)})
    table = heatmaps.compute_session_heatmap(frame, tz)
    return {weekday: [int(n) for n in table.loc[weekday]] for weekday in table.index}


def intent_heatmap(partials: Partials, tz: str) -> dict:
    """{intent: [24 counts]}: ``heatmaps.compute_intent_heatmap`` over the turns counted per quarter."""
    keys = [key for key in partials.turns if key[3]]
    frame = pd.DataFrame({"intent": pd.Series([key[3] for key in keys], dtype=object),
                          "time": pd.to_datetime([key[0] for key in keys], unit="ms", utc=True),
                          "n": [partials.turns[key] for key in keys]})
    table = heatmaps.compute_intent_heatmap(frame, tz)
    return {intent: [int(n) for n in table.loc[intent]] for intent in table.index}


def first_and_last_intents(partials: Partials) -> tuple[dict, dict]:
    """Sessions per first and per last intent. An intent's span in a session is [first, last] ms;
    intents tied at the same millisecond are told apart by name (the first by name wins both ways),
    since neither engine knows the order of records written in one millisecond."""
    first: dict = {}
    last: dict = {}
    for (*session, intent), (start, end) in partials.session_intents.items():
        session = tuple(session)
        if session not in first or (start, intent) < first[session]:
            first[session] = (start, intent)
        held = last.get(session)
        if held is None or end > held[0] or (end == held[0] and intent < held[1]):
            last[session] = (end, intent)
    return (ranked(Counter(intent for _, intent in first.values())),
            ranked(Counter(intent for _, intent in last.values())))


def finalize(partials: Partials, top: int = 10, tz: str = "UTC") -> dict:
    """Every value of PUSHED_KEYS, in order, from ``partials``."""
    records = sum(partials.turns.values())
    missed = sum(n for (_, was_missed, *_), n in partials.turns.items() if was_missed)
    utterance_count = sum(partials.transcripts.values())
    by = {name: Counter() for name in ("intent", "input_mode", "sentiment")}
    for (_, _, input_mode, intent, sentiment), n in partials.turns.items():
        by["intent"][intent] += n
        by["input_mode"][input_mode] += n
        by["sentiment"][sentiment] += n
    table = session_table(partials)
    bins = partials.session_bins.values()
    spoken = {flag: pd.Series(_texts(partials.transcripts, flag), dtype="int64") for flag in (False, True)}
    return {
        "records": records, "utterances": utterance_count, "sessions": len(table), "missed_utterances": missed,
        "fallback_rate": round(totals.rate(missed, utterance_count), 6),
        "time_range": {"first": iso_ms(min((b[1] for b in bins), default=None)),
                       "last": iso_ms(max((b[2] for b in bins), default=None))},
        "intents": ranked(by["intent"]), "modality": ranked(by["input_mode"]), "sentiment": ranked(by["sentiment"]),
        "session_duration_s": sessions.compute_duration_stats(table),
        "turns_per_session": sessions.compute_turns_per_session(table),
        "top_utterances": _listed(utterances.rank_utterances(spoken[False], top)),
        "top_missed_utterances": _listed(utterances.rank_utterances(spoken[True], top)),
        "activity": hourly_activity(partials),
        "heatmap_sessions": session_heatmap(partials, tz),
        "heatmap_intents": intent_heatmap(partials, tz),
        "busiest_sessions": busiest_sessions(table, top),
        **dict(zip(("first_intents", "last_intents"), first_and_last_intents(partials))),
    }


def _texts(transcripts: Counter, missed_only: bool) -> dict:
    """{text: utterances}, all or the missed ones only."""
    texts: Counter = Counter()
    for (text, missed), n in transcripts.items():
        if missed or not missed_only:
            texts[text] += n
    return dict(texts)


def _listed(table: pd.DataFrame) -> list[dict]:
    """[{utterance, count, obfuscated}] as the local report lists them."""
    return [{"utterance": row["utterance"], "count": int(row["count"]), "obfuscated": bool(row["obfuscated"])}
            for row in table.to_dict("records")]
