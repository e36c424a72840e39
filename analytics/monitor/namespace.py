"""CloudWatch namespaces of published metrics: the template (``lexlens publish --namespace``)
and each bot and locale's namespace. Imports no pandas: the CLI's parser checks templates."""
from __future__ import annotations

import re
import string

from lexlens.analytics.errors import LexlensError

DEFAULT_NAMESPACE = "Lex/Activity/{bot_id}/{locale}"
NAMESPACE_FIELDS = ("bot_id", "locale")


def check_namespace_template(template: str) -> str:
    """An argparse type: a template naming only {bot_id} and {locale}."""
    import argparse

    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{template!r} is not a namespace template ({error})") from None
    unknown = [name for name in names if name not in NAMESPACE_FIELDS]
    if unknown:
        raise argparse.ArgumentTypeError(f"{template!r} names {{{unknown[0]}}}; a namespace template may use "
                                         "{bot_id} and {locale}")
    return template


def render_namespace(template: str, bot_id: str, locale: str) -> str:
    """The namespace of one bot and locale; LexlensError when CloudWatch would refuse it."""
    namespace = template.format(bot_id=bot_id, locale=locale)
    if not 1 <= len(namespace) <= 255 or namespace.startswith(":") or not namespace.isascii() \
            or re.search(r"[\x00-\x1f\x7f]", namespace):
        raise LexlensError(f"The namespace {namespace!r} is not one CloudWatch accepts (1 to 255 ASCII "
                           "characters, no control characters, not starting with ':').", exit_code=2)
    return namespace
