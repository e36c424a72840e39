"""The Logs Insights query subset the stand-in understands: ``parse_query`` and its checks.

Written from the Logs Insights QL documentation, independently of lexlens's own code.
Anything outside the subset raises ``QueryError``, which the stand-in answers as
``MalformedQueryException``. The subset (docs/insights-standin.md lists it with its pages):

    (fields | filter)* [stats (filter)* [stats (filter)*]] [sort FIELD asc|desc] [limit N]

Pages: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html (commands,
``|`` between commands, ``#`` comments) and the Fields, Filter, Stats, Sort and Limit pages linked from it.
"""
from __future__ import annotations

from insights_ast import TIME_FIELDS, Bin, Field, Fields, Filter, Limit, Query, Sort, Stats
from insights_grammar import CommandParser
from insights_tokens import QueryError, Token, tokenize

__all__ = ["QueryError", "parse_query"]


def parse_query(text: str) -> Query:
    """Parse ``text`` into a Query, or raise QueryError naming what is outside the subset."""
    tokens = tokenize(text)
    if not tokens:
        raise QueryError("the query is empty", 0, len(text))
    commands, current = [], []
    for token in tokens + [Token("op", "|", len(text))]:
        if token.text == "|":
            if not current:
                raise QueryError("empty command between pipes", token.start, token.end)
            commands.append(current)
            current = []
        else:
            current.append(token)
    parsed = [CommandParser(tokens_, text).command() for tokens_ in commands]
    return check_order(parsed, text)


def check_order(commands: list, text: str) -> Query:
    """The command order of the subset and the documented two-stats rules (CWL_QuerySyntax-Stats.html:
    "A query can have a maximum of two stats commands"; "If you use a sort or limit command, it must appear
    after the second stats command")."""
    if sum(isinstance(c, Stats) for c in commands) > 2:
        raise QueryError("A query can have a maximum of two stats commands", 0, len(text))
    allowed = {"start": (Fields, Filter, Stats, Sort, Limit), "stats": (Filter, Stats, Sort, Limit),
               "sort": (Limit,), "limit": ()}
    state = "start"
    for command in commands:
        if not isinstance(command, allowed[state]):
            if isinstance(command, Stats):
                raise QueryError("sort and limit must appear after the second stats command", 0, len(text))
            if isinstance(command, Fields):
                raise QueryError("fields after stats is outside the stand-in's subset", 0, len(text))
            raise QueryError("sort then limit must be the last commands", 0, len(text))
        if isinstance(command, (Stats, Sort, Limit)):
            state = type(command).__name__.lower()
    query = Query(tuple(commands))
    check_references(query, text)
    return query


def check_references(query: Query, text: str) -> None:
    """After a stats command only its output columns exist ("In the second stats command ... you can refer
    only to fields that are defined in the first stats command"); bin() needs @timestamp, so it cannot be
    used in the second stats; raw timestamps compare only through toMillis()."""
    available, timestamps = None, set(TIME_FIELDS)
    for command in query.commands:
        for field in command.references():
            if available is not None and field.name not in available:
                raise QueryError(f"Invalid reference to {field.name}: not defined by the stats before it",
                                 field.start, field.start + len(field.name))
        for node in command.time_conversions():
            if node.field.name not in timestamps:
                raise QueryError(f"toMillis() needs a timestamp; {node.field.name} is not one",
                                 node.field.start, node.field.start + len(node.field.name))
        for compared in command.compared_fields():
            if compared.name in timestamps:
                raise QueryError(f"compare toMillis({compared.name}) with epoch milliseconds, not "
                                 f"{compared.name} itself", compared.start, compared.start + len(compared.name))
        if isinstance(command, Fields):
            timestamps |= {name for expr, name in command.items
                           if isinstance(expr, Field) and expr.name in timestamps}
        if isinstance(command, Stats):
            if available is not None and any(isinstance(expr, Bin) for expr, _ in command.groups):
                raise QueryError("bin() cannot be used in the second stats command", 0, len(text))
            if available is not None and any(agg.function in ("earliest", "latest") for agg, _ in command.aggs):
                # Both pick by @timestamp, which the first stats does not pass on (as for bin()).
                raise QueryError("earliest() and latest() cannot be used in the second stats command",
                                 0, len(text))
            timestamps = command.timestamp_outputs(timestamps)
            available = set(command.output_names())
