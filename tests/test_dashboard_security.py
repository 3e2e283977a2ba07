"""Dashboard security (#17): searches audited, stored values shown as text, sign-in back-off.

AppTest on a small model-free store (``helpers.scores.scored_store``), so it runs in seconds.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from helpers.paths import REPO  # noqa: E402
from helpers.scores import scored_store  # noqa: E402

APP = REPO / "dashboards" / "app.py"
CARD = "4539 1488 0343 6467"


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
