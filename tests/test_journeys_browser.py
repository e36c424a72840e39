"""The analyst's journeys across pages, in a real headless Chromium, clicking as a person does:
from every table that lists sessions to that session's transcript with the sidebar unchanged
and the app settled; searching the explorer then picking; settings kept across pages and
restored from a shared link; Back; dates typed in the sidebar.

One server and one browser for the module. Set LEXLENS_JOURNEY_TIMES=FILE to write the
seconds each drill-down took (click -> transcript drawn and the app idle) as JSON.
"""
from __future__ import annotations

import json
import os
import re
import time
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

import lexlens.sample_logs as sample_logs
from lexlens.analytics.metrics import nlu
from lexlens.analytics.metrics.anomalies import compute_anomalies, sessions_in_hours, unusual_hours, within_window
from lexlens.analytics.metrics.compare import compute_returning_users
from lexlens.analytics.filters import Filters, apply_filters
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.metrics.outcomes import compute_containment, compute_outcomes
from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.metrics.sessions import compute_sessions, top_sessions
from lexlens.analytics.metrics.utterances import message_history
from lexlens.dashboard.pagelist import SESSION_TABLES
from lexlens.dashboard.transcripts import find_sessions
from dashboard_helpers import (chromium_available, launch_chromium, pick_row, serving, table_grid,
                               wait_drawn, wait_settled)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                                 reason="Debian's chromium is not installed")]
import playwright.sync_api as playwright_api  # noqa: E402  (a test dependency: never skipped)

# The sidebar settings of the journeys: every kind of setting, none at its default.
SETTINGS = {"tz": ["Europe/Paris"], "from": ["2026-11-01"], "to": ["2026-11-19"], "locale": ["en_US"],
            "idle": ["600"], "esc_intent": ["SpeakToAgent"]}
SETTLE_S = 10  # a drill-down must be drawn and idle within this (measured: about 1-2 s)
TIMES: dict[str, float] = {}


def sessions_at_default(turns):
    """The sessions table at Lex's default inactivity threshold, as the dashboard starts."""
    return compute_sessions(turns, conversations=compute_conversations(turns, idle_timeout_s=300))


def query(settings: dict) -> str:
    return "&".join(f"{key}={value}" for key, values in settings.items() for value in values)


@pytest.fixture(scope="module")
def demo():
    return load_logs([sample_logs.DEMO_LOG])


@pytest.fixture(scope="module")
def view_data(demo):
    """The demo data under SETTINGS' filters, as the dashboard computes it."""
    since = pd.Timestamp("2026-11-01").tz_localize("Europe/Paris")
    until = pd.Timestamp("2026-11-20").tz_localize("Europe/Paris")
    return apply_filters(demo, Filters(since=since, until=until, locales=("en_US",)))


def expected_sessions(table: str, data, whole=None) -> list[str]:
    """The session of each row of ``table`` under SETTINGS, from the analytics functions
    (``whole``: the data under every setting but the dates, where unusual hours find their baseline)."""
    turns = data.turns
    if table == "top_sessions":
        return top_sessions(sessions_at_default(turns), 50)["session_id"].tolist()
    if table == "missed_history":
        return message_history(turns, missed_only=True, limit=2000)["session_id"].tolist()
    if table == "sessions_found":
        return find_sessions(sessions_at_default(turns), turns, "")["session_id"].tolist()
    if table == "near_misses":
        return nlu.top_near_misses(data)["session_id"].head(2000).tolist()
    if table == "returning_users":
        outcomes = compute_outcomes(data, 600, EscalationRule(intents=("SpeakToAgent",)))
        return compute_returning_users(data, "session_id", 24, outcomes=outcomes)[0]["session_id"].head(2000).tolist()
    if table == "unusual_hour_sessions":
        until = pd.Timestamp("2026-11-20").tz_localize("Europe/Paris")
        judged = within_window(compute_anomalies(whole.turns, "Europe/Paris", until),
                               pd.Timestamp("2026-11-01").tz_localize("Europe/Paris"), until)
        most_unusual = unusual_hours(judged)["bin_start"].head(1)  # the hour the page lists first
        return sessions_in_hours(turns, most_unusual, "Europe/Paris")["session_id"].tolist()
    raise AssertionError(f"no expectation for the session table {table!r}: add one")


