"""Putting parsed parts together: parts of one file in line order, files one after another,
turn ids offset and categoricals kept categorical. Every load (from JSON or from the store)
combines its parts with these functions, so both give the same tables."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from lexlens.analytics.ingest.server_responses import concat_responses
from lexlens.analytics.schema import TABLES, LoadReport, LogData, empty_table, positions_of
from lexlens.analytics.sources.files import ReadUnit


def renumber_turns(data: LogData) -> LogData:
    """Make ``turn`` 0..n-1 again after rows were dropped at load time (a side row whose turn
    was dropped gets -1)."""
    old = data.turns["turn"].to_numpy()

    def remap(table: pd.DataFrame) -> pd.DataFrame:
        table = table.reset_index(drop=True)
        table["turn"] = positions_of(old, table["turn"].to_numpy()).astype(np.int64, copy=False)
        return table

    return data.with_tables(remap(data.turns), **{name: remap(table)
                                                  for name, table in data.side_tables().items()})


def merge_by_line(parts: list[LogData], lines: list[np.ndarray]) -> LogData:
    """One LogData from parts of the same lines, turns in line order (stable), numbered 0..n-1."""
    merged = stack_parts(parts)
    order = np.argsort(np.concatenate(lines), kind="stable")
    merged = renumber_turns(merged.with_tables(merged.turns.iloc[order]))
    # side rows in turn order too, as one pass over the lines would have made them
    return merged.with_tables(merged.turns, **{
        name: table.iloc[np.argsort(table["turn"].to_numpy(), kind="stable")].reset_index(drop=True)
        for name, table in merged.side_tables().items()})


def concat_parts(units: list[ReadUnit], parts: list[tuple[LogData, int]]) -> LogData:
    """One LogData from per-unit parts: turn ids offset, line numbers made file-relative."""
    offsets = file_line_offsets(units, [physical for _, physical in parts])
    for (part, _), offset in zip(parts, offsets):
        part.report.rejections = [replace(rejection, line=rejection.line + offset)
                                  for rejection in part.report.rejections]
    return stack_parts([part for part, _ in parts])  # session keys are given when the load is finished


def file_line_offsets(units: list[ReadUnit], physical_lines: list[int]) -> list[int]:
    """For each unit, the lines of its file in the units before it."""
    seen: dict[Path, int] = {}
    offsets = []
    for unit, lines in zip(units, physical_lines):
        offsets.append(seen.get(unit.path, 0))
        seen[unit.path] = offsets[-1] + lines
    return offsets


def stack_parts(parts: list[LogData]) -> LogData:
    """Parts one after another: reports merged, turn ids offset, tables concatenated."""
    report = LoadReport()
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    offset = 0
    responses = []
    for part in parts:
        report.merge(part.report)
        responses.append(part.server_responses)
        for name in TABLES:
            table = getattr(part, name)
            tables[name].append(table.assign(turn=table["turn"] + offset) if offset else table)
        offset += len(part.turns)
    return LogData(**{name: concat_tables(frames, TABLES[name]) for name, frames in tables.items()},
                   report=report, server_responses=concat_responses(responses))


def concat_tables(frames: list[pd.DataFrame], columns: dict) -> pd.DataFrame:
    """Concatenate frames of one schema, keeping categoricals categorical."""
    frames = [frame for frame in frames if len(frame)]
    if len(frames) <= 1:
        return frames[0].reset_index(drop=True) if frames else empty_table(columns)
    data = {}
    for name, (dtype, _) in columns.items():
        if dtype == "category":
            data[name] = with_object_categories(
                union_categoricals([with_object_categories(frame[name].array) for frame in frames],
                                   ignore_order=True))
        else:
            data[name] = pd.concat([frame[name] for frame in frames], ignore_index=True)
    return pd.DataFrame(data, copy=False)  # each column its own block: consolidating copies them all


def with_object_categories(values: pd.Categorical) -> pd.Categorical:
    """The same categorical with categories of dtype object, as every load makes them
    (pandas may infer its string dtype when combining; unions need one kind)."""
    if values.categories.dtype == object:
        return values
    return pd.Categorical.from_codes(values.codes, categories=pd.Index(values.categories, dtype=object))

