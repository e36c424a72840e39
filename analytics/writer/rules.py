"""Pure decision rules of the missed-utterance writer (issue 5): no AWS, no I/O.

``decide_candidates`` turns candidate utterances into plan rows (add / skip /
refuse, with a reason) from what the locale already holds. ``analytics.writer``
fetches that state from Lex and applies the rows; the CLI and the dashboard
render them. Lex V2 rules used here, with their sources:

- Characters per sample utterance: 500, counted in Unicode (UTF-16) code units;
  sample utterances per intent: 1,500 (adjustable); total characters in sample
  utterances per locale: 2,000,000 in en-AU/en-GB/en-US, 200,000 elsewhere.
  https://docs.aws.amazon.com/lexv2/latest/dg/quotas.html
- A slot is referenced by wrapping its name in curly braces, and only slots
  defined for the intent may be used:
  https://docs.aws.amazon.com/lexv2/latest/dg/sample-utterances.html
  Slot names match ``^([0-9a-zA-Z][_-]?){1,100}$`` (service model, shape Name).
- "You can't provide utterances for built-in intents" (CreateIntent), nor "add
  or remove sample utterances from the base intent" (built-in intents page):
  https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateIntent.html
  https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intents.html
  Exceptions: AMAZON.QnAIntent and AMAZON.BedrockAgentIntent may carry sample
  utterances, but with none they answer every unclassified utterance instead of
  their own; adding the first one changes what the intent does, so lexlens only
  adds to one that already has sample utterances.
  https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intent-qna-multi.html
  https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intent-bedrockagent.html
Lex documents no character whitelist; lexlens refuses invisible and
unassigned code points (controls, bidi overrides, private use, and format
characters such as the zero-width space U+200B, the soft hyphen U+00AD, the
byte-order mark U+FEFF and tag characters: ``analytics.text.visible.is_hidden``),
which no spoken or typed utterance needs and which would hide what is being
written. Only the zero-width joiner and non-joiner pass: they shape visible text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Literal, Mapping, Sequence

from lexlens.analytics.text.normalise import collapse_spaces, utterance_key
from lexlens.analytics.text.visible import is_hidden, show_visible

MAX_UTTERANCE_UNITS = 500
MAX_UTTERANCES_PER_INTENT = 1_500
LARGE_LOCALES = frozenset({"en_AU", "en_GB", "en_US"})
LOCALE_CHARS_LARGE = 2_000_000
LOCALE_CHARS_OTHER = 200_000
FALLBACK_SIGNATURE = "AMAZON.FallbackIntent"
# Built-ins that may take sample utterances, but only keep their meaning if they already have some.
UTTERANCE_BUILTINS = frozenset({"AMAZON.QnAIntent", "AMAZON.BedrockAgentIntent"})

SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")
SLOT_NAME = re.compile(r"^([0-9a-zA-Z][_-]?){1,100}$")
Action = Literal["add", "skip", "refuse"]


@dataclass(frozen=True)
class Candidate:
    """One utterance offered for adding; ``count`` is how often it was missed (if known)."""

    text: str
    count: int | None = None


@dataclass(frozen=True)
class PlanRow:
    """One line of the plan: the cleaned utterance, what happens to it, and why."""

    utterance: str
    action: Action
    reason: str
    count: int | None = None


@dataclass(frozen=True)
class TargetIntent:
    """What the rules need to know about the intent receiving the utterances."""

    intent_id: str
    name: str
    parent_signature: str | None
    sample_utterances: tuple[str, ...]
    slot_names: frozenset[str] | None = None  # None: not fetched (no candidate needed them)


def count_units(text: str) -> int:
    """Length in UTF-16 code units, the unit of Lex's character quotas."""
    return len(text.encode("utf-16-le")) // 2


def refuse_target(target: TargetIntent) -> str | None:
    """Why Lex (or lexlens) will not take sample utterances for ``target``, or None."""
    signature = target.parent_signature
    if not signature:
        return None
    if signature == FALLBACK_SIGNATURE:
        return f"{target.name} is the fallback intent ({signature}), which takes no sample utterances"
    if signature in UTTERANCE_BUILTINS:
        if target.sample_utterances:
            return None
        return (f"{target.name} is {signature} without sample utterances; adding one would stop it "
                "answering unrecognised input")
    return f"{target.name} is built-in intent {signature}, which takes no sample utterances"


def validate_utterance(text: str, slot_names: frozenset[str] | None) -> str | None:
    """Why ``text`` (already cleaned) breaks Lex's sample-utterance rules, or None if it is fine."""
    if not text:
        return "empty after trimming"
    units = count_units(text)
    if units > MAX_UTTERANCE_UNITS:
        return f"{units} characters, over Lex's limit of {MAX_UTTERANCE_UNITS} per sample utterance"
    hidden = sorted({char for char in text if is_hidden(char)})
    if hidden:
        return "contains invisible or control characters " + " ".join(show_visible(c) for c in hidden)
    return validate_slot_references(text, slot_names)


