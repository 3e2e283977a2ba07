"""Reviewers' corrections of call categories (qa/store/category_reviews.py), justified complaints
in the outcome KPIs, the calls behind a reason or an outcome, and precision per category."""

from __future__ import annotations

from datetime import date

import pytest

from qa.scoring.calibration import category_precision
from qa.store import Store
from qa.types import Call, CallMetadata, Categorization, CategoryMatch, Role, Transcript, Utterance


def _categorized(*categories: str, outcome: str = "unresolved") -> Categorization:
    return Categorization("v1", tuple(CategoryMatch(c, "reason", Role.CUSTOMER, 1.0, 3.0, "words", 0.9)
                                      for c in categories), "inbound", outcome)


def _store(tmp_path) -> Store:
    """Three inbound calls on 2026-12-01: c1 and c2 complaints, c3 a billing question."""
    store = Store(tmp_path / "qa.duckdb")
    for call_id, found in [("c1", _categorized("complaint", outcome="escalated")),
                           ("c2", _categorized("complaint", "technical_fault")),
                           ("c3", _categorized("billing_question", outcome="resolved"))]:
        utterance = Utterance("customer", Role.CUSTOMER, None, 1.0, 3.0, "words")
        store.save_call(Call(call_id, f"/calls/{call_id}.wav",
                             CallMetadata(direction="inbound", started_at="2026-12-01T10:00:00+00:00")),
                        Transcript(call_id, "en", 1.0, 4.0, 1, 16000, (utterance,), ()), None, "base", "pyannote",
                        "metadata", categorization=found)
    return store


def test_a_confirmed_complaint_is_justified_and_the_latest_correction_stands(tmp_path):
    store = _store(tmp_path)
    [row] = store.outcome_kpis(None, "week")
    assert (row["complaints"], row["justified_complaints"]) == (2, 0)
    store.save_category_review("c1", "complaint", "anna", "confirm")
    store.save_category_review("c2", "complaint", "anna", "dismiss")
    store.save_category_review("c3", "billing_question", "anna", "confirm")  # not a complaint
    [row] = store.outcome_kpis(None, "week")
    assert (row["calls"], row["complaints"], row["justified_complaints"]) == (3, 2, 1)
    store.save_category_review("c1", "complaint", "ben", "dismiss")  # the latest stands
    store.save_category_review("c2", "complaint", "ben", "confirm")
    assert [r["justified_complaints"] for r in store.outcome_kpis("operator_id", "week")] == [1]
    assert store.outcome_kpis(None, "week", since=date(2026, 12, 2)) == []


def test_corrections_are_kept_beside_the_machines_rows_and_survive_recategorizing(tmp_path):
    store = _store(tmp_path)
    with pytest.raises(ValueError):
        store.save_category_review("c1", "complaint", "anna", "maybe")
    with pytest.raises(KeyError):
        store.save_category_review("nope", "complaint", "anna", "confirm")
    store.save_category_review("c1", "complaint", "anna", "dismiss", "the customer was joking")
    store.save_category_review("c1", "cancellation_request", "anna", "add")
    assert [r["category"] for r in store.call_categories("c1")] == ["complaint"]  # the machine's rows untouched
    store.save_categorization("c1", _categorized("technical_fault"))  # what callqa recategorize does
    assert [(r["category"], r["decision"], r["reviewer"], r["comment"]) for r in store.category_reviews("c1")] == [
        ("complaint", "dismiss", "anna", "the customer was joking"), ("cancellation_request", "add", "anna", None)]
    store.purge(call_ids=["c1"])
    assert store.category_reviews("c1") == []


def test_the_calls_behind_a_reason_or_an_outcome(tmp_path):
    store = _store(tmp_path)
    store.save_category_review("c2", "complaint", "anna", "dismiss")
    calls = store.calls_with_category("complaint")
    assert [(c["call_id"], c["start_s"], c["correction"]) for c in calls] == [("c1", 1.0, None),
                                                                                ("c2", 1.0, "dismiss")]
    listed = {r["call_id"]: r for r in store.calls_list()}  # what the dashboard's call tables show, alike
    assert all(listed[c["call_id"]].items() <= c.items() for c in calls + store.calls_with_outcome("escalated"))
    assert [c["call_id"] for c in store.calls_with_outcome("resolved")] == ["c3"]
    assert store.calls_with_category("complaint", synthetic=True) == []
    assert {(r["iso_week"], r["outcome"], r["calls"]) for r in store.outcome_weeks()} == {
        ("2026-W49", "escalated", 1), ("2026-W49", "unresolved", 1), ("2026-W49", "resolved", 1)}


def test_precision_per_category_counts_the_books_categories_and_adds_apart(tmp_path):
    store = _store(tmp_path)
    store.save_category_review("c1", "complaint", "anna", "confirm")
    store.save_category_review("c2", "complaint", "anna", "dismiss")
    store.save_category_review("c2", "complaint", "ben", "dismiss")
    store.save_category_review("c3", "billing_question", "anna", "dismiss")
    store.save_category_review("c3", "billing_question", "anna", "confirm")  # anna changed her mind
    store.save_category_review("c3", "complaint", "ben", "add")
    rows = {r["category"]: r for r in category_precision(store.category_decisions())}
    assert (rows["complaint"]["judgements"], rows["complaint"]["confirmed"], rows["complaint"]["dismissed"],
            rows["complaint"]["precision"], rows["complaint"]["added"]) == (3, 1, 2, 0.333, 1)
    assert (rows["billing_question"]["judgements"], rows["billing_question"]["precision"]) == (1, 1.0)
