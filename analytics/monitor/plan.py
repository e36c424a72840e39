"""``lexlens publish``'s plan: the period values as PutMetricData data points, grouped per
period, checked against CloudWatch's limits and packed into calls.

Limits (PutMetricData, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html,
and botocore's service model): at most 1,000 metrics per call, 1 MB per request, one namespace
per call (1 to 255 characters, not starting with ':'), dimension values of 1 to 1,024
characters, time stamps from two weeks before now to two hours after.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from lexlens.analytics.monitor.namespace import render_namespace

MAX_DATA_PER_CALL = 1_000
MAX_REQUEST_BYTES = 1_000_000
REQUEST_BUDGET = 900_000  # bytes of JSON-encoded data points per call: CBOR is smaller, and headers fit
MAX_AGE = pd.Timedelta(days=14)
MAX_AHEAD = pd.Timedelta(hours=2)
AGE_MARGIN = pd.Timedelta(minutes=10)  # the run's own duration and clock skew


@dataclass(frozen=True)
class Datum:
    """One data point: metric, dimensions ((name, value), ...), period start and count."""

    metric: str
    dimensions: tuple
    start: pd.Timestamp
    value: int

    def as_request(self) -> dict:
        """The MetricDatum of PutMetricData."""
        return {"MetricName": self.metric, "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
                "Timestamp": self.start.to_pydatetime(), "Value": float(self.value), "Unit": "Count"}

    def size(self) -> int:
        """An upper bound of its encoded size in bytes."""
        return len(json.dumps({**self.as_request(), "Timestamp": self.start.isoformat()}, ensure_ascii=False)
                   .encode("utf-8"))


@dataclass(frozen=True)
class Group:
    """The data points of one namespace and period (``part`` > 0 only when they exceed one call)."""

    namespace: str
    start: pd.Timestamp
    part: int
    data: tuple

    @property
    def key(self) -> tuple:
        return (self.namespace, int(self.start.value // 1_000_000), self.part)

    @property
    def anchor(self) -> Datum:
        """The data point read back to learn whether the group reached CloudWatch."""
        return self.data[0]


@dataclass(frozen=True)
class Batch:
    """One PutMetricData call: whole groups of one namespace."""

    namespace: str
    groups: tuple

    @property
    def data(self) -> list:
        return [datum for group in self.groups for datum in group.data]


def split_group(namespace: str, start: pd.Timestamp, data: list) -> list[Group]:
    """One group, or several parts when a period holds more than one call can carry."""
    parts, current, size = [], [], 0
    for datum in data:
        if current and (len(current) == MAX_DATA_PER_CALL or size + datum.size() > REQUEST_BUDGET):
            parts.append(current)
            current, size = [], 0
        current.append(datum)
        size += datum.size()
    parts += [current] if current else []
    return [Group(namespace, start, number, tuple(part)) for number, part in enumerate(parts)]


def plan_groups(table: pd.DataFrame, template: str) -> list[Group]:
    """Groups of data points per namespace and period, undimensioned CountMessages first (the anchor)."""
    groups = []
    for (bot_id, locale, start), rows in table.groupby(["bot_id", "locale", "start"], sort=True):
        namespace = render_namespace(template, bot_id, locale)
        rows = rows.assign(order=[(len(d) > 0, metric != "CountMessages", metric, d)
                                  for metric, d in zip(rows["metric"], rows["dimensions"])]).sort_values("order")
        data = [Datum(metric, dims, start, int(value))
                for metric, dims, value in zip(rows["metric"], rows["dimensions"], rows["value"])]
        groups += split_group(namespace, start, data)
    return groups


def accepted_by_cloudwatch(start: pd.Timestamp, now: pd.Timestamp) -> bool:
    """CloudWatch takes time stamps from two weeks before now to two hours after (with a margin)."""
    return now - MAX_AGE + AGE_MARGIN <= start <= now + MAX_AHEAD


@dataclass(frozen=True)
class Selection:
    """What a run sends, and what it leaves out and why."""

    to_send: list
    too_old: list
    already_sent: list
    awaiting: list  # sent by a run that was stopped; CloudWatch has not shown them yet


def select_groups(groups: Iterable[Group], now: pd.Timestamp, sent: set, uncertain: set) -> Selection:
    """Groups to send now: accepted by CloudWatch and neither sent nor awaiting confirmation."""
    to_send, too_old, already, awaiting = [], [], [], []
    for group in groups:
        if group.key in sent:
            already.append(group)
        elif group.key in uncertain:
            awaiting.append(group)
        elif not accepted_by_cloudwatch(group.start, now):
            too_old.append(group)
        else:
            to_send.append(group)
    return Selection(to_send, too_old, already, awaiting)


def pack_batches(groups: Iterable[Group]) -> list[Batch]:
    """Calls of whole groups of one namespace: at most 1,000 data points and REQUEST_BUDGET bytes each."""
    batches, current, count, size = [], [], 0, 0
    for group in groups:
        group_size = sum(datum.size() for datum in group.data)
        if current and (current[0].namespace != group.namespace or count + len(group.data) > MAX_DATA_PER_CALL
                        or size + group_size > REQUEST_BUDGET):
            batches.append(Batch(current[0].namespace, tuple(current)))
            current, count, size = [], 0, 0
        current.append(group)
        count, size = count + len(group.data), size + group_size
    if current:
        batches.append(Batch(current[0].namespace, tuple(current)))
    return batches
