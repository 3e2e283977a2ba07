"""``callqa synth``: generated rows are marked, consistent, scored like real ones, and aggregate sensibly."""

import json
import subprocess
import sys
from datetime import date, timedelta

import duckdb
import pytest

from qa.errors import QAError
from qa.scoring.scorecard import load_scorecards
from qa.scoring.scorer import score_call
from qa.store import Store
from qa.synth import synthesize
from qa.types import Call, CallMetadata, Role, SpeechTurn, Transcript, Utterance, Word

from helpers.paths import REPO

TODAY = date(2026, 3, 30)  # a Monday
CALLS = 5000


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("synth") / "synth.duckdb", timezone="Europe/Helsinki")
    summary = synthesize(store, CALLS, seed=7, today=TODAY, chunk=1700)  # several chunks
    return store, summary


def sql(store, query, params=()):
    with duckdb.connect(str(store.path), read_only=True) as con:
        con.execute("SET TimeZone = ?", [store.timezone])
        return con.execute(query, list(params)).fetchall()


def real_call(store):
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, t, 0.9) for i, t in enumerate("hello there".split()))
    utterance = Utterance("CHANNEL_0", Role.OPERATOR, 0, 0.0, 1.0, "hello there", words)
    transcript = Transcript("c1", "en", 0.99, 12.5, 2, 8000, (utterance,), (SpeechTurn(0.0, 1.0, "CHANNEL_0"),))
    metadata = CallMetadata(operator_id="op1", started_at="2026-03-02T09:15:00+00:00")
    call = Call("c1", "/calls/c1.wav", metadata)
    store.save_call(call, transcript, None, "base", "channels", "metadata")


def test_rows_are_marked_synthetic_and_counts_add_up(synth):
    store, summary = synth
    counts = store.table_counts()
    assert summary["calls"] == counts["calls"] == counts["scores"] == CALLS
    for table in ("calls", "call_metrics", "dead_air", "flags", "scores"):
        assert summary["rows"][table] == counts[table]
    assert counts["score_items"] == counts["utterances"] == counts["words"] == 0  # documented: not generated
    assert sql(store, "SELECT count(*) FROM calls WHERE synthetic AND call_id LIKE 'synth-%' "
                      "AND path = 'synthetic/' || call_id || '.wav' AND file_name = call_id || '.wav' "
                      "AND asr_model = 'synthetic' AND source_sample_rate = 8000")[0][0] == CALLS
    marked = sql(store, "SELECT count(*) FROM flags WHERE detector = 'synthetic' AND detector_version = 'synthetic' "
                        "AND evidence = '(synthetic)' AND call_id IN (SELECT call_id FROM calls)")[0][0]
    assert marked == counts["flags"]
    assert summary["operators"] == 10 and summary["teams"] == 1  # at least 10 operators, teams of 12
    # dead-air events agree with the metrics; every call has its call-level metrics once
    mismatched = sql(store, """
        SELECT count(*) FROM (SELECT call_id, value AS n FROM call_metrics WHERE name = 'dead_air_count') m
        FULL JOIN (SELECT call_id, count(*) AS events, sum(end_s - start_s) AS s FROM dead_air GROUP BY 1) d
            USING (call_id)
        JOIN (SELECT call_id, value AS s FROM call_metrics WHERE name = 'dead_air_s') t USING (call_id)
        WHERE coalesce(d.events, 0) <> m.n OR abs(coalesce(d.s, 0) - t.s) > 0.01""")[0][0]
    assert mismatched == 0
    assert sql(store, "SELECT count(DISTINCT call_id) FROM call_metrics WHERE name = 'duration_s'")[0][0] == CALLS
    assert sql(store, "SELECT min(end_s - start_s) FROM dead_air")[0][0] > 10.0


