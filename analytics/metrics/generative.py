"""Generative answers: QnAIntent questions, Bedrock agent turns and what they cited.

Lex writes what its generative intents did into session (and request) attributes:
AMAZON.QnAIntent its answer in ``x-amz-lex:qnA-search-response`` and the knowledge-base
source in ``x-amz-lex:qnA-search-response-source``
(https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intent-qna.html); AMAZON.BedrockAgentIntent
``x-amz-lex:bedrock-agent-search-response``, ``x-amz-lex:bedrock-knowledge-base-search-response-source``
(a JSON list of ``{title, uri, excerpt}``), ``x-amz-lex:bedrock-agent-action-group-invocation-input``
(JSON with ``actionGroupName`` and ``function``) and ``x-amz-lex:bedrock-agent-knowledge-base-lookup-input``
(https://docs.aws.amazon.com/lexv2/latest/dg/bedrock-agent-intent-sample.html). Session attributes
outlive the turn that set them, so a turn counts as a QnA or agent turn by its *intent*: an
intent of a bot on which a turn set such an attribute (a value the session's turn before did
not carry). Assisted NLU is in
``analytics.metrics.assisted_nlu``.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import as_values, value_codes
from lexlens.analytics.metrics.clusters import assign_leaders
from lexlens.analytics.schema import LogData, empty_frame, session_order
from lexlens.analytics.text.normalise import similarity_texts

QNA_PREFIX = "x-amz-lex:qnA-"
QNA_ANSWER, QNA_SOURCE = "x-amz-lex:qnA-search-response", "x-amz-lex:qnA-search-response-source"
AGENT_PREFIX = "x-amz-lex:bedrock-agent-"
AGENT_SOURCES = "x-amz-lex:bedrock-knowledge-base-search-response-source"
AGENT_ACTION = "x-amz-lex:bedrock-agent-action-group-invocation-input"
MARK_COLUMNS = ["turn", "time", "session_key", "conversation", "bot_id", "bot_name", "locale", "intent",
                "transcript", "qna", "answered", "agent"]

DEFINITIONS = {
    "Generative answers": (
        "What the generative features of a Lex bot did: QnA turns answered and unanswered, "
        "Bedrock agent turns, and turns whose intent Bedrock resolved (assisted NLU); each is "
        "defined below."),
    "QnA turn": (
        "A user turn on a QnAIntent: an intent of the bot that carried Lex's QnA attributes "
        "(`x-amz-lex:qnA-search-response`, `x-amz-lex:qnA-search-response-source`) in the "
        "session or request attributes of some turn. Answered: the turn itself carries a non-empty "
        "`x-amz-lex:qnA-search-response`, its intent did not end Failed and it is not a missed "
        "utterance. Unanswered: every other QnA turn (no answer text, or Lex's no-answer signal: "
        "the QnAIntent's failure step, state Failed, or a fall back to FallbackIntent)."),
    "Unanswered questions": (
        "Unanswered QnA turns of one bot and locale, grouped by spelling similarity as the "
        "utterance clusters are; the label is the group's most frequent question."),
    "Knowledge-base sources": (
        "The documents cited: `x-amz-lex:qnA-search-response-source` of answered QnA turns, and "
        "each `uri` (else `title`) of the JSON list in "
        "`x-amz-lex:bedrock-knowledge-base-search-response-source` of Bedrock agent turns; "
        "turns citing each."),
    "Bedrock agent turn": (
        "A user turn on an AMAZON.BedrockAgentIntent: an intent of the bot that carried "
        "`x-amz-lex:bedrock-agent-*` attributes on some turn. *Agent conversations*: "
        "conversations with at least one such turn; *turns per agent conversation*: agent turns "
        "/ agent conversations. *Action groups*: `actionGroupName` and `function` of "
        "`x-amz-lex:bedrock-agent-action-group-invocation-input`, where logged."),
}


def generative_attributes(data: LogData, prefix: str) -> pd.DataFrame:
    """[turn, key, value] of session and request attributes whose key starts with ``prefix``."""
    parts = []
    for table in (data.attributes, data.request_attributes):
        keys = pd.Index(table["key"].cat.categories if len(table) else [], dtype=object).astype(str)
        wanted = keys[keys.str.startswith(prefix)]
        if len(wanted):
            chosen = table[table["key"].isin(wanted)]
            parts.append(pd.DataFrame({"turn": chosen["turn"].to_numpy(), "key": as_values(chosen["key"]),
                                       "value": chosen["value"].astype(str).to_numpy()}))
    return pd.concat(parts, ignore_index=True) if parts else empty_frame(["turn", "key", "value"])


def set_on_turn(data: LogData, found: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``found`` (an attribute table) that their turn set: the session's turn before
    did not carry the same key and value (session attributes are carried over otherwise)."""
    if found.empty:
        return found
    order = session_order(data.turns)
    turn, session = data.turns["turn"].to_numpy()[order], data.turns["session_key"].to_numpy()[order]
    previous = np.full(len(turn), -1, dtype="int64")
    same = np.r_[False, session[1:] == session[:-1]]
    previous[same] = turn[:-1][same[1:]]
    before = found["turn"].map(pd.Series(previous, index=turn))
    carried = pd.MultiIndex.from_frame(found[["turn", "key", "value"]])
    return found[~pd.MultiIndex.from_arrays([before, found["key"], found["value"]]).isin(carried)]


