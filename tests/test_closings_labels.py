"""The call-outcome labels of issue #18 (benchmarks/labels/closings_written.yaml, and
closings_real.yaml where present) keep their schema: outcomes valid for the direction, a refusal
reason only on a refused offer, roles operator/customer, unique ids, and in the written file at
least 30 exchanges per outcome with Spanish and Finnish ones, near misses and do-not-call asks."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml
from helpers.paths import REPO, SHARED_DATA

LABELS = REPO / "benchmarks" / "labels"
WRITTEN = LABELS / "closings_written.yaml"
REAL = LABELS / "closings_real.yaml"

OUTCOMES = {
    "inbound": {"resolved", "callback", "escalated", "unresolved"},
    "outbound": {"agreed", "refused", "no_decision"},
}
ALL_OUTCOMES = set().union(*OUTCOMES.values())
REASONS = {"price", "already_has", "not_interested", "call_later"}
LANGUAGES = {"en", "es", "fi"}
ROLES = {"operator", "customer"}
KEYS = {
    "id",
    "language",
    "direction",
    "outcome",
    "refusal_reason",
    "do_not_call",
    "hard",
    "turns",
}
REAL_KEYS = KEYS | {
    "recording",
    "closing_at",
    "turns_ref",
    "sources",
    "note",
    "recording_ends_mid_call",
}


def _load(path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert isinstance(data["exchanges"], list) and data["exchanges"]
    return data["exchanges"]


def _check_entry(entry: dict, keys: set[str]) -> None:
    assert set(entry) <= keys, (entry["id"], set(entry) - keys)
    assert isinstance(entry["id"], str) and entry["id"], entry
    assert entry["language"] in LANGUAGES, entry["id"]
    assert entry["direction"] in OUTCOMES, entry["id"]
    assert entry["outcome"] in OUTCOMES[entry["direction"]], entry["id"]
    reason = entry.get("refusal_reason")
    if entry["outcome"] == "refused":
        assert reason in REASONS, entry["id"]
    else:
        assert reason is None, entry["id"]
    assert isinstance(entry["do_not_call"], bool) and isinstance(entry["hard"], bool), (
        entry["id"]
    )
    assert isinstance(entry["turns"], list), entry["id"]
    for turn in entry["turns"]:
        assert isinstance(turn, list) and len(turn) == 2, (entry["id"], turn)
        role, text = turn
        assert role in ROLES, (entry["id"], turn)
        assert isinstance(text, str) and text.strip(), (entry["id"], turn)


def test_written_closings_schema_and_coverage():
    exchanges = _load(WRITTEN)
    ids = [entry["id"] for entry in exchanges]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for entry in exchanges:
        _check_entry(entry, KEYS)
        assert 2 <= len(entry["turns"]) <= 6, entry["id"]
        assert entry["id"].startswith(f"{entry['language']}-{entry['outcome']}-"), (
            entry["id"]
        )

    per_outcome = Counter(entry["outcome"] for entry in exchanges)
    per_language = Counter((entry["outcome"], entry["language"]) for entry in exchanges)
    for outcome in ALL_OUTCOMES:
        assert per_outcome[outcome] >= 30, (outcome, per_outcome[outcome])
        assert per_language[outcome, "es"] >= 5, outcome
        assert per_language[outcome, "fi"] >= 3, outcome
        hard = sum(entry["hard"] for entry in exchanges if entry["outcome"] == outcome)
        assert hard >= 3, (outcome, hard)
    assert sum(entry["hard"] for entry in exchanges) >= len(exchanges) // 10
    assert (
        sum(
            entry["do_not_call"]
            for entry in exchanges
            if entry["direction"] == "outbound"
        )
        >= 8
    )
    assert {
        entry["refusal_reason"] for entry in exchanges if entry["outcome"] == "refused"
    } == REASONS


def test_real_closings_schema():
    if not REAL.exists():
        pytest.skip("benchmarks/labels/closings_real.yaml is absent")
    exchanges = _load(REAL)
    ids = [entry["id"] for entry in exchanges]
    assert len(ids) == len(set(ids))
    assert not set(ids) & {entry["id"] for entry in _load(WRITTEN)}
    for entry in exchanges:
        _check_entry(entry, REAL_KEYS)
        assert isinstance(entry["recording"], str) and not entry[
            "recording"
        ].startswith("/"), entry["id"]
        assert entry.get("sources"), entry["id"]
        if "closing_at" in entry:
            start, end = entry["closing_at"]
            assert 0 <= start < end, entry["id"]
        ref = entry.get("turns_ref")
        if ref:
            assert ref["turns"], entry["id"]
            for role, first, last in ref["turns"]:
                assert role in ROLES and 0 <= first <= last, (entry["id"], ref)


def test_real_closings_point_into_the_shared_data():
    if not REAL.exists():
        pytest.skip("benchmarks/labels/closings_real.yaml is absent")
    if not SHARED_DATA.is_dir():
        pytest.skip(f"no shared evaluation data at {SHARED_DATA}")
    for entry in _load(REAL):
        assert (SHARED_DATA / entry["recording"]).is_file(), entry["id"]
        ref = entry.get("turns_ref")
        if ref:
            phrases = json.loads(
                (SHARED_DATA / ref["file"]).read_text(encoding="utf-8")
            )["phrases"]
            last = max(turn[2] for turn in ref["turns"])
            assert last < len(phrases), entry["id"]
