"""End-user text printed to a terminal, with every invisible character made visible.

Control characters (which could move the cursor or clear the screen), bidirectional
overrides (which could reorder what is shown) and other invisible code points are
written as ``\\xNN`` / ``\\uNNNN`` / ``\\UNNNNNNNN`` escapes; everything else is shown as is.
"""
from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


def is_hidden(char: str) -> bool:
    """A character a reader cannot see (or that changes how the rest is shown)."""
    return unicodedata.category(char) in HIDDEN_CATEGORIES or char in BIDI_CONTROLS


def show_visible(text: str) -> str:
    """``text`` as-is, except invisible characters written as escapes (newlines and tabs too)."""
    return "".join(char if not is_hidden(char) else escape_char(char) for char in str(text))


def escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
