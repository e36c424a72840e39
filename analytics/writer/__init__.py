"""The missed-utterance writer (issue 5): add sample utterances to a bot's DRAFT safely.

Plan (``plan``: read only), show, then apply (``apply``: UpdateIntent, then an optional
build), and audit what was applied (``audit``); ``rules`` holds the pure decisions and
``client`` makes the ``lexv2-models`` client and turns AWS errors into sentences. The modules
import one another in that order only: rules and client, then plan, apply, audit.
"""
from lexlens.analytics.writer.apply import ApplyResult, BuildResult, apply_plan, build_locale
from lexlens.analytics.writer.apply import build_update_request, update_intent_fields
from lexlens.analytics.writer.audit import audit_applied, default_audit_path, fetch_caller_identity, write_audit_line
from lexlens.analytics.writer.client import explain_aws_errors, make_client
from lexlens.analytics.writer.plan import (DRAFT, UtterancePlan, describe_intent, find_intent, list_intent_choices,
                                           list_intent_summaries, list_slot_names, plan_utterances)

__all__ = ["DRAFT", "ApplyResult", "BuildResult", "UtterancePlan", "apply_plan", "audit_applied", "build_locale",
           "build_update_request", "default_audit_path", "describe_intent", "explain_aws_errors",
           "fetch_caller_identity", "find_intent", "list_intent_choices", "list_intent_summaries",
           "list_slot_names", "make_client", "plan_utterances", "update_intent_fields", "write_audit_line"]