@pytest.fixture(scope="module")
def browser():
    with serving([sample_logs.DEMO_LOG]) as url, playwright_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield url, chromium
        chromium.close()
    if os.environ.get("LEXLENS_JOURNEY_TIMES"):
        with open(os.environ["LEXLENS_JOURNEY_TIMES"], "w", encoding="utf-8") as handle:
            json.dump(TIMES, handle, indent=1)


@pytest.fixture
def page(browser):
    url, chromium = browser
    context = chromium.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    tab = context.new_page()
    tab.base = url
    yield tab
    context.close()


def open_page(page, slug: str, settings: dict | None = None) -> None:
    page.goto(f"{page.base}/{slug}" + (f"?{query(settings)}" if settings else ""))
    wait_drawn(page)


def url_settings(page) -> dict:
    return {key: values for key, values in parse_qs(urlsplit(page.url).query).items() if key in SETTINGS}


def sidebar_value(page, label: str) -> str:
    """What a sidebar text or number box shows."""
    return page.locator(f'[data-testid="stSidebar"] input[aria-label="{label}"]').input_value()


def assert_sidebar_unchanged(page) -> None:
    assert url_settings(page) == SETTINGS
    assert sidebar_value(page, "From") == "2026-11-01" and sidebar_value(page, "To") == "2026-11-19"
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar_value(page, "Time zone") == "Europe/Paris"
    assert sidebar_value(page, "Inactivity threshold (seconds)") == "600"
    assert "en_US" in sidebar.locator('[data-testid="stMultiSelect"]:has-text("Locale")').inner_text()
    assert "SpeakToAgent" in sidebar.locator('[data-testid="stMultiSelect"]:has-text("Escalation intents")') \
        .inner_text(timeout=1000) or "SpeakToAgent" in sidebar.locator(
            '[data-testid="stMultiSelect"]:has-text("Escalation intents")').text_content()


def drill_down(page, table: str, row: int) -> float:
    """Pick ``row`` of ``table``; seconds until the transcript is drawn and the app idle."""
    grid = table_grid(page, table)
    grid.wait_for()
    started = time.monotonic()
    pick_row(page, grid, row)
    page.get_by_text("Transcript", exact=True).wait_for(timeout=SETTLE_S * 1000)
    page.locator('[data-testid="stChatMessage"]').first.wait_for(timeout=SETTLE_S * 1000)
    wait_drawn(page)
    drawn = time.monotonic() - started
    wait_settled(page)  # stays idle: no rerun loop
    assert page.locator('[data-testid="stException"]').count() == 0
    return drawn


def shown_session(page) -> str:
    text = page.locator('[data-testid="stText"]').filter(has_text=re.compile("^Session ")).first.inner_text()
    return text.removeprefix("Session ").strip()


def test_every_session_table_is_walked():
    assert set(SESSION_TABLES) == {"top_sessions", "missed_history", "sessions_found", "near_misses",
                                   "returning_users", "unusual_hour_sessions"}


@pytest.mark.parametrize("table", sorted(SESSION_TABLES))
def test_picking_a_row_opens_its_transcript_with_the_settings_kept(page, view_data, demo, table):
    open_page(page, SESSION_TABLES[table], SETTINGS)
    expected = expected_sessions(table, view_data, apply_filters(demo, Filters(locales=("en_US",))))
    assert len(expected) > 1, "the settings must leave rows in the table"
    seconds = drill_down(page, table, 1)
    TIMES[table] = round(seconds, 2)
    assert seconds < SETTLE_S
    assert urlsplit(page.url).path.endswith("/explorer")
    assert shown_session(page) == expected[1]
    assert parse_qs(urlsplit(page.url).query)["session"] == [expected[1]]
    assert_sidebar_unchanged(page)


