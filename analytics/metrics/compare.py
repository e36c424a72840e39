"""Side-by-side comparisons (two windows, versions, aliases or locales) and returning users.

Rates are compared with a two-proportion z-test (pooled standard error; two-sided p-value
from the normal distribution via ``math.erfc``, no scipy needed).
"""
from __future__ import annotations

import math
from typing import Optional

import pandas as pd

from lexlens.analytics.metrics.arrays import as_values
from lexlens.analytics.metrics.conversations import IDLE_TIMEOUT_S
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.metrics.outcomes import Outcomes, compute_containment, compute_outcomes
from lexlens.analytics.schema import LogData

# rate name -> (numerator key, denominator key) in ``compute_kpis``
RATES = {"fallback_rate": ("missed", "utterances"),
         "success_rate": ("successful", "conversations"),
         "containment_rate": ("contained", "conversations")}

# kpi -> (label, kind): how people name and read each value ("count", "rate" or "number")
KPI_LABELS = {
    "turns": ("Turns", "count"), "utterances": ("Utterances", "count"),
    "missed": ("Missed utterances", "count"), "sessions": ("Sessions", "count"),
    "conversations": ("Conversations", "count"), "successful": ("Successful conversations", "count"),
    "escalated": ("Escalated conversations", "count"), "contained": ("Contained conversations", "count"),
    "fallback_rate": ("Fallback rate", "rate"), "success_rate": ("Conversation success rate", "rate"),
    "containment_rate": ("Containment rate", "rate"),
    "turns_per_conversation": ("Turns per conversation", "number"),
    "mean_confidence": ("Mean nluConfidence", "number"),
}

DEFINITIONS = {
    "Comparison": (
        "The same KPIs computed on two slices (two time windows, or two bot versions, aliases "
        "or locales), with B - A and the relative change. For rates (fallback, conversation "
        "success, containment) a two-proportion z-test says whether the difference is larger "
        "than chance: p-value below 0.05 = significant at 5 %. Conversations cut by a window "
        "edge are counted in the window holding their turns."),
    "Returning users": (
        "A user is identified by the chosen key: the Lex sessionId, or the value of a session "
        "attribute (e.g. a customer id); conversations without that attribute are left out. "
        "A new user has one conversation in the data, a returning user several. A repeat "
        "contact is a conversation starting within N hours (default 24) of the end of the same "
        "user's previous one."),
}


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> dict:
    """Two-sided pooled z-test of x1/n1 vs x2/n2: {p1, p2, delta, z, p_value} (NaN if undefined)."""
    p1 = x1 / n1 if n1 else math.nan
    p2 = x2 / n2 if n2 else math.nan
    z = p_value = math.nan
    if n1 and n2:
        pooled = (x1 + x2) / (n1 + n2)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        if se > 0:
            z = (p2 - p1) / se
            p_value = math.erfc(abs(z) / math.sqrt(2))
        else:
            z, p_value = 0.0, 1.0  # both 0 % or both 100 %: no evidence of a difference
    return {"p1": p1, "p2": p2, "delta": p2 - p1, "z": z, "p_value": p_value}


def compute_kpis(data: LogData, idle_timeout_s: float = IDLE_TIMEOUT_S,
                 escalation: Optional[EscalationRule] = None,
                 outcomes: Optional[Outcomes] = None) -> dict:
    """Counts and rates of one slice: turns, utterances, missed, sessions, conversations,
    successful, escalated, contained, fallback_rate, success_rate, containment_rate (the last
    three None without an escalation rule, as the Outcomes page shows containment as '—'),
    turns_per_conversation, mean_confidence."""
    t = data.turns
    o = outcomes or compute_outcomes(data, idle_timeout_s, escalation)
    c = o.conversations
    containment = compute_containment(o)  # without a rule: escalated and contained unknown (None)
    kpis = {
        "turns": len(t), "utterances": int(t["is_utterance"].sum()),
        "missed": int(t["missed"].sum()),  # the totals' definition: every turn Lex marked missed
        "sessions": int(t["session_key"].nunique()), "conversations": len(c),
        "successful": int((c["outcome"] == "Success").sum()),
        "escalated": containment["escalated"], "contained": containment["contained"],
    }
    for rate, (num, den) in RATES.items():
        kpis[rate] = kpis[num] / kpis[den] if kpis[num] is not None and kpis[den] else None
    kpis["turns_per_conversation"] = len(t) / len(c) if len(c) else None
    confidence = t["nlu_confidence"].mean()
    kpis["mean_confidence"] = None if pd.isna(confidence) else float(confidence)
    return kpis


