"""Server responses: records Lex logged for responses the server generated, not for user input.

A record whose ``responseReason`` is present and is not ``UtteranceResponse`` (``StartTimeout``,
``StillWaitingResponse``, ``FulfillmentInitiated``, ``FulfillmentStartedResponse``,
``FulfillmentUpdateResponse``, ``FulfillmentCompletedResponse``) is the bot speaking on its own:
a "still working on it" update while a fulfillment runs, its start and completion messages, a
timeout prompt. It goes into ``analytics.schema.SERVER_RESPONSE_COLUMNS``, never into ``turns``,
so it counts in ``records`` and ``server_responses`` and in no user-turn figure.
https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html
https://docs.aws.amazon.com/lexv2/latest/dg/streaming-progress.html (fulfillment updates)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.ingest.columns import as_text, frame_from_rows
from lexlens.analytics.ingest.records import Record
from lexlens.analytics.ingest.turn_table import joined_messages
from lexlens.analytics.schema import SERVER_RESPONSE_COLUMNS, empty_table

ROW_COLUMNS = [name for name in SERVER_RESPONSE_COLUMNS if name not in ("response", "time", "session_key")]
SESSION_COLUMNS = ["bot_id", "alias_id", "locale", "session_id"]


class ServerResponseBuilder:
    """Accumulates server-response records; ``build`` returns their table."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.times_ms: list[int] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, record: Record, time_ms: int) -> None:
        bot, state = record.bot, record.session_state
        intent = state.intent if state is not None else None
        action = state.dialog_action if state is not None else None
        self.rows.append(tuple(as_text(value) for value in (
            record.session_id, record.request_id,
            state.originating_request_id if state is not None else None,
            bot.id, bot.name, bot.alias_id, bot.alias_name, bot.locale_id, bot.version,
            record.input_mode or "Unknown", record.response_reason,
            intent.name if intent is not None else None, intent.state if intent is not None else None,
            action.type if action is not None else None, record.input_transcript,
        )) + (joined_messages(record.messages),))
        self.times_ms.append(time_ms)

    def build(self) -> pd.DataFrame:
        """The server-response table (numbered 0..n-1, session keys not yet given)."""
        if not self.rows:
            return empty_table(SERVER_RESPONSE_COLUMNS)
        table = frame_from_rows(self.rows, ROW_COLUMNS, SERVER_RESPONSE_COLUMNS)
        table.insert(0, "response", np.arange(len(table), dtype="int64"))
        table.insert(1, "time", pd.to_datetime(np.asarray(self.times_ms, dtype="int64"),
                                                unit="ms", utc=True).as_unit("ns"))
        table.insert(2, "session_key", np.zeros(len(table), dtype="int64"))
        return table[list(SERVER_RESPONSE_COLUMNS)]


def concat_responses(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Server-response tables one after another (categoricals kept), numbered 0..n-1."""
    tables = [table for table in tables if len(table)]
    if not tables:
        return empty_table(SERVER_RESPONSE_COLUMNS)
    if len(tables) == 1:
        return tables[0].reset_index(drop=True)
    combined = pd.concat([table.astype({name: object for name, (dtype, _) in SERVER_RESPONSE_COLUMNS.items()
                                        if dtype == "category"}) for table in tables], ignore_index=True)
    combined = combined.astype({name: "category" for name, (dtype, _) in SERVER_RESPONSE_COLUMNS.items()
                                if dtype == "category"})
    combined["response"] = np.arange(len(combined), dtype="int64")
    return combined


def finish_responses(responses: pd.DataFrame, turns: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``responses`` with the session keys of ``turns`` (new keys for sessions without a user
    turn), in time order, numbered 0..n-1, repeats dropped; and how many repeats there were.

    A repeat is a record loaded twice: the same session, request, reason and time. A server
    response sharing (``sessionId``, ``requestId``) with the user turn it follows is not one,
    nor are the several ``FulfillmentUpdateResponse`` records of one request."""
    if responses.empty:
        return responses, 0
    identity = ["session_id", "request_id", "response_reason", "time"]
    repeated = responses.astype({"response_reason": object}).duplicated(identity).to_numpy()
    responses = responses[~repeated]
    responses = responses.iloc[np.argsort(responses["time"].array.asi8, kind="stable")].reset_index(drop=True)
    responses["response"] = np.arange(len(responses), dtype="int64")
    responses["session_key"] = session_keys_like(turns, responses)
    return responses, int(repeated.sum())


def session_keys_like(turns: pd.DataFrame, responses: pd.DataFrame) -> np.ndarray:
    """For each response, the ``session_key`` its session has in ``turns``; sessions with no user
    turn get new keys after the largest one."""
    def keys_of(table: pd.DataFrame) -> pd.MultiIndex:
        return pd.MultiIndex.from_arrays([table[name].astype(str).to_numpy(dtype=object)
                                          for name in SESSION_COLUMNS])
    wanted = keys_of(responses)
    found = np.full(len(wanted), np.nan)
    if len(turns):
        known = turns.drop_duplicates(SESSION_COLUMNS)
        lookup = pd.Series(known["session_key"].to_numpy(dtype="float64"), index=keys_of(known))
        found = np.array(lookup.reindex(wanted), dtype="float64")
    missing = np.isnan(found)
    if missing.any():
        start = int(turns["session_key"].max()) + 1 if len(turns) else 0
        codes, _ = pd.factorize(wanted[missing])
        found[missing] = start + codes
    return found.astype("int64")


def describe_only_server_responses(count: int) -> str:
    """The sentence for an input whose records are all server responses (no user turn)."""
    return (f"no user turns in the input: every record in it ({count:,}) is a server response (a "
            "responseReason other than UtteranceResponse: the bot speaking on its own), and "
            "every figure but the record count is about user turns.")