def test_back_returns_to_the_page_of_the_table(page):
    """Back from a transcript: the table's page with its settings and no ``session=`` (it
    kept the opened session before); Forward: the same transcript; Back again: clean."""
    open_page(page, "missed", SETTINGS)
    drill_down(page, "missed_history", 0)
    opened = shown_session(page)
    for step in range(2):
        page.go_back()
        page.get_by_role("heading", name="Missed utterances", exact=True).wait_for()
        wait_settled(page)
        assert urlsplit(page.url).path.endswith("/missed")
        assert url_settings(page) == SETTINGS
        assert "session" not in parse_qs(urlsplit(page.url).query)
        if step == 0:
            page.go_forward()
            page.get_by_role("heading", name="Session explorer", exact=True).wait_for()
            wait_settled(page)
            assert shown_session(page) == opened
            assert parse_qs(urlsplit(page.url).query)["session"] == [opened]


def test_an_unusual_hour_picked_then_a_session_then_back_keeps_the_hour(page, view_data, demo):
    """Overview: pick the third most unusual hour, open one of its sessions, come Back: the
    picker still shows that hour and the table lists its sessions, not the default hour's."""
    until = pd.Timestamp("2026-11-20").tz_localize("Europe/Paris")
    judged = within_window(compute_anomalies(apply_filters(demo, Filters(locales=("en_US",))).turns,
                                             "Europe/Paris", until),
                           pd.Timestamp("2026-11-01").tz_localize("Europe/Paris"), until)
    hours = unusual_hours(judged)["bin_start"].drop_duplicates()
    label = hours.iloc[2].strftime("%Y-%m-%d %a %H:00")
    expected = sessions_in_hours(view_data.turns, hours.iloc[[2]], "Europe/Paris")["session_id"].tolist()
    open_page(page, "", SETTINGS)
    picker = page.get_by_role("combobox", name="Sessions active in")
    picker.click()
    picker.fill(label)  # as a person types into the box: the list opens, narrowed to that hour
    page.locator('[role="option"]').filter(has_text=label).first.click()
    page.get_by_text(f"Sessions with a turn in {label}").wait_for()
    wait_settled(page)
    drill_down(page, "unusual_hour_sessions", 0)
    assert shown_session(page) == expected[0]
    page.go_back()
    page.get_by_role("heading", name="Overview", exact=True).wait_for()
    wait_settled(page)
    assert page.get_by_role("combobox", name="Sessions active in").input_value() == label
    rows = "row" if len(expected) == 1 else "rows"
    assert page.get_by_text(f"Sessions with a turn in {label} · {len(expected):,} {rows}").count() == 1
    assert url_settings(page) == SETTINGS


def test_explorer_search_then_pick(page, view_data):
    open_page(page, "explorer", SETTINGS)
    box = page.get_by_placeholder("e.g. a session id, or 'refund'")
    box.fill("balance")
    box.press("Enter")
    page.get_by_text("matching the search").wait_for()
    wait_drawn(page)
    sessions = sessions_at_default(view_data.turns)
    expected = find_sessions(sessions, view_data.turns, "balance")["session_id"].tolist()
    seconds = drill_down(page, "sessions_found", 3)
    TIMES["sessions_found after a search"] = round(seconds, 2)
    assert shown_session(page) == expected[3]
    assert box.input_value() == "balance"  # the search is kept
    assert page.get_by_text("matching the search").count() == 1
    assert_sidebar_unchanged(page)


def containment_tile(page) -> str:
    return page.locator('[data-testid="stMetric"]:has-text("Containment rate") [data-testid="stMetricValue"]') \
        .inner_text()


