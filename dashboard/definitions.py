"""The "How is this computed?" texts, in one place so the README and the app agree.

Wording follows ../shared/metric-definitions.md (itself after Lex's analytics key
definitions, https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html)
and the docstrings of the analytics modules that compute each value.
"""
from __future__ import annotations

import streamlit as st

from lexlens.analytics.metrics.conversations import DEFINITIONS as CONVERSATION_DEFINITIONS

LEX_DEFINITIONS = "https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html"

DEFINITIONS = {
    "Record": ("One conversation-log record: one user input and the bot's answer (a turn), or a "
               "server response. `records` counts both."),
    "Server response": ("A record whose `responseReason` is present and is not "
                        "`UtteranceResponse` (`StartTimeout`, `StillWaitingResponse`, "
                        "`FulfillmentInitiated`, `FulfillmentStartedResponse`, "
                        "`FulfillmentUpdateResponse`, `FulfillmentCompletedResponse`): the bot "
                        "speaking on its own, e.g. while a fulfillment runs. It is shown in "
                        "transcripts as the bot speaking and counted in `records` and "
                        "`server_responses`, never as a user turn: no utterance, missed-utterance, "
                        "intent, modality, sentiment, top-utterance, turns-per-session or outcome "
                        "figure counts it, even when it repeats the user's `inputTranscript`. It "
                        "may share `sessionId` and `requestId` with the user turn it follows "
                        "without being a duplicate; a duplicate is the same record loaded twice "
                        "(same session, request, reason and time)."),
    "Utterance": "A turn with a non-empty `inputTranscript`.",
    "Missed utterance": "A turn with `missedUtterance: true` (Lex fell back to FallbackIntent).",
    "Fallback rate": "Missed utterances / utterances.",
    "Session": ("The turns sharing one `sessionId` for one bot, alias and locale. "
                "Duration = last turn time - first turn time; a one-turn session lasts 0 s."),
    "Conversation": CONVERSATION_DEFINITIONS["Conversation"],  # one definition, kept with its code
    "Mean turns": "Turns per session, averaged over the sessions in the filtered range.",
    "Previous period": ("Each KPI's change compares the selected date range with the period "
                        "of the same length just before it, under the same other filters. "
                        "With the whole range selected there is no earlier period, so no change "
                        "is shown."),
    "Activity over time": ("Turns, utterances and sessions per time bin, in the chosen time "
                           "zone. The bin is chosen from the range (5 minutes up to 30 days), so "
                           "any range works. *Active sessions* counts a session once per bin it "
                           "has a turn in; *sessions started* counts it once, in its first bin."),
    "Modality": "Turns per input mode: Text, Speech, DTMF (Unknown when the record had none).",
    "Sentiment": ("Lex's own `sentimentResponse` of the first interpretation when present; "
                  "otherwise VADER's compound score of the transcript (>= 0.05 positive, "
                  "<= -0.05 negative, else neutral; its first 1,024 characters, Lex's limit on "
                  "a turn's text). The two sources are shown apart, never "
                  "mixed silently."),
    "Session duration": ("Per session, last turn time - first turn time (0 s for one turn), shown "
                         "as m:ss. The median comes first: a few sessions left open for hours pull "
                         "the mean up. The histogram's bins grow about twofold (1 s, 2 s, 5 s, "
                         "10 s, ... 1 h, 2 h: a log scale), since durations run from seconds to "
                         "hours and equal bins would put nearly every session in the first. The "
                         "reference dashboard's 'average session duration' was 300 s divided by "
                         "sessions per 5 minutes: not a duration at all."),
    "Turns per session": ("Records per session; the histogram stops at the 95th percentile and "
                          "says how many sessions have more turns."),
    "Top sessions": "Sessions with the most turns (ties: longer first, then earlier).",
    "Session heatmap": ("For each weekday x hour cell (local time in the chosen zone), the "
                        "number of distinct sessions active in that hour, summed over every "
                        "date in the range: a session counts once per hour it is active, and "
                        "two Mondays add up instead of overlapping."),
    "Top intents": ("Turns per intent, plus *entries*: the times a session entered the "
                    "intent (consecutive turns of one intent count once), so intents with "
                    "many slots do not look popular just because each slot prompt is a turn."),
    "Intent heatmap": "Turns per intent and hour of day, in the chosen time zone.",
    "Intent paths": ("A session's path is START, each intent it entered, then END. "
                     "Consecutive turns of one intent are one step unless the intent had "
                     "closed (Fulfilled, ReadyForFulfillment or Failed with a Close action) and "
                     "was entered again: that repeat is a self-loop. Every turn with an intent "
                     "counts, FallbackIntent included. A move into an intent the session "
                     "already visited is *returning*."),
    "Conversation flow": ("One bot at a time, as Lex's console draws it: a column per step (START, "
                          "the intent entered at step 1, step 2, ... up to the steps shown, then "
                          "END), each link as wide as the sessions taking it. A session that ends "
                          "at step n goes to END from its step-n intent; one still going after the "
                          "last step shown goes to 'More steps'. The least travelled intents of "
                          "each step are folded into 'Other' until about the chosen number of "
                          "links remains (15 by default). Columns are fixed by step, so a session "
                          "that returns to an intent moves right instead of drawing a loop."),
    "Returning transitions": ("Per pair of intents: how many moves went back into an intent the "
                              "session had already visited (returning), out of all the pair's moves "
                              "(transitions), and that share. Listed apart so the flow's shared "
                              "links are not coloured by a minority of their sessions."),
    "Missed by previous intent": ("For each missed utterance, the intent the session was in "
                                  "just before it ('(session start)' on a first turn): where "
                                  "users get lost."),
    "Top utterances": ("Utterances grouped after trimming and collapsing spaces, "
                       "case-insensitively; the most frequent spelling is shown."),
    "Obfuscated utterances": ("With slot obfuscation on, Lex logs a slot's value as the slot's name "
                              "in braces ('{dateOfBirth}'), and the whole utterance so when it cannot "
                              "find the value in it. Such an utterance says which slot was asked, not "
                              "what people said: it is marked 'obfuscated by Lex' and listed after "
                              "every other one, whatever its count."),
    "Message history": "Turns with a transcript (or every missed turn), newest first.",
    "Slot values": ("Per intent x slot, the interpreted value (else the original wording), "
                    "counted once per session: Lex repeats every filled slot in each later "
                    "turn. List slots count each item, Composite slots each sub-slot "
                    "('Parent.Child'); a slot that stayed empty for a session counts as "
                    "'(unfilled)'. Share is within the intent x slot."),
    "Session attributes": ("Per key, the values by distinct sessions that held them at some "
                           "turn (the reference counted per turn, so long sessions weighed "
                           "more). Share is of the key's sessions."),
    "Times": "Times are stored in UTC and shown in the time zone picked in the sidebar.",
}


def explain(*topics: str, extra: dict | None = None) -> None:
    """A "How is this computed?" expander with the definitions of ``topics``."""
    texts = {**DEFINITIONS, **(extra or {})}
    with st.expander("How is this computed?"):
        for topic in topics:
            st.markdown(f"**{topic}.** {texts[topic]}")
        st.caption(f"Definitions follow Amazon Lex's analytics key definitions: {LEX_DEFINITIONS}")
