"""Reading and reviewing while a batch writes the same database from another process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from helpers.paths import SAMPLE_AUDIO
from qa.scoring.rescore import review_flag
from qa.store import Store
from helpers.scores import BOOK, flag, store_call

pytestmark = pytest.mark.integration
CALLS = ("20261202T114500_op02_inbound_billing_es.wav", "20261203T133000_op04_inbound_collections_fi.wav",
         "20261130T091500_op01_inbound_billing_en.wav")


def test_reads_and_reviews_during_a_batch_are_served_and_kept(tmp_path):
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    for name in CALLS:
        shutil.copy(SAMPLE_AUDIO / name, recordings / name)
    db = tmp_path / "live.duckdb"
    store = Store(db)
    store_call(store, "reviewed-call", "op1", "2026-11-23T10:00:00+00:00", [flag("profanity", 12.0)])
    flag_id = store.call_flags("reviewed-call")[0]["flag_id"]

    batch = subprocess.Popen([sys.executable, "-m", "qa.cli", "run", str(recordings), "--db", str(db), "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    saved, reads, calls_seen, reported = [], 0, set(), False
    try:
        while batch.poll() is None:
            decision = ("dismiss", "confirm")[len(saved) % 2]
            review_id, _ = review_flag(store, BOOK, flag_id, f"reviewer-{len(saved)}", decision)
            saved.append(review_id)
            board = store.leaderboard()
            calls_seen.update(c.call_id for c in store.calls())
            reads += bool(board)
            if len(saved) == 2:  # the supervisor's command-line report answers too
                report = subprocess.run([sys.executable, "-m", "qa.cli", "report", "--db", str(db), "--format",
                                         "json"], capture_output=True, text=True, timeout=120)
                assert report.returncode == 0, report.stderr
                assert json.loads(report.stdout)["leaderboard"]
                reported = batch.poll() is None
            time.sleep(0.2)
    finally:
        out, err = batch.communicate(timeout=600)
    assert batch.returncode == 0, err
    assert len(saved) >= 3 and reads == len(saved) and reported
    assert '"processed": 3' in out
    assert sorted(r["review_id"] for r in store.reviews("reviewed-call")) == sorted(saved)
    assert len(store.calls()) == 4 and len(calls_seen) >= 2  # new calls became visible during the run
    expected = 100.0 if len(saved) % 2 else 80.0  # the last decision wins: dismissed gives the 20 back
    assert store.score("reviewed-call").total == expected
