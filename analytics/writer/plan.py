"""Planning what the writer would add: read the DRAFT locale (ListIntents on DRAFT, all pages;
DescribeIntent of each intent; ListSlots of the target only when a candidate references a
slot) and decide every candidate with the pure rules of ``analytics.writer.rules``. Calls no
write API. Every function takes a ``lexv2-models`` client, so tests hand in one wrapped in
botocore's Stubber.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.writer.client import explain_aws_errors
from lexlens.analytics.writer.rules import (Candidate, PlanRow, TargetIntent, as_candidates, decide_candidates,
                                            has_slot_reference, refuse_target)

DRAFT = "DRAFT"


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
