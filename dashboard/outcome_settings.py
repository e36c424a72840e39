"""The inactivity threshold and the escalation rule: app-wide settings in the sidebar.

They change outcomes, containment and drop-off on several pages (Outcomes & funnels, NLU
health, Comparisons), so they sit with the other filters, live in the URL, survive page
switches, and start from what ``lexlens serve`` was given (``--idle-timeout``,
``--escalation-intent``, ``--escalation-attribute``, ``--escalation-action``).
"""
from __future__ import annotations

from typing import Optional

import streamlit as st

from lexlens.analytics.metrics.conversations import Conversations, compute_conversations
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.metrics.outcomes import compute_outcomes
from lexlens.dashboard import urlstate
from lexlens.dashboard.data import OutcomeSettings, View, derive
from lexlens.dashboard.safe import show_bidi
from lexlens.dashboard.settings import ServeSettings

DIALOG_ACTIONS = ["Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot"]
MAX_IDLE_S = 86_400  # Lex's idleSessionTTLInSeconds is at most 24 hours


def build_rule(intents, attribute_key: str, attribute_value: str, actions) -> Optional[EscalationRule]:
    """The escalation rule of the chosen markers, or None when none is chosen."""
    if not (intents or attribute_key or actions):
        return None
    return EscalationRule(intents=tuple(intents), dialog_actions=tuple(actions),
                          attribute=(attribute_key, attribute_value or None) if attribute_key else None)


def render_outcome_settings(settings: ServeSettings, choices: dict) -> OutcomeSettings:
    """The sidebar expander; defaults are the serve options; ``choices``: what the load holds
    (``dashboard.sidebar.filter_choices``)."""
    intents = sorted(set(choices["intent"]) | set(settings.escalation_intents))
    keys = sorted(set(choices["attribute_keys"]) | {settings.escalation_key} - {""})
    default_idle = int(min(max(round(settings.idle_timeout_s), 1), MAX_IDLE_S))
    with st.sidebar.expander("Outcome settings: inactivity and escalation"):
        idle = urlstate.number_input("Inactivity threshold (seconds)", "idle", 1, MAX_IDLE_S, default_idle,
                                     step=30, help="Silence after which a user counts as gone (dropped). "
                                     "Lex's default idle session timeout is 300 s.")
        chosen = urlstate.multiselect("Escalation intents", intents, "esc_intent",
                                      default=settings.escalation_intents, placeholder="e.g. SpeakToAgent")
        key = urlstate.selectbox("Escalation session attribute", [""] + keys, "esc_key",
                                 settings.escalation_key, format_func=lambda k: show_bidi(k) or "(none)")
        value = urlstate.text_input("…with value (empty: any non-empty value)", "esc_value",
                                    settings.escalation_value) if key else ""
        actions = urlstate.multiselect("Escalation dialog actions", DIALOG_ACTIONS, "esc_action",
                                       default=settings.escalation_actions)
        st.caption("Containment needs at least one escalation marker; these settings apply to "
                   "every page.")
    return OutcomeSettings(float(idle), build_rule(chosen, key, value, actions))


def view_conversations(view: View) -> Conversations:
    """The conversations of the view under its inactivity threshold (cached): the one count of
    conversations that the tiles, the sessions tables and the outcomes all read."""
    idle = view.outcome.idle_timeout_s
    return derive(view, "conversations", lambda: compute_conversations(view.turns, idle_timeout_s=idle))


def view_outcomes(view: View):
    """The outcomes of the view under its outcome settings (cached)."""
    idle, escalation = view.outcome.idle_timeout_s, view.outcome.escalation
    return derive(view, "outcomes", lambda: compute_outcomes(view.data, idle, escalation,
                                                             conversations=view_conversations(view)))
