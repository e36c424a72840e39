"""Opt-in: both engines on a real AWS account give the same values (README, *Engines*).

Runs only when LEXLENS_LIVE_LOG_GROUP names a Lex V2 conversation-log group; uses the standard AWS
configuration of the environment (AWS_PROFILE, AWS_DEFAULT_REGION, ...), LEXLENS_LIVE_SINCE and
LEXLENS_LIVE_UNTIL for the window (default: the 24 hours that ended an hour ago, older than the
ingestion lag so both engines see the same events). It runs Logs Insights queries, which AWS
charges per GB scanned, and pulls the window once.

    LEXLENS_LIVE_LOG_GROUP=/aws/lex/my-bot AWS_PROFILE=me .venv/bin/python -m pytest -m live tests/test_insights_live.py
"""
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

GROUP = os.environ.get("LEXLENS_LIVE_LOG_GROUP")
pytestmark = [pytest.mark.live,
              pytest.mark.skipif(not GROUP, reason="opt-in: set LEXLENS_LIVE_LOG_GROUP to a real Lex log group")]


def window() -> list[str]:
    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    since = os.environ.get("LEXLENS_LIVE_SINCE") or (end - timedelta(days=1)).strftime("%Y-%m-%dT%H:%MZ")
    until = os.environ.get("LEXLENS_LIVE_UNTIL") or end.strftime("%Y-%m-%dT%H:%MZ")
    return ["--since", since, "--until", until]


def report(engine: str, tmp_path) -> dict:
    done = subprocess.run([sys.executable, "-m", "lexlens", "report", "--log-group", GROUP, "--engine", engine,
                           "--json", "--cache-dir", str(tmp_path), *window()], capture_output=True, text=True,
                          timeout=3600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_both_engines_agree_on_a_real_log_group(tmp_path):
    pushed, local = report("insights", tmp_path), report("local", tmp_path)
    shared = [key for key in pushed if key in local]
    assert len(shared) == 13
    assert {key: pushed[key] for key in shared} == {key: local[key] for key in shared}
    print(f"records {pushed['records']:,}; Logs Insights: {pushed['insights']}")