def compare_kpis(a: dict, b: dict) -> pd.DataFrame:
    """KPIs of A and B side by side: columns kpi, a, b, delta, relative_delta, z, p_value
    (z and p_value only for rates), significant (p < 0.05)."""
    rows = []
    for kpi in a:
        va, vb = a[kpi], b.get(kpi)
        delta = None if va is None or vb is None else vb - va
        relative = delta / va if delta is not None and va else None
        z = p = None
        if kpi in RATES and va is not None and vb is not None:
            num, den = RATES[kpi]
            test = two_proportion_test(a[num], a[den], b[num], b[den])
            z, p = test["z"], test["p_value"]
        rows.append((kpi, va, vb, delta, relative, z, p))
    table = pd.DataFrame(rows, columns=["kpi", "a", "b", "delta", "relative_delta", "z", "p_value"])
    table["significant"] = table["p_value"].astype(float) < 0.05
    return table


def slice_window(data: LogData, start: pd.Timestamp, end: pd.Timestamp) -> LogData:
    """Turns with start <= time < end (timestamps in UTC or tz-aware)."""
    time = data.turns["time"]
    return data.with_turns(data.turns[((time >= start) & (time < end)).to_numpy()])


def slice_value(data: LogData, column: str, value: str) -> LogData:
    """Turns whose ``column`` (e.g. bot_version, alias_name, locale) equals ``value``."""
    return data.with_turns(data.turns[(as_values(data.turns[column]) == value)])


REQUEST_KEY_PREFIX = "request:"


def label_users(data: LogData, outcomes: Outcomes, key: str = "session_id") -> pd.Series:
    """Per conversation (index = conversation): the user id by ``key`` ('' when unknown).
    ``key`` is 'session_id', a session attribute name, or 'request:NAME' for a request
    attribute (e.g. a caller id the client sends with each request)."""
    c = outcomes.conversations
    if key == "session_id":
        return pd.Series(c["session_id"].to_numpy(), index=c["conversation"].to_numpy())
    attrs = data.attributes
    if key.startswith(REQUEST_KEY_PREFIX):
        attrs, key = data.request_attributes, key[len(REQUEST_KEY_PREFIX):]
    hit = attrs[(as_values(attrs["key"]) == key) & (as_values(attrs["value"]) != "")]
    by_turn = pd.Series(as_values(hit["value"]), index=hit["turn"].to_numpy())
    by_turn = by_turn[~by_turn.index.duplicated()]
    t = outcomes.turns
    value = by_turn.reindex(t["turn"].to_numpy()).to_numpy()
    users = pd.Series(value, index=t["conversation"].to_numpy()).dropna()
    users = users[~users.index.duplicated()]  # first value in time order
    return users.reindex(c["conversation"].to_numpy()).fillna("")


def compute_returning_users(data: LogData, key: str = "session_id", repeat_within_h: float = 24,
                            outcomes: Optional[Outcomes] = None) -> tuple[pd.DataFrame, dict]:
    """Conversations with their user: (table of conversation, user, session_id, start, end, nth
    (1 = first), since_previous_h, repeat_contact; summary {users, new_users, returning_users,
    conversations, unidentified, repeat_contacts, repeat_contact_rate})."""
    o = outcomes or compute_outcomes(data)
    c = o.conversations
    table = pd.DataFrame({"conversation": c["conversation"].to_numpy(),
                          "user": label_users(data, o, key).to_numpy(),
                          "session_id": c["session_id"].to_numpy(),
                          "start": c["start"].array, "end": c["end"].array})
    unidentified = int((table["user"] == "").sum())
    table = table[table["user"] != ""].sort_values(["user", "start", "conversation"], ignore_index=True)
    table["nth"] = table.groupby("user").cumcount() + 1
    previous_end = table.groupby("user")["end"].shift()
    table["since_previous_h"] = (table["start"] - previous_end).dt.total_seconds() / 3600
    table["repeat_contact"] = (table["since_previous_h"] <= repeat_within_h).to_numpy()
    per_user = table.groupby("user").size()
    repeats = int(table["repeat_contact"].sum())
    summary = {"users": len(per_user), "new_users": int((per_user == 1).sum()),
               "returning_users": int((per_user > 1).sum()), "conversations": len(table),
               "unidentified": unidentified, "repeat_contacts": repeats,
               "repeat_contact_rate": repeats / len(table) if len(table) else None}
    return table, summary
