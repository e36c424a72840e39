"""Dialog flows of the simulated users: which intents they go through and how each one ends.

Lex semantics followed here (https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html):
an intent succeeds with ReadyForFulfillment/Fulfilled and a Close action, fails with Failed (slot
retries exhausted, confirmation denied), is switched when the user asks for something else while
a slot is elicited, and is dropped when the user stops answering. A user coming back on the same
sessionId after the idle timeout starts a new conversation (new originatingRequestId).
"""
from __future__ import annotations

from random import Random

from lexlens.analytics.simulator.traffic import FALLBACK, INTENT_SLOTS, Session, emit
from lexlens.analytics.simulator.answers import answer_bank_slot, answer_pizza_slot, scalar_value
from lexlens.analytics.simulator.vocabulary import ACCOUNTS, Pool

IDLE_TIMEOUT_MS = 5 * 60_000  # Lex's default idle session timeout

# What the user does next, by the flow that just ended ("Failed" after a failed intent).
_BANK_NEXT = {
    "start": {"welcome": 32, "check": 30, "transfer": 17, "fallback": 16, "agent": 4},
    "welcome": {"check": 42, "transfer": 26, "fallback": 15, "agent": 4, None: 13},
    "check": {"followup": 30, "transfer": 12, None: 58},
    "followup": {"followup": 10, None: 90},
    "transfer": {"check": 15, None: 85},
    "fallback": {"fallback": 28, "check": 20, "transfer": 10, "agent": 8, "welcome": 4, None: 30},
    "agent": {None: 1},
    "Failed": {"agent": 25, "fallback": 10, None: 65},
}
_PIZZA_NEXT = {
    "start": {"welcome": 30, "order": 40, "status": 12, "fallback": 14, "agent": 4},
    "welcome": {"order": 60, "status": 15, "fallback": 10, None: 15},
    "order": {"status": 5, None: 95},
    "status": {"order": 10, None: 90},
    "fallback": {"fallback": 25, "order": 25, "status": 10, "agent": 10, None: 30},
    "agent": {None: 1},
    "Failed": {"agent": 25, None: 75},
}
_BANK_NEXT = {flow: Pool.weighted(weights) for flow, weights in _BANK_NEXT.items()}
_PIZZA_NEXT = {flow: Pool.weighted(weights) for flow, weights in _PIZZA_NEXT.items()}
# Flows a user may switch to mid-dialog, with the intent each one opens.
_SWITCH_TO = {"bank": {"check": "CheckBalance", "transfer": "TransferFunds",
                       "agent": "SpeakToAgent"},
              "pizza": {"order": "OrderPizza", "status": "CheckOrderStatus",
                        "agent": "SpeakToAgent"}}


def _opening_confidence(rng: Random) -> float:
    return rng.uniform(.85, 1.0) if rng.random() < .7 else rng.uniform(.45, .85)


def run_session(s: Session) -> None:
    """Play the whole session: one conversation, sometimes a return after the idle timeout."""
    for conversation in range(3):
        if conversation:
            if s.rng.random() >= .09:
                return
            s.t += s.rng.randrange(IDLE_TIMEOUT_MS + 60_000, 180 * 60_000)
            s.new_conversation, s.contexts, s.missed_in_row = True, [], 0
        _run_conversation(s)


def _run_conversation(s: Session) -> None:
    rng = s.rng
    bank = s.deployment.kind == "bank"
    table, flows = (_BANK_NEXT, _BANK_FLOWS) if bank else (_PIZZA_NEXT, _PIZZA_FLOWS)
    if s.channel in ("CHAT", "VOICE") and rng.random() < .5:
        # Amazon Connect opens with PutSession: attributes and a greeting, no user input.
        emit(s, None, None, action="ElicitIntent", reply=s.words["replies"]["welcome"])
    flow = table["start"].pick(rng)
    while flow:
        outcome = flows[flow](s)
        if outcome in flows:  # the user switched intents mid-dialog
            flow = outcome
        elif outcome in ("Dropped", "Escalated"):
            return
        else:
            flow = table[flow if outcome == "Fulfilled" else "Failed"].pick(rng)


