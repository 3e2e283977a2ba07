"""The Streamlit dashboard driven through AppTest on a copy of the processed sample database."""

from __future__ import annotations

import json
import re
import sys

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboards.views.common import plain  # noqa: E402
from helpers.dashboard import PROFANITY_CALL, copy_database, profanity_flag  # noqa: E402
from helpers.paths import REPO  # noqa: E402
from qa.auth import hash_password  # noqa: E402
from qa.scoring.rescore import review_flag  # noqa: E402
from qa.scoring.scorecard import load_scorecards  # noqa: E402
from qa.store import Store  # noqa: E402

pytestmark = pytest.mark.integration

APP = REPO / "dashboards" / "app.py"


@pytest.fixture(autouse=True)
def keep_main_module():
    """Streamlit's script runner installs the app as ``sys.modules["__main__"]`` and leaves it
    there; a later test that spawns processes (Dask workers) would then re-import the app."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture
def dashboard(batch, tmp_path, monkeypatch):
    """Env for the app on a private database copy; returns that database's Store."""
    store, _ = batch
    db, config = copy_database(store, tmp_path)
    monkeypatch.setenv("CALLQA_DB", str(db))
    monkeypatch.setenv("CALLQA_CONFIG", str(config))
    return Store(db)


def app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30)


