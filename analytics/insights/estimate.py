"""``lexlens report --engine insights --estimate``: an upper bound of the bytes a run would scan, before
it runs and at no Logs Insights charge.

StartQuery has no dry run in the API (botocore's CloudWatch Logs model: DryRun belongs only to
PutAccountPolicy and DeleteAccountPolicy). What is known for free is how many bytes each log group
stores (DescribeLogGroups ``storedBytes``,
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html): a query
scans at most the events of its groups, and a run of the engine scans its window once per query
family (``queries.FAMILIES``), more for the chunks it must split.
"""
from __future__ import annotations

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.insights.queries import FAMILIES

UPPER_BOUND = ("This is an upper bound, not a measurement: storedBytes counts every event the log groups hold, "
               "whatever the window and the filters, and StartQuery has no dry run that would say more.")


def stored_bytes(client, groups) -> dict[str, int]:
    """{group: storedBytes} (DescribeLogGroups by name prefix, the exact name kept); LexlensError for
    a group that does not exist."""
    stored: dict[str, int] = {}
    for group in groups:
        for page in client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=group):
            for found in page.get("logGroups", []):
                if found.get("logGroupName") == group:
                    stored[group] = int(found.get("storedBytes") or 0)
        if group not in stored:
            raise LexlensError(f"The log group {group!r} does not exist in region "
                               f"{client.meta.region_name or '?'}.", exit_code=2)
    return stored


def render_estimate(stored: dict[str, int]) -> str:
    """The estimate as text: each group's stored bytes, the bound for a run, and why it is a bound."""
    total = sum(stored.values())
    width = max(len(group) for group in stored)
    lines = [f"{group:<{width}}  {size:,} bytes stored ({size / 1e9:,.3f} GB)" for group, size in stored.items()]
    runs = len(FAMILIES)
    lines.append(f"A run of --engine insights scans its window once per query family ({runs}), so at most "
                 f"{runs} x {total:,} = {runs * total:,} bytes ({runs * total / 1e9:,.3f} GB; more only if "
                 "queries are cut and split). No query was started.")
    lines.append(UPPER_BOUND)
    return "\n".join(lines) + "\n"