def _next_move(s: Session, intent: str, slot: str) -> str | None:
    """None when the user answers; 'Dropped' or the flow they switch to otherwise."""
    roll = s.rng.random()
    drop = .08 if slot == "dateOfBirth" else .05
    if roll < drop:
        return "Dropped"
    if roll < drop + .04:
        targets = [flow for flow, opens in _SWITCH_TO[s.deployment.kind].items()
                   if opens != intent]
        return s.rng.choice(targets)
    return None


def _dialog(s: Session, intent: str, slots: dict, text: str, answer, done, confirm=None,
            source: str = "Lex") -> str:
    """Elicit missing slots in order (a retry re-elicits the same slot), confirm, then close."""
    rng, replies = s.rng, s.words["replies"]
    retries = 0
    confidence = None if source != "Lex" else _opening_confidence(rng)
    turn = dict(slots=slots, opening=True, confidence=confidence, source=source)
    while (missing := next((name for name, spec in slots.items() if spec is None), None)):
        if retries > 2:
            emit(s, text, intent, "Failed", "Close", reply=replies["failed"],
                 step=f"Intent/{intent}/FailureResponse", **turn)
            return "Failed"
        key = ("retry:" if retries else "ask:") + missing
        emit(s, text, intent, "InProgress", "ElicitSlot", elicit=missing,
             reply=replies.get(key, replies["ask:" + missing]),
             step=f"Slot/{missing}/Elicitation" if rng.random() < .2 else "", **turn)
        if (move := _next_move(s, intent, missing)):
            return move
        text, spec, mode = answer(s, missing, retries)
        if spec is None:
            retries += 1
        else:
            slots[missing], retries = spec, 0
        turn = dict(slots=slots, mode=mode, opening=False, confidence=1.0)
    if confirm:
        emit(s, text, intent, "InProgress", "ConfirmIntent", reply=confirm(slots), **turn)
        if rng.random() < .05:
            return "Dropped"
        yes = rng.random() < .82
        text, mode = s.words["yes" if yes else "no"].pick(rng), ""
        if s.voice and rng.random() < .3:
            text, mode = ("1" if yes else "2"), "DTMF"
        turn = dict(slots=slots, mode=mode, opening=False, confidence=1.0)
        emit(s, text, intent, _success_state(s) if yes else "Failed", "Close",
             confirmation="Confirmed" if yes else "Denied",
             reply=done(slots) if yes else replies["cancelled"],
             step=f"Intent/{intent}/ClosingResponse" if rng.random() < .5 else "", **turn)
        return "Fulfilled" if yes else "Failed"
    emit(s, text, intent, _success_state(s), "Close", reply=done(slots),
         step=f"Intent/{intent}/ClosingResponse" if rng.random() < .5 else "", **turn)
    return "Fulfilled"


def _success_state(s: Session) -> str:
    # The console test alias has no fulfillment Lambda attached, so intents stop at
    # ReadyForFulfillment there (as in the real MakeAppointment record of the fixtures).
    return "ReadyForFulfillment" if s.deployment.bot["aliasId"] == "TSTALIASID" else "Fulfilled"


# --- flows ---------------------------------------------------------------------------------

def _welcome(s: Session) -> str:
    name = "WelcomeIntent" if s.deployment.kind == "bank" else "Greeting"
    emit(s, s.words["welcome"].pick(s.rng), name, _success_state(s), "Close", {},
         reply=s.words["replies"]["welcome"], confidence=_opening_confidence(s.rng),
         opening=True)
    return "Fulfilled"


def _agent(s: Session) -> str:
    s.attributes["escalated"] = "true"  # the contact flow reads this to route to a queue
    emit(s, s.words["agent"].pick(s.rng), "SpeakToAgent", _success_state(s), "Close", {},
         reply=s.words["replies"]["agent"], confidence=_opening_confidence(s.rng),
         opening=True, step="Intent/SpeakToAgent/ClosingResponse")
    return "Escalated"


