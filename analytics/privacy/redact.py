"""PII masking (``--redact``): e-mail addresses, phone numbers, payment-card numbers and long
digit runs in end-user text, and the values of named slots and session attributes, replaced by
tokens such as ``<email:3f2a09bc>`` before anything reaches a table, a page, JSON or CSV.

A token is an HMAC of the value with a secret drawn once per run, so the same value masks to the
same token within a run (counts, grouping and top-N stay meaningful) while nobody can recover a
value by hashing guesses. Lex's own slot obfuscation (``{SlotName}`` in a transcript, see
https://docs.aws.amazon.com/lexv2/latest/dg/monitoring-obfuscate.html) and tokens already made
are left as they are, so masking twice changes nothing.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field, replace

import pandas as pd

from lexlens.analytics.privacy import DEFAULT_MIN_DIGITS
from lexlens.analytics.schema import LogData, Rejection

TOKEN_KINDS = ("email", "phone", "card", "number", "slot", "attribute")

_KEPT = r"(?P<kept>\{[A-Za-z][A-Za-z0-9_.]*\}|<(?:" + "|".join(TOKEN_KINDS) + r"):[0-9a-f]{8}>)"
# user@host.tld, and the spoken form a speech transcript gives ("jane dot doe at example dot com")
_EMAIL = (r"(?P<email>[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
          r"|\b[A-Za-z0-9_'-]+(?: dot [A-Za-z0-9_'-]+)* at [A-Za-z0-9-]+(?: dot [A-Za-z0-9-]+)*"
          r" dot (?:com|net|org|edu|gov|io|co|uk|de|fr|es|it|nl|ca|au|in|jp|br|info|biz|me)\b)")
# digits, optionally led by + or (, with single spaces, dashes, dots or parentheses between
_DIGITS = r"(?P<digits>(?<![\d+])(?:\+|\(\+?)?\d(?:[ .()-]{0,2}\d)*(?!\d))"
_PATTERN = re.compile("|".join((_KEPT, _EMAIL, _DIGITS)))

_DATE = re.compile(r"(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}"
                   r"|(?:19|20)\d\d ?- ?(?:19|20)\d\d|\d{1,2},? (?:19|20)\d\d)")
_AMOUNT = re.compile(r"\d+\.\d{1,2}")
_CARD = re.compile(r"\d+(?:[ -]\d+)*")


@dataclass(frozen=True)
class RedactionRules:
    """What to mask: the named slots and attribute keys, digit runs of ``min_digits`` or more;
    ``secret`` keys the tokens (a fresh one per run unless given)."""

    slots: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    min_digits: int = DEFAULT_MIN_DIGITS
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def describe(self) -> str:
        """One line for the dashboard and the CLI: what is masked."""
        parts = ["e-mail addresses", "phone numbers", "card numbers",
                 f"digit runs of {self.min_digits}+"]
        if self.slots:
            parts.append("slots " + ", ".join(self.slots))
        if self.attributes:
            parts.append("attributes " + ", ".join(self.attributes))
        return "PII masked: " + ", ".join(parts)


def make_token(kind: str, value: str, rules: RedactionRules) -> str:
    """``<kind:8 hex digits>``: the same (kind, value) gives the same token within a run."""
    return _token(rules.secret, kind, value)


@functools.lru_cache(maxsize=65536)
def _token(secret: bytes, kind: str, value: str) -> str:
    digest = hmac.new(secret, f"{kind}\0{value}".encode("utf-8", "surrogatepass"), hashlib.sha256)
    return f"<{kind}:{digest.hexdigest()[:8]}>"


def luhn_valid(digits: str) -> bool:
    """The Luhn check every payment-card number passes (ISO/IEC 7812-1)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def classify_digits(text: str, min_digits: int) -> str | None:
    """The kind of a digit run (``card``, ``phone``, ``number``), or None to leave it as it is
    (a date, an amount, a number shorter than ``min_digits``)."""
    digits = re.sub(r"\D", "", text)
    if _DATE.fullmatch(text) or _AMOUNT.fullmatch(text):
        return None
    if 13 <= len(digits) <= 19 and _CARD.fullmatch(text) and luhn_valid(digits):
        return "card"
    international = text.startswith(("+", "(+", "00"))
    groups = len(re.findall(r"\d+", text))
    if 7 <= len(digits) <= 15 and (international or "(" in text or groups >= 3):
        return "phone"
    return "number" if len(digits) >= min_digits else None


def mask_text(text: str, rules: RedactionRules) -> str:
    """``text`` with every e-mail address, phone number, card number and long digit run
    replaced by its token."""
    if not text:
        return text

    def replace_match(match: re.Match) -> str:
        if match.group("kept"):
            return match.group(0)
        if match.group("email"):
            return make_token("email", match.group(0).lower(), rules)
        kind = classify_digits(match.group(0), rules.min_digits)
        if kind is None:
            return match.group(0)
        return make_token(kind, re.sub(r"\D", "", match.group(0)), rules)

    return _PATTERN.sub(replace_match, text)


def mask_value(kind: str, value: str, rules: RedactionRules) -> str:
    """A whole named value's token ('' stays '': an unfilled slot is not a value)."""
    return make_token(kind, value, rules) if value else value


