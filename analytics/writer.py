"""The missed-utterance writer (issue 5): add sample utterances to a bot's DRAFT safely.

Plan, then apply. ``plan_utterances`` reads the locale (ListIntents on DRAFT, all
pages; DescribeIntent of each intent; ListSlots of the target only when a
candidate references a slot) and decides every candidate with the pure rules of
``analytics.writer_rules``. ``apply_plan`` describes the target once more, aborts
if it changed since the plan, and sends UpdateIntent with every field the intent
had (UpdateIntent replaces the whole definition) plus the new utterances.
``build_locale`` builds DRAFT and waits. Every function takes a ``lexv2-models``
client, so tests hand in one wrapped in botocore's Stubber.

Writes only ``DRAFT``: https://docs.aws.amazon.com/lexv2/latest/APIReference/API_UpdateIntent.html
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from analytics import __version__
from analytics.errors import LexlensError
from analytics.writer_rules import (
    Candidate,
    PlanRow,
    TargetIntent,
    as_candidates,
    decide_candidates,
    has_slot_reference,
    refuse_target,
)

DRAFT = "DRAFT"
SERVICE = "lexv2-models"
BUILD_DONE = frozenset({"Built", "ReadyExpressTesting", "Failed"})
READ_ONLY_FIELDS = frozenset({"creationDateTime", "lastUpdatedDateTime", "ResponseMetadata"})
PERMISSIONS = ("lex:ListIntents, lex:DescribeIntent, lex:ListSlots and lex:UpdateIntent "
               "(plus lex:BuildBotLocale and lex:DescribeBotLocale for --build)")


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


@dataclass
class _Call:
    """Where an AWS call happens, to explain its failure in one sentence."""

    client: object
    bot_id: str
    locale_id: str
    extra: dict = field(default_factory=dict)


def make_client(service: str = SERVICE, region: str | None = None, profile: str | None = None,
                endpoint_url: str | None = None):
    """A boto3 client from the standard configuration chain (env, profile, config files).

    With ``endpoint_url`` None, boto3 itself honours ``AWS_ENDPOINT_URL_LEX_MODELS_V2``
    and ``AWS_ENDPOINT_URL``.
    """
    import boto3
    import botocore.exceptions as bex

    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
        return session.client(service, endpoint_url=endpoint_url)
    except bex.ProfileNotFound:
        raise LexlensError(f"The AWS profile {profile!r} is not configured.", exit_code=2) from None
    except bex.NoRegionError:
        raise LexlensError("No AWS region is configured; pass --region or set AWS_REGION.",
                           exit_code=2) from None


@contextlib.contextmanager
def explain_aws_errors(client, bot_id: str, locale_id: str) -> Iterator[None]:
    """Turn botocore failures inside the block into one-sentence LexlensErrors (exit 2)."""
    import botocore.exceptions as bex
    from botocore.stub import StubResponseError

    try:
        yield
    except StubResponseError:  # a test's Stubber saw an unexpected call: let the test see it
        raise
    except bex.ClientError as error:
        raise explain_client_error(error, client, bot_id, locale_id) from None
    except bex.NoCredentialsError:
        raise LexlensError("No AWS credentials were found; configure a profile or set "
                           "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", exit_code=2) from None
    except bex.ParamValidationError as error:
        detail = str(error).splitlines()[-1].strip()
        raise LexlensError(f"Lex would reject the request: {detail}", exit_code=2) from None
    except bex.EndpointConnectionError as error:
        raise LexlensError(f"Could not reach the Lex endpoint {error.kwargs.get('endpoint_url')}.",
                           exit_code=2) from None
    except bex.BotoCoreError as error:
        raise LexlensError(f"AWS call failed: {error}", exit_code=2) from None


def explain_client_error(error, client, bot_id: str, locale_id: str) -> LexlensError:
    """One sentence for a Lex ClientError: unknown bot/locale/intent, missing permission, other."""
    code = error.response.get("Error", {}).get("Code", "")
    operation = getattr(error, "operation_name", "") or "the Lex API"
    region = getattr(getattr(client, "meta", None), "region_name", None) or "the configured region"
    if code == "ResourceNotFoundException":
        return LexlensError(f"Lex has no bot {bot_id} with a DRAFT locale {locale_id} (or no such "
                            f"intent) in {region}; check --bot-id, --locale and --region.", 2)
    if code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
        return LexlensError(f"Access denied to lex:{operation} on bot {bot_id}; the AWS identity "
                            f"needs {PERMISSIONS}.", 2)
    if code in ("UnrecognizedClientException", "InvalidSignatureException",
                "ExpiredTokenException", "InvalidClientTokenId"):
        return LexlensError(f"AWS rejected the credentials ({code}); refresh or reconfigure them.", 2)
    message = " ".join(str(error.response.get("Error", {}).get("Message", "")).split()).rstrip(".")
    return LexlensError(f"Lex refused {operation} ({code or 'error'}): {message or 'no message'}.", 2)


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


def fetch_caller_identity(sts_client) -> dict | None:
    """sts:GetCallerIdentity as {account, arn, user_id}, or None if it fails for any reason."""
    try:
        identity = sts_client.get_caller_identity()
    except Exception:  # the audit line is still written without an identity
        return None
    return {"account": identity.get("Account"), "arn": identity.get("Arn"),
            "user_id": identity.get("UserId")}


def default_audit_path() -> Path:
    """``<user data dir>/lexlens/audit.jsonl`` (XDG on Linux, Library on macOS, LOCALAPPDATA)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "lexlens" / "audit.jsonl"


def write_audit_line(path: Path | str, *, bot_id: str, locale_id: str, intent_id: str,
                     intent_name: str, utterances: Sequence[str], caller: dict | None = None,
                     region: str | None = None, now: datetime | None = None) -> dict:
    """Append one JSON line recording an applied change; the file is private to the user (0600)."""
    record = {
        "time": (now or datetime.now(timezone.utc)).isoformat(),
        "caller": caller,
        "region": region,
        "bot_id": bot_id,
        "bot_version": DRAFT,
        "locale_id": locale_id,
        "intent_id": intent_id,
        "intent_name": intent_name,
        "utterances_added": list(utterances),
        "lexlens_version": __version__,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=True) + "\n")
    return record
