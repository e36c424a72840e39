"""The state an intent settled in after the user's turn, from the server responses that follow it.

While a fulfillment runs, the user's turn is logged with the intent ``FulfillmentInProgress``
(or ``Waiting`` while the bot waits for the user to continue), and Lex then logs server
responses (``FulfillmentStartedResponse``, ``FulfillmentUpdateResponse``,
``FulfillmentCompletedResponse``, ``StillWaitingResponse``) carrying the intent's state as the
fulfillment goes on. When one of them reaches ``Fulfilled`` or ``Failed``, that decides the
attempt; the others (still in progress, still waiting) change nothing.
https://docs.aws.amazon.com/lexv2/latest/dg/streaming-progress.html
https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.schema import text_values

SETTLED = ("Fulfilled", "Failed")  # the states that end a fulfillment


def settle_states(turns: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """``turns`` with ``intent_state`` and ``dialog_action`` replaced, on each turn followed by a
    server response of the same session and intent (before the session's next turn) that reached
    Fulfilled or Failed, by those of the last such response. Unchanged (the same object) without
    any."""
    if turns.empty or responses.empty:
        return turns
    later = responses[responses["intent_state"].isin(SETTLED) & (responses["intent"].astype(str) != "")]
    if later.empty:
        return turns
    # times as .array: a zoned column's .to_numpy() is one Timestamp object per row
    left = pd.DataFrame({"time": later["time"].array, "session_key": later["session_key"].to_numpy(),
                         "intent": later["intent"].astype(str).to_numpy(),
                         "state": later["intent_state"].astype(str).to_numpy(),
                         "action": later["dialog_action"].astype(str).to_numpy()})
    right = pd.DataFrame({"time": turns["time"].array, "session_key": turns["session_key"].to_numpy(),
                          "turn_intent": text_values(turns["intent"]).to_numpy(),
                          "position": np.arange(len(turns))})
    matched = pd.merge_asof(left.sort_values("time", kind="stable"), right.sort_values("time", kind="stable"),
                            on="time", by="session_key", direction="backward")
    matched = matched[matched["position"].notna() & (matched["intent"] == matched["turn_intent"])]
    if matched.empty:
        return turns
    last = matched.drop_duplicates("position", keep="last")
    positions = last["position"].to_numpy(dtype="int64")
    settled = turns.copy()
    for column, values in (("intent_state", last["state"]), ("dialog_action", last["action"])):
        texts = settled[column].astype(str).to_numpy(dtype=object)
        texts[positions] = values.to_numpy(dtype=object)
        settled[column] = pd.Categorical(texts)
    return settled