def go_to(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    wait_settled(page)


def test_escalation_set_on_one_page_holds_on_every_page_and_in_a_shared_link(page, browser, demo):
    open_page(page, "outcomes")
    assert containment_tile(page) == "—"
    page.locator('[data-testid="stSidebar"]').get_by_text("Outcome settings").click()
    wait_settled(page)
    picker = page.locator('[data-testid="stMultiSelect"]:has-text("Escalation intents") input')
    for attempt in range(3):  # a pick during a rerun can be lost: pick again, as a person would
        picker.click()
        page.keyboard.type("SpeakTo")
        page.get_by_role("option", name="SpeakToAgent").click()
        page.keyboard.press("Escape")
        try:
            page.wait_for_function("() => location.search.includes('esc_intent=SpeakToAgent')",
                                   timeout=10_000 if attempt < 2 else 30_000)
            break
        except playwright_api.TimeoutError:
            if attempt == 2:
                raise
    wait_settled(page)
    rate = compute_containment(compute_outcomes(demo, 300, EscalationRule(intents=("SpeakToAgent",))))
    assert containment_tile(page) == f"{rate['containment_rate']:.1%}"
    shared = page.url
    go_to(page, "Comparisons")
    assert page.get_by_text("Containment needs an escalation marker").count() == 0
    go_to(page, "Outcomes & funnels")
    assert containment_tile(page) == f"{rate['containment_rate']:.1%}"
    other = browser[1].new_context(viewport={"width": 1400, "height": 1600}).new_page()
    other.goto(shared)
    wait_drawn(other)
    assert containment_tile(other) == f"{rate['containment_rate']:.1%}"
    other.context.close()


def records_tile(page) -> int:
    text = page.locator('[data-testid="stMetric"]:has-text("Records") [data-testid="stMetricValue"]').inner_text()
    return int(text.replace(",", ""))


@pytest.mark.parametrize("key", ["Enter", "Tab"])
def test_typed_dates_apply_on_enter_and_tab(page, demo, key):
    open_page(page, "")
    box = page.locator('[data-testid="stSidebar"] input[aria-label="From"]')
    box.fill("2026-11-10")
    box.press(key)
    page.wait_for_function("() => location.search.includes('from=2026-11-10')")
    wait_settled(page)
    since = pd.Timestamp("2026-11-10", tz="UTC")
    assert records_tile(page) == len(apply_filters(demo, Filters(since=since)).turns)


@pytest.mark.parametrize("link", ["from=0001-01-01&to=9999-12-31", "dates=0001-01-01&dates=9999-12-31",
                                  "from=someday&to=2026-11-31"])
def test_absurd_dates_in_a_link_are_clamped_and_said(page, demo, link):
    page.goto(f"{page.base}/?{link}")
    wait_settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').filter(has_text=re.compile("outside the data|not a date")).count()
    assert records_tile(page) == len(demo.turns)


def test_an_open_sidebar_section_stays_open_when_test_traffic_is_left_out(page):
    """Open Outcome settings, then leave an alias out under Test traffic: the note that appears
    above Outcome settings must not close it (the browser redrew a section that moved, closed)."""
    open_page(page, "outcomes")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Outcome settings").click()
    threshold = sidebar.locator('input[aria-label="Inactivity threshold (seconds)"]')
    threshold.wait_for()
    sidebar.get_by_text("Test traffic: leave out").click()
    picker = page.locator('[data-testid="stMultiSelect"]:has-text("Aliases (name or id)") input')
    picker.click()
    page.keyboard.type("TestBotAlias")
    page.get_by_role("option", name="TestBotAlias").first.click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('xalias=')", timeout=30_000)
    wait_settled(page)
    assert sidebar.get_by_text("Test traffic left out").count() == 1
    assert threshold.is_visible(), "Outcome settings closed when the note appeared above it"
