"""Dial attempts (attempts.csv) and the connection rate: reading, storing once, rates, the report."""

from __future__ import annotations

from datetime import date

from qa.attempts import attempt_files, read_attempts
from qa.batch import RunSummary, load_attempts
from qa.scoring.report import build_report, render
from qa.store import Store

ROWS = """operator_id,campaign,time,disposition,note
op1,sales,2026-11-30T09:00:00+00:00,connected,
op1,sales,2026-11-30T09:05:00+00:00,no_answer,
op1,sales,2026-11-30T09:10:00,busy,no offset: UTC
op1,sales,2026-12-01T10:00:00+00:00,answered,
op2,,2026-12-01T10:00:00+00:00,voicemail,
op2,sales,yesterday,connected,a bad time
,sales,2026-12-01T10:00:00+00:00,connected,no operator
"""


def test_attempts_are_read_with_one_line_per_bad_row(tmp_path):
    path = tmp_path / "attempts.csv"
    path.write_text(ROWS, encoding="utf-8")
    attempts, problems = read_attempts(path)
    assert [(a.operator_id, a.disposition, a.connected) for a in attempts] == [
        ("op1", "connected", True), ("op1", "no_answer", False), ("op1", "busy", False), ("op1", "answered", True),
        ("op2", "voicemail", False)]
    assert attempts[2].attempted_at.utcoffset().total_seconds() == 0 and attempts[4].campaign is None
    assert problems == [f"{path}:7: time 'yesterday' is not an ISO 8601 date and time",
                        f"{path}:8: operator_id and disposition must not be empty"]
    (tmp_path / "broken.csv").write_text("who,when\nx,y\n", encoding="utf-8")
    assert read_attempts(tmp_path / "broken.csv")[1] == [
        f"{tmp_path / 'broken.csv'}: missing column(s) operator_id, campaign, time, disposition "
        "(needs operator_id, campaign, time, disposition)"]


def test_attempts_beside_the_recordings_are_stored_once_and_give_the_connection_rate(tmp_path):
    calls = tmp_path / "calls" / "monday"
    calls.mkdir(parents=True)
    (calls / "attempts.csv").write_text(ROWS, encoding="utf-8")
    assert attempt_files([tmp_path / "calls"]) == [(calls / "attempts.csv").resolve()]
    store = Store(tmp_path / "qa.duckdb")
    first, again = RunSummary(run_id="1"), RunSummary(run_id="2")
    load_attempts([tmp_path / "calls"], store, first)
    load_attempts([tmp_path / "calls"], store, again)  # a rerun adds nothing
    assert (first.attempts, again.attempts, len(first.attempt_problems)) == (5, 0, 2)
    rows = store.connection_rates("operator_id", "week")
    assert [(r["operator_id"], r["iso_week"], r["attempts"], r["connected"], r["connection_rate"]) for r in rows] == [
        ("op1", "2026-W49", 4, 2, 0.5), ("op2", "2026-W49", 1, 0, 0.0)]
    assert [r["attempts"] for r in store.connection_rates("campaign", "day", since=date(2026, 12, 1))] == [1, 1]
    report = build_report(store)
    assert "Dial attempts by ISO week" in render(report, "table") and report.attempts[0]["connection_rate"] == 0.5
