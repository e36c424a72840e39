"""Shared fixtures of the writer tests (issue 5): a real lexv2-models client in a Stubber.

The Stubber checks every request (and every canned response) against the
service model, so a wrong parameter name or shape fails the test.
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.stub import Stubber

BOT = "BOTID00001"
LOCALE = "en_US"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fake_aws_env(monkeypatch, tmp_path):
    """Fake credentials, no real config files, no endpoint overrides."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_LEX_MODELS_V2", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


def stubbed(service: str = "lexv2-models"):
    """A real boto3 client and its activated Stubber."""
    client = boto3.client(service, region_name="us-east-1")
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


def message_group(text: str) -> dict:
    return {"message": {"plainTextMessage": {"value": text}}}


def intent(intent_id: str, name: str, utterances=(), parent: str | None = None,
           updated: datetime = T0) -> dict:
    """A minimal DescribeIntent response."""
    response = {
        "intentId": intent_id, "intentName": name,
        "sampleUtterances": [{"utterance": u} for u in utterances],
        "botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE,
        "creationDateTime": T0 - timedelta(days=30), "lastUpdatedDateTime": updated,
    }
    if parent:
        response["parentIntentSignature"] = parent
    return response


# A rich intent: every part an UpdateIntent must not lose (kendra/QnA/QinConnect config absent).
RICH = {
    "intentId": "ORDERPIZZA", "intentName": "OrderPizza",
    "description": "Order a pizza for delivery",
    "sampleUtterances": [{"utterance": "I want a pizza"}, {"utterance": "order a {Size} pizza"}],
    "dialogCodeHook": {"enabled": True},
    "fulfillmentCodeHook": {
        "enabled": True, "active": True,
        "postFulfillmentStatusSpecification": {
            "successResponse": {"messageGroups": [message_group("Your pizza is on its way.")],
                                "allowInterrupt": True},
            "failureResponse": {"messageGroups": [message_group("Sorry, that failed.")]},
        },
        "fulfillmentUpdatesSpecification": {
            "active": True,
            "startResponse": {"delayInSeconds": 3,
                              "messageGroups": [message_group("Placing your order...")]},
            "timeoutInSeconds": 60,
        },
    },
    "slotPriorities": [{"priority": 1, "slotId": "SLOTSIZE01"}, {"priority": 2, "slotId": "SLOTCRUST1"}],
    "intentConfirmationSetting": {
        "promptSpecification": {"messageGroups": [message_group("Order a {Size} pizza?")],
                                "maxRetries": 2, "allowInterrupt": True},
        "declinationResponse": {"messageGroups": [message_group("Okay, cancelled.")]},
        "active": True,
    },
    "intentClosingSetting": {"closingResponse": {"messageGroups": [message_group("Bye!")]},
                             "active": True},
    "inputContexts": [{"name": "menuShown"}],
    "outputContexts": [{"name": "orderPlaced", "timeToLiveInSeconds": 300, "turnsToLive": 5}],
    "initialResponseSetting": {
        "initialResponse": {"messageGroups": [message_group("Let's get you a pizza.")]},
        "codeHook": {"enableCodeHookInvocation": True, "active": True,
                     "postCodeHookSpecification": {}},
    },
    "botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE,
    "creationDateTime": T0 - timedelta(days=30), "lastUpdatedDateTime": T0,
}


def summary_of(definition: dict) -> dict:
    keys = ("intentId", "intentName", "parentIntentSignature", "lastUpdatedDateTime")
    return {k: definition[k] for k in keys if k in definition}


def queue_list_intents(stubber, intents: list[dict], page_size: int | None = None) -> None:
    """Queue ListIntents on DRAFT, split into pages linked by nextToken."""
    summaries = [summary_of(i) for i in intents]
    size = page_size or max(1, len(summaries))
    pages = [summaries[i:i + size] for i in range(0, len(summaries), size)] or [[]]
    for number, page in enumerate(pages):
        expected = {"botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE, "maxResults": 1000}
        if number:
            expected["nextToken"] = f"token-{number}"
        response = {"botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE, "intentSummaries": page}
        if number + 1 < len(pages):
            response["nextToken"] = f"token-{number + 1}"
        stubber.add_response("list_intents", response, expected)


def queue_plan(stubber, intents: list[dict], target: dict, page_size: int | None = None,
               slots: list[str] | None = None, others: bool = True) -> None:
    """Queue the reads plan_utterances makes, in order: ListIntents pages, the target, the
    other intents (unless ``others`` is False: a refused target needs no more reads), ListSlots."""
    queue_list_intents(stubber, intents, page_size)
    queue_describe(stubber, target)
    if others:
        for other in intents:
            if other["intentId"] != target["intentId"]:
                queue_describe(stubber, other)
    if slots is not None:
        stubber.add_response(
            "list_slots",
            {"botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE, "intentId": target["intentId"],
             "slotSummaries": [{"slotId": f"SLOT{n:06d}", "slotName": name}
                               for n, name in enumerate(slots)]},
            {"botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE,
             "intentId": target["intentId"], "maxResults": 1000})


def queue_describe(stubber, definition: dict) -> None:
    stubber.add_response(
        "describe_intent", copy.deepcopy(definition),
        {"intentId": definition["intentId"], "botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE})
