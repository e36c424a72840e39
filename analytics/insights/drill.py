"""Drill down: the raw records of a few sessions, pulled with one Logs Insights query per batch of
log groups, written as CloudWatch event lines that every lexlens command reads
(``lexlens report FILE`` then gives their paths, outcomes and transcripts). Bounded: at most
DRILL_ROWS turns per batch, and an error rather than a silent cut past them."""
from __future__ import annotations

import json
from pathlib import Path

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.insights.queries import SESSION_ID, drill_query, number
from lexlens.analytics.insights.runner import MAX_GROUPS, Chunk, Runner

MAX_SESSIONS = 100
DRILL_ROWS = 10_000  # turns one drill-down query returns: the default row limit (CWL_QuerySyntax-Limit.html)


def session_keys(sessions: list[dict]) -> set[tuple]:
    return {(s["session_id"], s["bot_id"], s["alias_id"], s["locale"]) for s in sessions}


def belongs(message: str, keys: set[tuple]) -> bool:
    """The record in ``message`` is a turn of one of the sessions (sessionId, bot, alias, locale)."""
    try:
        record = json.loads(message)
        bot = record.get("bot") or {}
        return (record.get("sessionId"), bot.get("id"), bot.get("aliasId"), bot.get("localeId")) in keys
    except (ValueError, AttributeError):
        return False


def drill_down(client, groups, since_ms: int, until_ms: int, sessions: list[dict], out: Path) -> int:
    """Write the turns of ``sessions`` (``busiest_sessions`` rows) in the window to ``out``; the count."""
    ids = sorted({s["session_id"] for s in sessions})
    unsafe = [session for session in ids if not SESSION_ID.match(session)]
    if unsafe:
        raise LexlensError(f"the session id {unsafe[0]!r} holds characters lexlens does not put into a Logs "
                           "Insights query; pull its turns with lexlens pull instead.", exit_code=2)
    if len(ids) > MAX_SESSIONS:
        raise LexlensError(f"a drill-down takes at most {MAX_SESSIONS} sessions (--top).", exit_code=2)
    runner, lines = Runner(client, {}, 1), []
    for start in range(0, len(groups), MAX_GROUPS):
        chunk = Chunk(None, tuple(groups[start:start + MAX_GROUPS]), since_ms, until_ms)
        query_id = runner.start(chunk, drill_query(since_ms, until_ms, ids, DRILL_ROWS), limit=DRILL_ROWS)
        status, rows, statistics = runner.results(query_id)
        runner.stats.add(len(rows), statistics)
        if status != "Complete" or len(rows) < number(statistics.get("recordsMatched", 0)):
            raise LexlensError(f"the drill-down query ended {status} with {len(rows):,} of "
                               f"{number(statistics.get('recordsMatched', 0)):,} turns; pull these sessions with "
                               "lexlens pull --since/--until instead.", exit_code=1)
        lines += [(number(row["t"]), row.get("@logStream", ""), row["@message"]) for row in rows
                  if belongs(row.get("@message", ""), session_keys(sessions))]
    try:
        with open(out, "w", encoding="utf-8") as handle:
            for ms, stream, message in sorted(lines):
                handle.write(json.dumps({"timestamp": ms, "logStreamName": stream, "message": message}) + "\n")
    except OSError as error:
        raise LexlensError(f"cannot write {out}: {error.strerror or error}.", exit_code=2) from None
    return len(lines)
