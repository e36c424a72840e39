"""The Logs Insights engine: the partial aggregates of a window of log groups, computed where the
logs live (docs/insights-engine.md).

``insights_partials`` first runs the turns family, which also counts the fields the metrics rely
on (the guard); then, if every record has them, the three other families. ``InsightsResult``
holds the merged partials, the number of records and what the run cost.
"""
from __future__ import annotations

from dataclasses import dataclass

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.metrics.partials import QUARTER_MS, Partials
from lexlens.analytics.insights import runner as runner_module
from lexlens.analytics.insights.cache import AnswerCache
from lexlens.analytics.insights.queries import FAMILIES, TURNS, bin_ms, guard_shortfall, number
from lexlens.analytics.insights.runner import Chunk, Runner, plan_chunks

FIRST_CHUNKS = 64  # the first query's window in at most 64 chunks of at least a day; see plan_by_records
MIN_CHUNK_MS = 24 * 3_600_000


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


def first_chunk_ms(since_ms: int, until_ms: int) -> int:
    """The first query's chunk length: the window in at most FIRST_CHUNKS pieces of at least a day."""
    return max(MIN_CHUNK_MS, -(-(until_ms - since_ms) // FIRST_CHUNKS))


def plan_by_records(family, results, since_ms: int, until_ms: int, budget: int) -> list[Chunk]:
    """Chunks of ``family`` holding at most ``budget`` records each (a busier quarter alone), from the
    records per log-group batch and quarter the first query counted; quarters without records are
    skipped. A chunk of at most ``budget`` records cannot return more rows than the row limit."""
    per_batch: dict = {}
    for chunk, rows in results:
        quarters = per_batch.setdefault(chunk.groups, {})
        for row in rows:
            quarter = bin_ms(row["quarter"])
            quarters[quarter] = quarters.get(quarter, 0) + number(row["n"])
    chunks = []
    for groups, quarters in per_batch.items():
        start, held = None, 0
        for quarter in sorted(quarters):
            if start is not None and held + quarters[quarter] > budget:
                chunks.append(Chunk(family, groups, max(start, since_ms), min(quarter, until_ms)))
                start, held = None, 0
            start = quarter if start is None else start
            held += quarters[quarter]
        if start is not None:
            chunks.append(Chunk(family, groups, max(start, since_ms), min(max(quarters) + QUARTER_MS, until_ms)))
    return chunks


def count_records(client, groups, since_ms: int, until_ms: int, filters: dict, concurrency: int = 10,
                  chunk_ms: int | None = None, cache_dir=None):
    """(records, turns-family results, runner): the probe, also the turns family's partials.
    Raises FieldsMissing when some records lack a relied-on field. ``cache_dir``: keep and reuse
    the answers of windows older than the ingestion lag there (``insights.cache``)."""
    runner = Runner(client, filters, concurrency, AnswerCache(cache_dir, client) if cache_dir else None)
    results = runner.run(plan_chunks(TURNS, list(groups), since_ms, until_ms,
                                     chunk_ms or first_chunk_ms(since_ms, until_ms)))
    rows = [row for _, chunk_rows in results for row in chunk_rows]
    short = guard_shortfall(rows)
    if short:
        named = ", ".join(f"{field} ({missing:,})" for field, missing in short.items())
        raise FieldsMissing(f"Logs Insights did not find every field lexlens relies on in every record "
                            f"(records without: {named}); records past its 200 discovered fields, or lines "
                            "that are not Lex V2 records, need --engine local.", exit_code=1)
    return sum(int(float(row["n"])) for row in rows), results, runner


def insights_partials(client, groups, since_ms: int, until_ms: int, filters: dict, concurrency: int = 10,
                      chunk_ms: int | None = None, probed=None, cache_dir=None) -> InsightsResult:
    """The partials of ``[since_ms, until_ms)`` in ``groups``; ``probed``: ``count_records``' answer
    when it already ran (auto), so the turns family is not run twice."""
    records, turn_results, runner = probed or count_records(client, groups, since_ms, until_ms, filters,
                                                            concurrency, chunk_ms, cache_dir)
    partials = read_rows(turn_results, Partials())
    chunks = [chunk for family in FAMILIES if family is not TURNS
              for chunk in plan_by_records(family, turn_results, since_ms, until_ms, runner_module.ROW_LIMIT)]
    read_rows(runner.run(chunks), partials)
    return InsightsResult(partials, records, runner.stats.as_dict())
