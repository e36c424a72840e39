"""Sending planned batches to CloudWatch exactly once, and resolving the batches a killed run
left uncertain, with a client handed in (boto3 ``cloudwatch``; tests point it at moto's server).

Order per batch: ledger ``planned`` (on disk) -> PutMetricData -> ledger ``sent`` (on disk).
A run killed between the first and the last step leaves the batch uncertain; the next run reads
its anchors back with GetMetricData: present means CloudWatch took the whole call (a
PutMetricData call is accepted or refused as a whole), absent means it never arrived and the
groups are planned again. CloudWatch may show data points late: those stamped 3 to 24 hours
before they were sent can take up to 2 hours, older ones 48 hours (PutMetricData,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html), so
an absent batch is only given up on once that time has passed; until then its groups wait.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable, Optional

import pandas as pd

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.monitor.ledger import Ledger, PlannedBatch

MAX_QUERIES_PER_CALL = 500  # GetMetricData: at most 500 MetricDataQuery structures


def readback_delay(age: pd.Timedelta) -> pd.Timedelta:
    """How long CloudWatch may take to show a data point stamped ``age`` before it was sent."""
    if age >= pd.Timedelta(hours=24):
        return pd.Timedelta(hours=48)
    if age >= pd.Timedelta(hours=3):
        return pd.Timedelta(hours=2)
    return pd.Timedelta(0)  # CloudWatch documents no delay for recent data points


def read_present(client, namespace: str, anchors: list, period_s: int) -> set:
    """start_ms of the anchors CloudWatch holds a data point for (GetMetricData, Sum per period)."""
    by_metric: dict = {}
    for anchor in anchors:
        key = (anchor["metric"], tuple(tuple(d) for d in anchor["dimensions"]))
        by_metric.setdefault(key, []).append(int(anchor["start_ms"]))
    present: set = set()
    items = list(by_metric.items())
    for offset in range(0, len(items), MAX_QUERIES_PER_CALL):
        chunk = items[offset:offset + MAX_QUERIES_PER_CALL]
        starts = [ms for _, wanted in chunk for ms in wanted]
        queries = [{"Id": f"q{number}", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": metric,
                       "Dimensions": [{"Name": n, "Value": v} for n, v in dimensions]},
            "Period": period_s, "Stat": "Sum"}} for number, ((metric, dimensions), _) in enumerate(chunk)]
        params = {"MetricDataQueries": queries,
                  "StartTime": pd.Timestamp(min(starts), unit="ms", tz="UTC").to_pydatetime(),
                  "EndTime": pd.Timestamp(max(starts) + period_s * 1000, unit="ms", tz="UTC").to_pydatetime()}
        for page in client.get_paginator("get_metric_data").paginate(**params):
            for result in page["MetricDataResults"]:
                wanted = set(chunk[int(result["Id"][1:])][1])
                seen = {int(pd.Timestamp(stamp).tz_convert("UTC").value // 1_000_000) for stamp in result["Timestamps"]}
                present |= wanted & seen
    return present


@dataclass
class Resolution:
    """What became of the batches a killed run left uncertain."""

    confirmed: list = field(default_factory=list)
    absent: list = field(default_factory=list)
    waiting: list = field(default_factory=list)


def resolve_uncertain(client, ledger: Ledger, uncertain: list[PlannedBatch], now: pd.Timestamp) -> Resolution:
    """Read back each uncertain batch; record ``sent`` or ``absent`` (when CloudWatch would show it by now)."""
    resolution = Resolution()
    for batch in uncertain:
        if read_present(client, batch.namespace, batch.anchors, batch.period_s):
            ledger.record_outcome(batch.batch, "sent")
            resolution.confirmed.append(batch)
            continue
        oldest = min(pd.Timestamp(a["start_ms"], unit="ms", tz="UTC") for a in batch.anchors)
        if now >= batch.planned_at + readback_delay(batch.planned_at - oldest):
            ledger.record_outcome(batch.batch, "absent")
            resolution.absent.append(batch)
        else:
            resolution.waiting.append(batch)
    return resolution


def is_refusal(error: Exception) -> bool:
    """True when CloudWatch answered and refused the call (a 4xx other than throttling): nothing was stored."""
    response = getattr(error, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    code = response.get("Error", {}).get("Code", "")
    return 400 <= status < 500 and "Throttl" not in code


def send_batches(client, ledger: Ledger, batches: list, *, destination: str, period_s: int, now: pd.Timestamp,
                 progress: Optional[Callable[[int, int], None]] = None) -> int:
    """PutMetricData for each batch, recorded in the ledger before and after; the calls made."""
    for number, batch in enumerate(batches, start=1):
        batch_id = uuid.uuid4().hex
        ledger.record_planned(batch_id, destination, batch.namespace, period_s, now, batch.groups)
        try:
            client.put_metric_data(Namespace=batch.namespace, MetricData=[d.as_request() for d in batch.data])
        except Exception as error:  # noqa: BLE001 - explained below; the ledger decides what happens next
            if is_refusal(error):
                ledger.record_outcome(batch_id, "absent")
            raise describe_send_error(error, number, len(batches)) from None
        ledger.record_outcome(batch_id, "sent")
        if progress:
            progress(number, len(batches))
    return len(batches)


def describe_send_error(error: Exception, number: int, total: int) -> LexlensError:
    """One sentence for a PutMetricData call that failed after botocore's retries."""
    response = getattr(error, "response", None) or {}
    detail = response.get("Error", {}).get("Message") or response.get("Error", {}).get("Code") or str(error)
    return LexlensError(f"PutMetricData call {number} of {total} failed: {detail} (the calls before it are "
                        "recorded; run again to send the rest).", exit_code=2)
