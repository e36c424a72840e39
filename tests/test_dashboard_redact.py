"""``lexlens serve --redact`` (issue 11): on every dashboard page, no raw e-mail address, phone
number, card number, long digit run or named slot/attribute value survives (tables, charts,
captions, widget options, the rejected lines), and the sidebar says masking is on."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lexlens.dashboard.access import REDACT_VAR, redaction_environment
from lexlens.dashboard.pagelist import PAGES
from lexlens.dashboard.settings import ALLOW_WRITES_VAR, SOURCES_VAR
from dashboard_helpers import streamlit_run_on_loopback
from lexlens.analytics.privacy.redact import RedactionRules
from test_redact import RAW, pii_records

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def walk(node):
    """Every element of an AppTest tree."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def everything_shown(at: AppTest) -> str:
    """The protos of every element (text, table bytes, chart specs, options) and every table."""
    parts = [str(getattr(element, "proto", "")) for element in walk(at._tree)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


@pytest.fixture
def pii_log(tmp_path, monkeypatch):
    path = tmp_path / "pii.jsonl"
    lines = [json.dumps(r) for r in pii_records()] + [f"{{broken {RAW['email']} {RAW['card']}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv(SOURCES_VAR, str(path))
    monkeypatch.delenv(ALLOW_WRITES_VAR, raising=False)
    return path


def run_page(page: str | None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update(query or {})
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", [path for path, *_ in PAGES])
def test_no_raw_value_on_any_page(pii_log, monkeypatch, page):
    rules = RedactionRules(slots=("FullName",), attributes=("customerId",))
    monkeypatch.setenv(*next(iter(redaction_environment(rules).items())))
    with streamlit_run_on_loopback():
        at = run_page(page)
        shown = everything_shown(at)
        for raw in RAW.values():
            assert raw not in shown, (page, raw)
        assert any("PII masked" in caption.value for caption in at.sidebar.caption)
        monkeypatch.setenv(REDACT_VAR, "")  # the same page without --redact shows them
        assert RAW["email"] in everything_shown(run_page(page, {"tz": "UTC"}))
