"""The tidy tables lexlens computes everything from, declared once.

The parser (``analytics.ingest.loading``) produces exactly these tables; every metric may
assume them. One row of ``turns`` is one Lex V2 conversation-log record (one user
turn and the bot's answer). The side tables hang off a turn by ``turn``, the
row position of that turn in ``turns`` (0..n-1, stable after filtering because
filters keep the original ``turn`` values).

Definitions follow Lex's analytics key definitions:
https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
import threading
import weakref
from functools import partial
from typing import Optional

import numpy as np
import pandas as pd

FALLBACK_INTENT = "FallbackIntent"

# column -> (dtype, meaning). dtype names are pandas dtypes.
TURN_COLUMNS: dict[str, tuple[str, str]] = {
    "turn": ("int64", "row id of the turn, unique within one load"),
    "time": ("datetime64[ns, UTC]", "record timestamp, else the CloudWatch event time (UTC)"),
    "session_key": ("int64", "one id per (bot_id, alias_id, locale, session_id): a Lex session"),
    "session_id": ("str", "sessionId as the client sent it"),
    "request_id": ("str", "requestId of the turn ('' when absent)"),
    "conversation_id": ("str", "sessionState.originatingRequestId ('' when absent)"),
    "bot_id": ("category", "bot.id"),
    "bot_name": ("category", "bot.name"),
    "alias_id": ("category", "bot.aliasId"),
    "alias_name": ("category", "bot.aliasName"),
    "locale": ("category", "bot.localeId"),
    "bot_version": ("category", "bot.version: DRAFT or a number"),
    "input_mode": ("category", "Text, Speech, DTMF ('Unknown' when absent)"),
    "operation": ("category", "operationName: RecognizeText, RecognizeUtterance, ..."),
    "transcript": ("str", "inputTranscript ('' when absent); raw end-user text"),
    "is_utterance": ("bool", "the turn has a non-empty transcript"),
    "missed": ("bool", "missedUtterance: Lex fell back to FallbackIntent"),
    "intent": ("category", "intent the bot went with: sessionState.intent, else the top "
               "interpretation, else FallbackIntent on a missed utterance, else ''"),
    "intent_state": ("category", "sessionState.intent.state ('' when absent)"),
    "confirmation_state": ("category", "sessionState.intent.confirmationState"),
    "dialog_action": ("category", "sessionState.dialogAction.type"),
    "slot_to_elicit": ("category", "sessionState.dialogAction.slotToElicit"),
    "nlu_confidence": ("float64", "nluConfidence of the top interpretation (NaN when absent)"),
    "runner_up_intent": ("category", "intent of the second interpretation ('' when none)"),
    "runner_up_confidence": ("float64", "nluConfidence of the second interpretation"),
    "interpretation_source": ("category", "Lex or Bedrock, of the top interpretation"),
    "lex_sentiment": ("category", "sentimentResponse.sentiment of the first interpretation "
                      "carrying one ('' when Lex gave none)"),
    "sentiment_positive": ("float64", "Lex sentimentScore.positive"),
    "sentiment_negative": ("float64", "Lex sentimentScore.negative"),
    "bot_messages": ("str", "the bot's reply messages, joined by newlines"),
}

SLOT_COLUMNS: dict[str, tuple[str, str]] = {
    "turn": ("int64", "the turn the slot belongs to"),
    "intent": ("category", "sessionState.intent.name of that turn"),
    "slot": ("category", "slot name; a Composite sub-slot is 'Parent.Child'"),
    "shape": ("category", "Scalar, List or Composite"),
    "item": ("int64", "position within a List slot's values[]; -1 for a single value"),
    "filled": ("bool", "the slot holds a value (False for a null slot)"),
    "original_value": ("str", "value.originalValue ('' when unfilled); raw end-user text"),
    "interpreted_value": ("str", "value.interpretedValue ('' when unfilled)"),
}

ATTRIBUTE_COLUMNS: dict[str, tuple[str, str]] = {
    "turn": ("int64", "the turn carrying the attribute"),
    "key": ("category", "sessionState.sessionAttributes key"),
    "value": ("str", "its value as a string; raw end-user text"),
}

REQUEST_ATTRIBUTE_COLUMNS: dict[str, tuple[str, str]] = {
    "turn": ("int64", "the turn carrying the attribute"),
    "key": ("category", "requestAttributes key (sent by the client with this one request)"),
    "value": ("str", "its value as a string; raw end-user text"),
}

INTERPRETATION_COLUMNS: dict[str, tuple[str, str]] = {
    "turn": ("int64", "the turn"),
    "rank": ("int64", "0 for Lex's best interpretation, 1 for the runner-up, ..."),
    "intent": ("category", "interpretations[rank].intent.name"),
    "confidence": ("float64", "its nluConfidence (NaN when absent)"),
}

# A record whose ``responseReason`` is present and is not ``UtteranceResponse`` is a response
# the server generated (StartTimeout, StillWaitingResponse, FulfillmentInitiated,
# FulfillmentStartedResponse, FulfillmentUpdateResponse, FulfillmentCompletedResponse), not a
# user turn: it lives in its own table, so no user-turn figure can count it.
# https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html
USER_TURN_REASON = "UtteranceResponse"
SERVER_RESPONSE_COLUMNS: dict[str, tuple[str, str]] = {
    "response": ("int64", "row id of the server response, unique within one load"),
    "time": TURN_COLUMNS["time"],
    "session_key": ("int64", "the Lex session, as in turns (one key per session for both tables)"),
    "session_id": TURN_COLUMNS["session_id"],
    "request_id": ("str", "requestId ('' when absent); often the user turn's it follows"),
    **{name: TURN_COLUMNS[name] for name in ("conversation_id", "bot_id", "bot_name", "alias_id", "alias_name",
                                             "locale", "bot_version", "input_mode")},
    "response_reason": ("category", "responseReason: why Lex logged this response"),
    "intent": ("category", "sessionState.intent.name ('' when absent)"),
    "intent_state": TURN_COLUMNS["intent_state"],
    "dialog_action": ("category", "sessionState.dialogAction.type ('' when absent)"),
    "transcript": ("str", "inputTranscript as logged (a repeat of the user's words, not a turn)"),
    "bot_messages": ("str", "the bot's messages, joined by newlines"),
}

TABLES = {
    "turns": TURN_COLUMNS,
    "slots": SLOT_COLUMNS,
    "attributes": ATTRIBUTE_COLUMNS,
    "interpretations": INTERPRETATION_COLUMNS,
    "request_attributes": REQUEST_ATTRIBUTE_COLUMNS,
}
SIDE_TABLES = [name for name in TABLES if name != "turns"]  # each row belongs to one turn


def empty_table(columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """An empty DataFrame with the declared columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, (dtype, _) in columns.items()})


