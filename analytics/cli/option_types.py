"""argparse types for numeric options and paths: a bad value is one sentence from argparse (exit 2),
never a NaN, an infinity, a negative number or an empty path reaching the analytics; and ``Deprecated``,
the action of an option's old name."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path


def given_path(text: str) -> Path:
    """A file or folder named on the command line; an empty value (an unset shell variable,
    ``--store-dir "$STORE"``) would name the current folder, so it is refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path would name the current folder: give a path")
    return Path(text)


def given_source(text: str) -> str:
    """A log file or folder named on the command line, refused when empty as ``given_path``."""
    given_path(text)
    return text


def attribute_rule(text: str) -> str:
    """KEY or KEY=VALUE with a key (``--escalation-attribute``)."""
    if not text.partition("=")[0].strip():
        raise argparse.ArgumentTypeError(f"{text!r} names no attribute: give KEY or KEY=VALUE")
    return text


def positive_int(text: str, most: int | None = None) -> int:
    """A whole number from 1 (to ``most``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    if most is not None and value > most:
        raise argparse.ArgumentTypeError(f"must be at most {most}")
    return value


def bounded_number(text: str, low: float, high: float, unit: str) -> float:
    """A finite number in (``low``, ``high``]: not NaN, not infinite."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of {unit}") from None
    if not math.isfinite(value) or not low < value <= high:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of {unit} above {low:g} and "
                                         f"at most {high:g}")
    return value


def idle_seconds(text: str) -> float:
    """Inactivity in seconds: above 0, at most 86,400 (Lex's longest idle session timeout,
    CreateBot idleSessionTTLInSeconds 60..86400:
    https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateBot.html)."""
    return bounded_number(text, 0, 86_400, "seconds")


def slice_hours(text: str) -> float:
    """A cached slice's length: from one minute (1/60 h) to a year (8,760 h)."""
    value = bounded_number(text, 0, 8_760, "hours")
    if value < 1 / 60:
        raise argparse.ArgumentTypeError(f"{text!r}: a slice lasts at least one minute (1/60 h, 0.0167)")
    return value


def timeout_seconds(text: str) -> float:
    """A wait in seconds: above 0, at most a day."""
    return bounded_number(text, 0, 86_400, "seconds")


class Deprecated(argparse.Action):
    """An option's old name, hidden from --help: says so on stderr, then does what ``new`` does
    (``append``: for a repeatable option)."""

    def __init__(self, option_strings, dest, new: str, append: bool = False, **kwargs):
        self.new, self.append = new, append
        super().__init__(option_strings, dest, help=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stderr.write(f"lexlens: {option_string} is deprecated and will be removed: use {self.new}.\n")
        if self.append:
            values = [*(getattr(namespace, self.dest) or []), values]
        setattr(namespace, self.dest, values)
