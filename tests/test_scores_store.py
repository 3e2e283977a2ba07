"""Scores, reviews, rescoring and aggregates in a real DuckDB file (no models needed)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from helpers.scores import BOOK
from qa.scoring.report import build_report, render
from qa.scoring.rescore import rescore, review_flag
from qa.scoring.scorecard import DEFAULT_SCORECARDS, load_scorecards
from qa.store import Store


def test_score_items_point_at_the_stored_flags(store):
    score = store.score("a1")
    assert score.total == 75.0 and score.scorable
    lost = {i.criterion: i for i in score.items if i.lost}
    flags = {f.kind: f for f in store.flags("a1")}
    assert set(lost) == {"professional_language", "tone"}
    [profanity_id] = lost["professional_language"].flag_refs
    assert store.flag_call(profanity_id) == "a1" and lost["professional_language"].start == flags["profanity"].start
    auto = store.score("b1")
    assert auto.auto_failed and auto.total == 0.0
    assert not store.score("b2").scorable and "low ASR confidence" in store.score("b2").not_scorable_reason


def test_dismissing_a_flag_restores_its_points_and_confirming_takes_them_again(store):
    profanity = store.score("a1").items[3].flag_refs[0]
    review_id, score = review_flag(store, BOOK, profanity, "qa-anna", "dismiss", "customer's word, misattributed")
    assert score.total == 95.0 and store.score("a1").total == 95.0
    [review] = store.reviews("a1")
    assert review["review_id"] == review_id and review["decision"] == "dismiss" and review["reviewer"] == "qa-anna"
    assert review_flag(store, BOOK, profanity, "qa-ben", "comment", "listened again")[1].total == 95.0
    assert review_flag(store, BOOK, profanity, "qa-ben", "confirm")[1].total == 75.0
    assert store.score("a1").total == 75.0 and len(store.reviews("a1")) == 3
    with pytest.raises(KeyError):
        review_flag(store, BOOK, 99999, "qa-anna", "dismiss")


def test_dismissed_flags_leave_the_aggregates(store):
    before = {r["operator_id"]: r for r in store.leaderboard()}["op1"]["flags"]
    profanity = store.score("a1").items[3].flag_refs[0]
    review_flag(store, BOOK, profanity, "qa-anna", "dismiss")
    assert {r["operator_id"]: r for r in store.leaderboard()}["op1"]["flags"] == before - 1


def test_rescore_with_a_changed_scorecard_needs_no_transcripts(store, tmp_path):
    words = store.table_counts()["words"]
    stricter = DEFAULT_SCORECARDS.read_text().replace(
        "flags: {kinds: [raised_voice, quiet_voice], roles: [operator]}\n        per_flag: 5",
        "flags: {kinds: [raised_voice, quiet_voice], roles: [operator]}\n        per_flag: 10")
    assert stricter != DEFAULT_SCORECARDS.read_text()
    (tmp_path / "strict.yaml").write_text(stricter)
    book = load_scorecards(tmp_path / "strict.yaml")
    summary = rescore(store, book)
    assert (summary.calls, summary.scorable, summary.auto_failed) == (4, 3, 1)
    assert store.score("a1").total == 70.0 and store.score("a2").total == 100.0
    assert store.score("a1").scorecard_version == book.select("billing").version != BOOK.select("billing").version
    assert store.table_counts()["words"] == words
    rescore(store, BOOK)
    assert store.score("a1").total == 75.0


def test_leaderboard_ranks_scored_operators_and_keeps_unscorable_calls_out_of_means(store):
    board = {r["operator_id"]: r for r in store.leaderboard()}
    assert board["op1"]["rank"] == 1 and board["op1"]["mean_score"] == 87.5 and board["op1"]["calls"] == 2
    assert board["op2"]["calls"] == 2 and board["op2"]["scored"] == 1 and board["op2"]["not_scorable"] == 1
    assert board["op2"]["mean_score"] == 0.0 and board["op2"]["rank"] == 2
    assert board["op1"]["trend"] == 25.0  # 100 in W49 after 75 in W48
    assert board["op1"]["mean_sentiment_end"] == 0.5
    assert [r["call_id"] for r in store.not_scorable()] == ["b2"]


def test_weeks_are_iso_weeks_in_the_configured_time_zone(store, tmp_path):
    utc = {(r["operator_id"], r["iso_week"]) for r in store.weekly()}
    assert ("op2", "2026-W48") in utc and ("op2", "2026-W49") not in utc  # Sunday 22:30 UTC
    helsinki = Store(store.path, timezone="Europe/Helsinki")
    local = {(r["operator_id"], r["iso_week"]) for r in helsinki.weekly()}
    assert ("op2", "2026-W49") in local  # Monday 00:30 in Helsinki
    days = {(r["operator_id"], r["day"]) for r in helsinki.daily()}
    assert ("op2", date(2026, 11, 30)) in days
    teams = {(r["team"], r["iso_week"]): r for r in store.weekly("team")}
    assert teams[("north", "2026-W48")]["calls"] == 2 and teams[("south", "2026-W48")]["calls"] == 1


def test_since_and_operator_filters(store):
    assert {r["operator_id"] for r in store.leaderboard(since=date(2026, 11, 30))} == {"op1"}
    assert [r["iso_week"] for r in store.operator_trend("op1")] == ["2026-W48", "2026-W49"]
    assert [r["change"] for r in store.operator_trend("op1")] == [None, 25.0]
    kinds = {(r["operator_id"], r["kind"]): r["flags"] for r in store.flag_counts()}
    assert kinds == {("op1", "profanity"): 1, ("op1", "raised_voice"): 1, ("op2", "pii_leak"): 1}


def test_report_formats(store):
    report = build_report(store, since=date(2026, 11, 1))
    data = json.loads(render(report, "json"))
    assert data["since"] == "2026-11-01" and data["timezone"] == "UTC"
    assert {r["operator_id"] for r in data["leaderboard"]} == {"op1", "op2"}
    assert data["not_scorable"][0]["reason"].startswith("low ASR confidence")
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert {(r["operator_id"], r["iso_week"]) for r in rows} == {("op1", "2026-W48"), ("op1", "2026-W49"),
                                                                 ("op2", "2026-W48")}
    table = render(report, "table")
    for section in ("Leaderboard", "Operators by ISO week", "Teams by ISO week", "Campaigns by ISO week",
                    "Flags by kind", "Not scorable"):
        assert section in table
    one = json.loads(render(build_report(store, operator_id="op2"), "json"))
    assert {r["operator_id"] for r in one["leaderboard"]} == {"op2"} and one["teams"] == []
