"""Sign-in (issue 11) in a real headless Chromium against a real OpenID Connect provider on
loopback (oidc-provider-mock): an anonymous visitor sees the sign-in button and nothing else;
signing in lands on the Overview; a user not allowed is refused; sign-out works; the writer
panel needs --allow-writes and a user listed with --writer.

Streamlit's sign-in: https://docs.streamlit.io/develop/concepts/connections/authentication
"""
from __future__ import annotations

import os
import secrets
import time
from urllib.parse import quote

import pytest

import lexlens.sample_logs as sample_logs
from dashboard_helpers import chromium_available, free_port, launch_chromium, serving, wait_drawn

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                                 reason="Debian's chromium is not installed")]
import httpx  # noqa: E402
import oidc_provider_mock  # noqa: E402
import playwright.sync_api as playwright_api  # noqa: E402

USERS = {"alice@team.example": True, "wanda@team.example": True, "mallory@elsewhere.example": True,
         "eve@team.example": False}  # e-mail -> email_verified
DATA_TEXT = "lines read"  # the sidebar's load report: data a visitor must not see signed out


@pytest.fixture(scope="module")
def provider():
    """A real OIDC provider on a free loopback port, with the users' claims registered."""
    with oidc_provider_mock.run_server_in_thread() as server:
        url = f"http://localhost:{server.server_port}"
        for email, verified in USERS.items():
            response = httpx.put(f"{url}/users/{quote(email)}",
                                 json={"email": email, "email_verified": verified, "name": email.split("@")[0]})
            assert response.status_code == 204
        yield url


def write_auth_file(folder, provider: str, port: int):
    path = folder / "auth.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "lexlens-test"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dashboard(provider, tmp_path_factory):
    port = free_port()
    auth = write_auth_file(tmp_path_factory.mktemp("auth"), provider, port)
    extra = ["--auth", str(auth), "--allow-user", "@team.example", "--allow-user", "alice@team.example",
             "--allow-writes", "--writer", "wanda@team.example"]
    with serving([sample_logs.DEMO_LOG], port=port, extra=extra) as url:
        yield url


@pytest.fixture
def page(dashboard):
    """A fresh browser (no cookies) per test."""
    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
        yield page
        browser.close()


def sign_in(page, url: str, email: str) -> float:
    """Click "Sign in", authorize as ``email`` at the provider, wait for the app; seconds taken."""
    started = time.monotonic()
    page.goto(url)
    wait_drawn(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(url + "/**", timeout=30_000)
    wait_drawn(page)
    return time.monotonic() - started


def sign_out(page, url: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    end_session = page.get_by_role("button", name="End session")  # the provider asks to confirm
    end_session.or_(page.get_by_role("button", name="Sign in")).first.wait_for(timeout=30_000)
    if end_session.count():
        end_session.click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    wait_drawn(page)


def body(page) -> str:
    return page.locator("body").inner_text()


@pytest.mark.parametrize("path", ["", "/missed", "/explorer?src=/etc/os-release"])
def test_anonymous_visitor_sees_the_sign_in_button_and_nothing_else(page, dashboard, path):
    page.goto(dashboard + path)
    wait_drawn(page)
    assert page.get_by_role("button", name="Sign in").is_visible()
    text = body(page)
    assert DATA_TEXT not in text and "Overview" not in text and "records" not in text
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    assert page.locator('[data-testid="stMetric"], [data-testid="stDataFrame"]').count() == 0


def test_sign_in_lands_on_the_overview_and_sign_out_works(page, dashboard):
    seconds = sign_in(page, dashboard, "alice@team.example")
    print(f"sign-in end to end: {seconds:.2f} s")
    assert page.locator("h1", has_text="Overview").first.is_visible()
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Signed in as alice@team.example" in sidebar and DATA_TEXT in sidebar
    page.goto(dashboard + "/missed")
    wait_drawn(page)
    assert "Missed utterances" in body(page)
    assert "Add missed utterances to a bot" not in body(page)  # alice is no writer
    sign_out(page, dashboard)
    assert DATA_TEXT not in body(page)
    page.goto(dashboard)
    wait_drawn(page)
    assert page.get_by_role("button", name="Sign in").is_visible()


@pytest.mark.parametrize("email", ["mallory@elsewhere.example", "eve@team.example"])
def test_a_user_not_allowed_is_refused(page, dashboard, email):
    """Not listed, or listed by domain but with an address the provider has not verified."""
    sign_in(page, dashboard, email)
    text = body(page)
    assert "not shared with you" in text
    assert DATA_TEXT not in text and page.locator('[data-testid="stSidebar"]').count() == 0
    sign_out(page, dashboard)


def test_the_writer_panel_needs_a_listed_writer(page, dashboard):
    sign_in(page, dashboard, "wanda@team.example")
    page.goto(dashboard + "/missed")
    wait_drawn(page)
    assert "Add missed utterances to a bot" in body(page)
