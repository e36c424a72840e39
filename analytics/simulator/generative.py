"""HelpDeskBot: the generative-era bot of ``lexlens sample --generative``.

Its traffic shows what bots built since 2024 log (field names as in the Lex V2 developer guide):
- AMAZON.QnAIntent answers from a Bedrock knowledge base, in the session attributes
  ``x-amz-lex:qnA-search-response`` and ``x-amz-lex:qnA-search-response-source``; a question it
  cannot answer ends in the intent's failure step (state ``Failed``, no answer text)
  (https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intent-qna.html,
  https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intent-qna-multi.html);
- AMAZON.BedrockAgentIntent turns with ``x-amz-lex:bedrock-agent-search-response``,
  ``x-amz-lex:bedrock-knowledge-base-search-response-source``,
  ``x-amz-lex:bedrock-agent-action-group-invocation-input`` and
  ``x-amz-lex:bedrock-agent-knowledge-base-lookup-input``
  (https://docs.aws.amazon.com/lexv2/latest/dg/bedrock-agent-intent-sample.html);
- assisted NLU and assisted slot resolution: ``interpretationSource: "Bedrock"``
  (https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html);
- fulfillment updates: the user's turn in ``FulfillmentInProgress``, then server responses
  ``FulfillmentInitiated``, ``FulfillmentStartedResponse``, ``FulfillmentUpdateResponse`` and
  ``FulfillmentCompletedResponse``; wait and continue: ``Waiting`` and ``StillWaitingResponse``;
  a caller who says nothing: ``StartTimeout``
  (https://docs.aws.amazon.com/lexv2/latest/dg/streaming-progress.html).
Every user turn of this bot carries ``responseReason: "UtteranceResponse"``.
"""
from __future__ import annotations

import json

from lexlens.analytics.simulator.traffic import Deployment, Session, _bot, emit, iso_ms
from lexlens.analytics.simulator.vocabulary import Pool

HELPDESK = Deployment(.2, _bot("HLP5GN8AIQ", "HelpDeskBot", "LV9GENAIQE", "Live", "2", "en_US"),
                      "helpdesk", "en", False, ("America/New_York", "America/Chicago", "America/Los_Angeles"),
                      Pool.weighted({"web": 50, "ios": 20, "VOICE": 30}))
QNA_ANSWER, QNA_SOURCE = "x-amz-lex:qnA-search-response", "x-amz-lex:qnA-search-response-source"
AGENT_ANSWER = "x-amz-lex:bedrock-agent-search-response"
AGENT_SOURCES = "x-amz-lex:bedrock-knowledge-base-search-response-source"
AGENT_ACTION = "x-amz-lex:bedrock-agent-action-group-invocation-input"
AGENT_LOOKUP = "x-amz-lex:bedrock-agent-knowledge-base-lookup-input"
GENERATIVE_KEYS = (QNA_ANSWER, QNA_SOURCE, AGENT_ANSWER, AGENT_SOURCES, AGENT_ACTION, AGENT_LOOKUP)

# (question, answer or None when the knowledge base has none, source document)
QUESTIONS = Pool([
    ("What is your return policy?", "You can return any item within 30 days of delivery.", "s3://helpdesk-kb/returns.pdf"),
    ("How long does shipping take?", "Standard shipping takes 3 to 5 business days.", "s3://helpdesk-kb/shipping.pdf"),
    ("Do you ship internationally?", "We ship to 40 countries; duties are paid on delivery.", "s3://helpdesk-kb/shipping.pdf"),
    ("can i change my delivery address", "Yes, until the order ships, under Orders > Edit.", "s3://helpdesk-kb/orders.pdf"),
    ("What payment methods do you accept?", "Cards, PayPal and gift cards.", "s3://helpdesk-kb/payments.pdf"),
    ("is there a warranty on electronics", "Electronics carry a 2-year warranty.", "s3://helpdesk-kb/warranty.pdf"),
    ("Can I pay in installments?", None, ""),
    ("do you price match", None, ""),
    ("Where is your store in Denver?", None, ""),
    ("What are your opening hours on holidays?", None, ""),
    ("how do I cancel my subscription", "Under Account > Subscriptions, choose Cancel.", "s3://helpdesk-kb/account.pdf"),
    ("Can I gift wrap my order?", None, ""),
], skew=.7)
AGENT_ASKS = Pool([
    ("I want a refund for order 12345", "RefundOrder", "startRefund", "Your refund for order 12345 has been started."),
    ("why was I charged twice", "BillingLookup", "getCharges", "I found two charges; the duplicate is refunded in 3 days."),
    ("upgrade my plan to premium", "AccountActions", "changePlan", "Your plan is now Premium, from your next bill."),
    ("what's the status of my replacement", "OrderLookup", "getOrderStatus", "Your replacement shipped today."),
], skew=.5)
AGENT_SOURCES_POOL = Pool([("Refund Policy", "s3://helpdesk-kb/refunds.pdf"),
                           ("Billing FAQ", "s3://helpdesk-kb/billing.pdf"),
                           ("Plans and Pricing", "s3://helpdesk-kb/plans.pdf")])
ANSWERED_SHARE = .7  # of the answerable questions; the rest fail as the unanswerable ones do
NO_ANSWER = "Sorry, I couldn't find an answer to that. Could you rephrase?"


def run_helpdesk_session(s: Session) -> None:
    """One HelpDeskBot conversation: questions, an agent task, order tracking, a password reset."""
    rng = s.rng
    if s.voice and rng.random() < .15:  # the caller says nothing at first
        emit(s, None, None, action="ElicitIntent", reply="Hi, how can I help?")
        respond(s, "StartTimeout", "Are you still there? You can ask me anything.", wait_s=8)
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        flow = rng.choices((ask_question, run_agent, track_order, reset_password), (45, 25, 20, 10))[0]
        if flow(s) == "Dropped":
            return


