"""The parsed form of a Logs Insights query in the stand-in's subset (built by insights_query)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Union

# System fields holding times: compare them through toMillis() (CWL_QuerySyntax-operations-functions.html:
# "Currently, CloudWatch Logs Insights doesn't support filtering logs with human readable timestamps").
TIME_FIELDS = {"@timestamp", "@ingestionTime"}
# The stats functions of the subset (CWL_QuerySyntax-Stats.html, "Functions to use with stats"): all exact.
AGGREGATES = {"count", "sum", "min", "max", "earliest", "latest"}


@dataclass(frozen=True)
class Field:
    name: str
    start: int = 0


@dataclass(frozen=True)
class Literal:
    value: Union[str, int, float]


@dataclass(frozen=True)
class ToMillis:
    field: Field
    text: str


@dataclass(frozen=True)
class Bin:
    period_ms: int
    text: str


@dataclass(frozen=True)
class Agg:
    function: str
    field: Optional[Field]
    text: str


@dataclass(frozen=True)
class Cmp:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class InList:
    operand: object
    values: tuple
    negate: bool


@dataclass(frozen=True)
class Like:
    operand: object
    pattern: str
    regex: bool


@dataclass(frozen=True)
class IsPresent:
    field: Field


@dataclass(frozen=True)
class Logic:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Not:
    inner: object


def walk(node) -> Iterator:
    """Every node of a condition or expression, depth first."""
    yield node
    for child in ("left", "right", "inner", "operand", "field"):
        value = getattr(node, child, None)
        if value is not None and not isinstance(value, (str, int, float)):
            yield from walk(value)


@dataclass(frozen=True)
class Fields:
    items: tuple  # ((Field | ToMillis, output name), ...)

    def references(self) -> list[Field]:
        return [node for expr, _ in self.items for node in walk(expr) if isinstance(node, Field)]

    def compared_fields(self) -> list[Field]:
        return []

    def time_conversions(self) -> list[ToMillis]:
        return [expr for expr, _ in self.items if isinstance(expr, ToMillis)]


@dataclass(frozen=True)
class Filter:
    condition: object

    def references(self) -> list[Field]:
        return [node for node in walk(self.condition) if isinstance(node, Field)]

    def compared_fields(self) -> list[Field]:
        operands = []
        for node in walk(self.condition):
            if isinstance(node, Cmp):
                operands += [node.left, node.right]
            elif isinstance(node, (InList, Like)):
                operands.append(node.operand)
        return [operand for operand in operands if isinstance(operand, Field)]

    def time_conversions(self) -> list[ToMillis]:
        return [node for node in walk(self.condition) if isinstance(node, ToMillis)]


@dataclass(frozen=True)
class Stats:
    aggs: tuple  # ((Agg, output name), ...)
    groups: tuple  # ((Field | Bin, output name), ...)

    def references(self) -> list[Field]:
        fields = [agg.field for agg, _ in self.aggs if agg.field is not None]
        return fields + [expr for expr, _ in self.groups if isinstance(expr, Field)]

    def compared_fields(self) -> list[Field]:
        return []

    def time_conversions(self) -> list[ToMillis]:
        return []

    def output_names(self) -> list[str]:
        return [name for _, name in self.groups] + [name for _, name in self.aggs]

    def timestamp_outputs(self, timestamps: set) -> set:
        """Output names holding timestamps: bins, grouped timestamps, min/max/earliest/latest of one."""
        names = {name for expr, name in self.groups
                 if isinstance(expr, Bin) or (isinstance(expr, Field) and expr.name in timestamps)}
        return names | {name for agg, name in self.aggs if agg.function not in ("count", "sum")
                        and agg.field is not None and agg.field.name in timestamps}


@dataclass(frozen=True)
class Sort:
    field: Field
    descending: bool

    def references(self) -> list[Field]:
        return [self.field]

    def compared_fields(self) -> list[Field]:
        return []

    def time_conversions(self) -> list[ToMillis]:
        return []


@dataclass(frozen=True)
class Limit:
    count: int

    def references(self) -> list[Field]:
        return []

    def compared_fields(self) -> list[Field]:
        return []

    def time_conversions(self) -> list[ToMillis]:
        return []


@dataclass(frozen=True)
class Query:
    commands: tuple

    @property
    def stats(self) -> list[Stats]:
        return [command for command in self.commands if isinstance(command, Stats)]

    def event_fields(self) -> frozenset:
        """Names the commands up to the first stats read from events (later ones read stats output)."""
        names = set()
        for command in self.commands:
            names |= {field.name for field in command.references()}
            if isinstance(command, Stats):
                break
        return frozenset(names)

    @property
    def limit(self) -> Optional[int]:
        return next((c.count for c in self.commands if isinstance(c, Limit)), None)