def mask_column(column: pd.Series, mask) -> pd.Series:
    """``mask`` applied once per distinct value (log text repeats a lot); a categorical stays
    categorical (two values may mask alike: the same phone number written two ways)."""
    if column.empty:
        return column
    if isinstance(column.dtype, pd.CategoricalDtype):
        mapping = {value: mask(str(value)) for value in column.cat.categories}
        return column.map(mapping).astype("category")
    values = column.astype(str)
    distinct = pd.unique(values)
    return values.map(dict(zip(distinct, (mask(v) for v in distinct)))).astype(column.dtype)


def named_values(data: LogData, rules: RedactionRules) -> dict[int, dict[str, str]]:
    """turn -> {raw value: token} of the named slots and attributes on that turn, to mask
    where the same words appear in the turn's transcript or the bot's answer."""
    found: dict[int, dict[str, str]] = {}

    def collect(table, column, names, kind, value_columns):
        if not names or table.empty:
            return
        chosen = table[is_named(table[column], names)]
        for value_column in value_columns:
            for turn, value in zip(chosen["turn"], chosen[value_column].astype(str)):
                if len(value) >= 2:
                    found.setdefault(int(turn), {})[value] = make_token(kind, value, rules)

    collect(data.slots, "slot", rules.slots, "slot", ("original_value", "interpreted_value"))
    collect(data.attributes, "key", rules.attributes, "attribute", ("value",))
    collect(data.request_attributes, "key", rules.attributes, "attribute", ("value",))
    return found


def is_named(column: pd.Series, names: tuple[str, ...]) -> pd.Series:
    """Rows whose slot or key is one of ``names``; a Composite sub-slot ``Parent.Child`` counts
    under either name."""
    names = set(names)
    return column.astype(str).map(lambda name: name in names or name.split(".", 1)[0] in names).astype(bool)


def replace_named(text: str, values: dict[str, str]) -> str:
    """``text`` with each raw value (as a whole word or phrase, longest first) replaced."""
    folded = text.casefold()
    for raw in sorted(values, key=len, reverse=True):
        if raw.casefold() in folded:
            text = whole_phrase(raw).sub(lambda _, token=values[raw]: token, text)
    return text


@functools.lru_cache(maxsize=4096)
def whole_phrase(raw: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(raw) + r"(?!\w)", re.IGNORECASE)


def mask_named_columns(table: pd.DataFrame, column: str, names: tuple[str, ...], kind: str,
                       value_columns: tuple[str, ...], rules: RedactionRules) -> pd.DataFrame:
    """``table`` with the values of the rows named in ``names`` (a Composite sub-slot
    ``Parent.Child`` counts under either name) replaced by whole-value tokens."""
    if not names or table.empty:
        return table
    chosen = is_named(table[column], names)
    table = table.copy()
    for value_column in value_columns:
        values = table[value_column].astype(str)
        table.loc[chosen, value_column] = [mask_value(kind, v, rules) for v in values[chosen]]
    return table


def mask_turn_text(turns: pd.DataFrame, named: dict[int, dict[str, str]], rules: RedactionRules) -> pd.DataFrame:
    """``turns`` with the transcript and the bot's messages masked (named values first, so a
    slot value the user typed is masked there too), and ids that are themselves PII."""
    turns = turns.copy()
    for column in ("transcript", "bot_messages"):
        if named:
            values_by_turn = turns["turn"].map(named)
            turns[column] = [replace_named(text, values) if isinstance(values, dict) else text
                             for text, values in zip(turns[column].astype(str), values_by_turn)]
        turns[column] = mask_column(turns[column], lambda text: mask_text(text, rules))
    for column in ("session_id", "conversation_id"):
        turns[column] = mask_column(turns[column], lambda text: mask_identifier(text, rules))
    return turns


def mask_value_columns(table: pd.DataFrame, rules: RedactionRules) -> pd.DataFrame:
    """The value columns of a side table with PII masked inside them."""
    table = table.copy()
    for column in ("original_value", "interpreted_value", "value"):
        if column in table:
            table[column] = mask_column(table[column], lambda text: mask_text(text, rules))
    return table


def redact_log_data(data: LogData, rules: RedactionRules) -> LogData:
    """``data`` with PII masked in every table of end-user text and in the rejected lines."""
    slots = mask_named_columns(data.slots, "slot", rules.slots, "slot",
                               ("original_value", "interpreted_value"), rules)
    attributes = mask_named_columns(data.attributes, "key", rules.attributes, "attribute", ("value",), rules)
    requested = mask_named_columns(data.request_attributes, "key", rules.attributes, "attribute",
                                   ("value",), rules)
    masked = data.with_tables(mask_turn_text(data.turns, named_values(data, rules), rules),
                              slots=mask_value_columns(slots, rules),
                              attributes=mask_value_columns(attributes, rules),
                              request_attributes=mask_value_columns(requested, rules))
    masked = replace(masked, server_responses=mask_turn_text(data.server_responses, {}, rules))
    rejections = [Rejection(r.source, r.line, r.reason, mask_text(r.text, rules))
                  for r in data.report.rejections]
    return replace(masked, report=replace(data.report, rejections=rejections))


def mask_identifier(text: str, rules: RedactionRules) -> str:
    """An id masked only when the whole of it is an e-mail address or a phone or card number
    (a session id that is the caller's number, as some channels send); other ids, digit-only
    ones included, stay as they are."""
    if not text or not _PATTERN.fullmatch(text):
        return text
    masked = mask_text(text, rules)
    return masked if masked.startswith(("<email:", "<phone:", "<card:")) else text
