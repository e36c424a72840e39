"""The generative-era sample in a real headless Chromium: a session's transcript with server
responses drawn as the bot speaking, then the Generative answers page from the navigation."""
from __future__ import annotations

import os

import pytest

from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.metrics import generative
from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.sample_logs import GENERATIVE_LOG
from dashboard_helpers import chromium_available, launch_chromium, serving, wait_drawn

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                                 reason="Debian's chromium is not installed")]
import playwright.sync_api as playwright_api  # noqa: E402  (a test dependency: never skipped)


def test_transcript_with_server_responses_then_the_generative_page():
    data = load_logs([GENERATIVE_LOG])
    responses = data.server_responses
    session_key = responses["session_key"].value_counts().index[0]
    session_id = data.turns.loc[data.turns["session_key"] == session_key, "session_id"].iloc[0]
    reasons = responses.loc[responses["session_key"] == session_key, "response_reason"].astype(str).tolist()
    user_turns = int((data.turns["session_key"] == session_key).sum())
    marked = generative.mark_generative_turns(data, compute_conversations(data.turns, idle_timeout_s=300).keys)
    expected = generative.compute_generative_summary(marked, data)
    with serving([GENERATIVE_LOG]) as url, playwright_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{url}/explorer?session={session_id}")
        wait_drawn(page)
        badges = page.get_by_text("Server response: ", exact=False)
        assert badges.count() == len(reasons)
        assert [badges.nth(i).inner_text().split(": ", 1)[1].strip() for i in range(len(reasons))] == reasons
        bubbles = page.locator('[data-testid="stChatMessage"]')
        assert bubbles.count() == 2 * user_turns + len(reasons)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Generative answers").click()
        page.wait_for_url(f"{url}/generative*")
        wait_drawn(page, charts=4)
        tiles = page.locator('[data-testid="stMetric"]')
        shown = {tiles.nth(i).locator('[data-testid="stMetricLabel"]').inner_text().strip():
                 int(tiles.nth(i).locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))
                 for i in range(5)}
        assert shown == {"QnA questions": expected["qna_turns"], "Answered": expected["qna_answered"],
                         "Unanswered": expected["qna_unanswered"],
                         "Bedrock agent turns": expected["bedrock_agent_turns"],
                         "Bedrock interpretations": expected["bedrock_interpretations"]}
        chromium.close()