def intents_with(data: LogData, found: pd.DataFrame) -> set[tuple[str, str]]:
    """(bot_id, intent) of the turns that set an attribute of ``found`` (an attribute table)."""
    found = set_on_turn(data, found)
    turns = data.turns.set_index("turn").loc[found["turn"].unique()] if len(found) else data.turns.head(0)
    return set(zip(as_values(turns["bot_id"]), as_values(turns["intent"])))


def with_pair(turns: pd.DataFrame, pairs: set) -> np.ndarray:
    """Rows whose (bot_id, intent) is one of ``pairs``: each distinct pair judged once, not a
    tuple made per turn (a million turns: 0.1 s)."""
    if not pairs:
        return np.zeros(len(turns), dtype=bool)
    bot, bots = value_codes(turns["bot_id"])
    intent, intents = value_codes(turns["intent"])
    known = np.array([[(b, i) in pairs for i in intents] for b in bots], dtype=bool).reshape(len(bots), len(intents))
    return known[bot, intent]


def mark_generative_turns(data: LogData, conversations: np.ndarray) -> pd.DataFrame:
    """MARK_COLUMNS per user turn on a QnA or agent intent; ``conversations``: the conversation
    number of each row of ``data.turns`` (``Conversations.keys``)."""
    qna_attrs, agent_attrs = generative_attributes(data, QNA_PREFIX), generative_attributes(data, AGENT_PREFIX)
    qna_intents, agent_intents = intents_with(data, qna_attrs), intents_with(data, agent_attrs)
    t = data.turns
    qna = with_pair(t, qna_intents) & t["is_utterance"].to_numpy()
    agent = with_pair(t, agent_intents) & t["is_utterance"].to_numpy()
    keep = qna | agent
    answers = qna_attrs[(qna_attrs["key"] == QNA_ANSWER) & (qna_attrs["value"].str.strip() != "")]
    answered = (t["turn"].isin(answers["turn"]).to_numpy() & ~t["missed"].to_numpy()
                & (as_values(t["intent_state"]) != "Failed") & qna)
    chosen = t[keep]
    return pd.DataFrame({
        "turn": chosen["turn"].to_numpy(), "time": chosen["time"].array,
        "session_key": chosen["session_key"].to_numpy(), "conversation": conversations[keep],
        "bot_id": as_values(chosen["bot_id"]), "bot_name": as_values(chosen["bot_name"]),
        "locale": as_values(chosen["locale"]), "intent": as_values(chosen["intent"]),
        "transcript": chosen["transcript"].to_numpy(), "qna": qna[keep], "answered": answered[keep],
        "agent": agent[keep]})[MARK_COLUMNS]


def compute_generative_summary(marked: pd.DataFrame, data: LogData) -> dict:
    """The ``generative`` object of the report: qna_turns, qna_answered, qna_unanswered,
    bedrock_interpretations (user turns whose top interpretation came from Bedrock),
    bedrock_agent_turns."""
    qna = marked[marked["qna"]]
    answered = int(qna["answered"].sum())
    return {"qna_turns": len(qna), "qna_answered": answered, "qna_unanswered": len(qna) - answered,
            "bedrock_interpretations": int((as_values(data.turns["interpretation_source"]) == "Bedrock").sum()),
            "bedrock_agent_turns": int(marked["agent"].sum())}


def compute_qna_over_time(marked: pd.DataFrame, freq: str, tz: str = "UTC") -> pd.DataFrame:
    """QnA turns per bin (local days, or hours): bin_start, answered, unanswered."""
    qna = marked[marked["qna"]]
    if qna.empty:
        return empty_frame(["bin_start", "answered", "unanswered"])
    local = qna["time"].dt.tz_convert(tz)
    bins = local.dt.floor(freq) if freq.endswith("h") else local.dt.normalize()
    table = pd.crosstab(bins.to_numpy(), qna["answered"].to_numpy())
    return pd.DataFrame({"bin_start": table.index, "answered": table.get(True, 0),
                         "unanswered": table.get(False, 0)}).reset_index(drop=True)


