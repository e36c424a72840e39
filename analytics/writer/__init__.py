"""The missed-utterance writer (issue 5): add sample utterances to a bot's DRAFT safely.

Plan, then apply. ``plan_utterances`` reads the locale (ListIntents on DRAFT, all
pages; DescribeIntent of each intent; ListSlots of the target only when a
candidate references a slot) and decides every candidate with the pure rules of
``analytics.writer.rules``. ``apply_plan`` describes the target once more, aborts
if it changed since the plan, and sends UpdateIntent with every field the intent
had (UpdateIntent replaces the whole definition) plus the new utterances.
``build_locale`` builds DRAFT and waits. Every function takes a ``lexv2-models``
client, so tests hand in one wrapped in botocore's Stubber.

Writes only ``DRAFT``: https://docs.aws.amazon.com/lexv2/latest/APIReference/API_UpdateIntent.html
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.writer.audit import (  # noqa: F401  (re-exported: the writer's public API)
    audit_applied,
    default_audit_path,
    fetch_caller_identity,
    write_audit_line,
)
from lexlens.analytics.writer.client import explain_aws_errors, make_client  # noqa: F401
from lexlens.analytics.writer.rules import (
    Candidate,
    PlanRow,
    TargetIntent,
    as_candidates,
    decide_candidates,
    has_slot_reference,
    refuse_target,
)

DRAFT = "DRAFT"
BUILD_DONE = frozenset({"Built", "ReadyExpressTesting", "Failed"})
READ_ONLY_FIELDS = frozenset({"creationDateTime", "lastUpdatedDateTime", "ResponseMetadata"})


@dataclass
class UtterancePlan:
    """What adding ``candidates`` to one intent would do; ``definition`` is its DescribeIntent."""

    bot_id: str
    locale_id: str
    target: TargetIntent
    rows: list[PlanRow]
    definition: dict
    intent_count: int
    target_refusal: str | None = None

    @property
    def additions(self) -> tuple[str, ...]:
        return tuple(row.utterance for row in self.rows if row.action == "add")

    @property
    def refused(self) -> bool:
        return self.target_refusal is not None or any(r.action == "refuse" for r in self.rows)

    @property
    def last_updated(self) -> datetime | None:
        return self.definition.get("lastUpdatedDateTime")


@dataclass(frozen=True)
class ApplyResult:
    """What ``apply_plan`` wrote: the utterances added and the fields it could not send back."""

    written: bool
    intent_id: str
    intent_name: str
    added: tuple[str, ...] = ()
    last_updated: datetime | None = None
    dropped_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildResult:
    """Where the DRAFT locale build ended: its status and Lex's failure reasons."""

    status: str
    failure_reasons: tuple[str, ...] = ()
    elapsed_s: float = 0.0
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.status in ("Built", "ReadyExpressTesting")


def list_intent_summaries(client, bot_id: str, locale_id: str) -> list[dict]:
    """Every intent summary of the DRAFT locale, following nextToken over all pages."""
    summaries: list[dict] = []
    request = {"botId": bot_id, "botVersion": DRAFT, "localeId": locale_id, "maxResults": 1000}
    while True:
        page = client.list_intents(**request)
        summaries.extend(page.get("intentSummaries", []))
        token = page.get("nextToken")
        if not token:
            return summaries
        request["nextToken"] = token


