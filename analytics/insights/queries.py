"""The Logs Insights queries of the Insights engine, and how their rows become partials.

Four query families, each returning mergeable partial aggregates (``metrics.partials``); every
one counts its records (``count(*) as n``), so rows cut by a row limit show up as
``sum(n) < statistics.recordsMatched`` (``runner``). Only exact functions: count, min, max and
bin; never ``count_distinct`` or ``pct``, which Logs Insights approximates
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Stats.html).
The window is half-open in milliseconds on ``@timestamp``: StartQuery takes whole seconds,
inclusive (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html),
so the runner widens to seconds and every query filters ``toMillis(@timestamp)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.metrics.partials import Partials, is_utterance, resolve_intent

MAX_QUERY_CHARS = 10_000  # StartQuery queryString, botocore's model (max 10000)
# Lex returns at most 5 interpretations (lexv2-runtime model, Interpretations max 5); the
# sentiment of a turn is that of the first one carrying a sentimentResponse.
INTERPRETATIONS = 5
# A user turn: server responses (issue 15) carry a responseReason other than UtteranceResponse.
USER_TURN = '(not ispresent(responseReason) or responseReason = "UtteranceResponse")'
# A Lex V2 conversation-log record mentions "sessionId"; the guard then checks every one of them
# has the fields the metrics rely on (Logs Insights discovers at most 200 fields per event:
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html).
LEX_RECORD = "@message like '\"sessionId\"'"
GUARDED_FIELDS = {"sessionId": "has_session", "bot.id": "has_bot", "bot.aliasId": "has_alias",
                  "bot.localeId": "has_locale", "missedUtterance": "has_missed"}
# Filter values are Lex ids and names: letters, digits, _ . - (bot, alias and locale ids,
# names, DRAFT or a version number), so they go into a query unquoted by anything else.
FILTER_VALUE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
SENTIMENTS = [f"interpretations.{rank}.sentimentResponse.sentiment" for rank in range(INTERPRETATIONS)]


@dataclass(frozen=True)
class Family:
    """One query family: its stats command and how one of its rows adds to partials."""

    name: str
    condition: str  # added to the shared filter ('' for none)
    stats: str
    read: Callable[[dict, Partials], None]


def quoted(values) -> str:
    """``["a", "b"]`` for ``in``; LexlensError for a value that is not a Lex id or name."""
    for value in values:
        if not FILTER_VALUE.match(value):
            raise LexlensError(f"{value!r} is not a Lex id or name (letters, digits, _ . -); the Logs Insights "
                               "engine puts filter values into its queries, so it takes only those.", exit_code=2)
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def filter_clause(since_ms: int, until_ms: int, bots=(), aliases=(), locales=(), versions=()) -> str:
    """The shared filter: the half-open window, Lex records, user turns and the report's filters."""
    parts = [f"t >= {since_ms}", f"t < {until_ms}", LEX_RECORD, USER_TURN]
    if bots:  # a bot by id or by name, as the local filters take it
        parts.append(f"(bot.id in {quoted(bots)} or bot.name in {quoted(bots)})")
    if aliases:
        parts.append(f"(bot.aliasName in {quoted(aliases)} or bot.aliasId in {quoted(aliases)})")
    if locales:
        parts.append(f"bot.localeId in {quoted(locales)}")
    if versions:
        parts.append(f"bot.version in {quoted(versions)}")
    return " and ".join(parts)


def query_string(family: Family, since_ms: int, until_ms: int, filters: dict) -> str:
    """The whole query of ``family`` over ``[since_ms, until_ms)``; LexlensError past 10,000 characters."""
    condition = filter_clause(since_ms, until_ms, **filters) + (f" and {family.condition}" if family.condition else "")
    text = f"fields toMillis(@timestamp) as t | filter {condition} | {family.stats}"
    if len(text) > MAX_QUERY_CHARS:
        raise LexlensError(f"The filters make a Logs Insights query of {len(text):,} characters, past the "
                           f"{MAX_QUERY_CHARS:,} StartQuery takes; give fewer --bot-id, --alias, --locale or "
                           "--bot-version values.", exit_code=2)
    return text


def bin_ms(text: str) -> int:
    """Epoch ms of a bin as Logs Insights shows it (``2023-12-05 22:15:00.000``, UTC)."""
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
    return int(round(moment.timestamp() * 1000))


