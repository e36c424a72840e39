"""Counts per period for CloudWatch custom metrics, in the AWS reference's layout.

The reference ("Monitor operational metrics for your Amazon Lex chatbot",
aws-samples/aws-lex-v2-bot-analytics, template.yaml) publishes from metric filters, in the
namespace ``Lex/Activity/<BotId>/<LocaleId>``, ``CountMessages`` and ``MissedUtterance`` with
the dimensions ``BotAliasName``, ``BotVersion`` and ``Intent`` together. lexlens publishes the
same two names (so the reference's alarms carry over), once per period without dimensions (the
whole bot and locale) and once per combination of the three dimensions, plus its own counts
without dimensions: ``Sessions`` (started), ``Conversations``, ``ConversationsFailed``,
``ConversationsDropped`` and, with an escalation rule, ``Escalations``.

A conversation counts in the period of its last turn: its outcome is only known once it is
over, so it is never counted before it is final. A period is complete when its end plus the
inactivity threshold has passed (``complete_until``): no later turn can change its values.
"""
from __future__ import annotations

from typing import Optional

import pandas as pd

from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.metrics.outcomes import compute_outcomes
from lexlens.analytics.schema import LogData

MESSAGES, MISSED = "CountMessages", "MissedUtterance"
OWN_METRICS = ("Sessions", "Conversations", "ConversationsFailed", "ConversationsDropped")
ESCALATIONS = "Escalations"
DIMENSIONS = ("BotAliasName", "BotVersion", "Intent")
NO_VALUE = "(none)"  # a dimension value must not be empty (1 to 1,024 characters)
COLUMNS = ["bot_id", "locale", "start", "metric", "dimensions", "value"]


def period_start(times: pd.Series, period_s: int) -> pd.Series:
    """The start of each time's period; periods are aligned on the Unix epoch."""
    return times.dt.floor(f"{period_s}s")


def complete_until(horizon: pd.Timestamp, period_s: int, idle_timeout_s: float) -> pd.Timestamp:
    """Periods starting before this are complete at ``horizon`` (end + inactivity threshold <= horizon)."""
    return (horizon - pd.Timedelta(seconds=idle_timeout_s)).floor(f"{period_s}s")


