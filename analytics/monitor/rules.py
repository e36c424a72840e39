"""Threshold rules: ``METRIC[ARGUMENT] OP NUMBER``, each describing trouble.

A rule is *breached* when its comparison is true for the window (``fallback_rate > 0.10``
breaches when more than 10% of utterances were missed); it *holds* otherwise, also when the
metric has no data (a rate with nothing to divide). Rules come from ``--rule`` or a TOML file
whose ``[rules]`` table maps a name to an expression.
"""
from __future__ import annotations

import difflib
import math
import operator
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.monitor.catalogue import METRICS_BY_NAME, Metric

COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
               "==": operator.eq, "!=": operator.ne}
RULE = re.compile(r"""^\s*(?P<metric>[A-Za-z_][A-Za-z0-9_]*)\s*
                      (?:\[(?P<argument>[^\[\]]*)\])?\s*
                      (?P<op><=|>=|==|!=|<|>|=)\s*
                      (?P<number>\S+?)\s*(?P<percent>%)?\s*$""", re.VERBOSE)
NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
SHAPE = "write METRIC OP NUMBER, e.g. 'fallback_rate > 0.10' or 'intent_success_rate[CheckBalance] < 0.7'"


@dataclass(frozen=True)
class Rule:
    """A parsed rule; ``name`` is the TOML key, or the expression itself for ``--rule``."""

    name: str
    text: str
    metric: Metric
    argument: Optional[str]
    op: str
    threshold: float


@dataclass(frozen=True)
class Verdict:
    """A rule's value over the window and whether it was breached (None: no data)."""

    rule: Rule
    value: Optional[float]
    breached: bool


def bad_rule(text: str, problem: str) -> LexlensError:
    return LexlensError(f"Rule {text!r}: {problem}.", exit_code=2)


def parse_metric(text: str, name: str, argument: Optional[str]) -> Metric:
    """The catalogue's metric ``name``, its bracketed argument checked."""
    metric = METRICS_BY_NAME.get(name)
    if metric is None:
        close = difflib.get_close_matches(name, METRICS_BY_NAME, n=1)
        hint = f"did you mean {close[0]}?" if close else "lexlens check --list-metrics lists them"
        raise bad_rule(text, f"unknown metric {name!r} ({hint})")
    if metric.argument and not (argument or "").strip():
        article = "an" if metric.argument[0] in "aeiouAEIOU" else "a"
        raise bad_rule(text, f"{name} needs {article} {metric.argument} in brackets, e.g. {name}[...]")
    if not metric.argument and argument is not None:
        raise bad_rule(text, f"{name} takes no [argument]")
    if metric.argument == "Intent.Slot" and "." not in argument.strip(". "):
        raise bad_rule(text, f"{name} needs Intent.Slot in brackets, e.g. {name}[BookHotel.CheckInDate]")
    return metric


def parse_threshold(text: str, metric: Metric, number: str, percent: bool) -> float:
    """The number a rule compares with: finite; ``%`` only for a rate; a rate within 0..1."""
    if not NUMBER.match(number):
        raise bad_rule(text, f"{number!r} is not a number; {SHAPE}")
    value = float(number)
    if not math.isfinite(value):
        raise bad_rule(text, f"{number!r} is not a finite number")
    if percent:
        if metric.kind != "rate":
            raise bad_rule(text, f"% applies to rates only, and {metric.name} is a {metric.kind}")
        value /= 100
    if metric.kind == "rate" and not 0 <= value <= 1:
        raise bad_rule(text, f"{metric.name} is a share from 0 to 1, so {number} is out of range "
                             f"(write {value / 100:g} or {number}%)")
    if metric.kind != "rate" and value < 0:
        raise bad_rule(text, f"{metric.name} is never negative")
    return value


def parse_rule(text: str, name: Optional[str] = None) -> Rule:
    """A Rule from ``METRIC[ARGUMENT] OP NUMBER``, or a LexlensError (exit 2) saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        where = f"Rule {name!r} is" if name else "A rule is"
        raise LexlensError(f"{where} empty; {SHAPE}.", exit_code=2)
    found = RULE.match(text)
    if not found:
        raise bad_rule(text, SHAPE)
    if found["op"] == "=":
        raise bad_rule(text, "compare with ==, not =")
    argument = found["argument"].strip() if found["argument"] is not None else None
    metric = parse_metric(text, found["metric"], found["argument"])
    threshold = parse_threshold(text, metric, found["number"], bool(found["percent"]))
    return Rule(name=name or text.strip(), text=text.strip(), metric=metric, argument=argument,
                op=found["op"], threshold=threshold)


def load_rules_file(path: Path) -> list[Rule]:
    """The rules of a TOML file's ``[rules]`` table (name = "expression"), in file order."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise LexlensError(f"Cannot read rules file {path}: {error.strerror or error}.", exit_code=2) from None
    except tomllib.TOMLDecodeError as error:
        raise LexlensError(f"Rules file {path} is not valid TOML: {error}.", exit_code=2) from None
    table = document.get("rules")
    if not isinstance(table, dict) or not table:
        raise LexlensError(f"Rules file {path} has no [rules] table of name = \"expression\" lines.",
                           exit_code=2)
    rules = []
    for name, text in table.items():
        if not isinstance(text, str):
            raise LexlensError(f"Rules file {path}: rule {name!r} is not a string; write "
                               f"{name} = \"fallback_rate > 0.10\".", exit_code=2)
        try:
            rules.append(parse_rule(text, name))
        except LexlensError as error:
            raise LexlensError(f"Rules file {path}, rule {name!r}: {error}", exit_code=2) from None
    return rules


def evaluate_rule(rule: Rule, values: dict) -> Verdict:
    """The rule's value in ``values`` (``Report.values()``) and its verdict."""
    value = rule.metric.read(values, rule.argument)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Verdict(rule, None, False)
    return Verdict(rule, float(value), bool(COMPARISONS[rule.op](float(value), rule.threshold)))
