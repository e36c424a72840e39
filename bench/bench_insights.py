"""Benchmark the Logs Insights engine on a 1M-record log group, against the tests' stand-in.

Putting a million events through moto takes far too long, so the events go straight into the
stand-in's group cache (the "direct data path"): the group exists in moto with one stream, and the
stand-in serves the generated events for it as long as moto's stream is unchanged. Then the engine
runs as ``lexlens report --engine insights`` does (probe, plan, four query families, finalize),
through boto3 over HTTP. The stand-in evaluates queries in Python in this process, so the seconds
measure lexlens plus a slow single-process Logs Insights; the queries and rows are what a real run
would issue and read.

    .venv/bin/python bench/bench_insights.py [--records 1000000] [--days 7] [--concurrency 10]

Prints a summary and writes ``bench/results/insights.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the tests' moto helpers and stand-in; lexlens itself is installed

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from bench_cloudwatch import start_moto  # noqa: E402
from insights_standin import start_standin  # noqa: E402
from moto_server import FAKE_ENV, make_lex_record  # noqa: E402

from lexlens.analytics.metrics.finalize import finalize  # noqa: E402
from lexlens.analytics.insights.engine import insights_partials  # noqa: E402

HOUR = 3_600_000
WORDS = ["book", "a", "room", "cancel", "my", "order", "pizza", "large", "balance", "transfer", "agent", "help",
         "what", "is", "the", "status", "tomorrow", "please", "no", "yes"]
INTENTS = ["BookRoom", "CancelOrder", "OrderPizza", "CheckBalance", "TransferFunds", "SpeakToAgent", "Greeting"]


def generate(records: int, since: int, until: int, seed: int = 5) -> list[dict]:
    """FilterLogEvents-shaped events: sessions of 1 to 9 turns, 2,000 distinct utterances, 10% missed."""
    rng = random.Random(seed)
    vocabulary = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))) for _ in range(2_000)]
    events, session = [], 0
    while len(events) < records:
        start = rng.randrange(since, until - 10 * 60_000)
        session, locale = session + 1, rng.choice(["en_US", "en_GB", "de_DE"])
        for turn in range(min(rng.randint(1, 9), records - len(events))):
            ms = start + turn * rng.randrange(2_000, 60_000)
            missed = rng.random() < 0.1
            record = make_lex_record(ms, f"session-{session:08d}", f"session-{session:08d}-{turn}",
                                     transcript=rng.choice(vocabulary), intent=rng.choice(INTENTS), missed=missed,
                                     locale=locale)
            events.append({"logStreamName": "s", "timestamp": ms, "ingestionTime": ms + 500,
                           "message": json.dumps(record), "eventId": f"{len(events):020d}"})
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    moto, moto_url = start_moto()
    try:
        standin, server = start_standin(moto_url)
        os.environ.update(FAKE_ENV)
        # the stand-in evaluates a query inside StartQuery, in this process: minutes for a million events
        client = boto3.client("logs", endpoint_url=standin.url, region_name="us-east-1",
                              config=Config(read_timeout=3600, retries={"total_max_attempts": 1}))
        group, until = "/aws/lex/bench-insights", int(time.time() * 1000) // HOUR * HOUR - HOUR
        since = until - args.days * 24 * HOUR
        client.create_log_group(logGroupName=group)
        client.create_log_stream(logGroupName=group, logStreamName="s")
        started = time.perf_counter()
        events = generate(args.records, since, until)
        generated = time.perf_counter() - started
        standin.cache[group] = (standin.group_version(group), events)  # the direct data path
        started, cpu = time.perf_counter(), time.process_time()
        result = insights_partials(client, [group], since, until, {}, args.concurrency)
        metrics = finalize(result.partials, 10, "UTC")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        figures = {"records": args.records, "days": args.days, "concurrency": args.concurrency,
                   "sessions": metrics["sessions"], "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
                   "generate_seconds": round(generated, 1), **result.cost,
                   "rows_per_record": round(result.cost["rows"] / args.records, 4),
                   "stand_in_events_evaluated": standin.counters.events_read,
                   "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"}
        assert metrics["records"] == args.records, metrics["records"]
        server.shutdown()
    finally:
        moto.kill()
    print(json.dumps(figures, indent=2))
    out = ROOT / "bench" / "results" / "insights.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
