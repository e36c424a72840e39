"""``--redact`` and its options, shared by ``lexlens report``, ``serve`` and ``pull``.

The CloudWatch cache keeps the raw events (masking happens when they are read, with a secret
drawn for that run, so a cached token would not match the next run's): treat the cache
folder as holding personal data; ``lexlens cache clear`` empties it.
"""
from __future__ import annotations

import argparse

from lexlens.analytics.privacy import DEFAULT_MIN_DIGITS

REDACT_HELP = ("mask PII before anything is shown or written: e-mail addresses, phone numbers, "
               "card numbers, long digit runs, and the named slots and attributes (the same value "
               "gets the same token within a run; the CloudWatch cache still holds raw events)")


def digits_length(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 3 <= value <= 30:
        raise argparse.ArgumentTypeError("must be between 3 and 30")
    return value


def add_redact_arguments(parser: argparse.ArgumentParser) -> None:
    """``--redact``, ``--redact-slot``, ``--redact-attribute``, ``--redact-digits``."""
    group = parser.add_argument_group("PII masking")
    group.add_argument("--redact", action="store_true", help=REDACT_HELP)
    group.add_argument("--redact-slot", action="append", default=[], metavar="NAME",
                       help="with --redact: mask every value of this slot (repeatable)")
    group.add_argument("--redact-attribute", action="append", default=[], metavar="KEY",
                       help="with --redact: mask every value of this session or request attribute "
                            "(repeatable)")
    group.add_argument("--redact-digits", type=digits_length, default=DEFAULT_MIN_DIGITS, metavar="N",
                       help=f"with --redact: mask runs of N or more digits (default {DEFAULT_MIN_DIGITS})")


def rules_from_args(args):
    """The RedactionRules of ``--redact`` (a fresh secret), or None when it is off; a masking
    option without ``--redact`` is a mistake worth one sentence."""
    from lexlens.analytics.errors import LexlensError

    if not args.redact:
        if args.redact_slot or args.redact_attribute or args.redact_digits != DEFAULT_MIN_DIGITS:
            raise LexlensError("--redact-slot, --redact-attribute and --redact-digits need --redact.",
                               exit_code=2)
        return None
    from lexlens.analytics.privacy.redact import RedactionRules  # pandas: only when masking

    return RedactionRules(slots=tuple(args.redact_slot), attributes=tuple(args.redact_attribute),
                          min_digits=args.redact_digits)