def empty_frame(names: list[str], dtype: str = "object") -> pd.DataFrame:
    """An empty DataFrame with columns ``names``, all of ``dtype`` (a metric's empty result)."""
    return empty_table({name: (dtype, "") for name in names})


# Turns in the order a session happened; ``turn`` breaks ties between equal times.
SESSION_ORDER = ["session_key", "time", "turn"]
ORDERS_KEPT = 4  # session orders kept (``session_order``), each until its table is gone
_orders: dict = {}  # (rows, where each SESSION_ORDER column is) -> (those columns, the order)
_orders_lock = threading.Lock()  # the dashboard's sessions run in threads


def session_order(turns: pd.DataFrame) -> np.ndarray:
    """Positions of ``turns`` in SESSION_ORDER (stable), by integer sorts only. Several metrics
    of one report or page need it (conversations, sessions, outcomes): it is sorted once per
    set of columns and kept while ``turns`` lives, keyed by where the columns' values are (a new
    or replaced column lives elsewhere) and holding them, so that no other array can take
    their place."""
    times = turns["time"].array
    times = times.asi8 if hasattr(times, "asi8") else pd.DatetimeIndex(turns["time"]).asi8  # object: made
    columns = (turns["session_key"].to_numpy(), times, turns["turn"].to_numpy())
    key = (len(turns), *((column.__array_interface__["data"][0], column.strides) for column in columns))
    with _orders_lock:
        if key in _orders:
            return _orders[key][1]
    session, time, turn = columns
    if (np.diff(turn) > 0).all() and (np.diff(time) >= 0).all():
        # already in (time, turn) order, as every load leaves it: sorting by session alone
        # gives the same order
        order = np.argsort(session, kind="stable")
    else:
        order = np.lexsort((turn, time, session))
    order.flags.writeable = False  # shared by every caller
    with _orders_lock:
        while len(_orders) >= ORDERS_KEPT:
            _orders.pop(next(iter(_orders)))
        _orders[key] = (columns, order)
    weakref.finalize(turns, forget_order, key)
    return order


