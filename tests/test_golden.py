"""Golden outputs for the bundled sample logs: the report's JSON and 18 of its tables, each its
own test (one id per sample and table), so each fails on its own.

Refresh after an intended change with ``LEXLENS_REFRESH_GOLDEN=1 pytest tests/test_golden.py``,
review the diff of tests/golden/, then run again without the switch: while it is on,
``test_refresh_switch_is_off`` fails so a refresh can never pass CI silently.
"""
import json
import os
from pathlib import Path

import pytest

from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.report.build import ReportOptions, build_report
from lexlens.analytics.text.csvsafe import to_safe_csv
from lexlens.sample_logs import DEMO_LOG, GENERATIVE_LOG, REAL_RECORDS_LOG, VARIANTS_LOG

GOLDEN = Path(__file__).resolve().parent / "golden"
REFRESH = os.environ.get("LEXLENS_REFRESH_GOLDEN") == "1"
SOURCES = {"demo": [DEMO_LOG], "variants": [VARIANTS_LOG, REAL_RECORDS_LOG], "generative": [GENERATIVE_LOG]}
TABLES = ["intents", "missed_utterances", "paths", "path_edges", "slot_values", "session_attributes",
          "heatmap_sessions", "rejects_summary", "intent_outcomes", "conversation_outcomes",
          "slot_outcomes", "confusion_pairs", "clusters", "server_responses", "qna_unanswered",
          "generative_sources", "agent_action_groups", "assisted_nlu_outcomes"]


def check(path: Path, text: str) -> None:
    # golden files must not depend on where the sample logs are installed
    text = text.replace(str(DEMO_LOG.parent), "<checkout>/sample_logs")
    if REFRESH:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} missing: run with LEXLENS_REFRESH_GOLDEN=1 once"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed"


@pytest.fixture(scope="module")
def reports():
    """The report of each sample, with its tables (heatmaps in a zone other than UTC)."""
    options = ReportOptions(top=10, tz="America/New_York", tables=True)
    return {name: build_report(load_logs(paths, workers=1), options) for name, paths in SOURCES.items()}


@pytest.mark.parametrize("sample", list(SOURCES))
def test_report_json_matches_golden(reports, sample):
    check(GOLDEN / f"{sample}-report.json", json.dumps(reports[sample].values(), indent=1, sort_keys=True,
                                                       ensure_ascii=False, default=str) + "\n")


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("sample", list(SOURCES))
def test_table_matches_golden(reports, sample, table):
    frame = reports[sample].tables[table]
    numbers = frame.select_dtypes("float").columns
    check(GOLDEN / f"{sample}-{table}.csv", to_safe_csv(frame.round({column: 6 for column in numbers})))


def test_every_golden_file_is_checked():
    expected = {f"{sample}-report.json" for sample in SOURCES} | {
        f"{sample}-{table}.csv" for sample in SOURCES for table in TABLES}
    assert {path.name for path in GOLDEN.iterdir() if path.is_file()} == expected  # help/: test_meta.py


def test_refresh_switch_is_off():
    assert not REFRESH, "LEXLENS_REFRESH_GOLDEN is on: golden files were rewritten; review and rerun without it"
