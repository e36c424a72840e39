"""The option groups several commands share: the filters (``report``), the outcome settings
(``report`` and ``serve``, where they become the sidebar's defaults), and what they make."""
from __future__ import annotations

import argparse

from lexlens.analytics.cli.option_types import Deprecated, attribute_rule, idle_seconds
from lexlens.analytics.errors import LexlensError


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The filters every metric shares (also used by ``lexlens serve``)."""
    group = parser.add_argument_group("filters")
    group.add_argument("--since", metavar="T", help="first time to include: ISO 8601 or an age (7d, 36h)")
    group.add_argument("--until", metavar="T", help="time to stop before: ISO 8601 or an age")
    group.add_argument("--bot-id", action="append", default=[], metavar="ID",
                       help="bot id or name, e.g. BankerBot (repeatable)")
    group.add_argument("--alias", action="append", default=[], metavar="NAME",
                       help="alias name or id, e.g. TSTALIASID (repeatable)")
    group.add_argument("--locale", action="append", default=[], metavar="ID",
                       help="locale id, e.g. en_US (repeatable)")
    group.add_argument("--bot-version", action="append", default=[], metavar="V",
                       help="bot version: DRAFT or a number (repeatable)")
    add_exclusion_arguments(group)
    # lexlens --version prints lexlens's version; this filter had the same name until 0.1
    group.add_argument("--version", dest="bot_version", action=Deprecated, new="--bot-version", append=True,
                       metavar="V")


def add_exclusion_arguments(group) -> None:
    """Test traffic to leave out of every number (also ``lexlens serve``'s sidebar defaults)."""
    group.add_argument("--exclude-alias", action="append", default=[], metavar="NAME_OR_ID",
                       help="leave out an alias's traffic, e.g. Lex's test alias TSTALIASID (repeatable)")
    group.add_argument("--exclude-version", action="append", default=[], metavar="V",
                       help="leave out a bot version's traffic, e.g. DRAFT (repeatable)")
    group.add_argument("--exclude-attribute", action="append", default=[], type=attribute_pair,
                       metavar="KEY=VALUE", help="leave out sessions with this session or request attribute, "
                       "e.g. testIndicator=true (repeatable)")


def filters_from_args(args):
    """A Filters from the shared filter options; LexlensError for a time outside Lex V2's
    years or an empty window."""
    import pandas as pd

    from lexlens.analytics.filters import Filters
    from lexlens.analytics.timewindow import format_ms, parse_time

    since, until = parse_time(args.since, name="--since time"), parse_time(args.until, name="--until time")
    if since is not None and until is not None and since >= until:
        raise LexlensError(f"The time window is empty: --since {format_ms(since)} is not before "
                           f"--until {format_ms(until)}.", exit_code=2)

    def moment(ms):
        return None if ms is None else pd.Timestamp(ms, unit="ms", tz="UTC")

    return Filters(since=moment(since), until=moment(until),
                   bot_ids=tuple(args.bot_id), alias_names=tuple(args.alias),
                   locales=tuple(args.locale), versions=tuple(args.bot_version),
                   exclude_aliases=tuple(args.exclude_alias), exclude_versions=tuple(args.exclude_version),
                   exclude_attributes=tuple(args.exclude_attribute))


def attribute_pair(text: str) -> tuple[str, str]:
    """An argparse type: KEY=VALUE with a non-empty key."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE, e.g. testIndicator=true")
    return key.strip(), value


def add_outcome_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the Lex-style outcomes: inactivity threshold and escalation markers."""
    group = parser.add_argument_group("outcomes")
    group.add_argument("--idle-timeout", type=idle_seconds, default=300.0, metavar="SECONDS",
                       help="inactivity after which an intent or conversation is dropped (default 300, "
                            "at most 86400)")
    group.add_argument("--escalation-intent", action="append", default=[], metavar="NAME",
                       help="an intent meaning hand-off to a person (repeatable)")
    group.add_argument("--escalation-attribute", metavar="KEY[=VALUE]", type=attribute_rule,
                       help="a session attribute meaning hand-off (any non-empty value without =VALUE)")
    group.add_argument("--escalation-action", action="append", default=[], metavar="TYPE",
                       help="a dialog action type meaning hand-off (repeatable)")


def escalation_from_args(args):
    """An EscalationRule from the options, or None when none was given (containment unknown)."""
    from lexlens.analytics.metrics.escalation import EscalationRule

    attribute = None
    if args.escalation_attribute:
        key, _, value = args.escalation_attribute.partition("=")
        attribute = (key, value or None)
    if not (args.escalation_intent or attribute or args.escalation_action):
        return None
    return EscalationRule(intents=tuple(args.escalation_intent), attribute=attribute,
                          dialog_actions=tuple(args.escalation_action))
