"""Tokens of a Logs Insights query, for the stand-in's parser (insights_grammar).

Page: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html (``|`` between commands,
``#`` starts a comment); strings in double or single quotes and /regular expressions/ after ``like`` or ``=~``
(CWL_QuerySyntax-Filter.html); backticks around field names with other characters (CWL_QuerySyntax-Fields.html).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = re.compile(r"""
    (?P<space>\s+) | (?P<comment>\#[^\n]*) |
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*') | (?P<backtick>`[^`]*`) |
    (?P<duration>\d+[A-Za-z]+) | (?P<number>-?\d+(?:\.\d+)?) |
    (?P<name>[@A-Za-z_][@A-Za-z0-9_.]*) |
    (?P<op>!=|<=|>=|=~|[=<>|(),\[\]*]) | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
REGEX = re.compile(r"/((?:[^/\\\n]|\\.)*)/")


class QueryError(ValueError):
    """A query outside the subset; ``start``/``end`` are character offsets for queryCompileError."""

    def __init__(self, message: str, start: int = 0, end: int = 0):
        super().__init__(message)
        self.start, self.end = start, max(start, end)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def word(self, *words: str) -> bool:
        return self.kind == "name" and self.text.lower() in words


def tokenize(text: str) -> list[Token]:
    """Tokens of a query; a regex literal is read only right after ``like`` or ``=~``."""
    tokens, pos = [], 0
    while pos < len(text):
        if tokens and (tokens[-1].word("like") or tokens[-1].text == "=~") and text[pos] == "/":
            match = REGEX.match(text, pos)
            if not match:
                raise QueryError("unterminated regular expression", pos, len(text))
            tokens.append(Token("regex", match.group(0), pos))
        else:
            match = TOKEN.match(text, pos)
            if match.lastgroup == "other" and text[pos] in "\"'`":
                raise QueryError("unterminated string", pos, len(text))
            if match.lastgroup not in ("space", "comment"):  # "other" fails where the parser meets it
                tokens.append(Token(match.lastgroup, match.group(0), pos))
        pos = match.end()
    return tokens
