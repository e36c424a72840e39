"""Applying a plan to the bot's DRAFT: ``apply_plan`` describes the target once more, aborts if
it changed since the plan, and sends UpdateIntent with every field the intent had
(UpdateIntent replaces the whole definition) plus the new utterances; ``build_locale`` builds
DRAFT and waits.

Writes only ``DRAFT``: https://docs.aws.amazon.com/lexv2/latest/APIReference/API_UpdateIntent.html
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.writer.client import explain_aws_errors
from lexlens.analytics.writer.plan import DRAFT, UtterancePlan, describe_intent

BUILD_DONE = frozenset({"Built", "ReadyExpressTesting", "Failed"})
READ_ONLY_FIELDS = frozenset({"creationDateTime", "lastUpdatedDateTime", "ResponseMetadata"})


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
