"""The grammar of the stand-in's query subset: one command's tokens into the parsed form (insights_ast).

Pages: the Fields, Filter, Stats, Sort and Limit pages of
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html and
CWL_QuerySyntax-operations-functions.html.
"""
from __future__ import annotations

import re

from insights_ast import (AGGREGATES, TIME_FIELDS, Agg, Bin, Cmp, Field, Fields, Filter, InList, IsPresent,
                          Like, Limit, Literal, Logic, Not, Sort, Stats, ToMillis)
from insights_tokens import QueryError, Token

# Commands and functions that exist in Logs Insights but are outside the subset. The approximate
# ones get their own message: lexlens must never rely on them (issue 17, "Exact or not at all").
# count_distinct: "the value returned by count_distinct is just an approximation" (CWL_QuerySyntax-Stats);
# pct is not documented as exact; pattern clusters with machine learning (CWL_QuerySyntax.html).
APPROXIMATE = {"count_distinct", "pct", "pattern", "anomaly"}
OTHER_COMMANDS = {"parse", "display", "dedup", "diff", "unmask", "unnest", "lookup", "join", "filterindex",
                  "source", "addtotals", "head", "tail"}
COMMANDS = {"fields", "filter", "stats", "sort", "limit"}
# bin() periods: CWL_QuerySyntax-operations-functions.html#CWL_QuerySyntax-datetime. "CloudWatch Logs caps
# your request according to the time unit ... The cap for ms is 1000, the caps for s and m are 60, and
# the cap for h is 24" (bin(300s) runs as 60 seconds). Units of a day and longer are outside the subset.
UNITS = {"ms": (1, 1000), "millisecond": (1, 1000), "msec": (1, 1000), "s": (1000, 60), "sec": (1000, 60),
         "second": (1000, 60), "m": (60_000, 60), "min": (60_000, 60), "minute": (60_000, 60),
         "h": (3_600_000, 24), "hr": (3_600_000, 24), "hour": (3_600_000, 24)}
MAX_LIMIT = 100_000  # CWL_QuerySyntax-Limit.html: "You can specify a limit value of up to 100,000."


