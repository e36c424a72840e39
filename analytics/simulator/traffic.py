"""The simulated users behind ``analytics.simulator.generate``: deployments, session times and dialogs.

A ``Session`` plays one user against one bot alias and locale and collects ``(time_ms, record)``
pairs. Each dialog flow returns how the intent ended (Fulfilled, Failed, Dropped, or the flow the
user switched to), and a transition table picks what the user does next.
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime
from random import Random
from typing import NamedTuple
from zoneinfo import ZoneInfo

from lexlens.analytics.simulator.vocabulary import NEGATIVE_WORDS, POSITIVE_WORDS, VOCABULARY, Pool

FALLBACK = "FallbackIntent"
INTENT_SLOTS = {
    "WelcomeIntent": (), "CheckBalance": ("accountType", "dateOfBirth"),
    "FollowupCheckBalance": ("accountType", "dateOfBirth"),
    "TransferFunds": ("sourceAccount", "targetAccount", "transferAmount"), "SpeakToAgent": (),
    "Greeting": (), "OrderPizza": ("size", "crust", "toppings", "deliveryAddress"),
    "CheckOrderStatus": ("orderNumber",), FALLBACK: (),
    # HelpDeskBot, the generative bot of ``lexlens sample --generative`` (simulator.generative)
    "QnAIntent": (), "BedrockAgentIntent": (), "TrackOrder": ("orderNumber",), "ResetPassword": (),
}
BANK_INTENTS = ("WelcomeIntent", "CheckBalance", "FollowupCheckBalance", "TransferFunds",
                "SpeakToAgent")
PIZZA_INTENTS = ("Greeting", "OrderPizza", "CheckOrderStatus", "SpeakToAgent")
HELPDESK_INTENTS = ("QnAIntent", "BedrockAgentIntent", "TrackOrder", "ResetPassword")
INTENTS_OF = {"bank": BANK_INTENTS, "pizza": PIZZA_INTENTS, "helpdesk": HELPDESK_INTENTS}

# Local-time traffic shape: banks peak in office hours on weekdays, pizza at lunch and dinner.
_HOURS = {"bank": (1, .5, .3, .3, .4, .8, 2, 4, 7, 9, 10, 10, 9, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1.5),
          "helpdesk": (1, .5, .3, .3, .4, .8, 2, 4, 7, 9, 10, 10, 9, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1.5),
          "pizza": (1, .6, .3, .2, .1, .1, .2, .5, 1, 1.5, 2.5, 5, 8, 6, 3, 3, 4, 7, 10, 10, 8, 5, 3, 2)}
_DAYS = {"bank": (1, 1, 1, 1, .95, .5, .4), "helpdesk": (1, 1, 1, 1, 1, .7, .6), "pizza": (.7, .7, .75, .8, 1, 1, .9)}
_US_ZONES = ("America/New_York",) * 9 + ("America/Chicago",) * 5 + ("America/Denver",) * 2 + (
    "America/Los_Angeles",) * 6


class Deployment(NamedTuple):
    weight: float
    bot: dict
    kind: str  # bank | pizza | helpdesk
    lang: str  # en | gb | es
    sentiment: bool  # the alias has Lex sentiment analysis on
    zones: tuple
    channels: Pool | None  # None for the console test alias
    obfuscated_slots: frozenset = frozenset()


def _bot(bot_id, name, alias_id, alias_name, version, locale) -> dict:
    return {"name": name, "version": version, "id": bot_id, "aliasName": alias_name,
            "aliasId": alias_id, "localeId": locale}


_BANK_CHANNELS = Pool.weighted({"web": 35, "ios": 20, "android": 15, "CHAT": 12, "VOICE": 18})
_PIZZA_CHANNELS = Pool.weighted({"web": 40, "ios": 25, "android": 20, "CHAT": 10, "VOICE": 5})
_TIERS = Pool.weighted({"standard": 70, "gold": 22, "platinum": 8})
_OTHER_SENTIMENT = Pool.weighted({"NEUTRAL": 85, "POSITIVE": 7, "NEGATIVE": 6, "MIXED": 2})
DEPLOYMENTS = (
    Deployment(.50, _bot("BKR7Q2XLMA", "BankerBot", "LV4PRDZ8QE", "Live", "3", "en_US"), "bank",
               "en", True, _US_ZONES, _BANK_CHANNELS, frozenset({"dateOfBirth"})),
    Deployment(.14, _bot("BKR7Q2XLMA", "BankerBot", "LV4PRDZ8QE", "Live", "3", "en_GB"), "bank",
               "gb", True, ("Europe/London",), _BANK_CHANNELS, frozenset({"dateOfBirth"})),
    Deployment(.08, _bot("BKR7Q2XLMA", "BankerBot", "TSTALIASID", "TestBotAlias", "DRAFT",
                         "en_US"), "bank", "en", False, _US_ZONES, None),
    Deployment(.17, _bot("PZA3HN9TWK", "PizzaBot", "PRD7HN2QXE", "prod", "7", "en_US"), "pizza",
               "en", False, _US_ZONES, _PIZZA_CHANNELS),
    Deployment(.08, _bot("PZA3HN9TWK", "PizzaBot", "PRD7HN2QXE", "prod", "7", "es_US"), "pizza",
               "es", False, _US_ZONES, _PIZZA_CHANNELS),
    Deployment(.03, _bot("PZA3HN9TWK", "PizzaBot", "TSTALIASID", "TestBotAlias", "DRAFT",
                         "en_US"), "pizza", "en", False, _US_ZONES, None),
)
_DEPLOYMENT_POOL = Pool(DEPLOYMENTS, weights=[d.weight for d in DEPLOYMENTS])


def pick_deployment(rng: Random) -> Deployment:
    return _DEPLOYMENT_POOL.pick(rng)


def sample_start_ms(rng: Random, deployment: Deployment, zone: str, begin_ms: int,
                    end_ms: int) -> int:
    """A session start in [begin_ms, end_ms), denser on busy local weekdays and hours."""
    tz, hours, days = ZoneInfo(zone), _HOURS[deployment.kind], _DAYS[deployment.kind]
    peak = max(hours) * max(days)
    while True:  # rejection sampling against the local-time traffic shape
        start_ms = rng.randrange(begin_ms, end_ms)
        local = datetime.fromtimestamp(start_ms / 1000, tz)
        if rng.random() * peak < hours[local.hour] * days[local.weekday()]:
            return start_ms


def new_request_id(rng: Random) -> str:
    """A version-4 UUID drawn from ``rng`` (reproducible, unlike uuid.uuid4)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso_ms(time_ms: int) -> str:
    """2026-11-19T13:05:42.118Z"""
    seconds, millis = divmod(time_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


class Session:
    """One simulated user on one deployment; ``records`` collects (time_ms, record) pairs."""

    def __init__(self, rng: Random, deployment: Deployment, start_ms: int):
        self.rng, self.deployment, self.t = rng, deployment, start_ms
        self.words = VOCABULARY.get((deployment.kind, deployment.lang), {})
        self.intents = INTENTS_OF[deployment.kind]
        self.channel = deployment.channels.pick(rng) if deployment.channels else ""
        self.voice = self.channel == "VOICE"
        contact_id = new_request_id(rng)
        self.session_id = (contact_id if self.channel in ("CHAT", "VOICE") or rng.random() < .6
                           else str(rng.randrange(10**14, 10**15)))
        self.attributes = _session_attributes(rng, self.channel, deployment.kind, contact_id)
        self.records: list[tuple[int, dict]] = []
        self.conversation, self.new_conversation = "", True
        self.contexts: list[dict] = []
        self.missed_in_row = 0
        self.remembered_dob = None  # a slot spec kept by the contextCheckBalance context

    def wait(self, low: float, high: float) -> None:
        """The user takes between low and high seconds (plus a long tail) to answer."""
        seconds = self.rng.uniform(low, high) + self.rng.expovariate(1 / (2 if self.voice else 6))
        self.t += int(seconds * 1000)


def _session_attributes(rng: Random, channel: str, kind: str, contact_id: str) -> dict:
    if not channel:  # console test alias: no client sets attributes
        return {}
    attributes = {"channel": channel,
                  "customerTier": _TIERS.pick(rng)}
    if channel in ("CHAT", "VOICE"):  # Amazon Connect passes the contact along
        attributes["ContactId"] = contact_id
    if channel == "VOICE":
        attributes["TextToSpeechVoiceId"] = "Joanna" if kind == "bank" else "Lupe"
    if channel in ("ios", "android"):
        attributes["appVersion"] = rng.choice(("5.12.0", "5.12.1", "5.13.0"))
    if kind == "pizza":
        attributes["storeId"] = f"store-{rng.randrange(100, 140)}"
    return attributes


# --- records -------------------------------------------------------------------------------

def render_slots(slots: dict | None) -> dict:
    """Slot specs to Lex slot JSON: {shape, value{...}, values[]?, subSlots{}?} or null."""
    return {name: _render_slot(spec) for name, spec in (slots or {}).items()}


def _value(original: str, interpreted: str, resolved: list) -> dict:
    return {"originalValue": original, "interpretedValue": interpreted, "resolvedValues": resolved}


def _render_slot(spec):
    if spec is None:
        return None
    shape, original, interpreted, extra = spec
    slot = {"value": _value(original, interpreted, extra if shape == "Scalar" else []),
            "shape": shape}
    if shape == "List":
        slot["values"] = [{"value": _value(o, i, [i]), "shape": "Scalar"} for o, i in extra]
    elif shape == "Composite":
        slot["subSlots"] = {name: {"value": _value(o, i, [i]), "shape": "Scalar"}
                            for name, (o, i) in extra.items()}
    return slot


def _confidence(value: float) -> str:
    return f"{min(max(value, 0.01), 1.0):.2f}"


def _sentiment(rng: Random, text: str) -> dict:
    words = set(text.lower().replace("?", "").replace("!", "").split())
    if words & NEGATIVE_WORDS and rng.random() < .7:
        label = "NEGATIVE"
    elif words & POSITIVE_WORDS and rng.random() < .75:
        label = "POSITIVE"
    else:
        label = _OTHER_SENTIMENT.pick(rng)
    dominant = rng.uniform(.55, .99)
    shares = [rng.random() for _ in range(3)]
    rest = [(1 - dominant) * share / sum(shares) for share in shares]
    names = ["positive", "negative", "neutral", "mixed"]
    names.remove(label.lower())
    scores = dict(zip(names, rest), **{label.lower(): dominant})
    return {"sentiment": label, "sentimentScore": {k: round(scores[k], 6) for k in
                                                   ("mixed", "negative", "neutral", "positive")}}


def _interpretations(s: Session, intent: dict, confidence: float | None, opening: bool,
                     source: str, transcript: str) -> list[dict]:
    rng = s.rng
    top = {"intent": intent}
    if confidence is not None and source == "Lex":
        top = {"nluConfidence": _confidence(confidence), "intent": intent}
    if s.deployment.sentiment and transcript:
        top["sentimentResponse"] = _sentiment(rng, transcript)
    top["interpretationSource"] = source
    result = [top]
    if opening:  # runner-ups: sometimes close to the winner, usually far behind
        ceiling = confidence if confidence is not None else .45
        for name in rng.sample([i for i in s.intents if i != intent["name"]], rng.randint(1, 3)):
            gap = rng.uniform(.01, .08) if rng.random() < .15 else rng.uniform(.2, .6)
            ceiling -= gap
            if ceiling < .03:
                break
            result.append({"nluConfidence": _confidence(ceiling), "interpretationSource": "Lex",
                           "intent": {"name": name, "slots": dict.fromkeys(INTENT_SLOTS[name])}})
    if intent["name"] != FALLBACK:
        result.append({"interpretationSource": "Lex", "intent": {"name": FALLBACK, "slots": {}}})
    return result


def _transcriptions(rng: Random, transcript: str, intent: str) -> list[dict]:
    words = transcript.split()
    alternatives = [transcript] + ([" ".join(words[:-1])] if len(words) > 1 else []) + \
        ([transcript + " uh"] if rng.random() < .3 else [])
    confidence = rng.uniform(.8, 1.0)
    result = []
    for rank, text in enumerate(alternatives):
        result.append({"transcription": text, "transcriptionConfidence": round(confidence, 2),
                       "resolvedContext": {"intent": intent if rank == 0 else FALLBACK},
                       "resolvedSlots": {}})
        confidence *= rng.uniform(.5, .8)
    return result


def emit(s: Session, text: str | None, intent: str | None, state: str = "InProgress",
         action: str = "ElicitSlot", slots: dict | None = None, *, elicit: str | None = None,
         confirmation: str = "None", reply: str | None = None, missed: bool = False,
         confidence: float | None = 1.0, opening: bool = False, mode: str = "",
         source: str = "Lex", step: str = "") -> None:
    """Append one record: the user said ``text`` and the bot answered with this session state."""
    rng = s.rng
    if s.records:
        s.wait(2, 10)
    request_id = new_request_id(rng)
    if s.new_conversation:  # Lex starts a conversation with this turn's request id
        s.conversation, s.new_conversation = request_id, False
    mode = mode or ("Speech" if s.voice else "Text")
    dialog_action = {"type": action}
    if elicit:
        dialog_action["slotToElicit"] = elicit
    state_obj = {"sessionAttributes": dict(s.attributes), "originatingRequestId": s.conversation}
    if s.contexts:
        state_obj["activeContexts"] = [dict(context) for context in s.contexts]
    if intent:
        state_obj["intent"] = {"name": intent, "state": state, "confirmationState": confirmation,
                               "slots": render_slots(slots)}
    state_obj["dialogAction"] = dialog_action
    record = {"timestamp": iso_ms(s.t), "messageVersion": "2.0", "requestId": request_id,
              "sessionId": s.session_id, "inputMode": mode,
              "operationName": "RecognizeText" if mode == "Text" else "RecognizeUtterance",
              "developerOverride": False, "missedUtterance": missed, "bot": dict(s.deployment.bot),
              "sessionState": state_obj}
    if text is None:  # PutSession: no user input, no NLU
        record["inputMode"], record["operationName"] = "Text", "PutSession"
    else:
        transcript = text.lower().rstrip("?!.") if mode == "Speech" else text
        top = {"name": intent or FALLBACK, "slots": render_slots(slots)}
        if intent:
            top.update(state=state, confirmationState=confirmation)
        record["interpretations"] = _interpretations(s, top, confidence, opening, source,
                                                     transcript)
        record["inputTranscript"] = transcript
        if mode == "Speech":
            record["rawInputTranscript"] = transcript
            record["transcriptions"] = _transcriptions(rng, transcript, intent or FALLBACK)
        if s.channel in ("CHAT", "VOICE"):  # set by Amazon Connect
            record["requestAttributes"] = {"x-amz-lex:accept-content-types":
                                           "PlainText,SSML" if s.voice else "PlainText"}
    if reply:
        record["messages"] = [{"contentType": "PlainText", "content": reply}]
    if step:
        record["dialogEventLogs"] = [{"dialogStepLabel": step, "nextStep": {
            "dialogAction": {"type": "EndConversation" if action == "Close" else action}}}]
    if s.channel in ("CHAT", "VOICE"):  # as in records written through Amazon Connect
        record["utteranceContext"] = {}
    s.records.append((s.t, record))
