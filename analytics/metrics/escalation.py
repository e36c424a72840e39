"""Escalation: what marks a conversation as handed off to a person. Lex has no built-in notion
of hand-off, so it is what you declare (intents, a session attribute value, dialog actions);
containment (``outcomes.compute_containment``) counts the conversations without it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import as_values
from lexlens.analytics.schema import LogData


@dataclass(frozen=True)
class EscalationRule:
    """What marks a conversation as escalated (handed off to a person)."""

    intents: tuple[str, ...] = ()
    attribute: Optional[tuple[str, Optional[str]]] = None  # (key, value); value None: any non-empty
    dialog_actions: tuple[str, ...] = ()


def mark_escalated(t: pd.DataFrame, data: LogData, rule: Optional[EscalationRule]) -> np.ndarray:
    """Per sorted turn: does it match the escalation rule?"""
    hit = np.zeros(len(t), dtype=bool)
    if rule is None:
        return hit
    if rule.intents:
        hit |= np.isin(as_values(t["intent"]), list(rule.intents))
    if rule.dialog_actions:
        hit |= np.isin(as_values(t["dialog_action"]), list(rule.dialog_actions))
    if rule.attribute is not None:
        key, value = rule.attribute
        attrs = data.attributes
        match = as_values(attrs["key"]) == key
        values = as_values(attrs["value"])
        match &= (values != "") if value is None else (values == value)
        hit |= t["turn"].isin(attrs["turn"].to_numpy()[match]).to_numpy()
    return hit
