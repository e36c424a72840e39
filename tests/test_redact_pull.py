"""``lexlens pull --redact --out``: the events pulled from CloudWatch Logs (moto's server over
HTTP) are written with their PII masked, in the shape every command reads back; the cache keeps
the raw events, as ``--help`` and the README say."""
from __future__ import annotations

import gzip
import json
import time

import pytest

pytest.register_assert_rewrite("moto_server")

from lexlens.analytics.cli import main  # noqa: E402
from lexlens.analytics.ingest.loading import load_logs  # noqa: E402
from moto_server import HOUR_MS, put_events, unique_group  # noqa: E402
from test_redact import RAW, pii_records  # noqa: E402



@pytest.fixture
def pii_group(aws_env, logs_client):
    now = int(time.time() * 1000)
    name = unique_group()
    events = [{"timestamp": now - HOUR_MS + i * 1000, "message": json.dumps(rec)}
              for i, rec in enumerate(pii_records())]
    put_events(logs_client, name, "s", events)
    return name


def test_fetch_redact_masks_the_file_and_keeps_it_readable(pii_group, tmp_path):
    out = tmp_path / "window.jsonl.gz"
    assert main(["pull", "--log-group", pii_group, "--since", "3h", "--cache-dir", str(tmp_path / "cache"),
                 "--out", str(out), "--redact", "--redact-slot", "FullName",
                 "--redact-attribute", "customerId"]) == 0
    written = gzip.decompress(out.read_bytes()).decode("utf-8")
    # event lines keep their messages as JSON strings: look at the decoded records too
    messages = " ".join(json.loads(line)["message"] for line in written.splitlines())
    for raw in RAW.values():
        assert raw not in written and raw not in messages, raw
    data = load_logs([out])
    assert data.report.accepted == len(pii_records()) and data.report.rejected == 0
    cached = b"".join(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
                      for p in (tmp_path / "cache").rglob("*") if p.is_file() and "windows" not in p.parts
                      and p.suffix in (".gz", ".jsonl"))
    assert RAW["email"].encode() in cached  # the documented policy: the cache stays raw


def test_fetch_redact_without_out_is_refused(pii_group, tmp_path, capsys):
    assert main(["pull", "--log-group", pii_group, "--cache-dir", str(tmp_path), "--redact"]) == 2
    assert "--out" in capsys.readouterr().err
