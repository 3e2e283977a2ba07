"""Every dashboard page as each role, in headless Chromium, on a small model-free store with a
hostile manifest row and a disputed flag: nothing breaks, the hostile values stay text, and no
request goes to any host but the app (#17)."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from helpers.scores import scored_store
from helpers.browser import served
from test_dashboard_browser import ARGS, CHROMIUM, open_page, shot, sign_in
from test_dashboard_security import HOSTILE, store_hostile_call

pytestmark = pytest.mark.integration

REVIEW_PAGES = [("Review queue", "Review queue"), ("Call", "Call"), ("Search", "Search transcripts"),
                ("Calibration", "Calibration")]
SUPERVISOR_PAGES = [("Overview", "Overview"), ("Operators", "Operators"), ("Access log", "Access log")]


@pytest.fixture
def server(tmp_path):
    """The real app on a four-call store plus the hostile call "e1"; a1's profanity flag has
    a dismissal by anna and a later confirmation by sam."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install 'callqa[dev]')")
    store = scored_store(tmp_path / "qa.duckdb")
    store_hostile_call(store)
    disputed = next(f for f in store.call_flags("a1") if f["kind"] == "profanity")
    store.save_review(disputed["flag_id"], "anna", "dismiss", "the TV in the background", None)
    store.save_review(disputed["flag_id"], "sam", "confirm", "it is the operator", None)
    config = tmp_path / "callqa.toml"
    config.write_text('[scoring]\ntimezone = "UTC"\n', encoding="utf-8")
    with served(store.path, config, tmp_path / "dashboard.log") as url:
        yield url


def visit(page, title: str, heading: str) -> None:
    """Open a page from the sidebar; it must render without an error."""
    from playwright.sync_api import expect

    open_page(page, title, heading)
    page.wait_for_timeout(800)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def open_from_queue(page, file_name: str) -> None:
    """Open the call whose file name starts the picker's label, from the review queue."""
    open_page(page, "Review queue")
    page.get_by_role("combobox", name="Open a call").click()
    page.get_by_role("option", name=re.compile("^" + re.escape(file_name))).first.click()
    page.get_by_role("button", name="Open call").click()
    page.get_by_role("heading", name=file_name).wait_for()


def test_every_page_as_each_role(server):
    from playwright.sync_api import expect, sync_playwright

    url = server
    app = urllib.parse.urlsplit(url).netloc
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 900})
            page.set_default_timeout(20_000)
            foreign = []  # any request to a host or port but the app's (the beacon is 127.0.0.1:9)
            page.on("request", lambda r: foreign.append(r.url)
                    if r.url.split(":", 1)[0] in ("http", "https", "ws", "wss")
                    and urllib.parse.urlsplit(r.url).netloc != app else None)

            sign_in(page, url, "anna", "anna-demo", "Review queue")  # QA specialist
            for title, heading in REVIEW_PAGES:
                visit(page, title, heading)
            for title, _ in SUPERVISOR_PAGES:
                expect(page.get_by_role("link", name=title)).to_have_count(0)
            open_from_queue(page, "a1.wav")
            expect(page.get_by_text("Reviewers disagree")).to_be_visible()  # and which decision stands
            expect(page.get_by_text("confirmed stands")).to_be_visible()
            shot(page, "roles_disputed_flag")
            page.get_by_role("button", name="Log out").click()
            page.get_by_role("button", name="Log in").wait_for()

            sign_in(page, url, "sam", "sam-demo", "Overview")  # supervisor: every page
            for title, heading in SUPERVISOR_PAGES + REVIEW_PAGES:
                visit(page, title, heading)
            open_from_queue(page, HOSTILE["file_name"])  # shown as typed: the heading's text is the raw name
            expect(page.get_by_text(HOSTILE["campaign"], exact=False).first).to_be_visible()
            shot(page, "roles_hostile_call")
            for title, heading in SUPERVISOR_PAGES:
                visit(page, title, heading)
            assert foreign == [], f"requests left the app: {foreign[:5]}"
        finally:
            browser.close()
