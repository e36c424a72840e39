"""The Logs Insights engine: the partial aggregates of a window of log groups, computed where the
logs live (docs/insights-engine.md).

``insights_partials`` first runs the turns family, which also counts the fields the metrics rely
on (the guard); then, if every record has them, the three other families. ``InsightsResult``
holds the merged partials, the number of records and what the run cost.
"""
from __future__ import annotations

from dataclasses import dataclass

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.metrics.partials import Partials
from lexlens.analytics.sources.insights.queries import FAMILIES, TURNS, guard_shortfall
from lexlens.analytics.sources.insights.runner import Runner, plan_chunks

CHUNK_MS = 24 * 3_600_000  # first chunks of a day; a chunk whose rows do not fit is split in two


class FieldsMissing(LexlensError):
    """Some Lex records lack a field the metrics rely on (past Logs Insights' 200 discovered
    fields, or not Lex V2 records): only a pull reads them whole."""


@dataclass
class InsightsResult:
    partials: Partials
    records: int
    cost: dict


def read_rows(results, partials: Partials) -> Partials:
    """Add every row of ``results`` ([(chunk, rows)]) to ``partials``."""
    for chunk, rows in results:
        for row in rows:
            chunk.family.read(row, partials)
    return partials


def count_records(client, groups, since_ms: int, until_ms: int, filters: dict, concurrency: int = 10,
                  chunk_ms: int = CHUNK_MS):
    """(records, turns-family results, runner): the probe, also the turns family's partials.
    Raises FieldsMissing when some records lack a relied-on field."""
    runner = Runner(client, filters, concurrency)
    results = runner.run(plan_chunks(TURNS, list(groups), since_ms, until_ms, chunk_ms))
    rows = [row for _, chunk_rows in results for row in chunk_rows]
    short = guard_shortfall(rows)
    if short:
        named = ", ".join(f"{field} ({missing:,})" for field, missing in short.items())
        raise FieldsMissing(f"Logs Insights did not find every field lexlens relies on in every record "
                            f"(records without: {named}); records past its 200 discovered fields, or lines "
                            "that are not Lex V2 records, need --engine local.", exit_code=1)
    return sum(int(float(row["n"])) for row in rows), results, runner


def insights_partials(client, groups, since_ms: int, until_ms: int, filters: dict, concurrency: int = 10,
                      chunk_ms: int = CHUNK_MS, probed=None) -> InsightsResult:
    """The partials of ``[since_ms, until_ms)`` in ``groups``; ``probed``: ``count_records``' answer
    when it already ran (auto), so the turns family is not run twice."""
    records, turn_results, runner = probed or count_records(client, groups, since_ms, until_ms, filters,
                                                            concurrency, chunk_ms)
    partials = read_rows(turn_results, Partials())
    chunks = [chunk for family in FAMILIES if family is not TURNS
              for chunk in plan_chunks(family, list(groups), since_ms, until_ms, chunk_ms)]
    read_rows(runner.run(chunks), partials)
    return InsightsResult(partials, records, runner.stats.as_dict())
