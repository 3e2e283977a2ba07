"""The held-out call-outcome labels (benchmarks/labels/closings_heldout.yaml) keep their schema:
outcomes valid for the direction, a refusal reason on every refused exchange and on no other,
exactly 20 exchanges per outcome, unique ids, 2-6 turns of operator/customer text."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

HELDOUT = Path(__file__).resolve().parents[1] / "benchmarks" / "labels" / "closings_heldout.yaml"

OUTCOMES = {
    "inbound": {"resolved", "callback", "escalated", "unresolved"},
    "outbound": {"agreed", "refused", "no_decision"},
}
REASONS = {"price", "already_has", "not_interested", "call_later"}
LANGUAGES = {"en", "es", "fi"}
ROLES = {"operator", "customer"}
KEYS = {"id", "language", "direction", "outcome", "refusal_reason", "do_not_call", "hard", "turns"}


@pytest.fixture(scope="module")
def exchanges() -> list[dict]:
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert isinstance(data["exchanges"], list)
    return data["exchanges"]


def test_entry_schema(exchanges):
    for e in exchanges:
        assert set(e) == KEYS, e.get("id")
        assert e["language"] in LANGUAGES, e["id"]
        assert e["direction"] in OUTCOMES, e["id"]
        assert e["outcome"] in OUTCOMES[e["direction"]], e["id"]
        assert isinstance(e["do_not_call"], bool), e["id"]
        assert isinstance(e["hard"], bool), e["id"]


def test_refusal_reason_only_and_always_on_refused(exchanges):
    for e in exchanges:
        if e["outcome"] == "refused":
            assert e["refusal_reason"] in REASONS, e["id"]
        else:
            assert e["refusal_reason"] is None, e["id"]


def test_turns(exchanges):
    for e in exchanges:
        turns = e["turns"]
        assert 2 <= len(turns) <= 6, e["id"]
        for turn in turns:
            assert isinstance(turn, list) and len(turn) == 2, e["id"]
            role, text = turn
            assert role in ROLES, e["id"]
            assert isinstance(text, str) and text.strip(), e["id"]


def test_ids_unique(exchanges):
    ids = [e["id"] for e in exchanges]
    assert len(ids) == len(set(ids))


def test_twenty_per_outcome(exchanges):
    counts = Counter(e["outcome"] for e in exchanges)
    assert counts == {o: 20 for d in OUTCOMES.values() for o in d}


def test_coverage(exchanges):
    per_outcome_language = Counter((e["outcome"], e["language"]) for e in exchanges)
    for outcome in (o for d in OUTCOMES.values() for o in d):
        assert per_outcome_language[(outcome, "en")] == 14, outcome
        assert per_outcome_language[(outcome, "es")] == 4, outcome
        assert per_outcome_language[(outcome, "fi")] == 2, outcome
    reasons = Counter(e["refusal_reason"] for e in exchanges if e["outcome"] == "refused")
    assert all(reasons[r] >= 3 for r in REASONS), reasons
    assert sum(1 for e in exchanges if e["direction"] == "outbound" and e["do_not_call"]) >= 5
    hard = Counter(e["outcome"] for e in exchanges if e["hard"])
    assert all(3 <= hard[o] <= 5 for d in OUTCOMES.values() for o in d), hard