def test_calls_look_like_a_call_centre(synth):
    store, _ = synth
    first, last, hours_ok, weekday, weekend = sql(store, """
        SELECT min(started_at)::DATE, max(started_at)::DATE,
               bool_and(hour(started_at) BETWEEN 8 AND 17),
               count(*) FILTER (WHERE isodow(started_at) <= 5) / count(DISTINCT started_at::DATE)
                   FILTER (WHERE isodow(started_at) <= 5),
               count(*) FILTER (WHERE isodow(started_at) > 5) / count(DISTINCT started_at::DATE)
                   FILTER (WHERE isodow(started_at) > 5)
        FROM calls""")[0]
    assert first >= TODAY - timedelta(days=180) and last == TODAY - timedelta(days=1)
    assert hours_ok  # working hours of the store's time zone
    assert weekday > 2 * weekend
    campaigns = {c for (c,) in sql(store, "SELECT DISTINCT campaign FROM calls")}
    languages = {lang for (lang,) in sql(store, "SELECT DISTINCT language FROM calls")}
    assert campaigns <= {"billing", "support", "sales", "collections"} and len(campaigns) >= 1
    assert languages == {"en", "es", "fi", "hi", "fa", "sw"}
    median, share_low = sql(store, "SELECT median(duration_s), avg((mean_word_probability < 0.62)::INT) FROM calls")[0]
    assert 200 < median < 400 and 0.005 < share_low < 0.1
    kinds = {k for (k,) in sql(store, "SELECT DISTINCT kind FROM flags")}
    assert {"profanity", "raised_voice", "quiet_voice", "script_missing", "script_late", "script_order",
            "pii_leak", "forbidden_phrase"} <= kinds


def test_scores_are_what_the_real_scorer_gives(synth):
    store, _ = synth
    book = load_scorecards()
    stored = {row[0]: row[1:] for row in sql(
        store, "SELECT call_id, scorecard, scorable, not_scorable_reason, total, auto_failed FROM scores")}
    ids = sorted(stored)[::5]
    for scoring_input in store.scoring_inputs(ids):
        score = score_call(scoring_input, book)
        scorecard, scorable, reason, total, auto_failed = stored[score.call_id]
        assert (scorecard, scorable, reason, auto_failed) == (
            score.scorecard, score.scorable, score.not_scorable_reason, score.auto_failed), score.call_id
        assert (total is None) == (score.total is None)
        if total is not None:
            assert total == pytest.approx(score.total, abs=0.051), score.call_id
    reasons = {r.split(" (")[0] for (r,) in sql(store, "SELECT not_scorable_reason FROM scores WHERE NOT scorable")}
    assert {"no speech", "low ASR confidence"} <= reasons


def test_aggregates_over_synthetic_calls(synth):
    store, _ = synth
    since = TODAY - timedelta(days=30)
    board = store.leaderboard(since=since, synthetic=True)
    assert len(board) == 10
    assert all(0 <= row["mean_score"] <= 100 for row in board)
    assert len({row["mean_score"] for row in board}) > 3  # operators differ
    in_window = sql(store, "SELECT count(*), avg(total) FILTER (WHERE scorable) FROM calls JOIN scores USING (call_id) "
                           "WHERE started_at::DATE >= ?", [since])[0]
    assert sum(row["calls"] for row in board) == in_window[0]
    assert sum(row["not_scorable"] for row in board) > 0
    assert sum(row["scored"] + row["not_scorable"] for row in board) == in_window[0]
    weighted = sum(row["mean_score"] * row["scored"] for row in board) / sum(row["scored"] for row in board)
    assert weighted == pytest.approx(in_window[1], abs=0.1)  # not-scorable calls are left out of the means
    assert store.leaderboard(since=since, synthetic=False) == []

    weeks = store.weekly("operator_id", synthetic=True)
    assert len({row["week"] for row in weeks}) >= 25  # the months before today
    trend = store.operator_trend(board[0]["operator_id"], synthetic=True)
    assert len(trend) >= 20 and [r["week"] for r in trend] == sorted(r["week"] for r in trend)
    assert all(r["change"] is None or -100 <= r["change"] <= 100 for r in trend)
    assert {row["team"] for row in store.weekly("team", since=since, synthetic=True)} == {"synth-team01"}
    assert store.flag_counts("operator_id", since=since, synthetic=True)
    if "mean_sentiment_end" in board[0]:  # the customer's mood, where the aggregates have it
        moods = [row["mean_sentiment_end"] for row in board if row["mean_sentiment_end"] is not None]
        assert moods and all(-1 <= mood <= 1 for mood in moods)


