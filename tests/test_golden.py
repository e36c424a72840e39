"""Golden outputs for the bundled sample logs.

Refresh after an intended change with ``LEXLENS_REFRESH_GOLDEN=1 pytest tests/test_golden.py``,
review the diff of tests/golden/, then run again without the switch: while it is on,
``test_refresh_switch_is_off`` fails so a refresh can never pass CI silently.
"""
import json
import os
from pathlib import Path

import pytest

from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.report.build import compute_report, report_tables
from lexlens.analytics.text.csvsafe import to_safe_csv

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
REFRESH = os.environ.get("LEXLENS_REFRESH_GOLDEN") == "1"
SOURCES = {
    "demo": [ROOT / "sample_logs" / "demo.jsonl.gz"],
    "variants": [ROOT / "sample_logs" / "variants.jsonl", ROOT / "sample_logs" / "real-lex-records.jsonl"],
}
TABLES = ["intents", "missed_utterances", "paths", "path_edges", "slot_values", "session_attributes",
          "heatmap_sessions", "rejects_summary", "intent_outcomes", "conversation_outcomes",
          "slot_outcomes", "confusion_pairs", "clusters"]


def check(path: Path, text: str) -> None:
    text = text.replace(str(ROOT), "<checkout>")  # golden files must not depend on where we run
    if REFRESH:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} missing: run with LEXLENS_REFRESH_GOLDEN=1 once"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed"


@pytest.fixture(scope="module", params=list(SOURCES))
def sample(request):
    data = load_logs(SOURCES[request.param], workers=1)
    return request.param, data


def test_report_json_matches_golden(sample):
    name, data = sample
    report = compute_report(data, top=10)
    check(GOLDEN / f"{name}-report.json", json.dumps(report, indent=1, sort_keys=True,
                                                       ensure_ascii=False, default=str) + "\n")


def test_tables_match_golden(sample):
    name, data = sample
    tables = report_tables(data, tz="America/New_York")
    for table in TABLES:
        numbers = tables[table].select_dtypes("float").columns
        check(GOLDEN / f"{name}-{table}.csv", to_safe_csv(tables[table].round({c: 6 for c in numbers})))


def test_refresh_switch_is_off():
    assert not REFRESH, "LEXLENS_REFRESH_GOLDEN is on: golden files were rewritten; review and rerun without it"
