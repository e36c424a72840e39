"""The writer panel (issue 5): add missed utterances to an intent of a bot's DRAFT.

Shown only under ``lexlens serve --allow-writes``. Plan first (reads only), show the
plan, then apply after an explicit confirmation; optionally build the locale. Every
call goes through ``analytics.writer``; utterance text is shown in tables only. Tests
put a stubbed ``lexv2-models`` client in ``st.session_state["writer_client"]``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lexlens.analytics.errors import LexlensError
from lexlens.dashboard.safe import escape_markdown

CLIENT_STATE = "writer_client"
CANDIDATES_STATE = "writer_candidates"
MAX_CHOICES = 500


@st.cache_resource(show_spinner=False)
def make_writer_client(region: str | None, profile: str | None, endpoint_url: str | None):
    from lexlens.analytics.writer import make_client

    return make_client(region=region, profile=profile, endpoint_url=endpoint_url)


def writer_client(settings):
    if CLIENT_STATE in st.session_state:
        return st.session_state[CLIENT_STATE]
    cloudwatch = settings.cloudwatch
    return make_writer_client(cloudwatch.get("region"), cloudwatch.get("profile"), None)


def pick_candidates(missed: pd.DataFrame, noun: str = "missed utterances") -> list:
    """Multiselect of ``missed`` utterances with their counts; returns writer Candidates."""
    from lexlens.analytics.writer.rules import Candidate

    counts = dict(zip(missed["utterance"].head(MAX_CHOICES), missed["count"].head(MAX_CHOICES)))
    preset = [text for text in st.session_state.pop(CANDIDATES_STATE, []) if text]
    for text in preset:
        counts.setdefault(text, None)
    if preset:
        st.session_state["writer_pick"] = preset
    chosen = st.multiselect(f"{noun.capitalize()} to add", list(counts), key="writer_pick",
                            format_func=lambda t: t if counts[t] is None else f"{t}  ({counts[t]}×)")
    return [Candidate(text, counts[text]) for text in chosen]


def pick_target(view, client):
    """Bot id, locale and a writable intent (ListIntents on DRAFT, on request)."""
    from lexlens.analytics.writer import list_intent_choices

    turns = view.turns
    left, right = st.columns(2)
    bot = left.selectbox("Bot id", sorted(turns["bot_id"].astype(str).unique()), key="writer_bot")
    locale = right.selectbox("Locale", sorted(turns["locale"].astype(str).unique()), key="writer_locale")
    cache_key = f"writer_intents::{bot}::{locale}"
    if st.button("List the intents of this locale (DRAFT)", key="writer_list"):
        st.session_state[cache_key] = list_intent_choices(client, bot, locale)
    choices = [c for c in st.session_state.get(cache_key, []) if c["writable"]]
    if not choices:
        return bot, locale, None
    names = {c["intent_id"]: c["name"] for c in choices}
    intent = st.selectbox("Target intent", list(names), format_func=names.get, key="writer_intent")
    return bot, locale, intent


def render_plan(plan) -> None:
    from lexlens.analytics.writer.rules import plan_rows_as_records

    st.dataframe(pd.DataFrame(plan_rows_as_records(plan.rows), columns=["utterance", "action", "reason", "count"]),
                 hide_index=True)
    if plan.target_refusal:
        st.warning("This intent takes no sample utterances: " + escape_markdown(plan.target_refusal))


def apply_and_audit(client, plan, settings):
    from lexlens.analytics.writer import apply_plan, audit_applied, default_audit_path

    from lexlens.dashboard.signin import USER_STATE

    result = apply_plan(client, plan)
    audit_applied(default_audit_path(), plan, result, region=settings.cloudwatch.get("region"),
                  signed_in_user=st.session_state.get(USER_STATE))
    return result


def render_writer_panel(view, missed: pd.DataFrame, *, noun: str = "missed utterances") -> None:
    """Choose utterances (``missed``: columns utterance, count; ``noun`` says what they are) and
    an intent, see the plan, confirm, see the result, build."""
    settings = st.session_state["settings"]
    st.subheader(f"Add {noun} to a bot")
    st.caption("Writes are enabled (`--allow-writes`): this panel changes the DRAFT version of a bot "
               "through the Lex V2 models API with this server's AWS credentials. Nothing is written "
               "before you confirm a plan; every change is appended to the local audit log.")
    try:
        client = writer_client(settings)
        candidates = pick_candidates(missed, noun)
        bot, locale, intent = pick_target(view, client)
        if intent is None:
            st.info("List the intents of the bot's locale, then pick the target intent.")
            return
        if st.button("Plan (reads only)", key="writer_plan", disabled=not candidates):
            from lexlens.analytics.writer import plan_utterances

            st.session_state["writer_planned"] = plan_utterances(client, bot, locale, intent, candidates)
        plan = st.session_state.get("writer_planned")
        if plan is not None:
            render_plan_and_apply(client, plan, settings)
        render_build(client, bot, locale)
    except LexlensError as error:
        st.error(escape_markdown(str(error)))


def render_plan_and_apply(client, plan, settings) -> None:
    """The plan table, the confirmation, and the write."""
    render_plan(plan)
    confirmed = st.checkbox(f"Add {len(plan.additions)} utterance(s) to {escape_markdown(plan.target.name)} "
                            "in DRAFT", key="writer_confirm", disabled=plan.refused or not plan.additions)
    if st.button("Apply", key="writer_apply", disabled=not confirmed, type="primary"):
        result = apply_and_audit(client, plan, settings)
        st.session_state.pop("writer_planned", None)
        st.success(f"Added {len(result.added)} utterance(s) to {escape_markdown(result.intent_name)}.")
        st.dataframe(pd.DataFrame({"added": list(result.added)}), hide_index=True)


def render_build(client, bot: str, locale: str) -> None:
    """BuildBotLocale on DRAFT and wait for it, on request."""
    if st.button("Build the DRAFT locale", key="writer_build"):
        from lexlens.analytics.writer import build_locale

        with st.spinner("Building (up to 10 minutes)…"):
            built = build_locale(client, bot, locale)
        (st.success if built.ok else st.error)(f"Build status: {escape_markdown(built.status)} "
                                               f"after {built.elapsed_s:.0f} s.")
        if built.failure_reasons:
            st.dataframe(pd.DataFrame({"failure reason": list(built.failure_reasons)}), hide_index=True)
