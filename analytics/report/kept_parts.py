"""A report's parts kept in the store (``report.build.PARTS``): a report from the same stored
files and filters, under the same code, reads back each part computed before under the options
that part reads (``build.SECTION_OPTIONS``) and computes only the others. Another ``--tz``
computes nothing again (the printed report does not depend on it), another ``--top`` only the
activity, another ``--idle-timeout`` the three parts that read the conversations. Parts with
``--csv-dir`` tables are never kept: their tables hold every turn.

Kept as the store's values (``store.kept_values``: small pickles, the least recently used
removed past a limit), under the source's key (``store.outputs.source_key``).
"""
from __future__ import annotations

from lexlens.analytics.report.build import PARTS, Part, ReportOptions, part_key
from lexlens.analytics.store.catalog import Store
from lexlens.analytics.store.kept_values import keep_value, kept_value


def value_key(source: str, compute, options: ReportOptions) -> str:
    return f"report-part/{source}/{part_key(compute, options)}"


def kept_parts_of(store: Store, source: str, options: ReportOptions) -> dict[str, Part]:
    """The parts kept for ``source`` under ``options``, by part name (none with tables)."""
    if options.tables:
        return {}
    found = {compute.__name__: kept_value(store, value_key(source, compute, options)) for compute in PARTS}
    return {name: part for name, part in found.items() if isinstance(part, Part)}


def keep_parts(store: Store, source: str, options: ReportOptions, parts: dict[str, Part]) -> None:
    """Keep the parts just computed (by name) for the next report on ``source``."""
    if options.tables:
        return
    for compute in PARTS:
        if compute.__name__ in parts:
            keep_value(store, value_key(source, compute, options), parts[compute.__name__])


def parts_missing(kept: dict[str, Part]) -> tuple:
    """The parts still to compute."""
    return tuple(compute for compute in PARTS if compute.__name__ not in kept)