def forget_order(key: tuple) -> None:
    with _orders_lock:
        _orders.pop(key, None)


def session_order_of(turns: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """``session_order(turns[rows])`` for a boolean mask ``rows``, from the order of all of
    ``turns`` (kept by ``session_order``): positions within the selected rows, no sort."""
    everything = session_order(turns)
    chosen = everything[rows[everything]]
    return (np.cumsum(rows) - 1)[chosen]


def order_by_session(turns: pd.DataFrame) -> pd.DataFrame:
    """``turns`` sorted by session, then time (stable)."""
    return turns.iloc[session_order(turns)]


def text_values(column: pd.Series) -> pd.Series:
    """A text column as a Series of str objects; a categorical is expanded from its categories
    (one take) instead of converting every row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if len(codes) == 0 or codes.min() >= 0:
            categories = np.asarray(column.cat.categories.astype(object), dtype=object)
            return pd.Series(categories[codes], index=column.index, dtype=object, copy=False)
    return column.astype(str)


def positions_of(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``pd.Index(ids).get_indexer(wanted)`` for distinct non-negative integer ids (a load's
    ``turn`` numbers): the position of each wanted id in ``ids``, -1 where absent, through a
    table as long as the largest id (no hash table: a million ids 0.005 against 0.045 s)."""
    ids, wanted = np.asarray(ids, dtype=np.int64), np.asarray(wanted, dtype=np.int64)
    if not len(ids) or not len(wanted):
        return np.full(len(wanted), -1, dtype=np.intp)
    if int(ids.min()) < 0:
        return pd.Index(ids).get_indexer(wanted)
    table = np.full(int(ids.max()) + 2, -1, dtype=np.intp)  # the last slot answers every id beyond
    table[ids] = np.arange(len(ids))
    return table[np.where((wanted >= 0) & (wanted < len(table) - 1), wanted, len(table) - 1)]


def session_keys_of(data: "LogData", turn_ids: pd.Series) -> np.ndarray:
    """The ``session_key`` of the turn of each of ``turn_ids`` (a side table's ``turn`` column)."""
    rows = positions_of(data.turns["turn"].to_numpy(), np.asarray(turn_ids))
    found = rows >= 0
    every_key = data.turns["session_key"].to_numpy()
    keys = every_key[np.where(found, rows, 0)] if len(every_key) else np.zeros(len(rows), dtype=np.int64)
    return keys if found.all() else np.where(found, keys, np.nan)  # NaN where absent, as a reindex gives


def session_codes_of(data: "LogData", turn_ids: pd.Series) -> np.ndarray:
    """``session_keys_of`` as non-negative int64 codes to combine (``metrics.arrays``): the
    session key + 1, and 0 for a turn id without a turn (no such row in a load's tables)."""
    keys = session_keys_of(data, turn_ids)
    if keys.dtype.kind == "f":
        keys = np.nan_to_num(keys, nan=-1)
    return keys.astype(np.int64) + 1


def codes_and_texts(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (>= 0) of a text column and the text of each code: a categorical's own codes,
    else its texts (``text_values``) factorized. Equal codes group as ``grouping_of`` does."""
    if isinstance(column.dtype, pd.CategoricalDtype) and (column.cat.codes.to_numpy() >= 0).all():
        return column.cat.codes.to_numpy(), np.asarray(column.cat.categories.astype(object), dtype=object)
    codes, uniques = pd.factorize(text_values(column))
    return codes, np.asarray(uniques, dtype=object)


def matches(column: pd.Series, values) -> np.ndarray:
    """Rows whose text is one of ``values`` (a categorical's categories judged once)."""
    codes, texts = codes_and_texts(column)
    return np.isin(texts, list(values))[codes] if len(texts) else np.zeros(len(codes), dtype=bool)


def grouping_of(column: pd.Series) -> pd.Series:
    """A text column to group by: a categorical as it is (grouped by its codes, made text once
    grouped: text for each of millions of rows costs a second of hashing strings), unless a row
    has no category; else its text."""
    if isinstance(column.dtype, pd.CategoricalDtype) and (column.cat.codes.to_numpy() >= 0).all():
        return column
    return text_values(column)


def distinct_texts(column: pd.Series) -> list[str]:
    """The distinct values of a column as str, sorted ('' included when present); of a
    categorical, from its codes (no row is converted to text: a million rows took a tenth of
    a second per column, on every dashboard rerun)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(column.cat.categories)))
        return sorted({str(value) for value in column.cat.categories[used]})
    return sorted({str(value) for value in pd.unique(column.astype(str))})


@dataclass(frozen=True)
class Rejection:
    """One line that could not be read as a Lex V2 conversation-log record."""

    source: str
    line: int
    reason: str
    text: str


@dataclass
class LoadReport:
    """What happened to every line read: accepted, blank, duplicate or rejected."""

    lines: int = 0
    accepted: int = 0
    blank: int = 0
    duplicates: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def merge(self, other: "LoadReport") -> None:
        self.lines += other.lines
        self.accepted += other.accepted
        self.blank += other.blank
        self.duplicates += other.duplicates
        self.rejections.extend(other.rejections)
        self.files.extend(other.files)


def row_mask(kept: np.ndarray, size: int) -> np.ndarray:
    """A boolean array over ids 0..size-1, True at ``kept``: membership by indexing, not hashing
    (a side table of millions of rows is filtered in milliseconds)."""
    mask = np.zeros(max(size, int(kept.max()) + 1 if len(kept) else 0), dtype=bool)
    mask[kept] = True
    return mask


def rows_of_turns(data: "LogData", name: str, kept: np.ndarray) -> pd.DataFrame:
    """The rows of ``data``'s side table ``name`` whose turn is in ``kept`` (a row_mask)."""
    table = getattr(data, name)
    return table[kept[table["turn"].to_numpy()]]


@dataclass
class LogData:
    """Everything one load produced: the turns table, its side tables, and the load report."""

    turns: pd.DataFrame
    slots: pd.DataFrame
    attributes: pd.DataFrame
    interpretations: pd.DataFrame
    report: LoadReport = field(default_factory=LoadReport)
    request_attributes: pd.DataFrame = field(
        default_factory=lambda: empty_table(REQUEST_ATTRIBUTE_COLUMNS))
    server_responses: pd.DataFrame = field(
        default_factory=lambda: empty_table(SERVER_RESPONSE_COLUMNS))

    @classmethod
    def empty(cls) -> "LogData":
        return cls(**{name: empty_table(columns) for name, columns in TABLES.items()})

    def side_tables(self) -> dict[str, pd.DataFrame]:
        """Every table but ``turns``, by name."""
        return {name: getattr(self, name) for name in TABLES if name != "turns"}

    def with_tables(self, turns: pd.DataFrame, **side: pd.DataFrame) -> "LogData":
        """A copy with ``turns`` and the given side tables replaced."""
        return replace(self, turns=turns, **side)

    def with_turns(self, turns: pd.DataFrame, server_responses: Optional[pd.DataFrame] = None) -> "LogData":
        """The same data restricted to ``turns`` (a filtered subset of ``self.turns``); server
        responses follow their sessions unless given. Each side table is cut when it is first
        read (``__getattr__``): a page that reads only turns never pays for millions of slot,
        attribute and interpretation rows."""
        kept = row_mask(turns["turn"].to_numpy(), len(self.turns) and int(self.turns["turn"].max()) + 1)
        if server_responses is None:
            server_responses = self.server_responses
            if len(server_responses):
                server_responses = server_responses[server_responses["session_key"].isin(turns["session_key"])]
        restricted = object.__new__(type(self))  # no __init__: the side tables are not made yet
        vars(restricted).update(turns=turns, report=self.report, server_responses=server_responses,
                                _pending={name: partial(rows_of_turns, self, name, kept) for name in SIDE_TABLES})
        return restricted

    def __getattr__(self, name: str):
        """A side table ``with_turns`` left to cut: cut now, once (called only for attributes
        the instance does not hold)."""
        pending = self.__dict__.get("_pending")
        if pending is None or name not in pending:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        table = pending.pop(name)()
        setattr(self, name, table)
        return table