def top_unanswered_questions(marked: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Unanswered questions grouped by bot, locale and spelling similarity: bot_id, bot_name,
    locale, label (the most frequent question), questions (turns), sessions, texts (up to 5)."""
    columns = ["bot_id", "bot_name", "locale", "label", "questions", "sessions", "texts"]
    missing = marked[marked["qna"] & ~marked["answered"]].copy()
    if missing.empty:
        return empty_frame(columns)
    missing["text"] = similarity_texts(missing["transcript"]).to_numpy()
    rows = []
    for (bot_id, locale), part in missing.groupby(["bot_id", "locale"], sort=True):
        counts = part["text"].value_counts()
        ranked = counts.reset_index().sort_values(["count", "text"], ascending=[False, True])
        texts = ranked["text"].tolist()
        leader = dict(zip(texts, assign_leaders(texts)))
        part = part.assign(group=part["text"].map(leader))
        for _, group in part.groupby("group", sort=False):
            spellings = group["transcript"].value_counts()
            rows.append({"bot_id": bot_id, "bot_name": group["bot_name"].iloc[0], "locale": locale,
                         "label": spellings.index[0], "questions": len(group),
                         "sessions": group["session_key"].nunique(),
                         "texts": " | ".join(spellings.index[:5])})
    table = pd.DataFrame(rows, columns=columns).sort_values(["questions", "label"], ascending=[False, True])
    return table.head(n).reset_index(drop=True) if n else table.reset_index(drop=True)


def unanswered_utterances(marked: pd.DataFrame) -> pd.DataFrame:
    """Each distinct unanswered question as asked: utterance, count; most asked first (what the
    writer offers as sample utterances of a real intent)."""
    missing = marked.loc[marked["qna"] & ~marked["answered"], "transcript"]
    counts = missing.value_counts()
    table = pd.DataFrame({"utterance": counts.index.astype(object), "count": counts.to_numpy()})
    return table.sort_values(["count", "utterance"], ascending=[False, True], ignore_index=True)


def cited_sources(value: str) -> list[str]:
    """The documents of one source attribute: a JSON list's ``uri`` (else ``title``) of each
    item, else the text itself (a single URI)."""
    text = value.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            return [text]
        found = [str(item.get("uri") or item.get("title") or "") if isinstance(item, dict) else str(item)
                 for item in items]
        return [source for source in found if source]
    return [text] if text else []


def count_sources(data: LogData, marked: pd.DataFrame) -> pd.DataFrame:
    """Knowledge-base sources cited: kind (QnA or Bedrock agent), source, turns; most first."""
    answered = marked.loc[marked["answered"], "turn"]
    agent = marked.loc[marked["agent"], "turn"]
    rows = []
    for kind, prefix, key, turns in (("QnA", QNA_PREFIX, QNA_SOURCE, answered),
                                     ("Bedrock agent", "x-amz-lex:bedrock-knowledge-base-", AGENT_SOURCES, agent)):
        found = generative_attributes(data, prefix)
        found = found[(found["key"] == key) & found["turn"].isin(turns)].drop_duplicates("turn")
        rows += [(kind, source, turn) for turn, value in zip(found["turn"], found["value"])
                 for source in dict.fromkeys(cited_sources(value))]
    if not rows:
        return empty_frame(["kind", "source", "turns"])
    table = pd.DataFrame(rows, columns=["kind", "source", "turn"]).groupby(["kind", "source"]).size()
    return (table.rename("turns").reset_index()
            .sort_values(["turns", "kind", "source"], ascending=[False, True, True]).reset_index(drop=True))


def count_action_groups(data: LogData, marked: pd.DataFrame) -> pd.DataFrame:
    """Bedrock agent action-group invocations where logged: action_group, function, turns."""
    found = generative_attributes(data, AGENT_ACTION)
    found = found[found["turn"].isin(marked.loc[marked["agent"], "turn"])].drop_duplicates("turn")
    rows = []
    for value in found["value"]:
        try:
            call = json.loads(value)
        except ValueError:
            call = None
        call = call if isinstance(call, dict) else {}
        rows.append((str(call.get("actionGroupName") or "(unreadable)"), str(call.get("function") or "")))
    if not rows:
        return empty_frame(["action_group", "function", "turns"])
    table = pd.DataFrame(rows, columns=["action_group", "function"]).value_counts().rename("turns")
    return table.reset_index().sort_values(["turns", "action_group", "function"],
                                           ascending=[False, True, True]).reset_index(drop=True)


def compute_agent_conversations(marked: pd.DataFrame) -> dict:
    """{conversations, turns, turns_per_conversation} of the Bedrock agent turns."""
    agent = marked[marked["agent"]]
    conversations = int(agent["conversation"].nunique())
    return {"conversations": conversations, "turns": len(agent),
            "turns_per_conversation": len(agent) / conversations if conversations else None}