def count_rows(frame: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Rows per key combination as [*keys, metric, value]."""
    counts = frame.groupby(keys, observed=True, sort=True).size().rename("value").reset_index()
    counts["metric"] = metric
    return counts


def dimension_text(value) -> str:
    text = str(value) if value is not None else ""
    return text[:1024] if text else NO_VALUE


def turn_metrics(turns: pd.DataFrame, period_s: int) -> pd.DataFrame:
    """CountMessages and MissedUtterance per period, without dimensions and per dimension set."""
    t = pd.DataFrame({"bot_id": turns["bot_id"].astype(str), "locale": turns["locale"].astype(str),
                      "start": period_start(turns["time"], period_s),
                      "BotAliasName": turns["alias_name"].astype(str), "BotVersion": turns["bot_version"].astype(str),
                      "Intent": turns["intent"].astype(str)})
    parts = []
    for metric, mask in ((MESSAGES, turns["is_utterance"].to_numpy()), (MISSED, turns["missed"].to_numpy())):
        chosen = t[mask]
        whole = count_rows(chosen, ["bot_id", "locale", "start"], metric)
        whole["dimensions"] = [()] * len(whole)
        split = count_rows(chosen, ["bot_id", "locale", "start", *DIMENSIONS], metric)
        split["dimensions"] = [tuple(zip(DIMENSIONS, map(dimension_text, row)))
                               for row in split[list(DIMENSIONS)].itertuples(index=False)]
        parts += [whole, split.drop(columns=list(DIMENSIONS))]
    return pd.concat(parts, ignore_index=True)


def conversation_metrics(data: LogData, period_s: int, idle_timeout_s: float,
                         escalation: Optional[EscalationRule]) -> pd.DataFrame:
    """Sessions by their first turn; Conversations, ConversationsFailed, ConversationsDropped and
    Escalations by their last turn."""
    turns = data.turns
    where = turns.groupby("session_key", observed=True).agg(bot_id=("bot_id", "first"), locale=("locale", "first"),
                                                           first=("time", "min"))
    where["bot_id"], where["locale"] = where["bot_id"].astype(str), where["locale"].astype(str)
    sessions = where.assign(start=period_start(where["first"], period_s))
    parts = [count_rows(sessions, ["bot_id", "locale", "start"], "Sessions")]
    found = compute_conversations(turns, idle_timeout_s=idle_timeout_s)
    conversations = compute_outcomes(data, idle_timeout_s, escalation, conversations=found).conversations
    c = conversations.join(where[["bot_id", "locale"]], on="session_key")
    c["start"] = period_start(c["end"], period_s)
    outcome = c["outcome"].astype(str)
    chosen = [("Conversations", c), ("ConversationsFailed", c[outcome == "Failed"]),
              ("ConversationsDropped", c[outcome == "Dropped"])]
    if escalation is not None:
        chosen.append((ESCALATIONS, c[c["escalated"].to_numpy()]))
    parts += [count_rows(frame, ["bot_id", "locale", "start"], metric) for metric, frame in chosen]
    table = pd.concat(parts, ignore_index=True)
    table["dimensions"] = [()] * len(table)
    return table


def zero_filled(table: pd.DataFrame, first: dict, last: pd.Timestamp, period_s: int,
                metrics: tuple[str, ...]) -> pd.DataFrame:
    """Every undimensioned metric in every period from each namespace's ``first`` period to
    ``last`` (exclusive), 0 where nothing happened: a quiet period is a real 0 for an alarm."""
    frames = []
    for (bot_id, locale), begin in first.items():
        starts = pd.date_range(begin, last, freq=f"{period_s}s", inclusive="left")
        grid = pd.MultiIndex.from_product([[bot_id], [locale], starts, metrics], names=["bot_id", "locale", "start", "metric"])
        frames.append(pd.DataFrame(index=grid).reset_index())
    if not frames:
        return table
    grid = pd.concat(frames, ignore_index=True)
    grid["dimensions"] = [()] * len(grid)
    whole = table[table["dimensions"].map(len) == 0]
    merged = grid.merge(whole[["bot_id", "locale", "start", "metric", "value"]], how="left",
                        on=["bot_id", "locale", "start", "metric"])
    merged["value"] = merged["value"].fillna(0).astype("int64")
    dimensioned = table[(table["dimensions"].map(len) > 0) & (table["start"] < last)]
    return pd.concat([merged, dimensioned], ignore_index=True)[COLUMNS]


def compute_period_values(data: LogData, *, period_s: int, idle_timeout_s: float, complete_until: pd.Timestamp,
                          since: Optional[pd.Timestamp] = None,
                          escalation: Optional[EscalationRule] = None) -> pd.DataFrame:
    """The value of every metric in every complete period (those starting before ``complete_until``).

    Columns: bot_id, locale, start (period start, UTC), metric, dimensions (tuple of (name,
    value) pairs, () for the whole bot and locale), value (int). Undimensioned metrics are
    filled with 0 from each bot and locale's first period (``since``'s, when given) on.
    """
    turns = data.turns
    if turns.empty:
        return pd.DataFrame({name: [] for name in COLUMNS})
    table = pd.concat([turn_metrics(turns, period_s),
                       conversation_metrics(data, period_s, idle_timeout_s, escalation)], ignore_index=True)
    firsts = turns.groupby([turns["bot_id"].astype(str), turns["locale"].astype(str)])["time"].min()
    first = {key: (since.floor(f"{period_s}s") if since is not None else value.floor(f"{period_s}s"))
             for key, value in firsts.items()}
    metrics = (MESSAGES, MISSED, *OWN_METRICS) + ((ESCALATIONS,) if escalation is not None else ())
    table = zero_filled(table, first, complete_until, period_s, metrics)
    table = table[table["start"] < complete_until]
    return table.sort_values(["bot_id", "locale", "start", "metric"], kind="stable").reset_index(drop=True)