def generative_emit(s: Session, text: str, intent: str, state: str, action: str, *,
                    attributes: dict | None = None, **options) -> dict:
    """``emit`` a user turn of this bot (``responseReason: "UtteranceResponse"``) with these
    session attributes for this turn only; the record emitted."""
    for key in GENERATIVE_KEYS:
        s.attributes.pop(key, None)
    s.attributes.update(attributes or {})
    emit(s, text, intent, state, action, **options)
    record = s.records[-1][1]
    record["responseReason"] = "UtteranceResponse"
    return record


def respond(s: Session, reason: str, reply: str, *, state: str = "", wait_s: float = 2) -> None:
    """A server response after the last record: same session and request, the bot speaking."""
    s.t += int(wait_s * 1000)
    record = json.loads(json.dumps(s.records[-1][1]))
    record["timestamp"], record["responseReason"] = iso_ms(s.t), reason
    record["messages"] = [{"contentType": "PlainText", "content": reply}]
    session_state = record["sessionState"]
    session_state["dialogAction"] = {"type": "Close" if state in ("Fulfilled", "Failed") else "None"}
    if state and "intent" in session_state:
        session_state["intent"]["state"] = state
    for key in ("interpretations", "transcriptions", "dialogEventLogs"):
        record.pop(key, None)
    s.records.append((s.t, record))


def ask_question(s: Session) -> str:
    question, answer, source = QUESTIONS.pick(s.rng)
    answered = answer is not None and s.rng.random() < ANSWERED_SHARE
    if answered:
        generative_emit(s, question, "QnAIntent", "Fulfilled", "ElicitIntent", confidence=None,
                        attributes={QNA_ANSWER: answer, QNA_SOURCE: source}, reply=answer, opening=True)
    else:  # the QnAIntent's failure step: no answer text
        generative_emit(s, question, "QnAIntent", "Failed", "ElicitIntent", confidence=None,
                        reply=NO_ANSWER, opening=True)
    return "Dropped" if s.rng.random() < .15 else "Fulfilled"


def run_agent(s: Session) -> str:
    """An AMAZON.BedrockAgentIntent conversation of one to three turns."""
    for turn in range(s.rng.choice((1, 2, 2, 3))):
        ask, group, function, reply = AGENT_ASKS.pick(s.rng)
        text = ask if turn == 0 else s.rng.choice(("and when will I see it?", "thanks, one more thing",
                                                   "can you confirm that by email?"))
        title, uri = AGENT_SOURCES_POOL.pick(s.rng)
        attributes = {AGENT_ANSWER: reply, AGENT_SOURCES: json.dumps([{"title": title, "uri": uri,
                                                                        "excerpt": reply[:40]}]),
                      AGENT_LOOKUP: json.dumps({"knowledgeBaseId": "KB7HLPDSK", "query": text,
                                                "numberOfResults": 3})}
        if turn == 0 or s.rng.random() < .3:
            attributes[AGENT_ACTION] = json.dumps({"actionGroupName": group, "function": function,
                                                   "parameters": {"customerId": "67890"}})
        generative_emit(s, text, "BedrockAgentIntent", "Fulfilled", "ElicitIntent", confidence=None,
                        attributes=attributes, reply=reply, opening=turn == 0)
    return "Fulfilled"


def track_order(s: Session) -> str:
    """An order lookup with fulfillment updates; Bedrock resolves the intent on some turns."""
    source = "Bedrock" if s.rng.random() < .35 else "Lex"
    number = str(s.rng.randrange(10000, 99999))
    slots = {"orderNumber": ("Scalar", number, number, [number])}
    text = s.rng.choice((f"where is order {number}", f"my package {number} hasn't arrived",
                         f"track {number}", f"I ordered something ages ago, number {number}, where is it"))
    generative_emit(s, text, "TrackOrder", "FulfillmentInProgress", "None", slots=slots,
                    confidence=s.rng.uniform(.55, .98), source=source, opening=True,
                    reply="Let me look that up.")
    respond(s, "FulfillmentInitiated", "Looking up your order now.", wait_s=.5)
    respond(s, "FulfillmentStartedResponse", "One moment while I check with the warehouse.")
    for _ in range(s.rng.choice((0, 1, 1, 2))):
        respond(s, "FulfillmentUpdateResponse", "Still checking, thanks for waiting...", wait_s=5)
    failed = s.rng.random() < .12
    respond(s, "FulfillmentCompletedResponse",
            "Sorry, I can't reach the warehouse right now." if failed else f"Order {number} arrives tomorrow.",
            state="Failed" if failed else "Fulfilled", wait_s=3)
    return "Failed" if failed else "Fulfilled"


def reset_password(s: Session) -> str:
    """Wait and continue: the bot waits while the user fetches a code."""
    generative_emit(s, s.rng.choice(("reset my password", "I forgot my password", "can't log in")),
                    "ResetPassword", "Waiting", "None", confidence=s.rng.uniform(.7, .99), opening=True,
                    reply="I sent a code to your e-mail. Tell me when you have it.")
    respond(s, "StillWaitingResponse", "Take your time, I'm still here.", wait_s=20)
    if s.rng.random() < .25:
        return "Dropped"
    s.wait(5, 30)
    generative_emit(s, "ok I have the code", "ResetPassword", "Fulfilled", "Close",
                    confidence=s.rng.uniform(.8, 1), reply="Your password has been reset.")
    return "Fulfilled"