class CommandParser:
    """A recursive-descent parser over one command's tokens."""

    def __init__(self, tokens: list[Token], text: str):
        self.tokens, self.text, self.pos = tokens, text, 0

    # -- token helpers ---------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            end = self.tokens[-1].end if self.tokens else 0
            raise QueryError("unexpected end of command", end, end)
        self.pos += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.take()
        if token.text.lower() != text:
            raise QueryError(f"expected {text!r}, found {token.text!r}", token.start, token.end)
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.text.lower() == text

    def done(self) -> None:
        if self.peek() is not None:
            token = self.peek()
            raise QueryError(f"unexpected symbol found {token.text!r}", token.start, token.end)

    def span(self, first: Token) -> str:
        return "".join(t.text for t in self.tokens[self.tokens.index(first):self.pos])

    # -- commands --------------------------------------------------------------------------
    def command(self):
        head = self.take()
        word = head.text.lower()
        if head.kind != "name" or word not in COMMANDS:
            if word in APPROXIMATE:
                raise QueryError(f"{head.text} is approximate in Logs Insights; lexlens must not use it",
                                 head.start, head.end)
            if word in OTHER_COMMANDS:
                raise QueryError(f"command {head.text} is outside the stand-in's subset", head.start, head.end)
            raise QueryError(f"unexpected symbol found {head.text!r}", head.start, head.end)
        command = getattr(self, f"command_{word}")()
        self.done()
        return command

    def command_fields(self) -> Fields:
        items = [self.named(self.operand(allow_literal=False))]
        while self.at(","):
            self.take()
            items.append(self.named(self.operand(allow_literal=False)))
        return Fields(tuple(items))

    def command_filter(self) -> Filter:
        return Filter(self.condition())

    def command_sort(self) -> Sort:
        field = self.field()
        direction = self.take() if self.peek() else None
        if direction is None or not direction.word("asc", "desc"):
            # The default direction is not documented, so the subset asks for it explicitly.
            start = direction.start if direction else field.start
            raise QueryError("say sort FIELD asc or sort FIELD desc (one field)", start, start + 1)
        return Sort(field, direction.text.lower() == "desc")

    def command_limit(self) -> Limit:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit() or not 1 <= int(token.text) <= MAX_LIMIT:
            raise QueryError(f"limit takes a whole number from 1 to {MAX_LIMIT:,}", token.start, token.end)
        return Limit(int(token.text))

    def command_stats(self) -> Stats:
        aggs = [self.aggregate()]
        while self.at(","):
            self.take()
            aggs.append(self.aggregate())
        groups = []
        if self.at("by"):
            self.take()
            groups.append(self.group())
            while self.at(","):
                self.take()
                groups.append(self.group())
        stats = Stats(tuple(aggs), tuple(groups))
        names = stats.output_names()
        if len(set(names)) != len(names):
            raise QueryError("two stats outputs have the same name; use as to rename one", 0, len(self.text))
        return stats

    # -- pieces ----------------------------------------------------------------------------
    def named(self, expr) -> tuple:
        if self.at("as"):
            self.take()
            return expr, self.name_token().text.strip("`")
        return expr, expr.name if isinstance(expr, Field) else expr.text

    def name_token(self) -> Token:
        token = self.take()
        if token.kind not in ("name", "backtick"):
            raise QueryError(f"expected a name, found {token.text!r}", token.start, token.end)
        return token

    def field(self) -> Field:
        token = self.name_token()
        return Field(token.text.strip("`"), token.start)

    def aggregate(self) -> tuple:
        head = self.take()
        function = head.text.lower()
        if function in APPROXIMATE:
            raise QueryError(f"{head.text} is approximate in Logs Insights; lexlens must not use it",
                             head.start, head.end)
        if head.kind != "name" or function not in AGGREGATES:
            raise QueryError(f"{head.text} is not one of the stand-in's stats functions "
                             f"({', '.join(sorted(AGGREGATES))})", head.start, head.end)
        self.expect("(")
        field = None
        if self.at("*"):
            self.take()
        elif not self.at(")"):
            if self.at_call():
                inner = self.peek()
                raise QueryError("functions inside stats functions are outside the stand-in's subset",
                                 inner.start, inner.end)
            field = self.field()
        self.expect(")")
        if field is None and function != "count":
            raise QueryError(f"{function}() needs a field", head.start, head.end)
        if function == "sum" and field.name in TIME_FIELDS:
            raise QueryError("sum() of a timestamp", field.start, field.start + len(field.name))
        return self.named(Agg(function, field, self.span(head)))

    def group(self) -> tuple:
        token = self.peek()
        if token is not None and token.word("bin") and self.at_call():
            return self.named(self.bin())
        return self.named(self.field())

    def at_call(self) -> bool:
        following = self.peek(1)
        return following is not None and following.text == "("

    def bin(self) -> Bin:
        head = self.take()
        self.expect("(")
        period = self.take()
        self.expect(")")
        match = re.fullmatch(r"(\d+)([A-Za-z]+)", period.text) if period.kind == "duration" else None
        word = match.group(2).lower() if match else ""
        if word not in UNITS and len(word) > 2 and word.endswith("s"):
            word = word[:-1]  # "For all units and abbreviations that include more than one character, adding s"
        unit = UNITS.get(word)
        if unit is None or int(match.group(1)) < 1:
            raise QueryError("bin() takes a period in ms, s, m or h in the stand-in's subset",
                             period.start, period.end)
        size, cap = unit
        return Bin(min(int(match.group(1)), cap) * size, self.span(head))

    def operand(self, allow_literal: bool = True):
        token = self.peek()
        if token is None:
            self.take()
        if token.word("tomillis") and self.at_call():
            head = self.take()
            self.expect("(")
            field = self.field()
            self.expect(")")
            return ToMillis(field, self.span(head))
        if token.kind in ("name", "backtick") and not self.at_call():
            return self.field()
        if allow_literal and token.kind in ("string", "number"):
            return self.literal()
        raise QueryError(f"unexpected symbol found {token.text!r}", token.start, token.end)

    def literal(self) -> Literal:
        token = self.take()
        if token.kind == "number":
            return Literal(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "string":
            return Literal(re.sub(r"\\(.)", r"\1", token.text[1:-1]))
        raise QueryError(f"expected a string or a number, found {token.text!r}", token.start, token.end)

    # -- conditions: or > and > not > comparison ------------------------------------------------
    def condition(self):
        left = self.conjunction()
        while self.peek() is not None and self.peek().word("or"):
            self.take()
            left = Logic("or", left, self.conjunction())
        return left

    def conjunction(self):
        left = self.negation()
        while self.peek() is not None and self.peek().word("and"):
            self.take()
            left = Logic("and", left, self.negation())
        return left

    def negation(self):
        token = self.peek()
        if token is not None and token.word("not"):
            self.take()
            return Not(self.negation())
        if self.at("("):
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        if token is not None and token.word("ispresent") and self.at_call():
            self.take()
            self.expect("(")
            field = self.field()
            self.expect(")")
            return IsPresent(field)
        return self.comparison()

    def comparison(self):
        left = self.operand()
        token = self.take()
        if token.text in ("=", "!=", "<", "<=", ">", ">="):
            return Cmp(token.text, left, self.operand())
        negate = token.word("not")
        if negate:
            token = self.take()
        if token.word("in"):
            return InList(left, self.literal_list(), negate)
        if not negate and (token.word("like") or token.text == "=~"):
            pattern = self.take()
            if pattern.kind == "regex":
                return Like(left, pattern.text[1:-1], True)
            if pattern.kind == "string" and token.word("like"):
                return Like(left, re.sub(r"\\(.)", r"\1", pattern.text[1:-1]), False)
            raise QueryError("like takes a \"string\" or a /regex/", pattern.start, pattern.end)
        raise QueryError(f"unexpected symbol found {token.text!r}", token.start, token.end)

    def literal_list(self) -> tuple:
        opening = self.expect("[")
        values = [] if self.at("]") else [self.literal()]
        while self.at(","):
            self.take()
            values.append(self.literal())
        self.expect("]")
        if not values:
            raise QueryError("in [] needs at least one value", opening.start, opening.end)
        return tuple(values)
