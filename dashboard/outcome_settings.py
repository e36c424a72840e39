"""Shared controls of the outcome pages: the inactivity threshold and the escalation rule."""
from __future__ import annotations

import streamlit as st

from analytics.outcomes import IDLE_TIMEOUT_S, EscalationRule, compute_outcomes
from dashboard.data import View, derive

DIALOG_ACTIONS = ["Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot"]


def pick_outcome_settings(view: View) -> tuple[float, EscalationRule | None]:
    """Inactivity threshold and escalation markers, in an expander."""
    turns = view.full.turns
    with st.expander("Settings: inactivity threshold and escalation markers"):
        idle = st.number_input("Inactivity threshold (seconds)", 30, 86_400, IDLE_TIMEOUT_S, step=30,
                               key="idle_timeout")
        intents = st.multiselect("Escalation intents", sorted(turns["intent"].astype(str).unique()),
                                 key="escalation_intents", placeholder="e.g. SpeakToAgent")
        keys = sorted(view.full.attributes["key"].astype(str).unique())
        key = st.selectbox("Escalation session attribute", [""] + keys, key="escalation_key",
                           format_func=lambda k: k or "(none)")
        value = st.text_input("…with value (empty: any non-empty value)", key="escalation_value") if key else ""
        actions = st.multiselect("Escalation dialog actions", DIALOG_ACTIONS, key="escalation_actions")
    if not (intents or key or actions):
        return float(idle), None
    return float(idle), EscalationRule(intents=tuple(intents), dialog_actions=tuple(actions),
                                       attribute=(key, value or None) if key else None)


def view_outcomes(view: View, idle: float, escalation: EscalationRule | None):
    return derive(view, "outcomes", lambda: compute_outcomes(view.data, idle, escalation), idle, escalation)
