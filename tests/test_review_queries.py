"""The dashboard's queries: review queue, call evidence, drill-down, search, calibration, access log."""

from __future__ import annotations

import pytest

from qa.scoring.calibration import cohen_kappa, detector_precision, reviewer_agreement
from qa.scoring.rescore import review_flag
from helpers.scores import BOOK


def flag_ids(store, call_id):
    return {f["kind"]: f["flag_id"] for f in store.call_flags(call_id)}


def test_review_queue_filters_and_orders_by_severity(store):
    queue = store.review_queue()
    assert [r["call_id"] for r in queue] == ["b1", "a1"]  # same severity: newest first; a2, b2 have no flags
    assert set(queue[1]["kinds"]) == {"profanity", "raised_voice"} and queue[1]["unreviewed"] == 2
    assert [r["call_id"] for r in store.review_queue(kinds=["pii_leak"])] == ["b1"]
    assert [r["call_id"] for r in store.review_queue(operator_id="op1")] == ["a1"]
    assert store.review_queue(severities=["high"]) == []
    review_flag(store, BOOK, flag_ids(store, "b1")["pii_leak"], "anna", "confirm")
    assert [r["call_id"] for r in store.review_queue(reviewed=False)] == ["a1"]
    assert [r["call_id"] for r in store.review_queue(reviewed=True)] == ["b1"]


def test_call_header_and_flags_show_review_state(store):
    header = store.call_header("a1")
    assert header["operator_id"] == "op1" and header["score"] == 75.0 and header["scorable"]
    assert store.call_header("nope") is None
    review_flag(store, BOOK, flag_ids(store, "a1")["profanity"], "anna", "dismiss")
    flags = {f["kind"]: f for f in store.call_flags("a1")}
    assert flags["profanity"]["dismissed"] and flags["profanity"]["reviews"] == 1
    assert flags["raised_voice"]["review_decision"] is None


def test_drill_down_lists_and_breakdowns(store):
    assert [c["call_id"] for c in store.calls_list(operator_id="op2")] == ["b2", "b1"]
    assert {c["call_id"] for c in store.calls_list(team="south")} == {"b2"}
    kinds = {r["kind"]: r["flags"] for r in store.flag_breakdown("kind")}
    assert kinds == {"profanity": 1, "raised_voice": 1, "pii_leak": 1}
    by_language = store.flag_breakdown("language", "campaign")
    assert by_language == [{"language": "en", "campaign": "billing", "flags": 3}]
    with pytest.raises(ValueError):
        store.flag_breakdown("colour")


def test_search_matches_every_word_and_treats_wildcards_literally(store):
    hits = store.search_transcripts("W1 w2")
    assert {h["call_id"] for h in hits} == {"a1", "a2", "b1", "b2"}
    assert store.search_transcripts("w1 nothing-like-this") == []
    assert store.search_transcripts("%") == [] and store.search_transcripts("w_") == []
    assert store.search_transcripts("   ") == []
    assert {h["call_id"] for h in store.search_transcripts("w3", operator_id="op1")} == {"a1", "a2"}


def test_calibration_from_reviews(store):
    ids = flag_ids(store, "a1")
    review_flag(store, BOOK, ids["profanity"], "anna", "dismiss")
    review_flag(store, BOOK, ids["profanity"], "ben", "dismiss")
    review_flag(store, BOOK, ids["raised_voice"], "anna", "confirm")
    review_flag(store, BOOK, ids["raised_voice"], "ben", "dismiss")
    review_flag(store, BOOK, ids["raised_voice"], "ben", "confirm")  # changed their mind: latest counts
    decisions = store.decisions()
    precision = {r["kind"]: r for r in detector_precision(decisions)}
    assert precision["profanity"]["precision"] == 0.0 and precision["raised_voice"]["precision"] == 1.0
    [pair] = reviewer_agreement(decisions)
    assert (pair["reviewer_a"], pair["reviewer_b"], pair["flags"], pair["agreement"]) == ("anna", "ben", 2, 1.0)


def test_cohen_kappa():
    assert cohen_kappa([("confirm", "confirm"), ("dismiss", "dismiss")]) == 1.0
    assert cohen_kappa([("confirm", "dismiss"), ("dismiss", "confirm")]) == -1.0
    assert cohen_kappa([("confirm", "confirm")]) is None and cohen_kappa([]) is None


def test_access_log(store):
    store.log_access("sam", "supervisor", "a1")
    store.log_access("anna", "qa", "b1")
    log = store.access_log()
    assert [(e["user_name"], e["call_id"]) for e in log] == [("anna", "b1"), ("sam", "a1")]
    assert [e["call_id"] for e in store.access_log(user="sam")] == ["a1"]


def test_filter_options(store):
    options = store.filter_options()
    assert options["operators"] == ["op1", "op2"] and options["teams"] == ["north", "south"]
    assert options["kinds"] == ["pii_leak", "profanity", "raised_voice"] and options["languages"] == ["en"]
    assert (options["first_day"].isoformat(), options["last_day"].isoformat()) == ("2026-11-23", "2026-11-30")
    assert store.filter_options(synthetic=True)["operators"] == []


def test_disputed_flags_are_those_with_a_confirm_and_a_dismiss(store):
    ids = flag_ids(store, "a1")
    review_flag(store, BOOK, ids["profanity"], "anna", "dismiss")
    review_flag(store, BOOK, ids["profanity"], "ben", "dismiss")  # agreed: not disputed
    review_flag(store, BOOK, ids["raised_voice"], "anna", "confirm")
    review_flag(store, BOOK, ids["raised_voice"], "ben", "dismiss")
    review_flag(store, BOOK, ids["raised_voice"], "ben", "comment")  # a comment is no decision
    [disputed] = store.disputed_flags()
    assert (disputed["flag_id"], disputed["call_id"], disputed["kind"]) == (ids["raised_voice"], "a1", "raised_voice")
    assert (disputed["confirmed_by"], disputed["dismissed_by"], disputed["standing"]) == (["anna"], ["ben"], "dismiss")
    review_flag(store, BOOK, ids["raised_voice"], "ben", "confirm")  # changed their mind: no dispute left
    assert store.disputed_flags() == []
    assert [(r["call_id"], r["score"], r["auto_failed"]) for r in store.review_queue()] == \
        [("b1", 0.0, True), ("a1", 95.0, False)]  # the queue can say why a score is 0
