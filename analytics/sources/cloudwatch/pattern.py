"""Bot and locale filters: pushed into FilterLogEvents' JSON filter pattern, and applied locally.

moto's server accepts JSON filter patterns but ignores them (every event matches), and a value
the pattern language would need escaped is not pushed down, so ``match_message`` is always
applied after the pull as well; on real CloudWatch it then just confirms the server's choice.
"""
from __future__ import annotations

import json
import re
from typing import Sequence

_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:-]+$")


def plan_filter_pattern(bot_ids: Sequence[str] = (), locales: Sequence[str] = ()) -> str:
    """A FilterLogEvents JSON filter pattern selecting the bots and locales ('' = everything).
    A bot is given by id or by name (as ``--alias`` takes either), so each matches either field.

    Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
    e.g. ``{ ($.bot.id = "ABC" || $.bot.name = "ABC") && ($.bot.localeId = "en_US") }``.
    Values with characters the pattern language would need escaped are not pushed down
    (the local filter in ``match_message`` still applies).
    """
    terms = []
    for paths, values in ((("$.bot.id", "$.bot.name"), bot_ids), (("$.bot.localeId",), locales)):
        values = sorted(set(values))
        if values and all(_SAFE_VALUE.match(value) for value in values):
            terms.append("(" + " || ".join(f'{path} = "{value}"' for value in values for path in paths) + ")")
    return "{ " + " && ".join(terms) + " }" if terms else ""


def match_message(message: str, bot_ids: Sequence[str] = (), locales: Sequence[str] = ()) -> bool:
    """The record in ``message`` belongs to one of the bots and locales (empty = any).

    Applied locally as well as pushed down: moto ignores JSON filter patterns, and a value
    that could not be pushed down must still be filtered.
    """
    if not bot_ids and not locales:
        return True
    try:
        bot = json.loads(message).get("bot") or {}
    except (ValueError, AttributeError):
        return False  # like CloudWatch, a JSON pattern never matches a non-JSON line
    if not isinstance(bot, dict):
        return False
    return ((not bot_ids or bot.get("id") in bot_ids or bot.get("name") in bot_ids)
            and (not locales or bot.get("localeId") in locales))
