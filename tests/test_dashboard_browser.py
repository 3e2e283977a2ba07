"""End to end: `callqa dashboard` served for real and driven in headless Chromium (playwright).

Screenshots of every page visited go to artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import time
import urllib.parse
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpers.browser import served
from helpers.dashboard import PROFANITY_CALL, copy_database, profanity_flag
from helpers.paths import REPO
from qa.store import Store

pytestmark = pytest.mark.integration

SHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(batch, tmp_path):
    """The real app on a database copy: (base url, Store of the copy)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install 'callqa[dev]')")
    pytest.importorskip("streamlit", reason="streamlit is not installed (pip install 'callqa[dashboard]')")
    db, config = copy_database(batch[0], tmp_path)
    with served(db, config, tmp_path / "dashboard.log") as url:
        yield url, Store(db)


def shot(page, name: str) -> None:
    """A screenshot of the whole page (Streamlit scrolls inside its main block, so grow the viewport)."""
    page.wait_for_timeout(1200)  # charts and tables finish drawing
    height = page.evaluate("Math.max(...[...document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stMainBlockContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1500, "height": max(900, height + 80)})
    page.wait_for_timeout(500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1500, "height": 900})


def sign_in(page, url: str, login: str, password: str, landing: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="User name").fill(login)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name=landing).wait_for()


def open_page(page, title: str, heading: str | None = None) -> None:
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=heading or title).wait_for()


AUDIO = "document.querySelector('[data-testid=stAudio]')"


def _status(url: str) -> int:
    """The HTTP status of a GET from a client with no cookies (not the browser)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_streamlit_endpoints_the_app_does_not_use_answer_404(server):
    url, _ = server
    assert _status(f"{url}/_stcore/health") == 200
    for path in ("/_stcore/metrics", "/_stcore/agent/openapi.json", "/_stcore/upload_file/x/y", "/component/x"):
        assert _status(f"{url}{path}") == 404, path
    assert _status(f"{url}/media/0123abcd.wav") == 403


def test_review_a_flag_in_the_browser(server):
    from playwright.sync_api import expect, sync_playwright

    url, store = server
    flag = profanity_flag(store)
    before = store.score(flag["call_id"]).total
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 900})
            page.set_default_timeout(20_000)
            outside = []  # requests to any host but the app's: none may leave the machine
            page.on("request", lambda r: outside.append(r.url)
                    if r.url.split(":", 1)[0] in ("http", "https", "ws", "wss")
                    and urllib.parse.urlsplit(r.url).hostname not in ("127.0.0.1", "localhost") else None)
            page.goto(f"{url}/call?call_id={flag['call_id']}")  # a link a colleague sent, before sign-in
            page.get_by_role("button", name="Log in").wait_for()
            expect(page.get_by_text("demo users")).to_be_visible()
            expect(page.get_by_text("Page not found")).to_have_count(0)
            shot(page, "login")
            page.get_by_role("textbox", name="User name").fill("anna")
            page.get_by_role("textbox", name="Password").fill("anna-demo")
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("heading", name=PROFANITY_CALL).wait_for()  # the linked call, after sign-in
            assert f"call_id={flag['call_id']}" in page.url
            expect(page.get_by_role("link", name="Overview")).to_have_count(0)  # qa: no supervisor pages
            open_page(page, "Review queue")
            shot(page, "review_queue")

            page.get_by_role("combobox", name="Open a call").click()
            page.get_by_role("option", name=PROFANITY_CALL).click()
            page.get_by_role("button", name="Open call").click()
            page.get_by_role("heading", name=PROFANITY_CALL).wait_for()
            start = int(flag["start_s"])
            page.wait_for_function(f"{AUDIO} && {AUDIO}.readyState >= 1")
            src, current = page.evaluate(f"[{AUDIO}.src, {AUDIO}.currentTime]")
            assert "/media/" in src and abs(current - start) < 1.0  # opens at the flagged second
            assert page.request.get(src).body()[:4] == b"RIFF"  # this browser, signed in: served
            assert _status(src) == 403  # any other client: refused, while anna's session lives
            page.evaluate(f"{AUDIO}.currentTime = 0")
            page.locator(f".st-key-flag_{flag['flag_id']}").get_by_role("button", name=f"▶ 0:{start:02d}").click()
            page.wait_for_function(f"{AUDIO} && {AUDIO}.readyState >= 1 && {AUDIO}.currentTime >= {start - 0.5}")
            assert page.evaluate(f"{AUDIO}.currentTime") < start + 5  # the evidence button moved the player there
            expect(page.locator(".utterance.focused")).to_contain_text("line test")
            shot(page, "call")

            card = page.locator(f".st-key-flag_{flag['flag_id']}")
            card.get_by_role("textbox").fill("the customer's TV")
            card.get_by_role("textbox").press("Tab")
            card.get_by_role("button", name="Dismiss").click()
            page.get_by_text("dismiss saved").wait_for()
            [review] = store.reviews(flag["call_id"])
            assert (review["reviewer"], review["decision"], review["comment"]) == ("anna", "dismiss", "the customer's TV")
            after = store.score(flag["call_id"]).total
            assert after > before
            expect(page.get_by_test_id("stMetricValue").first).to_have_text(f"{after:g}")
            shot(page, "call_after_dismiss")

            open_page(page, "Calibration")
            expect(page.get_by_text("Detector precision")).to_be_visible()
            shot(page, "calibration")
            open_page(page, "Search", "Search transcripts")
            search = page.get_by_role("textbox", name="Words (all must occur in one utterance)")
            search.fill("engineer")
            search.press("Enter")
            page.get_by_text("utterances").first.wait_for()
            shot(page, "search")

            page.get_by_role("button", name="Log out").click()
            page.get_by_role("button", name="Log in").wait_for()
            assert page.request.get(src).status == 403  # signed out: the audio link is dead
            sign_in(page, url, "sam", "sam-demo", "Overview")
            page.get_by_text("Leaderboard").wait_for()
            shot(page, "overview")
            open_page(page, "Operators")
            shot(page, "operators")
            open_page(page, "Access log")
            expect(page.get_by_test_id("stDataFrame")).to_be_visible()
            log = store.access_log()
            opened = [(r["user_name"], r["call_id"]) for r in log if r["action"] != "search"]
            assert opened == [("anna", flag["call_id"])] * 2  # by the link, then from the queue
            assert [(r["user_name"], r["query"]) for r in log if r["action"] == "search"] == [("anna", "engineer")]
            shot(page, "access_log")
            assert outside == [], f"requests left the machine: {outside[:5]}"

            context = browser.new_context()  # a tab closed without signing out
            tab = context.new_page()
            tab.goto(f"{url}/call?call_id={flag['call_id']}")
            tab.get_by_role("textbox", name="User name").fill("anna")
            tab.get_by_role("textbox", name="Password").fill("anna-demo")
            tab.get_by_role("button", name="Log in").click()
            tab.wait_for_function(f"{AUDIO} && {AUDIO}.readyState >= 1")
            src = tab.evaluate(f"{AUDIO}.src")
            assert context.request.get(src).status == 200
            tab.close()
            time.sleep(1.0)
            assert context.request.get(src).status == 403  # its session is gone: so is the audio
        finally:
            browser.close()