def test_report_synthetic_only(synth):
    store, _ = synth
    command = [sys.executable, "-m", "qa.cli", "report", "--db", str(store.path), "--format", "json"]
    only = subprocess.run(command + ["--synthetic", "only", "--since", str(TODAY - timedelta(days=30))],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert only.returncode == 0, only.stderr
    report = json.loads(only.stdout)
    assert len(report["leaderboard"]) == 10 and report["weeks"] and report["flags"] and report["not_scorable"]
    excluded = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert excluded.returncode == 0 and json.loads(excluded.stdout)["leaderboard"] == []


def test_same_seed_same_rows(tmp_path):
    def totals(name):
        store = Store(tmp_path / name)
        synthesize(store, 1500, seed=3, today=TODAY)
        return sql(store, "SELECT operator_id, started_at, total FROM calls JOIN scores USING (call_id) "
                          "ORDER BY started_at, operator_id, total")
    assert totals("a.duckdb") == totals("b.duckdb")


def test_second_run_appends(tmp_path):
    store = Store(tmp_path / "twice.duckdb")
    synthesize(store, 500, seed=1, today=TODAY)
    synthesize(store, 500, seed=1, today=TODAY)  # call ids carry a run id: no collision
    assert store.table_counts()["calls"] == 1000


def test_refuses_a_database_with_real_calls(tmp_path):
    store = Store(tmp_path / "real.duckdb")
    real_call(store)
    with pytest.raises(QAError, match="real call"):
        synthesize(store, 100)
    result = subprocess.run([sys.executable, "-m", "qa.cli", "synth", "--calls", "100", "--db", str(store.path), "-q"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("callqa synth: ") and result.stderr.count("\n") == 1
    assert store.table_counts()["calls"] == 1


def test_cli_synth(tmp_path):
    db = tmp_path / "cli.duckdb"
    result = subprocess.run([sys.executable, "-m", "qa.cli", "synth", "--calls", "3000", "--db", str(db),
                             "--seed", "2", "--days", "60", "-q"], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["calls"] == 3000 and summary["rows"]["calls"] == 3000 and summary["seconds"] >= 0
    assert summary["days"] == 60 and Store(db).table_counts()["scores"] == 3000


def test_synthetic_categories_and_outcomes_follow_the_real_rules(synth):
    store, summary = synth
    assert summary["rows"]["call_outcomes"] > 0 and summary["rows"]["call_categories"] > 0
    # none on a call in a language not judged with base, or without speech; one outcome per judged call
    assert sql(store, "SELECT count(*) FROM call_outcomes o JOIN calls c USING (call_id) "
                      "WHERE c.language IN ('fi', 'hi', 'fa', 'sw') OR NOT c.has_speech")[0][0] == 0
    assert sql(store, "SELECT count(*) FROM call_outcomes o JOIN calls c USING (call_id) WHERE "
                      "(o.direction = 'outbound') <> (c.direction = 'outbound') OR "
                      "(o.refusal_reason IS NOT NULL) <> (o.outcome = 'refused')")[0][0] == 0
    kpis = store.outcome_kpis("team", "week", synthetic=True)
    assert sum(r["calls"] for r in kpis) == CALLS and any(r["not_judged"] for r in kpis)
    assert all(r["resolution_rate"] is None or 0 <= r["resolution_rate"] <= 1 for r in kpis)
    assert {r["reason"] for r in store.reasons(synthetic=True)} <= {
        "billing_question", "technical_fault", "order_application", "cancellation_request", "complaint"}