def find_intent(summaries: Sequence[dict], name_or_id: str, bot_id: str, locale_id: str) -> dict:
    """The summary whose intentId, else intentName, equals ``name_or_id``; a clear error if none."""
    for key in ("intentId", "intentName"):
        for summary in summaries:
            if summary.get(key) == name_or_id:
                return summary
    import difflib

    names = [s.get("intentName", "") for s in summaries]
    close = difflib.get_close_matches(name_or_id, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise LexlensError(f"Bot {bot_id} locale {locale_id} has no intent named or with id "
                       f"{name_or_id!r} in DRAFT{hint}.", exit_code=2)


def list_intent_choices(client, bot_id: str, locale_id: str) -> list[dict]:
    """Intents of the DRAFT locale for a picker, sorted by name.

    Each dict: intent_id, name, parent_signature, writable (False for the fallback
    intent and built-ins that take no sample utterances), note (why not, or '').
    """
    with explain_aws_errors(client, bot_id, locale_id):
        summaries = list_intent_summaries(client, bot_id, locale_id)
    choices = []
    for summary in sorted(summaries, key=lambda s: s.get("intentName", "")):
        signature = summary.get("parentIntentSignature")
        # QnA/BedrockAgent built-ins are decided at plan time, from their sample utterances.
        probe = TargetIntent(summary["intentId"], summary.get("intentName", ""), signature, ("?",))
        note = refuse_target(probe) or ""
        choices.append({"intent_id": summary["intentId"], "name": summary.get("intentName", ""),
                        "parent_signature": signature, "writable": not note, "note": note})
    return choices


def describe_intent(client, bot_id: str, locale_id: str, intent_id: str) -> dict:
    """DescribeIntent on DRAFT, without the HTTP metadata."""
    response = client.describe_intent(intentId=intent_id, botId=bot_id, botVersion=DRAFT,
                                      localeId=locale_id)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def list_slot_names(client, bot_id: str, locale_id: str, intent_id: str) -> frozenset[str]:
    """Names of the intent's slots (ListSlots, all pages): DescribeIntent only gives slot ids."""
    names: set[str] = set()
    request = {"botId": bot_id, "botVersion": DRAFT, "localeId": locale_id,
               "intentId": intent_id, "maxResults": 1000}
    while True:
        page = client.list_slots(**request)
        names.update(s["slotName"] for s in page.get("slotSummaries", []) if "slotName" in s)
        token = page.get("nextToken")
        if not token:
            return frozenset(names)
        request["nextToken"] = token


def plan_utterances(client, bot_id: str, locale_id: str, intent: str,
                    candidates: Sequence[str | Candidate],
                    progress: Callable[[int, int], None] | None = None) -> UtterancePlan:
    """Read the DRAFT locale and decide each candidate; calls no write API."""
    candidates = as_candidates(candidates)
    with explain_aws_errors(client, bot_id, locale_id):
        summaries = list_intent_summaries(client, bot_id, locale_id)
        summary = find_intent(summaries, intent, bot_id, locale_id)
        definition = describe_intent(client, bot_id, locale_id, summary["intentId"])
        target = _target_of(definition)
        refusal = refuse_target(target)
        utterances = {target.name: target.sample_utterances}
        if refusal is None:
            utterances.update(_describe_others(client, bot_id, locale_id, summaries,
                                               target.intent_id, progress))
            if any(has_slot_reference(c.text) for c in candidates):
                slots = list_slot_names(client, bot_id, locale_id, target.intent_id)
                target = TargetIntent(target.intent_id, target.name, target.parent_signature,
                                      target.sample_utterances, slots)
    rows = decide_candidates(candidates, utterances, target, locale_id)
    return UtterancePlan(bot_id, locale_id, target, rows, definition, len(summaries), refusal)


def _target_of(definition: dict) -> TargetIntent:
    return TargetIntent(
        intent_id=definition["intentId"],
        name=definition["intentName"],
        parent_signature=definition.get("parentIntentSignature"),
        sample_utterances=_utterances_of(definition),
    )


def _utterances_of(definition: dict) -> tuple[str, ...]:
    return tuple(u["utterance"] for u in definition.get("sampleUtterances") or [])


def _describe_others(client, bot_id, locale_id, summaries, target_id, progress):
    others = [s for s in summaries if s["intentId"] != target_id]
    found: dict[str, tuple[str, ...]] = {}
    for done, summary in enumerate(others, start=1):
        definition = describe_intent(client, bot_id, locale_id, summary["intentId"])
        found[definition["intentName"]] = _utterances_of(definition)
        if progress:
            progress(done, len(others))
    return found


def update_intent_fields(client) -> tuple[str, ...]:
    """The members of UpdateIntent's input, read from the client's own service model."""
    shape = client.meta.service_model.operation_model("UpdateIntent").input_shape
    return tuple(shape.members)


def build_update_request(definition: dict, fields: Sequence[str], additions: Sequence[str],
                         bot_id: str, locale_id: str) -> dict:
    """UpdateIntent parameters: every accepted field of ``definition`` unchanged, plus ``additions``.

    UpdateIntent replaces the whole intent, so a field left out would be erased.
    """
    request = {name: definition[name] for name in fields if name in definition}
    existing = list(definition.get("sampleUtterances") or [])
    request["sampleUtterances"] = existing + [{"utterance": text} for text in additions]
    request.update(botId=bot_id, botVersion=DRAFT, localeId=locale_id,
                   intentId=definition["intentId"], intentName=definition["intentName"])
    return request


def apply_plan(client, plan: UtterancePlan) -> ApplyResult:
    """Write the plan's additions to DRAFT, unless refused, empty, or the intent changed meanwhile."""
    target = plan.target
    if plan.refused:
        raise LexlensError(f"The plan for intent {target.name} has refusals; nothing was "
                           "written.", exit_code=1)
    if not plan.additions:
        return ApplyResult(False, target.intent_id, target.name, last_updated=plan.last_updated)
    with explain_aws_errors(client, plan.bot_id, plan.locale_id):
        current = describe_intent(client, plan.bot_id, plan.locale_id, target.intent_id)
        _check_unchanged(plan, current)
        fields = update_intent_fields(client)
        request = build_update_request(current, fields, plan.additions, plan.bot_id, plan.locale_id)
        response = client.update_intent(**request)
    dropped = tuple(sorted(set(current) - set(fields) - READ_ONLY_FIELDS))
    return ApplyResult(True, target.intent_id, target.name, plan.additions,
                       response.get("lastUpdatedDateTime"), dropped)


def _check_unchanged(plan: UtterancePlan, current: dict) -> None:
    """No lost updates: abort if someone edited the intent between plan and apply."""
    before = {k: v for k, v in plan.definition.items() if k not in READ_ONLY_FIELDS}
    after = {k: v for k, v in current.items() if k not in READ_ONLY_FIELDS}
    if current.get("lastUpdatedDateTime") != plan.last_updated or before != after:
        raise LexlensError(f"Intent {plan.target.name} was changed in Lex after the plan was made "
                           f"(last updated {current.get('lastUpdatedDateTime')}); nothing was "
                           "written, run the command again to plan afresh.", exit_code=2)


def build_locale(client, bot_id: str, locale_id: str, timeout_s: float = 600, poll_s: float = 10,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> BuildResult:
    """BuildBotLocale on DRAFT, then poll DescribeBotLocale until Built/ReadyExpressTesting/Failed."""
    start = clock()
    with explain_aws_errors(client, bot_id, locale_id):
        client.build_bot_locale(botId=bot_id, botVersion=DRAFT, localeId=locale_id)
        while True:
            locale = client.describe_bot_locale(botId=bot_id, botVersion=DRAFT, localeId=locale_id)
            status = locale.get("botLocaleStatus", "")
            elapsed = clock() - start
            if status in BUILD_DONE or elapsed >= timeout_s:
                reasons = tuple(locale.get("failureReasons") or ())
                return BuildResult(status, reasons, elapsed, status not in BUILD_DONE)
            sleep(poll_s)
