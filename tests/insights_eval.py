"""The stand-in's evaluator: field discovery on log events, then a parsed query over them.

Written from the Logs Insights documentation, independently of lexlens's engines. Where the
documentation is silent the choice is the strict one and is listed in docs/insights-standin.md.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Optional

from insights_ast import (Bin, Cmp, Field, Fields, Filter, InList, IsPresent, Like, Logic, Not, Query, Sort,
                          Stats, ToMillis)

# "CloudWatch Logs Insights can extract a maximum of 200 log event fields from a JSON log."
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
MAX_DISCOVERED_FIELDS = 200
MISSING = object()
NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True, order=True)
class Timestamp:
    """A time value (@timestamp, @ingestionTime, bin(), min/max of them); results show it as
    ``2023-12-05 22:14:43.877`` (UTC), the form real GetQueryResults answers carry."""
    ms: int

    def __str__(self) -> str:
        moment = datetime.fromtimestamp(self.ms // 1000, tz=timezone.utc)
        return f"{moment:%Y-%m-%d %H:%M:%S}.{self.ms % 1000:03d}"


class Count(int):
    """A count(): rendered as a whole number whatever the number style."""


@dataclass
class Evaluation:
    """Rows (dicts, in result order, already cut to the row cap), their columns, and the counts
    behind ``statistics``: events that reached the first stats (or passed every filter), rows before the cap."""
    rows: list
    columns: list
    matched: int
    total_rows: int = 0
    extra: dict = field(default_factory=dict)


# ---- field discovery ---------------------------------------------------------------------------

def discover_fields(message: str, *, booleans: str = "numeric", limit: int = MAX_DISCOVERED_FIELDS) -> dict:
    """The fields Logs Insights discovers in a JSON log event (same page as MAX_DISCOVERED_FIELDS):
    nested keys joined with dots (``userIdentity.type``), array items by position
    (``requestParameters.instancesSet.items.0.instanceId``), a leading ``@`` doubled (``@@example.com``),
    at most ``limit`` fields. Which fields are dropped past the limit is not documented: the stand-in keeps
    the first ones in document order. null is not a value (the field is absent); booleans are 1/0
    (``booleans="numeric"``) or "true"/"false" (``"text"``) -- both undocumented, so tests can try each."""
    try:
        document = json.loads(message)
    except ValueError:
        return {}
    found: dict = {}
    if isinstance(document, dict):
        _flatten(document, "", found, booleans, limit)
    return found


def _flatten(value, name: str, found: dict, booleans: str, limit: int) -> None:
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        if value is not None and len(found) < limit:
            if isinstance(value, bool):
                value = int(value) if booleans == "numeric" else str(value).lower()
            found[name] = value
        return
    for key, item in items:
        if len(found) >= limit:
            return
        key = f"@{key}" if not name and key.startswith("@") else key
        _flatten(item, f"{name}.{key}" if name else key, found, booleans, limit)


def discover_wanted(message: str, wanted: frozenset, booleans: str) -> dict:
    """``discover_fields`` cut to the ``wanted`` names, faster: when the event cannot hold more than
    MAX_DISCOVERED_FIELDS values (each sits after a ':' or a ',', so their count bounds it), each wanted
    name is looked up by its path instead of flattening the whole event."""
    if not wanted:
        return {}
    if message.count(":") + message.count(",") + 1 > MAX_DISCOVERED_FIELDS:
        found = discover_fields(message, booleans=booleans)
        return {name: found[name] for name in wanted if name in found}
    try:
        document = json.loads(message)
    except ValueError:
        return {}
    if not isinstance(document, dict):
        return {}
    found = {}
    for name in wanted:
        if name.startswith("@") and not name.startswith("@@"):
            continue  # a top-level JSON key starting with @ shows as @@key; other @ names are system fields
        value = _lookup(document, name[1:].split(".") if name.startswith("@@") else name.split("."), booleans)
        if value is not MISSING:
            found[name] = value
    return found


def _lookup(node, parts: list, booleans: str):
    """The leaf at a dotted path; a key may itself hold dots, so longer joins of the parts are tried too."""
    if not parts:
        if node is None or isinstance(node, (dict, list)):
            return MISSING  # null is no value; a container is not a field
        return (int(node) if booleans == "numeric" else str(node).lower()) if isinstance(node, bool) else node
    for width in range(1, len(parts) + 1):
        key = ".".join(parts[:width])
        if isinstance(node, dict) and key in node:
            child = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            child = node[int(key)]
        else:
            continue
        value = _lookup(child, parts[width:], booleans)
        if value is not MISSING:
            return value
    return MISSING


def make_record(event: dict, group: str, account: str, booleans: str, wanted: Optional[frozenset] = None,
                pointer: bool = True) -> dict:
    """One event's fields: discovered JSON fields (all, or the ``wanted`` ones) plus the system fields
    @message, @timestamp, @ingestionTime, @logStream and @log (``account-id:log-group-name``), same page as
    above; @ptr, an opaque pointer to the event, for rows of events (API_GetQueryResults.html)."""
    message = event["message"]
    record = discover_fields(message, booleans=booleans) if wanted is None else \
        discover_wanted(message, wanted, booleans)
    record.update({"@message": message, "@timestamp": Timestamp(event["timestamp"]),
                   "@ingestionTime": Timestamp(event.get("ingestionTime", event["timestamp"])),
                   "@logStream": event["logStreamName"], "@log": f"{account}:{group}"})
    if pointer:
        record["@ptr"] = base64.b64encode(f"{group}\n{event['logStreamName']}\n{event.get('eventId', '')}"
                                          .encode()).decode()
    return record


# ---- values ------------------------------------------------------------------------------------

def as_number(value) -> Optional[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and NUMBER.fullmatch(value):
        return float(value)
    return None


def natural_key(value) -> tuple:
    """Sort order from CWL_QuerySyntax-Sort.html: every non-number before every number; numbers by
    value; other values cut into runs of digits and of other characters, digit runs ordered by length
    then value, other runs by Unicode, a digit run against another run by Unicode (as '0').
    A missing value sorts first (not documented)."""
    if value is MISSING:
        return (0,)
    if isinstance(value, Timestamp):
        return (2, float(value.ms), "")
    number = as_number(value)
    if number is not None:
        return (2, number, str(value))
    chunks = tuple((0x30, 0, len(run), int(run)) if run.isdigit() else (ord(run[0]), 1, run)
                   for run in re.findall(r"\d+|\D+", str(value)))
    return (1, chunks)


def render(value, numbers: str = "plain") -> str:
    """A value as the string GetQueryResults carries ("value": string, API_ResultField.html)."""
    if isinstance(value, (Timestamp, Count, str)):
        return str(value)
    if numbers == "java":
        return java_double(float(value))
    return repr(value) if isinstance(value, float) else str(value)


def java_double(number: float) -> str:
    """Java's Double.toString, as real answers show numbers (``15.0``, ``6.7E7``)."""
    if number == 0:
        return "0.0"
    if 1e-3 <= abs(number) < 1e7:
        return repr(number)
    sign, digits, exponent = Decimal(repr(number)).normalize().as_tuple()
    text = "".join(map(str, digits))
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{exponent + len(text) - 1}"


