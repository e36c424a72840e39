"""``analytics.text.csv_text`` writes, byte for byte, the CSV pandas writes (a cell holding a CR
quoted, as ``to_safe_csv`` wants): on edge-case tables, on generated ones, and on every table of
the report of every sample log, in two time zones. pandas is the reference: Python's csv writer
with QUOTE_MINIMAL (https://docs.python.org/3/library/csv.html#csv.QUOTE_MINIMAL) and pandas'
``DataFrame.to_csv`` (https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_csv.html)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.report.build import ReportOptions, build_report
from lexlens.analytics.text.csv_text import csv_pieces, csv_text
from lexlens.analytics.text.csvsafe import neutralise_frame, pandas_csv, to_safe_csv
from lexlens.sample_logs import DEMO_LOG, GENERATIVE_LOG, REAL_RECORDS_LOG, VARIANTS_LOG

UTC_TIMES = pd.to_datetime(["2026-03-08 06:59:59.5", "2026-03-08 07:00:00", None, "2026-11-01 05:30:00.25"], utc=True, format="ISO8601")


def aware(zone: str, unit: str = "ns") -> pd.Series:
    return pd.Series(UTC_TIMES).dt.tz_convert(zone).dt.as_unit(unit)


EDGE_TABLES = {
    "no rows": pd.DataFrame({"a": pd.Series([], dtype=object), "n": pd.Series([], dtype="int64")}),
    "one column, empty cells": pd.DataFrame({"a": ["", None, "x", float("nan")]}),
    "one column named ''": pd.DataFrame({"": ["x", ""]}),
    "quotes, commas, newlines": pd.DataFrame({"a": ['say "hi"', "a,b", "two\nlines", " lead", "trail ", "é ü 😀"],
                                              "b": ["x"] * 6}),
    "carriage returns": pd.DataFrame({"a": ["x\ry", "\r", "plain"], "b": [1, 2, 3]}),
    "floats": pd.DataFrame({"f": [0.1, float("nan"), float("inf"), -0.0, 1e16, 1e-05, 123456789.125, 0.0],
                            "g": np.array([0.1, 2, 3, 4, 5, 6, 0, -0.0], dtype="float32")}),
    "integers and booleans": pd.DataFrame({"i": [0, -7, 2**62], "u": np.array([1, 2, 3], dtype="uint8"),
                                           "b": [True, False, True]}),
    "nullable integers and booleans": pd.DataFrame({"i": pd.array([1, None, 3], dtype="Int64"),
                                                    "b": pd.array([True, None, False], dtype="boolean")}),
    "str dtype": pd.DataFrame({"s": pd.Series(["x", None, "a,b"], dtype="str"),
                               "t": pd.Series(["x", None, '"'], dtype="string")}),
    "categorical": pd.DataFrame({"c": pd.Categorical(["x", None, "a,b", "x"], categories=["x", "a,b", "unused"])}),
    "objects of every kind": pd.DataFrame({"o": ["x", 1, 2.5, np.float64(0.5), True, None, float("nan"), pd.NA,
                                                 ["a", "b"], {"k": 1}, 1.0, 0.0, -0.0]}),
    "naive times": pd.DataFrame({"t": pd.to_datetime(["2026-01-01 10:00:00.123", None, "2026-01-02"], format="ISO8601")}),
    "naive dates only": pd.DataFrame({"t": pd.to_datetime(["2026-01-01", None, "2026-01-02"])}),
    "UTC": pd.DataFrame({"t": aware("UTC")}),
    "Asia/Kolkata in ms": pd.DataFrame({"t": aware("Asia/Kolkata", "ms")}),
    "America/New_York across DST, in s": pd.DataFrame({"t": aware("America/New_York", "s")}),
    "Australia/Lord_Howe in us": pd.DataFrame({"t": aware("Australia/Lord_Howe", "us")}),
    "midnights in a zone": pd.DataFrame({"t": pd.to_datetime(["2026-01-01", "2026-01-02"]).tz_localize("Europe/Paris")}),
    "only NaT in a zone": pd.DataFrame({"t": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns, UTC]")}),
    "before 1900 in a zone (seconds in the offset)": pd.DataFrame(
        {"t": pd.to_datetime(["1850-06-01 12:00"]).tz_localize("Europe/Amsterdam")}),
}

LEFT_TO_PANDAS = {
    "timedeltas": pd.DataFrame({"d": pd.to_timedelta([1, 2], unit="s")}),
    "categories of numbers": pd.DataFrame({"c": pd.Categorical([0.5, 1.5])}),
    "a label that is not text": pd.DataFrame({0: ["x"]}),
    "no column": pd.DataFrame(),
}


def pandas_text(table: pd.DataFrame) -> str:
    """pandas' own CSV text, a CR-holding cell quoted (``csvsafe.pandas_csv``, without formulas
    neutralised: the tables above hold none)."""
    return pandas_csv(table)


@pytest.mark.parametrize("name", EDGE_TABLES)
def test_the_text_is_what_pandas_writes(name):
    table = EDGE_TABLES[name]
    before = table.copy()
    assert csv_text(table) == pandas_text(table)
    pd.testing.assert_frame_equal(table, before)


def test_without_a_carriage_return_it_is_to_csv_itself():
    table = EDGE_TABLES["quotes, commas, newlines"]
    assert csv_text(table) == table.to_csv(index=False)


@pytest.mark.parametrize("name", LEFT_TO_PANDAS)
def test_other_kinds_of_column_are_left_to_pandas(name):
    table = LEFT_TO_PANDAS[name]
    assert csv_text(table) is None
    assert to_safe_csv(table) == pandas_csv(neutralise_frame(table))


TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab ,"\r\n=+-@\t\u00a0\uff1dé😀')), max_size=6))
COLUMNS = {
    "text": st.lists(TEXT, min_size=1, max_size=1).map(lambda cells: cells[0]),
    "float": st.one_of(st.none(), st.sampled_from([0.0, -0.0, 1.0]), st.floats(allow_nan=True, allow_infinity=True, width=64)),
    "object": st.one_of(TEXT, st.sampled_from([0, 1, 1.0, True, 0.0, -0.0, False])),
    "int": st.integers(-2**63, 2**63 - 1),
    "bool": st.booleans(),
    "time": st.one_of(st.none(), st.integers(-2 * 10**18, 4 * 10**18)),
}


@st.composite
def tables(draw):
    kinds = draw(st.lists(st.sampled_from(sorted(COLUMNS) + ["category"]), min_size=1, max_size=5))
    rows = draw(st.integers(0, 8))
    zone = draw(st.sampled_from([None, "UTC", "Asia/Kolkata", "America/New_York", "Pacific/Chatham"]))
    unit = draw(st.sampled_from(["s", "ms", "us", "ns"]))
    columns = {}
    for number, kind in enumerate(kinds):
        strategy = COLUMNS["text" if kind == "category" else kind]
        cells = draw(st.lists(strategy, min_size=rows, max_size=rows))
        if kind == "category":
            series = pd.Series(pd.Categorical(cells))
        elif kind == "time":
            series = pd.Series(pd.to_datetime(cells, unit="ns", utc=zone is not None)).dt.as_unit(unit)
            series = series.dt.tz_convert(zone) if zone else series
        elif kind == "float":
            series = pd.Series(cells, dtype="float64")
        elif kind in ("int", "bool"):
            series = pd.Series(cells, dtype="int64" if kind == "int" else "bool")
        else:
            series = pd.Series(cells, dtype=object)
        columns[f"{kind}{number}"] = series
    return pd.DataFrame(columns)


@settings(max_examples=300, deadline=None)
@given(tables())
def test_generated_tables_are_written_as_pandas_writes_them(table):
    assert csv_text(table) == pandas_text(table)


def report_tables(path, zone: str) -> dict:
    return build_report(load_logs([path]), ReportOptions(tables=True, tz=zone)).tables


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
@pytest.mark.parametrize("path", [DEMO_LOG, VARIANTS_LOG, REAL_RECORDS_LOG, GENERATIVE_LOG],
                         ids=lambda path: path.name)
def test_every_report_table_is_the_csv_pandas_writes(path, zone):
    written_here = 0
    for name, table in report_tables(path, zone).items():
        assert to_safe_csv(table) == pandas_csv(neutralise_frame(table)), name
        written_here += csv_pieces(table.set_axis([str(label) for label in table.columns], axis=1)) is not None
    assert written_here == len(report_tables(path, zone))  # none is left to pandas


@settings(max_examples=300, deadline=None)
@given(tables())
def test_formulas_are_neutralised_as_the_table_is_written(table):
    """``to_safe_csv`` neutralises each distinct text as ``csv_text`` writes it: the same text
    as neutralising the table first, then letting pandas write it."""
    assert to_safe_csv(table) == pandas_csv(neutralise_frame(table))


def test_pandas_3_takes_the_fast_path_for_zoned_times():
    """pandas 2 writes a zone's timestamps as ``str(Timestamp)`` (microseconds always): there
    they are left to pandas, and the tests above hold either way."""
    from lexlens.analytics.text.csv_text import zone_text_is_wall_text_and_offset
    assert zone_text_is_wall_text_and_offset() == (int(pd.__version__.split(".")[0]) >= 3)
