"""Every metric a ``lexlens check`` rule may name, read from the report's own values.

A metric is read from ``Report.values()`` (the keys of ``lexlens report --json``), so a rule
and the report can never disagree on a definition. A metric with an argument names one intent,
input mode, Lex sentiment label or ``Intent.Slot`` in brackets: ``intent_success_rate[CheckBalance]``.
A rate is ``None`` (no data) when nothing was there to divide; a count of something absent is 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class Metric:
    """One metric: ``kind`` is count, rate (0 to 1) or seconds; ``argument`` what goes in brackets."""

    name: str
    kind: str
    meaning: str
    read: Callable[[dict, Optional[str]], Optional[float]]
    argument: Optional[str] = None


def share(part: float, whole: float) -> Optional[float]:
    """part / whole, None when whole is 0."""
    return float(part) / float(whole) if whole else None


def conversation_share(outcome: str) -> Callable[[dict, Optional[str]], Optional[float]]:
    def read(values: dict, _argument) -> Optional[float]:
        counts = values["conversation_outcomes"]
        return share(counts.get(outcome, 0), sum(counts.values()))
    return read


def intent_share(outcome: str) -> Callable[[dict, Optional[str]], Optional[float]]:
    def read(values: dict, intent) -> Optional[float]:
        counts = values["intent_outcomes"].get(intent, {})
        return share(counts.get(outcome, 0), sum(counts.values()))
    return read


def split_slot(argument: str) -> tuple[str, str]:
    """``Intent.Slot`` -> (intent, slot); a Composite sub-slot keeps its dot (``Intent.Parent.Child``)."""
    intent, _, slot = argument.partition(".")
    return intent, slot


def slot_counts(values: dict, argument: str) -> dict:
    intent, slot = split_slot(argument)
    return values["slot_outcomes"].get(intent, {}).get(slot, {})


def slot_failure_rate(values: dict, argument) -> Optional[float]:
    counts = slot_counts(values, argument)
    return share(counts.get("Failed", 0), sum(counts.get(k, 0) for k in ("Success", "Failed", "Dropped")))


def plain_key(key: str) -> Callable[[dict, Optional[str]], Optional[float]]:
    return lambda values, _argument: values[key]


def nested_key(key: str, inner: str) -> Callable[[dict, Optional[str]], Optional[float]]:
    """A session statistic; no data without sessions (the report writes 0 there)."""
    return lambda values, _argument: (values[key] or {}).get(inner) if values["sessions"] else None


def count_of(key: str) -> Callable[[dict, Optional[str]], Optional[float]]:
    return lambda values, argument: values[key].get(argument, 0)


INTENT, MODE, LABEL, SLOT = "intent", "input mode", "Lex sentiment label", "Intent.Slot"

METRICS: tuple[Metric, ...] = (
    Metric("records", "count", "records (turns) in the window after the filters", plain_key("records")),
    Metric("rejected", "count", "lines rejected while reading", plain_key("rejected")),
    Metric("duplicates", "count", "lines counted as duplicates", plain_key("duplicates")),
    Metric("utterances", "count", "turns with a non-empty transcript", plain_key("utterances")),
    Metric("missed_utterances", "count", "turns with missedUtterance true", plain_key("missed_utterances")),
    Metric("fallback_rate", "rate", "missed utterances / utterances",
           lambda v, _a: v["fallback_rate"] if v["utterances"] else None),
    Metric("sessions", "count", "sessions with a turn in the window", plain_key("sessions")),
    Metric("conversations", "count", "conversations", plain_key("conversations")),
    Metric("successful_conversations", "count", "conversations whose outcome is Success",
           lambda v, _a: v["conversation_outcomes"].get("Success", 0)),
    Metric("failed_conversations", "count", "conversations whose outcome is Failed",
           lambda v, _a: v["conversation_outcomes"].get("Failed", 0)),
    Metric("dropped_conversations", "count", "conversations whose outcome is Dropped",
           lambda v, _a: v["conversation_outcomes"].get("Dropped", 0)),
    Metric("conversation_success_rate", "rate", "successful conversations / conversations",
           conversation_share("Success")),
    Metric("conversation_failure_rate", "rate", "failed conversations / conversations",
           conversation_share("Failed")),
    Metric("dropped_rate", "rate", "dropped conversations / conversations", conversation_share("Dropped")),
    Metric("containment_rate", "rate", "conversations without escalation / conversations (needs an "
           "--escalation-* option)", plain_key("containment_rate")),
    Metric("session_duration_mean_s", "seconds", "mean session duration",
           nested_key("session_duration_s", "mean")),
    Metric("session_duration_median_s", "seconds", "median session duration",
           nested_key("session_duration_s", "median")),
    Metric("session_duration_p90_s", "seconds", "90th percentile of session duration",
           nested_key("session_duration_s", "p90")),
    Metric("turns_per_session_mean", "count", "mean turns per session", nested_key("turns_per_session", "mean")),
    Metric("turns_per_session_median", "count", "median turns per session",
           nested_key("turns_per_session", "median")),
    Metric("turns_per_session_max", "count", "most turns in one session", nested_key("turns_per_session", "max")),
    Metric("intent_turns", "count", "turns of the intent", count_of("intents"), INTENT),
    Metric("intent_attempts", "count", "attempts of the intent (Success + Failed + Switched + Dropped)",
           lambda v, a: sum(v["intent_outcomes"].get(a, {}).values()), INTENT),
    Metric("intent_success_rate", "rate", "attempts of the intent that succeeded / its attempts",
           intent_share("Success"), INTENT),
    Metric("intent_failure_rate", "rate", "attempts of the intent that failed / its attempts",
           intent_share("Failed"), INTENT),
    Metric("intent_switch_rate", "rate", "attempts of the intent switched away from / its attempts",
           intent_share("Switched"), INTENT),
    Metric("intent_drop_rate", "rate", "attempts of the intent dropped / its attempts",
           intent_share("Dropped"), INTENT),
    Metric("input_mode_turns", "count", "turns in the input mode (Text, Speech, DTMF)", count_of("modality"), MODE),
    Metric("sentiment_turns", "count", "turns Lex labelled with the sentiment (POSITIVE, NEGATIVE, ...)",
           count_of("sentiment"), LABEL),
    Metric("slot_failure_rate", "rate", "slot outcomes Failed / all outcomes of the slot", slot_failure_rate, SLOT),
    Metric("slot_retries", "count", "times the bot elicited the slot again",
           lambda v, a: slot_counts(v, a).get("Retries", 0), SLOT),
)
METRICS_BY_NAME = {metric.name: metric for metric in METRICS}


def describe_metrics() -> str:
    """One line per metric, for ``lexlens check --list-metrics``."""
    lines = []
    for metric in METRICS:
        name = f"{metric.name}[{metric.argument}]" if metric.argument else metric.name
        lines.append(f"{name:40} {metric.kind:8} {metric.meaning}")
    return "\n".join(lines) + "\n"
