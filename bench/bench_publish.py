"""Benchmark ``lexlens publish`` against moto's CloudWatch (issue 14): the bench traffic (50,000
sessions, about 225,000 records, as ``bench_report.py``) generated to end now, so every period is
within CloudWatch's two weeks; one whole run (PutMetricData calls, data points, seconds), then the
same publish killed with SIGKILL at random moments until a run completes, and what CloudWatch
holds afterwards against the plan.

    .venv/bin/python bench/bench_publish.py [--sessions 50000] [--period 300] [--seed 11]

Prints the figures and writes ``bench/results/publish.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from moto_server import FAKE_ENV, UNSET_ENV, free_port  # noqa: E402

ENDPOINTS = ("AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_STS")
OWN = ("Sessions", "Conversations", "ConversationsFailed", "ConversationsDropped")


def start_moto() -> tuple[subprocess.Popen, str]:
    import urllib.request

    port = free_port()
    process = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).close()
            return process, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not start")


def publish(env, *args, wait=True):
    command = [sys.executable, "-m", "lexlens", "publish", *map(str, args)]
    if wait:
        return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def planned_sums(dry_run_output: str) -> Counter:
    """{(namespace, metric): sum} of the undimensioned data points a dry run lists."""
    sums: Counter = Counter()
    for line in dry_run_output.splitlines():
        parts = line.split("  ")
        if len(parts) == 5 and parts[3] == "-":
            sums[(parts[1], parts[2])] += int(parts[4])
    return sums


def read_sums(env, namespaces, since, until) -> Counter:
    import boto3

    client = boto3.client("cloudwatch", endpoint_url=env[ENDPOINTS[0]], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    sums: Counter = Counter()
    span = int((until - since).total_seconds()) // 60 * 60 + 60
    for namespace in namespaces:
        for metric in OWN:  # published without dimensions only: exact on moto too
            result = client.get_metric_data(MetricDataQueries=[{"Id": "q", "MetricStat": {"Metric": {
                "Namespace": namespace, "MetricName": metric}, "Period": span, "Stat": "Sum"}}],
                StartTime=since, EndTime=until)["MetricDataResults"][0]
            sums[(namespace, metric)] = int(sum(result["Values"]))
    return sums


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--period", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lexlens-bench-publish-"))
    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    logs = work / "bench.jsonl"
    subprocess.run([sys.executable, "-m", "lexlens", "sample", "--sessions", str(args.sessions), "--days", "13",
                    "--seed", str(args.seed), "--end", end.strftime("%Y-%m-%dT%H:%M:%SZ"), str(logs)], check=True, cwd=ROOT)
    records = sum(1 for _ in open(logs, encoding="utf-8"))
    moto, url = start_moto()
    env = {**{k: v for k, v in os.environ.items() if k not in UNSET_ENV}, **FAKE_ENV, **{e: url for e in ENDPOINTS}}
    common = [logs, "--period", args.period, "--until", end.strftime("%Y-%m-%dT%H:%MZ")]
    try:
        dry = publish(env, *common, "--dry-run", "--ledger", work / "dry.jsonl")
        plan = planned_sums(dry.stdout)
        started = time.perf_counter()
        whole = publish(env, *common, "--ledger", work / "whole.jsonl")
        seconds = time.perf_counter() - started
        summary = whole.stdout.splitlines()[0]
        points, calls = (int(x.replace(",", "")) for x in re.findall(r"sent ([\d,]+) data points in ([\d,]+)", summary)[0])
        # the same publish into another namespace, killed at random moments until one run completes
        killed = [*common, "--ledger", work / "killed.jsonl", "--namespace", "Killed/{bot_id}/{locale}"]
        rng, kills, runs = random.Random(args.seed), 0, 0
        while True:
            runs += 1
            process = publish(env, *killed, wait=False)
            try:
                process.wait(timeout=rng.uniform(2.0, seconds * 1.2))
                break
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                kills += 1
        final = publish(env, *killed)
        namespaces = sorted({ns for ns, _ in plan})
        since = end - timedelta(days=14)
        whole_sums = read_sums(env, namespaces, since, end + timedelta(minutes=1))
        killed_sums = read_sums(env, [ns.replace("Lex/Activity/", "Killed/") for ns in namespaces], since,
                                end + timedelta(minutes=1))
        expected = {key: plan[key] for key in whole_sums}
        killed_expected = {(ns.replace("Lex/Activity/", "Killed/"), m): v for (ns, m), v in expected.items()}
        result = {
            "records": records, "period_s": args.period, "data_points": points, "put_metric_data_calls": calls,
            "seconds": round(seconds, 2), "whole_run_equals_plan": dict(whole_sums) == expected,
            "sigkill_runs": runs, "sigkills": kills, "after_kills_equals_plan": dict(killed_sums) == killed_expected,
            "rerun_after_completion": final.stdout.splitlines()[0],
            "checked_metrics": len(expected),
        }
    finally:
        moto.kill()
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / "publish.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