def login(login_name: str, password: str) -> AppTest:
    at = app().run()
    at.text_input[0].input(login_name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def table_with(at: AppTest, column: str):
    """The first table with ``column`` (tables without a selection carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def open_from_table(at: AppTest, key: str, text: str) -> AppTest:
    """Pick the row whose label contains ``text`` in a call table's select box and open it."""
    picker = at.selectbox(key=f"{key}_pick")
    [index] = [i for i, option in enumerate(picker.options) if text in option]
    picker.set_value(index).run()
    at.button(key=f"{key}_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_profanity_call(at: AppTest) -> AppTest:
    open_from_table(at, "rq_table", PROFANITY_CALL)
    assert [s.value for s in at.subheader] == [plain(PROFANITY_CALL)]  # shown escaped: as text, never Markdown
    return at


def test_login_is_required_and_wrong_passwords_are_refused(dashboard):
    at = app().run()
    assert not at.exception
    assert titles(at) == ["callqa"]
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert not at.dataframe and not at.metric
    assert any("demo users" in w.value for w in at.warning)
    at.text_input[0].input("anna")
    at.text_input[1].input("wrong")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert titles(at) == ["callqa"] and "user" not in at.session_state
    with pytest.raises(ValueError):
        at.switch_page("views/review_queue.py")  # no page but the login form is registered


def test_a_qa_user_sees_no_supervisor_pages(dashboard):
    at = login("anna", "anna-demo")
    assert titles(at) == ["Review queue"]
    for page in ("overview", "operators", "access_log"):
        with pytest.raises(ValueError):
            at.switch_page(f"views/{page}.py")
    for page, title in [("search", "Search transcripts"), ("calibration", "Calibration"), ("call", "Call")]:
        at.switch_page(f"views/{page}.py").run()
        assert titles(at) == [title] and not at.exception


def test_supervisor_overview_shows_the_leaderboard(dashboard):
    at = login("sam", "sam-demo")
    assert titles(at) == ["Overview"]
    board = at.dataframe(key="ov_board").value
    assert {"op01", "op02", "op03", "op04"} <= set(board["operator_id"].dropna())
    assert list(board["rank"].dropna()) == sorted(board["rank"].dropna())
    assert [m.label for m in at.metric][:2] == ["Calls", "Mean score"]
    for page, title in [("operators", "Operators"), ("access_log", "Access log")]:
        at.switch_page(f"views/{page}.py").run()
        assert titles(at) == [title] and not at.exception


def test_overview_shows_the_calls_not_judged_for_their_language_apart(dashboard):
    at = login("sam", "sam-demo")
    shown = at.dataframe(key="ov_not_judged").value
    assert shown[["language", "calls"]].values.tolist() == [["fi", 2]]  # the two Finnish sample calls
    assert shown["reason"].iloc[0].startswith("not judged: Finnish with base: ")
    assert shown.to_dict("records") == dashboard.not_judged()
    assert "Not judged" in [s.value for s in at.subheader]


def test_review_queue_lists_flagged_calls_and_filters_them(dashboard):
    at = login("ben", "ben-demo")
    queue = at.dataframe(key="rq_table").value
    assert PROFANITY_CALL in set(queue["file_name"])
    assert (queue["unreviewed"] > 0).all()
    at.multiselect(key="rq_kind").set_value(["profanity"]).run()
    filtered = at.dataframe(key="rq_table").value
    assert 0 < len(filtered) < len(queue)
    assert all("profanity" in kinds for kinds in filtered["kinds"])
    at.selectbox(key="rq_operator").set_value("op02").run()
    assert list(at.dataframe(key="rq_table").value["file_name"]) == [PROFANITY_CALL]
    at.radio(key="rq_status").set_value("Reviewed").run()
    assert not at.dataframe and [i.value for i in at.info] == ["No calls match."]


def test_call_page_shows_evidence_and_logs_each_opening_once(dashboard):
    at = login("anna", "anna-demo")
    open_profanity_call(at)
    flag = profanity_flag(dashboard)
    page = "\n".join(m.value for m in at.markdown)
    assert "Operator" in page and "Customer" in page and "profanity" in page
    assert "#ffd54f" in page  # the flagged utterance is the focused one
    details = json.loads(flag["details"]) if isinstance(flag["details"], str) else flag["details"]
    shown = [c.value for c in at.caption
             if all(plain(f"{k.replace('_', ' ')} {v}") in c.value for k, v in details.items())]
    assert details and shown, "the flag's details are on the page"
    assert [c.value for c in at.caption if c.value.startswith("Player at")] == [f"Player at 0:{int(flag['start_s']):02d}"
                                                                               " – profanity"]
    assert table_with(at, "lost")["lost"].max() > 0
    assert at.button(key="lost_professional_language").label.startswith("▶")
    assert at.button(key=f"dismiss_{flag['flag_id']}") and at.button(key=f"confirm_{flag['flag_id']}")
    assert not [i.value for i in at.info if "No audio" in i.value]
    assert "Outcome: **callback promised**" in page  # the engineer will text when it is fixed
    reason = next(b for b in at.button if b.key and b.key.startswith("category_") and "Technical fault" in b.label)
    reason.click().run()
    assert [c.value for c in at.caption if c.value.startswith("Player at")][0].endswith("– Technical fault")
    at.run()
    at.button(key=f"play_{flag['flag_id']}").click().run()
    log = dashboard.access_log()
    assert [(r["user_name"], r["role"], r["call_id"]) for r in log] == [("anna", "qa", flag["call_id"])]
    at.switch_page("views/review_queue.py").run()
    open_profanity_call(at)
    assert len(dashboard.access_log()) == 2  # a second opening is a second entry


def test_dismissing_a_flag_writes_a_review_and_raises_the_score(dashboard):
    flag = profanity_flag(dashboard)
    before = dashboard.score(flag["call_id"]).total
    at = login("anna", "anna-demo")
    open_profanity_call(at)
    assert at.metric[0].value == f"{before:g}"
    at.text_input(key=f"comment_{flag['flag_id']}").input("said by the customer's TV")
    at.button(key=f"dismiss_{flag['flag_id']}").click().run()
    assert not at.exception
    [review] = dashboard.reviews(flag["call_id"])
    assert (review["flag_id"], review["reviewer"], review["decision"], review["comment"]) == \
        (flag["flag_id"], "anna", "dismiss", "said by the customer's TV")
    after = dashboard.score(flag["call_id"]).total
    assert after > before
    assert at.metric[0].value == f"{after:g}" and at.metric[0].delta == f"{after - before:+g}"
    assert at.button(key=f"dismiss_{flag['flag_id']}").disabled
    assert [t.value for t in at.text if "anna dismissed – “said by the customer's TV”" in t.value]
    supervisor = login("sam", "sam-demo")
    supervisor.session_state["call_id"] = flag["call_id"]  # the queue lists it no more: all its flags decided
    supervisor.switch_page("views/call.py").run()
    supervisor.button(key=f"confirm_{flag['flag_id']}").click().run()
    history = [t.value for t in supervisor.text]
    assert any("anna dismissed" in h for h in history) and any("sam confirmed" in h for h in history)
    assert [w.value for w in supervisor.warning if w.value.startswith("Reviewers disagree: confirmed stands")]


def test_search_finds_a_word_and_opens_the_call_there(dashboard):
    at = login("anna", "anna-demo")
    at.switch_page("views/search.py").run()
    at.text_input(key="search_text").input("engineer").run()
    hits = at.dataframe(key="search_hits").value
    assert PROFANITY_CALL in set(hits["file_name"])
    open_from_table(at, "search_hits", PROFANITY_CALL)
    assert titles(at) == ["Call"]
    start = next(h for h in dashboard.search_transcripts("engineer") if h["file_name"] == PROFANITY_CALL)["start_s"]
    assert at.session_state["seek"] == start
    assert any(c.value.startswith(f"Player at {int(start) // 60}:{int(start) % 60:02d}") for c in at.caption)


def disputed_on_calibration(dashboard):
    """The profanity flag dismissed by anna, then confirmed by ben; ben on the calibration page."""
    flag = profanity_flag(dashboard)
    book = load_scorecards()
    review_flag(dashboard, book, flag["flag_id"], "anna", "dismiss")
    review_flag(dashboard, book, flag["flag_id"], "ben", "confirm")
    at = login("ben", "ben-demo")
    at.switch_page("views/calibration.py").run()
    return flag, at


def test_calibration_renders_precision_and_agreement_after_reviews(dashboard):
    flag, at = disputed_on_calibration(dashboard)
    assert not at.exception
    precision = table_with(at, "precision")
    assert precision.loc[precision["kind"] == "profanity", "judgements"].tolist() == [2]
    agreement = table_with(at, "kappa")
    assert agreement[["reviewer_a", "reviewer_b", "flags"]].values.tolist() == [["anna", "ben", 1]]


def test_access_log_lists_the_opened_call_for_a_supervisor(dashboard):
    anna = login("anna", "anna-demo")
    open_profanity_call(anna)
    sam = login("sam", "sam-demo")
    sam.switch_page("views/access_log.py").run()
    log = table_with(sam, "user_name")
    assert log[["user_name", "role", "file_name"]].values.tolist() == [["anna", "qa", PROFANITY_CALL]]


def test_logout_returns_to_the_login_form(dashboard):
    at = login("anna", "anna-demo")
    at.button(key="logout").click().run()
    assert titles(at) == ["callqa"] and "user" not in at.session_state


def test_oidc_sign_in_takes_the_role_from_the_users_file(dashboard, tmp_path, monkeypatch):
    users = tmp_path / "users.toml"
    users.write_text('[users."anna@example.com"]\nrole = "qa"\n\n[users."sam@example.com"]\nrole = "supervisor"\n'
                     f'\n[users.local]\nrole = "qa"\npassword = "{hash_password("pw")}"\n', encoding="utf-8")
    config = tmp_path / "oidc.toml"
    config.write_text(f'[dashboard]\nauth = "oidc"\nusers = "{users}"\n', encoding="utf-8")
    monkeypatch.setenv("CALLQA_CONFIG", str(config))

    at = app()
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Log in"] and not at.text_input and not at.dataframe
    assert not at.warning  # a real users file: no demo-users warning

    at = app()
    at.user = {"is_logged_in": True, "email": "mallory@example.com"}
    at.run()
    assert "may not use this dashboard" in at.error[0].value and not at.dataframe

    at = app()
    at.user = {"is_logged_in": True, "email": "anna@example.com"}
    at.run()
    assert titles(at) == ["Review queue"] and not at.exception
    with pytest.raises(ValueError):
        at.switch_page("views/overview.py")

    at = app()
    at.user = {"is_logged_in": True, "email": "sam@example.com"}
    at.run()
    assert titles(at) == ["Overview"]


def test_a_call_not_scorable_shows_why_and_no_scorecard(dashboard):
    finnish = next(c for c in dashboard.calls() if c.file_name.endswith("_fi.wav"))
    at = login("anna", "anna-demo")
    at.session_state["call_id"] = finnish.call_id
    at.switch_page("views/call.py").run()
    assert not at.exception
    assert [w.value for w in at.warning if w.value.startswith("Not scorable: ") and "Finnish" in w.value]
    assert not [d for d in at.dataframe if "criterion" in d.value.columns]


PII_CALL = "20261201T141000_op03_inbound_billing_en.wav"
RAW = re.compile(r"\bNone\b|\bnan\b|\+00:00|\b1 (?:calls|flags|reviewers|decisions|entries|utterances)\b|−0 ")


def shown_text(at: AppTest) -> list[str]:
    """What a page says in words: Markdown, captions, notes, button labels, picker options and table cells."""
    texts = [e.value for kind in (at.markdown, at.caption, at.info, at.warning, at.success, at.text) for e in kind]
    texts += [b.label for b in at.button] + [str(o) for s in at.selectbox for o in s.options]
    for table in at.dataframe:
        assert table.proto.placeholder == "—", "a missing value shows as a dash, not None"
        df = table.value
        assert not [c for c in df.columns if isinstance(df[c].dtype, pd.DatetimeTZDtype)], "no +00:00 on times"
        texts += [str(v) for c in df.columns if pd.api.types.is_string_dtype(df[c]) for v in df[c].dropna()]
    return texts


def chart_fields(at: AppTest) -> list[tuple[str, str | None]]:
    """(field, title) of every chart encoding, tooltips included."""
    pairs = []
    for chart in at.get("vega_lite_chart"):
        for channel in json.loads(chart.proto.spec).get("encoding", {}).values():
            for enc in channel if isinstance(channel, list) else [channel]:
                if "field" in enc:
                    pairs.append((enc["field"], enc.get("title")))
    return pairs


def test_every_page_says_words_not_raw_values(dashboard):
    flag = profanity_flag(dashboard)
    book = load_scorecards()
    review_flag(dashboard, book, flag["flag_id"], "anna", "dismiss")  # one flag, two reviewers who disagree
    review_flag(dashboard, book, flag["flag_id"], "ben", "confirm")
    pii = next(c.call_id for c in dashboard.calls() if c.file_name == PII_CALL)  # auto-failed: card read back
    at = login("sam", "sam-demo")
    seen = {}
    for page in ("overview", "operators", "review_queue", "calibration", "search", "call", "access_log"):
        if page == "call":
            at.session_state["call_id"] = flag["call_id"]
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        seen[page] = shown_text(at)
        assert not [t for t in seen[page] if RAW.search(t)], (page, [t for t in seen[page] if RAW.search(t)])
        fields = chart_fields(at)
        assert all(title and "_" not in title for _, title in fields), (page, fields)
    assert "1 entry" in " ".join(seen["access_log"]) and "on 1 flag by 2 reviewers" in " ".join(seen["calibration"])
    assert "Speaking rate 242 words/min, above 110–190" in seen["call"]  # a scorecard reason as a sentence
    queue = at.switch_page("views/review_queue.py").run().dataframe(key="rq_table").value
    assert queue.loc[queue["score"] == 0, "auto_failed"].all(), "a score of 0 says the call auto-failed"
    open_from_table(at, "rq_table", PII_CALL)
    assert at.session_state["call_id"] == pii
    assert at.button(key="lost_card_read_back").label.startswith("▶ 0:22  Auto-fail: ")
    assert not [t for t in shown_text(at) if RAW.search(t)]


def test_a_disputed_flag_on_calibration_opens_its_call_at_that_flag(dashboard):
    flag, at = disputed_on_calibration(dashboard)
    disputed = at.dataframe(key="cal_disputed").value
    assert disputed[["file_name", "kind", "confirmed_by", "dismissed_by", "stands"]].values.tolist() == \
        [[PROFANITY_CALL, "profanity", "ben", "anna", "confirmed"]]
    open_from_table(at, "cal_disputed", PROFANITY_CALL)
    assert titles(at) == ["Call"] and [s.value for s in at.subheader] == [plain(PROFANITY_CALL)]
    assert at.session_state["focus"]["flags"] == (flag["flag_id"],) and at.session_state["seek"] == flag["start_s"]
    at.button(key="back").click().run()
    assert titles(at) == ["Calibration"]


def test_the_call_page_leads_back_to_the_review_queue_as_it_was_filtered(dashboard):
    at = login("ben", "ben-demo")
    at.multiselect(key="rq_kind").set_value(["profanity"]).run()
    at.selectbox(key="rq_operator").set_value("op02").run()
    open_profanity_call(at)
    assert at.button(key="back").label == "← Back to review queue"
    at.button(key="back").click().run()
    assert titles(at) == ["Review queue"] and not at.exception
    assert at.multiselect(key="rq_kind").value == ["profanity"] and at.selectbox(key="rq_operator").value == "op02"
    assert list(at.dataframe(key="rq_table").value["file_name"]) == [PROFANITY_CALL]


def test_an_empty_database_says_so_on_every_page(tmp_path, monkeypatch):
    Store(tmp_path / "empty.duckdb")
    monkeypatch.setenv("CALLQA_DB", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("CALLQA_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    at = login("sam", "sam-demo")
    for page in ("overview", "operators", "review_queue", "calibration", "search", "call", "access_log"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.dataframe, f"{page}: an empty table"
        assert page == "search" or [i.value for i in at.info if i.value.endswith(".")], f"{page}: no sentence"


def test_overview_charts_reasons_and_outcomes_by_week_and_lists_the_calls_behind_them(dashboard):
    call_id = profanity_flag(dashboard)["call_id"]
    at = login("sam", "sam-demo")
    assert {"Reasons for calling", "Outcomes by week"} <= {s.value for s in at.subheader}
    assert ("label", "Reason") in chart_fields(at) and ("calls", "Calls") in chart_fields(at)
    kpis = table_with(at, "justified_complaints")
    assert {"resolution_rate", "conversion_rate", "refused_price", "do_not_call", "not_judged",
            "justified_complaints"} <= set(kpis.columns)
    assert kpis["calls"].sum() == len(dashboard.calls())
    picker = at.selectbox(key="ov_reason")
    [reason] = [o for o in picker.options if o.startswith("Technical fault (")]
    picker.set_value("technical_fault").run()
    assert not at.exception, [e.value for e in at.exception]
    listed = at.dataframe(key="ov_reason_calls").value
    assert "op02" in set(listed["operator_id"]) and "review" in listed.columns
    rows = dashboard.calls_with_category("technical_fault")
    index = next(i for i, r in enumerate(rows) if r["call_id"] == call_id)
    at.selectbox(key="ov_reason_calls_pick").set_value(index).run()
    at.button(key="ov_reason_calls_open").click().run()
    assert titles(at) == ["Call"] and [s.value for s in at.subheader] == [plain(PROFANITY_CALL)]
    assert at.session_state["focus"]["label"] == "Technical fault"  # opened at the evidence
    at.button(key="back").click().run()
    at.selectbox(key="ov_outcome").set_value("callback").run()
    assert call_id in {r["call_id"] for r in dashboard.calls_with_outcome("callback")}
    assert "op02" in set(at.dataframe(key="ov_outcome_calls").value["operator_id"])


def test_a_reviewer_confirms_dismisses_and_adds_call_categories(dashboard):
    call_id = profanity_flag(dashboard)["call_id"]
    at = login("anna", "anna-demo")
    open_profanity_call(at)
    assert [c.value for c in at.caption if c.value == "not reviewed"]
    at.button(key="cat_confirm_technical_fault").click().run()
    at.text_input(key="cat_comment").input("the engineer only said he would text")
    at.button(key="cat_dismiss_callback_promised").click().run()
    at.selectbox(key="cat_add_pick").set_value("complaint").run()
    at.button(key="cat_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [(r["category"], r["decision"], r["reviewer"], r["comment"]) for r in dashboard.category_reviews(call_id)] \
        == [("technical_fault", "confirm", "anna", None),
            ("callback_promised", "dismiss", "anna", "the engineer only said he would text"),
            ("complaint", "add", "anna", None)]
    captions = [c.value for c in at.caption]
    assert "confirmed by anna" in captions and "added by anna" in captions
    assert "dismissed by anna – “the engineer only said he would text”" in captions
    assert at.button(key="cat_confirm_technical_fault").disabled and at.button(key="cat_dismiss_callback_promised").disabled
    assert at.button(key="cat_dismiss_complaint")  # an added category can be dismissed again
    assert {r["category"] for r in dashboard.call_categories(call_id)} >= {"technical_fault", "callback_promised"}


def test_calibration_shows_precision_per_category(dashboard):
    call_id = profanity_flag(dashboard)["call_id"]
    dashboard.save_category_review(call_id, "technical_fault", "anna", "confirm")
    dashboard.save_category_review(call_id, "callback_promised", "anna", "dismiss")
    dashboard.save_category_review(call_id, "callback_promised", "ben", "confirm")
    dashboard.save_category_review(call_id, "complaint", "ben", "add")
    at = login("ben", "ben-demo")
    at.switch_page("views/calibration.py").run()
    assert not at.exception and "Category precision" in [s.value for s in at.subheader]
    shown = table_with(at, "added").set_index("category")
    assert shown.loc["Technical fault", ["judgements", "precision"]].tolist() == [1, 1.0]
    assert shown.loc["Callback promised", ["confirmed", "dismissed", "precision"]].tolist() == [1, 1, 0.5]
    assert shown.loc["Complaint", "added"] == 1