def validate_slot_references(text: str, slot_names: frozenset[str] | None) -> str | None:
    """Braces must pair up around the name of one of the intent's slots."""
    outside = SLOT_REFERENCE.sub("", text)
    if "{" in outside or "}" in outside:
        return "unbalanced curly braces (Lex reads {Name} as a slot reference)"
    for name in SLOT_REFERENCE.findall(text):
        if not SLOT_NAME.match(name):
            return f"{{{name}}} is not a valid slot reference"
        if slot_names is None or name not in slot_names:
            return f"{{{name}}} names no slot of this intent"
    return None


def has_slot_reference(text: str) -> bool:
    """True when ``text`` contains a ``{...}``, so the intent's slot names are needed."""
    return "{" in text or "}" in text


def index_utterances(utterances_by_intent: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Map each sample utterance's key (``utterance_key``) to the (first, by name) intent that owns it."""
    owners: dict[str, str] = {}
    for intent in sorted(utterances_by_intent):
        for utterance in utterances_by_intent[intent]:
            owners.setdefault(utterance_key(utterance), intent)
    return owners


def locale_char_limit(locale_id: str) -> int:
    """Lex's quota on total sample-utterance characters in one bot locale."""
    return LOCALE_CHARS_LARGE if locale_id in LARGE_LOCALES else LOCALE_CHARS_OTHER


def as_candidates(items: Iterable[str | Candidate]) -> list[Candidate]:
    """Accept plain strings or Candidates."""
    return [item if isinstance(item, Candidate) else Candidate(str(item)) for item in items]


def decide_candidates(
    candidates: Sequence[str | Candidate],
    intents_by_name: Mapping[str, Sequence[str]],
    target: TargetIntent,
    locale_id: str,
) -> list[PlanRow]:
    """One PlanRow per candidate, in order: add, skip (duplicate) or refuse (rule broken).

    ``intents_by_name`` holds the sample utterances of every intent of the locale,
    the target's included.
    """
    target_refusal = refuse_target(target)
    owners = index_utterances(intents_by_name)
    budget = _Budget(target, intents_by_name, locale_id)
    seen: set[str] = set()
    rows = []
    for candidate in as_candidates(candidates):
        text = collapse_spaces(candidate.text)
        action, reason = _decide_one(text, target, target_refusal, owners, seen, budget)
        rows.append(PlanRow(text, action, reason, candidate.count))
    return rows


def _decide_one(text, target, target_refusal, owners, seen, budget) -> tuple[Action, str]:
    key = utterance_key(text)
    if target_refusal:
        return "refuse", target_refusal
    if key in seen:
        return "skip", "repeats an earlier candidate"
    seen.add(key)
    if key in owners:
        owner = owners[key]
        where = "this intent" if owner == target.name else "intent"
        return "skip", f"already a sample utterance of {where} {owner}"
    problem = validate_utterance(text, target.slot_names)
    if problem:
        return "refuse", problem
    problem = budget.take(text)
    if problem:
        return "refuse", problem
    return "add", "new"


class _Budget:
    """Lex's per-intent count and per-locale character quotas, spent as rows are added."""

    def __init__(self, target: TargetIntent, intents_by_name: Mapping[str, Sequence[str]],
                 locale_id: str):
        self.count = len(target.sample_utterances)
        self.units = sum(count_units(u) for us in intents_by_name.values() for u in us)
        self.unit_limit = locale_char_limit(locale_id)

    def take(self, text: str) -> str | None:
        if self.count + 1 > MAX_UTTERANCES_PER_INTENT:
            return (f"the intent would exceed Lex's default quota of {MAX_UTTERANCES_PER_INTENT:,} "
                    "sample utterances")
        if self.units + count_units(text) > self.unit_limit:
            return (f"the locale would exceed Lex's quota of {self.unit_limit:,} sample-utterance "
                    "characters")
        self.count += 1
        self.units += count_units(text)
        return None


def render_plan_table(rows: Sequence[PlanRow]) -> str:
    """The plan as a plain-text table: utterance, action, reason (and count when known)."""
    with_count = any(row.count is not None for row in rows)
    header = ["utterance", "action", "reason"] + (["count"] if with_count else [])
    body = [[show_visible(row.utterance), row.action, show_visible(row.reason)]
            + ([_show_count(row.count)] if with_count else []) for row in rows]
    widths = [min(60, max(len(line[i]) for line in [header] + body)) for i in range(len(header) - 1)]
    lines = []
    for line in [header] + body:
        cells = [cell.ljust(width) for cell, width in zip(line, widths)] + [line[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _show_count(count: int | None) -> str:
    return "" if count is None else str(count)


def plan_rows_as_records(rows: Sequence[PlanRow]) -> list[dict]:
    """The plan rows as dicts (utterance, action, reason, count), e.g. for a DataFrame."""
    return [{"utterance": row.utterance, "action": row.action, "reason": row.reason,
             "count": row.count} for row in rows]
