"""Issue 2's speed target: ``lexlens report FILE --json`` against DuckDB reading the same
file with read_ndjson and projecting the columns the report needs, as whole processes in
the same run. Target: ratio <= 2.5 (aim 1.5), peak memory < 1 GiB.

    .venv/bin/python bench/bench_report.py [--sessions 50000] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys

from common import RESULTS, ensure_bench_file, run_timed

# The report's columns; materialised so DuckDB really parses them, then aggregated.
DUCKDB_SCRIPT = """
import duckdb, sys
con = duckdb.connect()
con.execute('''CREATE TABLE turns AS SELECT
    sessionId, requestId, "timestamp", inputMode, inputTranscript, missedUtterance,
    bot.id AS bot_id, bot.aliasName AS alias, bot.localeId AS locale, bot.version AS version,
    sessionState.intent.name AS intent, sessionState.intent.state AS state,
    sessionState.dialogAction.type AS action, sessionState.originatingRequestId AS conversation,
    sessionState.intent.slots AS slots, sessionState.sessionAttributes AS attributes,
    interpretations[1].nluConfidence AS confidence,
    interpretations[1].sentimentResponse.sentiment AS sentiment
  FROM read_ndjson(?, columns={
    sessionId: 'VARCHAR', requestId: 'VARCHAR', "timestamp": 'VARCHAR', inputMode: 'VARCHAR',
    inputTranscript: 'VARCHAR', missedUtterance: 'BOOLEAN',
    bot: 'STRUCT(id VARCHAR, aliasName VARCHAR, localeId VARCHAR, version VARCHAR)',
    sessionState: 'STRUCT(intent STRUCT(name VARCHAR, state VARCHAR, slots JSON), dialogAction STRUCT(type VARCHAR), originatingRequestId VARCHAR, sessionAttributes JSON)',
    interpretations: 'STRUCT(nluConfidence VARCHAR, sentimentResponse STRUCT(sentiment VARCHAR))[]'})''',
    [sys.argv[1]])
print(con.execute('''SELECT count(*), count(DISTINCT sessionId), sum(missedUtterance::INT),
    count(DISTINCT intent), count(DISTINCT inputTranscript) FROM turns''').fetchall())
"""


def median_run(command: list[str], runs: int) -> dict:
    timings = [run_timed(command) for _ in range(runs)]
    if any(code for _, _, code in timings):
        raise SystemExit(f"command failed: {' '.join(command)}")
    return {"seconds": round(statistics.median(t for t, _, _ in timings), 3),
            "all_seconds": [round(t, 3) for t, _, _ in timings],
            "peak_rss_mib": round(max(m for _, m, _ in timings) / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = ensure_bench_file(args.sessions)
    records = sum(1 for _ in open(path, "rb"))
    # --no-store: every run parses the JSON, as DuckDB does (bench_store.py measures the store)
    lexlens = median_run([sys.executable, "-m", "lexlens", "report", str(path), "--json", "--no-store"], args.runs)
    duckdb = median_run([sys.executable, "-c", DUCKDB_SCRIPT, str(path)], args.runs)
    result = {"file": path.name, "records": records, "mb": round(path.stat().st_size / 1e6, 1),
              "lexlens_report_json": lexlens, "duckdb_read_ndjson": duckdb,
              "ratio": round(lexlens["seconds"] / duckdb["seconds"], 2),
              "target_ratio": 2.5, "target_peak_mib": 1024}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "report.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{records:,} records, {result['mb']} MB")
    print(f"lexlens report --json : {lexlens['seconds']:.2f} s  peak {lexlens['peak_rss_mib']} MiB")
    print(f"duckdb read_ndjson    : {duckdb['seconds']:.2f} s  peak {duckdb['peak_rss_mib']} MiB")
    print(f"ratio {result['ratio']} (target <= 2.5)")


if __name__ == "__main__":
    main()
