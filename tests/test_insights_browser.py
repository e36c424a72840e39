"""The Logs Insights engine in the dashboard (issue 17), in a real headless Chromium against the
Logs Insights stand-in in front of moto's server: an analyst opens the CloudWatch panel, chooses
Logs Insights, reads the overview and its engine label, opens a top missed utterance's session
(a drill-down pull) and goes back."""
from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.register_assert_rewrite("moto_server", "insights_standin")

from dashboard_helpers import (chromium_available, launch_chromium, pick_row, serving,  # noqa: E402
                               wait_drawn, wait_settled)
from moto_server import make_lex_record, put_events, unique_group  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                                 reason="Debian's chromium is not installed")]

import playwright.sync_api as playwright_api  # noqa: E402  (a test dependency: never skipped)

MISSED = '<img src=x onerror="alert(1)"> where is my **parcel**'  # markup that must stay text
SHOTS = os.environ.get("LEXLENS_SCREENSHOTS")  # a folder: screenshots of each step, to look at


@pytest.fixture
def lex_group(insights, insights_client):
    """4 sessions of 3 turns in the last hours; session-2 and session-3 end with MISSED."""
    group = unique_group("/aws/lex/journey")
    now = int(time.time() * 1000)
    events = []
    for s in range(4):
        for t in range(3):
            ms = now - 4 * 3_600_000 + 3_600_000 * s // 2 + 60_000 * t
            missed = t == 2 and s >= 2
            record = make_lex_record(ms, f"session-{s}", f"req-{s}-{t}", missed=missed,
                                     transcript=MISSED if missed else f"book a table {t}")
            events.append({"timestamp": ms, "message": json.dumps(record)})
    put_events(insights_client, group, "stream-1", events)
    return group


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def engine_labels(page) -> list[str]:
    return [text for text in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
            if text.startswith("Computed by:")]


def downloaded_rows(page, table: str) -> list[dict]:
    """The rows of table ``table``'s CSV, downloaded with its button."""
    with page.expect_download() as download:
        page.locator(f".st-key-download_{table} button").click()
    assert download.value.suggested_filename == f"{table}.csv"
    return list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))


def test_choose_insights_read_the_overview_open_a_missed_utterances_session_and_go_back(lex_group, tmp_path,
                                                                                        insights):
    extra = ["--log-group", lex_group, "--since", "1d", "--cache-dir", str(tmp_path / "cache")]
    with serving([], extra=extra) as url, playwright_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_context(viewport={"width": 1400, "height": 1600}).new_page()
        page.goto(url)
        wait_drawn(page, charts=1)
        assert set(engine_labels(page)) == {"Computed by: local engine on 12 records pulled from CloudWatch Logs"}
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Source", exact=True).click()
        wait_settled(page)
        # a click during a rerun can be lost: choose until the engine is chosen, as a person would
        engine = sidebar.get_by_label("Logs Insights (server-side)")
        for _ in range(3):
            if engine.is_checked():
                break
            sidebar.get_by_text("Logs Insights (server-side)").click()
            wait_settled(page)
        assert engine.is_checked()
        wait_drawn(page)
        started = len(insights.queries)
        sidebar.get_by_role("button", name="Compute / refresh").click()
        page.get_by_text("Computed by: CloudWatch Logs Insights").first.wait_for(timeout=60_000)
        wait_settled(page)
        wait_drawn(page, charts=3)
        assert len(insights.queries) > started
        labels = engine_labels(page)
        assert len(labels) >= 4 and all(label.startswith("Computed by: CloudWatch Logs Insights (server-side)")
                                        and "over 12 records" in label for label in labels), labels
        tiles = page.locator('[data-testid="stMetric"]').all_inner_texts()
        assert any(t.startswith("Records") and t.endswith("12") for t in tiles), tiles
        shot(page, "1-overview-insights")

        page.get_by_role("link", name="Missed utterances").click()
        page.get_by_role("heading", name="Top missed utterances").wait_for()
        wait_settled(page)
        grids = page.locator('[data-testid="stDataFrame"]')
        assert page.locator("img[src=x]").count() == 0  # the utterance is a cell's text, never HTML
        pick_row(page, grids.first, 0)
        page.get_by_text("Sessions in which users said:").wait_for(timeout=60_000)
        wait_settled(page)
        shot(page, "2-missed-sessions")
        # both tables' CSVs, written when their buttons are pressed (Streamlit's deferred download)
        said = downloaded_rows(page, "insights_top_missed_sessions")
        assert sorted(row["session_id"] for row in said) == ["session-2", "session-3"]
        top = downloaded_rows(page, "insights_top_missed")
        assert [(row["utterance"], row["count"]) for row in top] == [(MISSED, "2")]
        pick_row(page, grids.nth(1), 0)
        page.get_by_text("Transcript", exact=True).wait_for(timeout=60_000)
        page.locator('[data-testid="stChatMessage"]').first.wait_for()
        wait_settled(page)
        shot(page, "3-transcript")
        assert urlsplit(page.url).path.endswith("/explorer")
        session = parse_qs(urlsplit(page.url).query)["session"][0]
        assert session in ("session-2", "session-3")
        bubbles = page.locator('[data-testid="stChatMessage"]').all_inner_texts()
        assert any(MISSED in bubble for bubble in bubbles) and any("book a table 0" in b for b in bubbles)
        assert "Computed by: local engine on 3 records of one session, pulled by a Logs Insights drill-down" \
            in engine_labels(page)
        assert page.locator('[data-testid="stException"]').count() == 0

        page.go_back()  # the browser's own Back: the Logs Insights results again
        page.get_by_role("heading", name="Top missed utterances").wait_for()
        wait_settled(page)
        assert urlsplit(page.url).path.endswith("/missed")
        assert all(label.startswith("Computed by: CloudWatch Logs Insights") for label in engine_labels(page))
        assert page.locator('[data-testid="stRadio"]').get_by_label("Logs Insights (server-side)").is_checked()
        page.go_forward()  # and Forward: the drilled transcript, not pulled again
        page.get_by_text("Transcript", exact=True).wait_for()
        wait_settled(page)
        page.get_by_role("button", name="Back to the Logs Insights results").click()
        page.get_by_role("heading", name="Missed utterances", exact=True).wait_for()
        wait_settled(page)
        shot(page, "4-back")
        assert urlsplit(page.url).path.endswith("/missed")
        assert engine_labels(page) and all(label.startswith("Computed by: CloudWatch Logs Insights")
                                           for label in engine_labels(page))
        assert page.get_by_role("button", name="Compute / refresh").count() == 1  # still the Insights engine
        assert page.locator('[data-testid="stException"]').count() == 0
        chromium.close()