# ---- conditions ----------------------------------------------------------------------------------

def operand_value(expr, record: dict):
    if isinstance(expr, Field):
        return record.get(expr.name, MISSING)
    if isinstance(expr, ToMillis):
        value = record.get(expr.field.name, MISSING)
        return value.ms if isinstance(value, Timestamp) else MISSING
    return expr.value  # Literal


def values_equal(left, right) -> bool:
    """Numbers compare as numbers ("accountId=123456789012" in CWL_QuerySyntax-Filter.html), the rest as text."""
    left_number, right_number = as_number(left), as_number(right)
    if left_number is not None and right_number is not None:
        return left_number == right_number
    return render(left) == render(right)


def compare(op: str, left, right) -> bool:
    if left is MISSING or right is MISSING:
        return False  # not documented: a comparison with a missing field is false, != included
    if op in ("=", "!="):
        return values_equal(left, right) == (op == "=")
    left_number, right_number = as_number(left), as_number(right)
    if left_number is None or right_number is None:
        left_number, right_number = render(left), render(right)
    return {"<": left_number < right_number, "<=": left_number <= right_number,
            ">": left_number > right_number, ">=": left_number >= right_number}[op]


def holds(condition, record: dict) -> bool:
    """Whether a filter condition holds for one record (CWL_QuerySyntax-Filter.html)."""
    if isinstance(condition, Logic):
        if condition.op == "and":
            return holds(condition.left, record) and holds(condition.right, record)
        return holds(condition.left, record) or holds(condition.right, record)
    if isinstance(condition, Not):
        return not holds(condition.inner, record)
    if isinstance(condition, IsPresent):
        return condition.field.name in record  # "Returns true if the field exists"
    value = operand_value(condition.operand if isinstance(condition, (InList, Like)) else condition.left, record)
    if isinstance(condition, Cmp):
        return compare(condition.op, value, operand_value(condition.right, record))
    if value is MISSING:
        return False
    if isinstance(condition, InList):
        return any(values_equal(value, item.value) for item in condition.values) != condition.negate
    text = render(value)  # Like: a "string" is a case-sensitive substring, a /regex/ a search
    return bool(re.search(condition.pattern, text)) if condition.regex else condition.pattern in text


