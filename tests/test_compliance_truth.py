"""The whole detector suite on the sample calls' ground-truth text and real audio: the
detectors' own floor, separate from what the recogniser loses (test_compliance_integration)."""

from __future__ import annotations

import pytest

from qa.audio import load_audio
from qa.compliance.suite import Compliance
from qa.evaluate import TRUTH_PII_TYPES as PII_TYPES, load_truth, truth_transcript
from qa.ingest import identify

from helpers.events import overlaps
from helpers.paths import SAMPLE_AUDIO

TRUTHS = sorted(SAMPLE_AUDIO.glob("*.json"))


@pytest.fixture(scope="module")
def compliance():
    suite = Compliance()
    suite.load()
    return suite


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_every_event_found_and_nothing_else(compliance, truth_path):
    truth = load_truth(truth_path)
    wav = truth_path.with_suffix(".wav")
    analysis = compliance.analyze(identify(wav), truth_transcript(truth), load_audio(wav))
    events = truth.raw["events"]
    for event in events:
        if event["kind"] == "pii":
            assert any(m.type == PII_TYPES[event["type"]] and m.role.value == event["role"]
                       and overlaps(m.start, m.end, event) for m in analysis.pii), event
        else:
            assert any(f.kind == event["kind"] and f.role.value == event["role"]
                       and overlaps(f.start, f.end, event) for f in analysis.flags), event
    leaks = [e for e in events if e["kind"] == "pii" and e["role"] == "operator" and e["type"] == "CREDIT_CARD"]
    for flag in analysis.flags:
        expected = leaks if flag.kind == "pii_leak" else [e for e in events if e["kind"] == flag.kind]
        assert any(overlaps(flag.start, flag.end, e) for e in expected), (flag.kind, flag.start, flag.evidence)
