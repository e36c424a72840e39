"""The values a ``lexlens check`` rule reads: the report's own, computed by its own parts.

Only the parts rules can read are computed (load summary, totals and breakdowns, session
statistics, outcomes); VADER's scores and the clusters are left out, which costs nothing in
meaning: no rule reads them.
"""
from __future__ import annotations

from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.report.build import (ReportOptions, compute_activity_part, compute_load_part,
                                            compute_outcome_part)
from lexlens.analytics.schema import LogData


def compute_rule_values(data: LogData, options: ReportOptions) -> dict:
    """{report key: value} for the keys rules read (see ``monitor.catalogue``)."""
    found = compute_conversations(data.turns, idle_timeout_s=options.idle_timeout_s)
    values: dict = {}
    for compute in (compute_load_part, compute_activity_part, compute_outcome_part):
        for section in compute(data, found, options).sections.values():
            values.update({name: getattr(section, name) for name in section.__dataclass_fields__})
    return values