def _fallback(s: Session) -> str:
    rng, replies = s.rng, s.words["replies"]
    s.missed_in_row += 1
    escalate = s.missed_in_row >= 2 and rng.random() < .5
    if escalate:
        s.attributes["escalated"] = "true"
    with_intent = rng.random() < .85  # the intent is sometimes absent on missed utterances
    emit(s, s.words["fallback"].pick(rng), FALLBACK if with_intent else None,
         "ReadyForFulfillment", "Close" if with_intent else "ElicitIntent", {},
         reply=replies["escalate" if escalate else "fallback"], missed=True, confidence=None,
         opening=True, step="Intent/FallbackIntent/StartIntent" if rng.random() < .3 else "")
    return "Escalated" if escalate else "Fulfilled"


def _check_balance(s: Session, followup: bool = False) -> str:
    rng, words = s.rng, s.words
    s.missed_in_row = 0
    intent = "FollowupCheckBalance" if followup else "CheckBalance"
    slots = dict.fromkeys(INTENT_SLOTS[intent])
    if followup or rng.random() < .3:
        account = words["accounts"].pick(rng)
        text = words["followup" if followup else "check_account"].pick(rng).format(account)
        slots["accountType"] = scalar_value(account, ACCOUNTS[account])
    else:
        text = words["check"].pick(rng)
    if followup and s.remembered_dob:  # carried over by the contextCheckBalance context
        slots["dateOfBirth"] = s.remembered_dob

    def done(filled):
        balance = f"{rng.randrange(0, 25000):,}.{rng.randrange(100):02d}"
        account = filled["accountType"][2]
        s.remembered_dob = filled["dateOfBirth"]
        s.contexts = [{"name": "contextCheckBalance",
                       "timeToLive": {"timeToLiveInSeconds": 90, "turnsToLive": 5},
                       "contextAttributes": {"accountType": account}}]
        return words["replies"]["balance"].format(account.lower(), balance)

    return _dialog(s, intent, slots, text, answer_bank_slot, done)


def _followup(s: Session) -> str:
    return _check_balance(s, followup=True)


def _transfer(s: Session) -> str:
    rng, words = s.rng, s.words
    s.missed_in_row = 0
    slots = dict.fromkeys(INTENT_SLOTS["TransferFunds"])

    def confirm(filled):
        return words["replies"]["confirm"].format(
            filled["transferAmount"][2], filled["sourceAccount"][2].lower(),
            filled["targetAccount"][2].lower())

    def done(filled):
        return words["replies"]["transferred"].format(filled["transferAmount"][2],
                                                      filled["targetAccount"][2].lower())

    return _dialog(s, "TransferFunds", slots, words["transfer"].pick(rng), answer_bank_slot, done,
                   confirm)


def _order(s: Session) -> str:
    rng, words = s.rng, s.words
    s.missed_in_row = 0
    slots = dict.fromkeys(INTENT_SLOTS["OrderPizza"])
    if rng.random() < .25:
        size = words["sizes"].pick(rng)
        text = words["order_size"].pick(rng).format(size)
        slots["size"] = scalar_value(size, words["size_values"][size])
    else:
        text = words["order"].pick(rng)

    def confirm(filled):
        return words["replies"]["confirm"].format(
            filled["size"][1], filled["crust"][1], filled["toppings"][1],
            filled["deliveryAddress"][1])

    return _dialog(s, "OrderPizza", slots, text, answer_pizza_slot,
                   lambda filled: words["replies"]["ordered"], confirm, source=_nlu_source(s))


def _status(s: Session) -> str:
    rng, words = s.rng, s.words
    s.missed_in_row = 0
    slots = {"orderNumber": None}
    return _dialog(s, "CheckOrderStatus", slots, words["status"].pick(rng), answer_pizza_slot,
                   lambda filled: words["replies"]["status"].format(filled["orderNumber"][2]),
                   source=_nlu_source(s))


def _nlu_source(s: Session) -> str:
    """PizzaBot's prod alias has Bedrock-assisted NLU, which resolves some openings."""
    prod_pizza = s.deployment.kind == "pizza" and s.deployment.bot["aliasName"] == "prod"
    return "Bedrock" if prod_pizza and s.rng.random() < .12 else "Lex"


_BANK_FLOWS = {"welcome": _welcome, "check": _check_balance, "followup": _followup,
               "transfer": _transfer, "fallback": _fallback, "agent": _agent}
_PIZZA_FLOWS = {"welcome": _welcome, "order": _order, "status": _status,
                "fallback": _fallback, "agent": _agent}
