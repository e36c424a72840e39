"""Assisted NLU: turns whose top interpretation came from Amazon Bedrock.

With assisted NLU (and assisted slot resolution) on, Lex logs ``interpretationSource``
``"Bedrock"`` on an interpretation Bedrock resolved and ``"Lex"`` on one its own model did
(https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html).
"""
from __future__ import annotations

import pandas as pd

from lexlens.analytics.metrics.arrays import as_values
from lexlens.analytics.metrics.outcomes import INTENT_OUTCOMES, Outcomes
from lexlens.analytics.schema import empty_frame

DEFINITIONS = {
    "Assisted NLU": (
        "Turns whose top interpretation has `interpretationSource` Bedrock (assisted NLU or "
        "assisted slot resolution), out of the utterances with an interpretation source; per "
        "intent, over time, and the outcomes of the intent attempts that began on such a turn "
        "beside those that began on a Lex-resolved one."),
}


def sourced_utterances(turns: pd.DataFrame) -> pd.DataFrame:
    """Utterances whose top interpretation names its source (Lex or Bedrock)."""
    source = as_values(turns["interpretation_source"])
    return turns[turns["is_utterance"].to_numpy() & ((source == "Bedrock") | (source == "Lex"))]


def compute_bedrock_share_by_intent(turns: pd.DataFrame) -> pd.DataFrame:
    """Per intent: turns, bedrock_turns, bedrock_share; most Bedrock turns first."""
    sourced = sourced_utterances(turns)
    if sourced.empty:
        return empty_frame(["intent", "turns", "bedrock_turns", "bedrock_share"])
    frame = pd.DataFrame({"intent": as_values(sourced["intent"]),
                          "bedrock": as_values(sourced["interpretation_source"]) == "Bedrock"})
    table = frame.groupby("intent").agg(turns=("bedrock", "size"), bedrock_turns=("bedrock", "sum")).reset_index()
    table["bedrock_share"] = table["bedrock_turns"] / table["turns"]
    return table.sort_values(["bedrock_turns", "turns", "intent"], ascending=[False, False, True],
                             ignore_index=True)


def compute_bedrock_share_over_time(turns: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Per local day: turns, bedrock_turns, bedrock_share."""
    sourced = sourced_utterances(turns)
    if sourced.empty:
        return empty_frame(["day", "turns", "bedrock_turns", "bedrock_share"])
    # .array, not .to_numpy(): a zoned column's numpy form is one Timestamp object per row
    # (2.3 s of the Generative page at a million records)
    frame = pd.DataFrame({"day": sourced["time"].dt.tz_convert(tz).dt.normalize().array,
                          "bedrock": as_values(sourced["interpretation_source"]) == "Bedrock"})
    table = frame.groupby("day").agg(turns=("bedrock", "size"), bedrock_turns=("bedrock", "sum")).reset_index()
    table["bedrock_share"] = table["bedrock_turns"] / table["turns"]
    return table


def compare_outcomes_by_source(outcomes: Outcomes, turns: pd.DataFrame) -> pd.DataFrame:
    """Intent attempts by the source of their first turn's interpretation: source, Success,
    Failed, Switched, Dropped, attempts, success_rate (Lex first, then Bedrock)."""
    columns = ["source", *INTENT_OUTCOMES, "attempts", "success_rate"]
    attempts = outcomes.attempts
    sources = pd.Series(as_values(turns["interpretation_source"]), index=turns["turn"].to_numpy())
    first_source = sources.reindex(attempts["first_turn"].to_numpy()).to_numpy()
    chosen = attempts[(first_source == "Lex") | (first_source == "Bedrock")]
    if chosen.empty:
        return empty_frame(columns)
    table = pd.crosstab(first_source[(first_source == "Lex") | (first_source == "Bedrock")],
                        chosen["outcome"].astype(str).to_numpy())
    table = table.reindex(index=[s for s in ("Lex", "Bedrock") if s in table.index],
                          columns=list(INTENT_OUTCOMES), fill_value=0)
    table = table.rename_axis(index="source", columns=None).reset_index()
    table["attempts"] = table[list(INTENT_OUTCOMES)].sum(axis=1)
    table["success_rate"] = table["Success"] / table["attempts"]
    return table[columns]
