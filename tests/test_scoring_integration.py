"""Scores of the sample calls after a real run, checked against their ground truth events."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from helpers.paths import SAMPLE_AUDIO

pytestmark = pytest.mark.integration
CALLQA = [sys.executable, "-m", "qa.cli"]


def truth(name):
    return json.loads((SAMPLE_AUDIO / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def scores(batch):
    store, _ = batch
    return {c.file_name.removesuffix(".wav"): (c, store.score(c.call_id)) for c in store.calls()}


def lost(score):
    return {i.criterion: i for i in score.items if i.lost or i.failed}


def test_every_stored_call_is_scored_or_says_why_not(scores):
    for name, (call, score) in scores.items():
        assert score is not None, name
        assert score.scorable == (score.total is not None) == (score.not_scorable_reason is None), name
    assert scores["silent"][1].not_scorable_reason == "no speech"


def test_finnish_calls_are_not_judged_with_base_but_still_redacted(batch, scores):
    # no real-speech measurement of Finnish with base; its espeak calls come back at WER 0.66-0.82
    from qa.scoring.metrics import TEXT_METRICS

    store, _ = batch
    finnish = [(name, call, score) for name, (call, score) in scores.items() if call.language == "fi"]
    assert len(finnish) == 2
    for name, call, score in finnish:
        assert not score.scorable and score.total is None, name
        assert score.not_scorable_reason.startswith("not judged: Finnish with base: no real-speech measurement")
        assert {f.kind for f in store.flags(call.call_id)} <= {"raised_voice", "quiet_voice"}, name
        assert not {name for name, _ in store.metrics(call.call_id)} & TEXT_METRICS
        assert {"talk_s", "dead_air_count", "talk_listen_ratio"} <= {name for name, _ in store.metrics(call.call_id)}
        text_items = {i.criterion: i for i in score.items if i.criterion in ("greeting", "professional_language")}
        assert all(not i.applicable and "did not run" in i.reason for i in text_items.values()), name
    support = next(call for name, call, _ in finnish if "support" in name)
    assert {m.type for m in store.pii_mentions(support.call_id)} >= {"PERSON", "PHONE_NUMBER"}
    words = " ".join(w.text for w in store.transcript(support.call_id).words)
    assert "[PERSON]" in words and "[PHONE_NUMBER]" in words
    assert any(f.kind == "raised_voice" for f in store.flags(support.call_id))  # audio-only flags stay
    for name, (call, score) in scores.items():
        if call.has_speech and call.language != "fi":
            assert score.scorable, (name, score.not_scorable_reason)


def test_operator_reading_the_card_back_is_an_auto_fail_at_the_right_second(scores):
    name = "20261201T141000_op03_inbound_billing_en"
    event = next(e for e in truth(name)["events"] if e["role"] == "operator" and e.get("type") == "CREDIT_CARD")
    score = scores[name][1]
    assert score.auto_failed and score.total == 0.0
    item = lost(score)["card_read_back"]
    assert item.flag_refs and event["start"] - 1 <= item.start <= event["end"]


def test_operator_profanity_costs_professional_language_and_customer_profanity_does_not(batch, scores):
    store, _ = batch
    for name, (call, score) in scores.items():
        if not call.has_speech or not score.scorable:
            continue
        operator_swears = [e for e in truth(name)["events"] if e["kind"] == "profanity" and e["role"] == "operator"]
        item = {i.criterion: i for i in score.items}["professional_language"]
        assert bool(item.lost) == bool(operator_swears), name
        for flag_id in item.flag_refs:
            assert store.flag_call(flag_id) == call.call_id
        if operator_swears:
            assert abs(item.start - operator_swears[0]["start"]) < 2.0


def test_missing_closing_costs_closing_points(scores):
    score = scores["20261202T114500_op02_inbound_billing_es"][1]
    assert lost(score)["closing"].lost > 0 and lost(score)["closing"].flag_refs


def test_every_lost_point_has_evidence(scores):
    for name, (call, score) in scores.items():
        for item in lost(score).values():
            assert item.flag_refs or item.metric, (name, item)
            assert item.reason


def test_report_rescore_and_review_from_the_command_line(batch, tmp_path):
    store, _ = batch
    db = tmp_path / "copy.duckdb"
    shutil.copy(store.path, db)

    def callqa(*args):
        result = subprocess.run([*CALLQA, *map(str, args)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    report = json.loads(callqa("report", "--db", db, "--format", "json"))
    board = {r["operator_id"]: r for r in report["leaderboard"]}
    assert {"op01", "op02", "op03", "op04"} <= set(board)
    assert board["op03"]["not_scorable"] == 1 and board["op03"]["scored"] == 1
    assert {r["team"] for r in report["teams"]} >= {"north", "south"}
    header = callqa("report", "--db", db, "--format", "csv", "--since", "2026-12-01").splitlines()[0]
    assert header.startswith("iso_week,operator_id,rank")
    assert "Leaderboard" in callqa("report", "--db", db, "--operator", "op02")

    profanity = next(i for i in store.score(next(c.call_id for c in store.calls()
                                                 if c.file_name.startswith("20261130T103000"))).items
                     if i.criterion == "professional_language").flag_refs[0]
    review = json.loads(callqa("review", profanity, "dismiss", "--reviewer", "qa-anna", "--db", db))
    assert review["decision"] == "dismiss" and review["score"] > 0
    rescored = json.loads(callqa("rescore", "--db", db, "-q"))
    assert rescored["calls"] == len(store.calls())
    after = json.loads(callqa("report", "--db", db, "--format", "json", "--operator", "op02"))
    assert after["leaderboard"][0]["flags"] == board["op02"]["flags"] - 1  # the dismissal survives a rescore

    missing = subprocess.run([*CALLQA, "report", "--db", tmp_path / "none.duckdb"], capture_output=True, text=True)
    assert missing.returncode == 2 and "no such database" in missing.stderr and missing.stdout == ""