def number(text) -> int:
    """A count or time as Logs Insights shows it: every value is a string, ``12`` or ``1.2E1``."""
    return int(round(float(text)))


def flag(text) -> bool:
    """A JSON boolean as Logs Insights shows it: ``1``/``0`` or ``true``/``false``; absent is false."""
    return text in ("1", "true", "1.0")


def read_turns(row: dict, partials: Partials) -> None:
    missed = flag(row.get("missedUtterance"))
    sentiment = next((row[name] for name in SENTIMENTS if row.get(name)), "")
    intent = resolve_intent(row.get("sessionState.intent.name"), row.get("interpretations.0.intent.name"), missed)
    key = (bin_ms(row["quarter"]), missed, row.get("inputMode") or "Unknown", intent, sentiment.upper())
    partials.turns[key] += number(row["n"])


def read_transcripts(row: dict, partials: Partials) -> None:
    if is_utterance(row.get("inputTranscript")):  # present but only spaces is not an utterance
        partials.transcripts[(row["inputTranscript"], flag(row.get("missedUtterance")))] += number(row["n"])


def read_utterance_bins(row: dict, partials: Partials) -> None:
    partials.utterance_bins[(bin_ms(row["quarter"]), flag(row.get("missedUtterance")))] += number(row["n"])


def read_sessions(row: dict, partials: Partials) -> None:
    session = (row.get("sessionId", ""), row.get("bot.id", ""), row.get("bot.aliasId", ""), row.get("bot.localeId", ""))
    first, last = number(row["first"]), number(row["last"])
    partials.add_session_bin((*session, bin_ms(row["quarter"])), number(row["n"]), first, last)
    intent = resolve_intent(row.get("sessionState.intent.name"), row.get("interpretations.0.intent.name"),
                            flag(row.get("missedUtterance")))
    if intent:
        partials.add_session_intent((*session, intent), first, last)


GUARD_COUNTS = ", ".join(f"count({field}) as {name}" for field, name in GUARDED_FIELDS.items())
TURNS = Family("turns", "", f"stats count(*) as n, {GUARD_COUNTS} by bin(15m) as quarter, missedUtterance, inputMode, "
                            f"sessionState.intent.name, interpretations.0.intent.name, {', '.join(SENTIMENTS)}",
               read_turns)
FAMILIES = (
    TURNS,
    Family("transcripts", "ispresent(inputTranscript)", "stats count(*) as n by inputTranscript, missedUtterance",
           read_transcripts),
    # \S: a character that is not a space, as str.strip() decides (Python's re and str agree)
    Family("utterance_bins", r"inputTranscript =~ /\S/", "stats count(*) as n by bin(15m) as quarter, missedUtterance",
           read_utterance_bins),
    Family("sessions", "", "stats count(*) as n, min(t) as first, max(t) as last by sessionId, bot.id, bot.aliasId, "
                           "bot.localeId, bin(15m) as quarter, sessionState.intent.name, "
                           "interpretations.0.intent.name, missedUtterance", read_sessions),
)


def guard_shortfall(rows: list[dict]) -> dict[str, int]:
    """{field: records without it} over the turns family's rows (empty when every record has them)."""
    total = sum(number(row["n"]) for row in rows)
    short = {field: total - sum(number(row.get(name, 0)) for row in rows) for field, name in GUARDED_FIELDS.items()}
    return {field: missing for field, missing in short.items() if missing}


# Session ids are chosen by the client (any string); those going into a drill-down query are
# limited to characters that need no escaping in a Logs Insights string.
SESSION_ID = re.compile(r"^[A-Za-z0-9_.:@+=/\-]{1,100}$")


def drill_query(since_ms: int, until_ms: int, session_ids, rows: int) -> str:
    """The raw records of some sessions in ``[since_ms, until_ms)``, oldest first, at most ``rows``."""
    listed = "[" + ", ".join(f'"{session}"' for session in session_ids) + "]"
    return (f"fields toMillis(@timestamp) as t, @message, @logStream | filter t >= {since_ms} and t < {until_ms} "
            f"and {LEX_RECORD} and sessionId in {listed} | sort t asc | limit {rows}")
