"""The sessions in which users said an utterance: one Logs Insights query over the window, so a
top (missed) utterance of an Insights report leads to transcripts (``drill.drill_down`` pulls them).

The utterance never goes into the query (it is end-user text, and a Logs Insights string literal is
no place for it): the query counts (transcript, session) pairs, newest first, and the pairs whose
transcript is the utterance (``text.normalise.utterance_key``, as top utterances group them) are kept
here. Bounded: at most SAID_ROWS pairs come back; when the window holds more, the newest are searched
and ``SaidSessions.cut`` says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.insights.queries import filter_clause, flag, number
from lexlens.analytics.insights.runner import MAX_GROUPS, Chunk, Runner
from lexlens.analytics.text.normalise import utterance_key

SAID_ROWS = 10_000  # (transcript, session) pairs one query returns: the default row limit
MAX_SAID_SESSIONS = 50


@dataclass
class SaidSessions:
    sessions: list[dict]  # [{session_id, bot_id, alias_id, locale, first_ms, times}] newest first
    cut: bool             # the window held more pairs than one query returns: only the newest were searched
    cost: dict


def said_query(since_ms: int, until_ms: int, filters: dict) -> str:
    return (f"fields toMillis(@timestamp) as t | filter {filter_clause(since_ms, until_ms, **filters)} and "
            "ispresent(inputTranscript) | stats count(*) as n, min(t) as first by inputTranscript, missedUtterance, "
            f"sessionId, bot.id, bot.aliasId, bot.localeId | sort first desc | limit {SAID_ROWS}")


def said_in(rows: list[dict], utterance: str, missed_only: bool) -> list[dict]:
    """The sessions of ``rows`` in which ``utterance`` was said (missed, with ``missed_only``), newest first."""
    wanted, found = utterance_key(utterance), {}
    for row in rows:
        if utterance_key(row.get("inputTranscript", "")) != wanted:
            continue
        if missed_only and not flag(row.get("missedUtterance")):
            continue
        key = (row.get("sessionId", ""), row.get("bot.id", ""), row.get("bot.aliasId", ""), row.get("bot.localeId", ""))
        held = found.setdefault(key, [number(row["first"]), 0])
        held[0], held[1] = min(held[0], number(row["first"])), held[1] + number(row["n"])
    ordered = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))[:MAX_SAID_SESSIONS]
    return [{"session_id": s, "bot_id": b, "alias_id": a, "locale": loc, "first_ms": first, "times": times}
            for (s, b, a, loc), (first, times) in ordered]


def sessions_saying(client, groups, since_ms: int, until_ms: int, filters: dict, utterance: str,
                    missed_only: bool) -> SaidSessions:
    """The (at most MAX_SAID_SESSIONS, newest) sessions of ``groups`` in which ``utterance`` was said."""
    runner, rows, cut = Runner(client, filters, 1), [], False
    for start in range(0, len(groups), MAX_GROUPS):
        chunk = Chunk(None, tuple(groups[start:start + MAX_GROUPS]), since_ms, until_ms)
        query_id = runner.start(chunk, said_query(since_ms, until_ms, filters), limit=SAID_ROWS)
        status, batch, statistics = runner.results(query_id)
        runner.stats.add(len(batch), statistics)
        if status != "Complete":
            raise LexlensError(f"the Logs Insights query for the sessions of this utterance ended {status}; "
                               "run it again, or pull the window.", exit_code=1)
        cut = cut or sum(number(row["n"]) for row in batch) < number(statistics.get("recordsMatched", 0))
        rows += batch
    return SaidSessions(said_in(rows, utterance, missed_only), cut, runner.stats.as_dict())