# ---- commands ------------------------------------------------------------------------------------

def evaluate(query: Query, records: list, *, row_cap: int, empty_aggregate_row: bool = False) -> Evaluation:
    """Run ``query`` over ``records`` (in the order given, which stands for Logs Insights' unspecified order)."""
    rows, display, matched = records, [], None
    for command in query.commands:
        if isinstance(command, Fields):
            rows = [with_fields(command, row) for row in rows]
            display += [name for _, name in command.items if name not in display]
        elif isinstance(command, Filter):
            rows = [row for row in rows if holds(command.condition, row)]
        elif isinstance(command, Stats):
            matched = len(rows) if matched is None else matched
            rows = aggregate(command, rows, empty_aggregate_row)
        elif isinstance(command, Sort):  # stable: ties keep the unspecified order
            rows = sorted(rows, key=lambda row: natural_key(row.get(command.field.name, MISSING)),
                          reverse=command.descending)
    if query.stats:
        columns = query.stats[-1].output_names()
    else:  # "Only the fields requested in the query are returned, along with a @ptr field"
        columns = (display or ["@timestamp", "@message"]) + ["@ptr"]
    matched = len(rows) if matched is None else matched
    return Evaluation(rows[:row_cap], columns, matched, total_rows=len(rows))


def with_fields(command: Fields, row: dict) -> dict:
    row = dict(row)
    for expr, name in command.items:
        value = operand_value(expr, row)
        if value is not MISSING:
            row[name] = value
    return row


def aggregate(command: Stats, rows: list, empty_aggregate_row: bool) -> list:
    """One output row per group (CWL_QuerySyntax-Stats.html). A group whose ``by`` field is missing is kept
    with that column absent (not documented). With no ``by`` and no input rows there is no row, or one row
    of zero counts with ``empty_aggregate_row`` (not documented either way)."""
    groups: dict = {}
    for row in rows:
        key = tuple(group_value(expr, row) for expr, _ in command.groups)
        groups.setdefault(key, []).append(row)
    if not groups and not command.groups and empty_aggregate_row:
        groups[()] = []
    output = []
    for key, members in groups.items():
        out = {name: value for (_, name), value in zip(command.groups, key) if value is not MISSING}
        for agg, name in command.aggs:
            value = aggregate_value(agg.function, agg.field, members)
            if value is not MISSING:
                out[name] = value
        output.append(out)
    return output


def group_value(expr, row: dict):
    if isinstance(expr, Bin):  # "Rounds the value of @timestamp to the given time period and then truncates"
        return Timestamp(row["@timestamp"].ms // expr.period_ms * expr.period_ms)
    return row.get(expr.name, MISSING)


def aggregate_value(function: str, field_: Optional[Field], members: list):
    if function == "count":  # count(*) counts events, count(field) "records that include the specified field"
        return Count(len(members) if field_ is None else sum(field_.name in row for row in members))
    present = [row for row in members if field_.name in row]
    if function in ("earliest", "latest"):  # "the log event that has the earliest/latest timestamp"
        pick = min if function == "earliest" else max
        return pick(present, key=lambda row: row["@timestamp"].ms)[field_.name] if present else MISSING
    values = [row[field_.name] for row in present]
    if function == "sum":
        numbers = [value for value in values if as_number(value) is not None]
        if not numbers:
            return MISSING
        total = sum(as_number(value) for value in numbers)
        return int(total) if all(isinstance(v, int) or float(v) == int(float(v)) for v in numbers) else total
    if not values:
        return MISSING
    return (min if function == "min" else max)(values, key=natural_key)  # same order as sort (not documented)
