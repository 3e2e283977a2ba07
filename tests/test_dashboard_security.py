"""Dashboard security (#17): searches audited, stored values shown as text, sign-in back-off.

AppTest on a small model-free store (``helpers.scores.scored_store``), so it runs in seconds.
"""

from __future__ import annotations

import re
import sys

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from streamlit.testing.v1.element_tree import AlertBase, HeadingBase, Markdown  # noqa: E402

from helpers.paths import REPO  # noqa: E402
from helpers.scores import BOOK, METRICS, flag, scored_store, transcript  # noqa: E402
from qa import auth  # noqa: E402
from qa.scoring.scorer import score_call  # noqa: E402
from dashboards.views.common import plain  # noqa: E402
from qa.types import Call, CallMetadata, ScoringInput  # noqa: E402

APP = REPO / "dashboards" / "app.py"
CARD = "4539 1488 0343 6467"
BEACON = "![c](http://127.0.0.1:9/beacon.png)"
IMG = "<img src=http://127.0.0.1:9/t.png>"
LINK = "[link](javascript:alert(1))"
HOSTILE = {"operator_id": BEACON, "team": IMG, "campaign": f"{LINK} {BEACON}", "file_name": f"{LINK}<img src=x onerror=alert(1)>.wav"}  # no "/"


@pytest.fixture(autouse=True)
def keep_main_module():
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture
def dashboard(tmp_path, monkeypatch):
    """The app's env on a fresh four-call store; returns the Store."""
    store = scored_store(tmp_path / "qa.duckdb")
    config = tmp_path / "callqa.toml"
    config.write_text('[scoring]\ntimezone = "UTC"\n', encoding="utf-8")
    monkeypatch.setenv("CALLQA_DB", str(store.path))
    monkeypatch.setenv("CALLQA_CONFIG", str(config))
    return store


def attempt(at: AppTest, login_name: str, password: str) -> AppTest:
    at.text_input[0].input(login_name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def login(login_name: str, password: str) -> AppTest:
    return attempt(AppTest.from_file(str(APP), default_timeout=30).run(), login_name, password)


def search(at: AppTest, text: str) -> AppTest:
    at.text_input(key="search_text").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_search_is_logged_with_its_masked_query_and_the_calls_shown(dashboard):
    at = login("anna", "anna-demo")
    at.switch_page("views/search.py").run()
    assert any("At most 200 utterances" in c.value for c in at.caption)
    search(at, "w12 w13")
    shown = list(dict.fromkeys(at.dataframe(key="search_hits").value["file_name"]))
    [entry] = dashboard.access_log()
    assert (entry["user_name"], entry["role"], entry["action"], entry["query"], entry["call_id"]) == \
        ("anna", "qa", "search", "w12 w13", None)
    assert sorted(entry["call_ids"]) == ["a1", "a2", "b1", "b2"] and len(shown) == 4
    at.run()  # a rerun of the same search is not a second entry
    assert len(dashboard.access_log()) == 1
    assert [e["call_ids"] for e in dashboard.access_log(call_id="b1")] == [entry["call_ids"]]

    search(at, "w1")
    assert [w.value for w in at.warning] == ["Type at least 3 characters to search."]
    assert not at.dataframe and len(dashboard.access_log()) == 1

    search(at, f"w12 card {CARD}")
    newest = dashboard.access_log()[0]
    assert newest["query"] == "w12 card [CREDIT_CARD]" and newest["call_ids"] == []
    assert not any("4539" in str(e["query"]) for e in dashboard.access_log())


def store_hostile_call(store) -> None:
    """Call "e1": manifest values and file name that are Markdown/HTML, with a flag to review."""
    meta = CallMetadata(operator_id=HOSTILE["operator_id"], campaign=HOSTILE["campaign"], team=HOSTILE["team"],
                        started_at="2026-11-25T10:00:00+00:00", direction="inbound")
    flags = (flag("profanity", 12.0),)
    facts = ScoringInput("e1", meta.campaign, "en", "metadata", 1.0, "base", True, 40, 0.9, tuple(enumerate(flags)),
                         {(n, r): v for n, r, v in METRICS})
    store.save_call(Call("e1", "/calls/" + HOSTILE["file_name"], meta), transcript("e1"), None, "base", "channels",
                    "metadata", flags=flags, metrics=METRICS, score=score_call(facts, BOOK))


def markdown_texts(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown: markdown, captions, headings,
    alerts, and widget labels and help (select box options are plain text)."""
    texts, todo = [], [at._tree]
    while todo:
        node = todo.pop()
        todo.extend(getattr(node, "children", {}).values())
        if isinstance(node, (Markdown, HeadingBase, AlertBase)):
            texts.append(str(node.value))
        texts += [str(getattr(node, name)) for name in ("label", "help")
                  if isinstance(getattr(node, name, None), str)]
    return texts


def test_manifest_values_and_file_names_never_render_as_markdown(dashboard):
    store_hostile_call(dashboard)
    at = login("sam", "sam-demo")
    seen = []
    for page in ("overview", "operators", "review_queue", "calibration", "search", "call", "access_log"):
        if page == "call":
            at.session_state["call_id"], at.session_state["seek"] = "e1", None
        at.switch_page(f"views/{page}.py").run()
        if page == "search":
            search(at, "w12 w13")
        assert not at.exception, (page, [e.value for e in at.exception])
        texts = markdown_texts(at)
        for fragment in (BEACON, IMG, LINK):
            assert not [t for t in texts if fragment in t], (page, fragment)
        assert not [t for t in texts if re.search(r"(?<!\\)(?:<img|!\[|\]\()", t)], page  # unescaped syntax
        seen += texts
    escaped = {name: plain(value) for name, value in HOSTILE.items()}
    assert escaped["file_name"] in seen  # the call page's heading, shown as text
    caption = next(t for t in seen if escaped["campaign"] in t)
    assert escaped["operator_id"] in caption and escaped["team"] in caption


@pytest.fixture
def frozen_sign_ins(monkeypatch):
    """A fresh process-wide sign-in throttle whose clock stands still."""
    throttle = auth.SignInThrottle(clock=lambda: 1000.0)
    monkeypatch.setattr(auth, "SIGN_INS", throttle)
    return throttle


def test_five_wrong_passwords_hold_back_the_right_one_with_the_wait_stated(dashboard, frozen_sign_ins):
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    for _ in range(4):
        assert [e.value for e in attempt(at, "anna", "wrong").error] == ["Wrong user name or password."]
    assert [e.value for e in attempt(at, "anna", "wrong").error] == [
        "Wrong user name or password. Too many failed sign-ins for this name: try again in 1 s."]
    fresh = AppTest.from_file(str(APP), default_timeout=30).run()  # a new tab: the count is per process
    assert [e.value for e in attempt(fresh, "anna", "anna-demo").error] == [
        "Too many failed sign-ins for this name: try again in 1 s."]
    assert "user" not in fresh.session_state
    assert [t.value for t in attempt(fresh, "ben", "ben-demo").title] == ["Review queue"]  # other names sign in
