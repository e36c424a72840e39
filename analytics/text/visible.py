"""End-user text printed to a terminal, with every invisible character made visible.

Control characters (which could move the cursor, clear the screen or set the window
title), bidirectional overrides (which could reorder what is shown), invisible format
characters (zero-width space U+200B, soft hyphen U+00AD, byte-order mark U+FEFF, tag
characters U+E0000..U+E007F: Unicode category Cf) and other invisible code points are
written as ``\\xNN`` / ``\\uNNNN`` / ``\\UNNNNNNNN`` escapes; everything else is shown as
is. The zero-width joiner and non-joiner (U+200D, U+200C) stay: they shape visible text
(emoji sequences, Indic and Persian scripts) and hide nothing.

``json_text`` writes JSON with the same characters as ``\\uXXXX`` escapes: still valid
JSON holding the same strings, but safe to print.
"""
from __future__ import annotations

import json
import re
import unicodedata

BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
JOINERS = frozenset("\u200c\u200d")
NON_ASCII = re.compile(r"[^\x00-\x7f]")


def is_hidden(char: str) -> bool:
    """A character a reader cannot see (or that changes how the rest is shown)."""
    return (unicodedata.category(char) in HIDDEN_CATEGORIES or char in BIDI_CONTROLS) and char not in JOINERS


def show_visible(text: str) -> str:
    """``text`` as-is, except invisible characters written as escapes (newlines and tabs too)."""
    return "".join(char if not is_hidden(char) else escape_char(char) for char in str(text))


def escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def json_escape(char: str) -> str:
    """``char`` as a JSON string escape (a surrogate pair outside the BMP)."""
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xd800 + (code >> 10):04x}\\u{0xdc00 + (code & 0x3ff):04x}"


def json_text(value, **dumps) -> str:
    """``json.dumps(value, ensure_ascii=False, **dumps)`` with every hidden character escaped."""
    text = json.dumps(value, ensure_ascii=False, **dumps)
    return NON_ASCII.sub(lambda match: json_escape(match.group()) if is_hidden(match.group()) else match.group(),
                         text)
