"""The Live switch in a real headless Chromium: a moto log group receives new events while the
page is open, and the Records tile goes up without a reload, filters kept. Also the monitoring
parts of the Overview (unusual hours) and the test-traffic panel, looked at as an analyst does."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

pytest.register_assert_rewrite("moto_server")

from dashboard_helpers import chromium_available, launch_chromium, serving, wait_drawn, wait_settled  # noqa: E402
from moto_server import make_lex_record, put_events, unique_group  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                                 reason="Debian's chromium is not installed")]
import playwright.sync_api as playwright_api  # noqa: E402

pytest_plugins = ["moto_server"]
MINUTE = 60_000
SHOTS = os.environ.get("LEXLENS_LIVE_SHOTS")  # a folder: keep screenshots to look at


def lex_events(first_ms: int, sessions: range) -> list[dict]:
    return [{"timestamp": first_ms + MINUTE * (2 * n + t),
             "message": json.dumps(make_lex_record(first_ms + MINUTE * (2 * n + t), f"session-{s}", f"req-{s}-{t}"))}
            for n, s in enumerate(sessions) for t in range(2)]


def records_tile(page) -> str:
    tile = page.locator('[data-testid="stMetric"]', has_text="Records").first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def test_live_switch_in_chromium(aws_env, logs_client, tmp_path):
    group = unique_group()
    now = int(time.time() * 1000)
    put_events(logs_client, group, "stream-1", lex_events(now - 2 * 3_600_000, range(5)))
    extra = ["--log-group", group, "--since", "1d", "--cache-dir", str(tmp_path / "cache"),
             "--endpoint-url", aws_env]
    with serving([], extra=extra) as url, playwright_api.sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/?locale=en_US")
        wait_settled(page, 90_000)
        assert records_tile(page) == "10"
        page.get_by_text("Source", exact=True).click()
        wait_settled(page)
        # a click during a rerun (the panel draws its engine choice above) can be lost: click
        # until the switch is on, as a person would
        live = page.get_by_label("Live: refresh the page as new events arrive")
        for _ in range(3):
            if live.is_checked():
                break
            page.get_by_text("Live: refresh the page as new events arrive").click()
            wait_settled(page)
        assert live.is_checked()
        every = page.get_by_label("Refresh every (seconds)")
        every.fill("5")
        every.press("Enter")
        wait_settled(page)
        page.evaluate("window.__notReloaded = true")
        shot(page, "live-on")
        page.get_by_text("Live · newest event").wait_for(timeout=30_000)
        shot(page, "live-before")
        put_events(logs_client, group, "stream-2", lex_events(int(time.time() * 1000) - 6 * MINUTE, range(5, 8)))
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
                   m => m.innerText.includes('Records') && m.innerText.includes('16'))""", timeout=60_000)
        wait_drawn(page)
        shot(page, "live-after")
        assert page.evaluate("window.__notReloaded === true")  # the same page: never reloaded
        assert "locale=en_US" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
