"""The issue-6 part of ``lexlens report``: JSON keys (``compute_extra_report``) and ``--out``
tables (``extra_tables``), computed from one ``compute_outcomes`` pass."""
from __future__ import annotations

import math
from typing import Optional

import pandas as pd

from lexlens.analytics.metrics import clusters, funnels, nlu
from lexlens.analytics.metrics.outcomes import (IDLE_TIMEOUT_S, EscalationRule, Outcomes, compute_containment,
                                                compute_conversation_outcomes, compute_intent_outcomes,
                                                compute_outcomes, top_dropoffs)
from lexlens.analytics.schema import LogData

REPORT_CLUSTERS = 20  # clusters listed in the JSON report (all are in the --out table)


def plain(value):
    """A JSON-safe Python value (numpy scalars -> int/float, NaN -> None, times -> ISO)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def records_of(table: pd.DataFrame) -> list[dict]:
    return [{key: plain(value) for key, value in row.items()} for row in table.to_dict("records")]


def nest_intent_outcomes(table: pd.DataFrame) -> dict:
    """{intent: {Success, Failed, Switched, Dropped}}."""
    columns = ["Success", "Failed", "Switched", "Dropped"]
    return {row["intent"]: {name: int(row[name]) for name in columns}
            for row in table.to_dict("records")}


def nest_slot_outcomes(table: pd.DataFrame) -> dict:
    """{intent: {slot: {Success, Failed, Dropped, Retries}}}."""
    nested: dict = {}
    for row in table.to_dict("records"):
        nested.setdefault(row["intent"], {})[row["slot"]] = {
            "Success": int(row["Success"]), "Failed": int(row["Failed"]),
            "Dropped": int(row["Dropped"]), "Retries": int(row["retries"])}
    return nested


def summarise_for_json(cluster_table: pd.DataFrame, trend: pd.DataFrame) -> list[dict]:
    """The largest clusters as JSON records with a {week: turns} trend."""
    weekly = {cluster: {str(week): int(n) for week, n in zip(g["week"], g["turns"])}
              for cluster, g in trend.groupby("cluster")}
    rows = records_of(cluster_table.head(REPORT_CLUSTERS))
    for row in rows:
        row["weekly"] = weekly.get(row["cluster"], {})
    return rows


def compute_extra_report(data: LogData, idle_timeout_s: float = IDLE_TIMEOUT_S,
                         escalation: Optional[EscalationRule] = None,
                         outcomes: Optional[Outcomes] = None, conversations=None) -> dict:
    """JSON keys: conversations, intent_outcomes, conversation_outcomes, containment_rate,
    slot_outcomes, confusion_pairs, clusters (see each module's DEFINITIONS)."""
    return {**compute_outcome_report(data, idle_timeout_s, escalation, outcomes, conversations),
            **compute_utterance_report(data)}


def compute_outcome_report(data: LogData, idle_timeout_s: float = IDLE_TIMEOUT_S,
                           escalation: Optional[EscalationRule] = None,
                           outcomes: Optional[Outcomes] = None, conversations=None) -> dict:
    """The outcome keys of ``compute_extra_report``."""
    o = outcomes or compute_outcomes(data, idle_timeout_s, escalation, conversations=conversations)
    return {
        "conversations": int(len(o.conversations)),
        "intent_outcomes": nest_intent_outcomes(compute_intent_outcomes(o)),
        "conversation_outcomes": compute_conversation_outcomes(o),
        "containment_rate": plain(compute_containment(o)["containment_rate"]),
        "slot_outcomes": nest_slot_outcomes(funnels.compute_slot_outcomes(funnels.build_slot_runs(o))),
    }


def compute_utterance_report(data: LogData) -> dict:
    """The NLU and missed-utterance keys of ``compute_extra_report``."""
    members = clusters.cluster_utterances(data)
    return {
        "confusion_pairs": records_of(nlu.compute_confusion_pairs(data)),
        "clusters": summarise_for_json(clusters.summarise_clusters(members),
                                       clusters.compute_cluster_trend(members)),
    }


def extra_tables(data: LogData, idle_timeout_s: float = IDLE_TIMEOUT_S,
                 escalation: Optional[EscalationRule] = None,
                 outcomes: Optional[Outcomes] = None, conversations=None) -> dict[str, pd.DataFrame]:
    """Name -> table for ``--out`` (one CSV each)."""
    o = outcomes or compute_outcomes(data, idle_timeout_s, escalation, conversations=conversations)
    runs = funnels.build_slot_runs(o)
    members = clusters.cluster_utterances(data)
    cluster_table = clusters.summarise_clusters(members)
    conversation_outcomes = compute_conversation_outcomes(o)
    return {
        "conversations": o.conversations,
        "intent_outcomes": compute_intent_outcomes(o),
        "conversation_outcomes": pd.DataFrame({"outcome": list(conversation_outcomes),
                                               "conversations": list(conversation_outcomes.values())}),
        "containment": pd.DataFrame([compute_containment(o)]),
        "slot_outcomes": funnels.compute_slot_outcomes(runs),
        "funnel": funnels.compute_funnel(o, runs),
        "dropoff": top_dropoffs(o, n=100),
        "confidence": nlu.compute_confidence_distribution(data),
        "near_misses": nlu.top_near_misses(data),
        "confusion_pairs": nlu.compute_confusion_pairs(data),
        "switch_matrix": nlu.compute_switch_matrix(o.attempts).reset_index(),
        "clusters": cluster_table,
        "cluster_trend": clusters.compute_cluster_trend(members),
        **{testset_name(bot_id, locale): testset
           for (bot_id, locale), testset in clusters.build_testsets(members, cluster_table).items()},
    }


TESTSET_PREFIX = "lex_test_set"


def testset_name(bot_id: str, locale: str) -> str:
    """The --out table name of one bot and locale's test set (ids are [0-9A-Z], locales a_B)."""
    safe = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in f"{bot_id}_{locale}")
    return f"{TESTSET_PREFIX}_{safe}"
