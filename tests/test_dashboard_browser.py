"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright):
every page draws without a Streamlit exception, its plotly charts render, hostile
utterances never run, and a CSV download holds exactly the rows shown.

Screenshots go to a temporary folder; set LEXLENS_SCREENSHOTS=1 to refresh the ones in
dashboard/screenshots/ that the README shows.
"""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest

import lexlens.sample_logs as sample_logs
from lexlens.analytics.metrics.intents import top_intents
from lexlens.analytics.ingest.loading import load_logs
from lexlens.dashboard.pagelist import PAGES
from dashboard_helpers import HOSTILE_TEXTS, chromium_available, launch_chromium, serving, wait_drawn, \
    write_hostile_chart_log, write_hostile_log

# Outside CI a machine without Chromium skips these; in CI (.ci/run installs it) they must run.
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                                 reason="Debian's chromium is not installed")]
import playwright.sync_api as playwright_api  # noqa: E402  (a test dependency: never skipped)

SCREENSHOTS = Path(__file__).resolve().parent.parent / "dashboard" / "screenshots"
MIN_CHARTS = {"overview": 3, "conversations": 3, "intents": 3, "missed": 3, "slots": 2, "explorer": 0,
              "outcomes": 1, "nlu": 1, "generative": 2, "clusters": 1, "comparisons": 0}


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    return [sample_logs.DEMO_LOG, write_hostile_log(folder / "hostile.jsonl", copies=20),
            write_hostile_chart_log(folder / "hostile-charts.jsonl")]


@pytest.fixture(scope="module")
def browser_page(sources):
    with serving(sources) as url, playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        yield url, page
        browser.close()


@pytest.fixture(scope="module")
def shot_dir(tmp_path_factory):
    if os.environ.get("LEXLENS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


# The explorer opens a session with a missed and a low-confidence turn, its details shown,
# so its screenshot shows a conversation.
SHOWN = {"explorer": "explorer?session=7b614635-ece8-4ea4-96e5-66adc88e7d69"}


def open_page(page, url: str, slug: str) -> None:
    page.goto(f"{url}/{SHOWN.get(slug, slug)}" if slug != PAGES[0][3] else url)
    wait_drawn(page, charts=MIN_CHARTS[slug])
    if slug == "explorer":
        page.get_by_text("Show intent, state and slots of each turn").click()
        page.get_by_text("intent ", exact=False).first.wait_for()
        wait_drawn(page)


def search_first_table(page, text: str, charts: int) -> None:
    """Type ``text`` in the first table's search box and wait until the rerun has applied it:
    the table's caption reads "N of M rows" only once the filtered rows are shown (waiting for
    a drawn page alone can still see the page from before the rerun)."""
    page.get_by_placeholder("type to filter rows").first.fill(text)
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"[\d,]+ of [\d,]+ rows")).first.wait_for(timeout=60_000)
    wait_drawn(page, charts=charts)


def test_every_page_has_a_browser_check():
    assert {slug for *_, slug in PAGES} == set(MIN_CHARTS)


@pytest.mark.parametrize("slug", [slug for *_, slug in PAGES])
def test_page_draws_in_chromium(browser_page, shot_dir, slug):
    url, page = browser_page
    open_page(page, url, slug)
    assert page.locator('[data-testid="stException"]').count() == 0
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() >= MIN_CHARTS[slug]
    for index in range(charts.count()):
        assert charts.nth(index).locator(".js-plotly-plot svg.main-svg").count() >= 1
    assert page.dialogs == []  # the hostile utterances never ran
    assert page.locator("img[src='x']").count() == 0
    assert_charts_inert(page)
    page.screenshot(path=str(shot_dir / f"{slug}.png"))


def assert_charts_inert(page) -> None:
    """No chart holds a link or an outsized label made from log text, and no right-to-left
    override reaches the page as a character (it would reorder the labels around it)."""
    assert page.locator('[data-testid="stPlotlyChart"] .main-svg a').count() == 0
    sizes = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stPlotlyChart"] .main-svg text, [data-testid="stPlotlyChart"] .main-svg tspan')]
        .map(node => parseFloat(getComputedStyle(node).fontSize))""")
    assert max(sizes, default=0) <= 24, max(sizes)
    assert "\u202e" not in page.evaluate("() => document.body.innerText")


def test_hostile_names_reach_the_charts_as_text(browser_page):
    """The hostile intent names are drawn, literally, where the issue found them live."""
    url, page = browser_page
    open_page(page, url, "nlu")
    switches = page.locator('[data-testid="stPlotlyChart"]').last
    text = " ".join(switches.locator(".main-svg").first.locator("text").all_text_contents())
    assert '<a href="https://evil.example/">' in text and "font-size:80px" in text
    assert "\\u202e" in text  # the override shown as an escape, not applied
    assert_charts_inert(page)


def test_streamlit_table_toolbar_has_no_raw_download(browser_page):
    """Each table's only export is lexlens's formula-safe CSV button: Streamlit's toolbar
    "Download as CSV" (which exports =HYPERLINK(...) raw) is switched off by lexlens serve."""
    url, page = browser_page
    open_page(page, url, "missed")
    grids = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    assert grids.count() >= 2
    for index in range(grids.count()):
        grids.nth(index).hover()
        toolbar = grids.nth(index).locator('[data-testid="stElementToolbar"]')
        toolbar.wait_for(state="attached")
        assert toolbar.locator('button[aria-label="Download as CSV"]').count() == 0
        assert toolbar.locator("button").count() >= 1  # the toolbar is there, without the download


def test_hostile_utterances_are_text_and_csv_is_formula_safe(browser_page):
    url, page = browser_page
    open_page(page, url, "missed")
    search_first_table(page, "alert", MIN_CHARTS["missed"])
    with page.expect_download() as download_info:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text("utf-8"))))
    assert {row["utterance"] for row in rows} == {t for t in HOSTILE_TEXTS if "alert" in t}
    assert page.dialogs == []


def test_csv_download_holds_the_rows_shown(browser_page, sources):
    url, page = browser_page
    open_page(page, url, "intents")
    search_first_table(page, "balance", MIN_CHARTS["intents"])
    with page.expect_download() as download_info:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    download = download_info.value
    assert download.suggested_filename == "intents.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8"))))
    expected = top_intents(load_logs(sources).turns)
    expected = expected[expected["intent"].str.contains("balance", case=False)]
    assert [row["intent"] for row in rows] == expected["intent"].tolist()
    assert [int(row["turns"]) for row in rows] == expected["turns"].tolist()
