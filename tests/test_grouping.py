"""Calls analysed in groups: a shared ASR pass, and a failure that still lands on its own call."""

import shutil

import numpy as np
import pytest

from qa.audio import Audio
from qa.config import Config
from qa.engine import Engine
from qa.faults import Fault
from qa.pipeline import transcribe_calls, with_vad
from qa.transcribe.base import Recognition
from qa.types import Call, CallMetadata, Word
from helpers.paths import SAMPLE_AUDIO

POISON = 0.25  # a channel whose first sample is this makes the fake recogniser fail


class FakeTranscriber:
    """Stands in for faster-whisper around the grouping code: one word per stream."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def transcribe_many(self, streams):
        self.calls.append(len(streams))
        if any(s.samples[0] == POISON for s in streams):
            raise RuntimeError("decoder failed on this audio")
        return [Recognition((Word(0.1, 0.4, f"word{len(s.samples)}", 0.9),), s.language, 1.0) for s in streams]


def _stereo_call(name: str, seconds: float, first: float = 0.0) -> tuple[Call, Audio]:
    rng = np.random.default_rng(len(name))
    channels = tuple(rng.normal(0, 0.01, int(seconds * 16000)).astype(np.float32) for _ in range(2))
    channels[0][0] = first
    call = Call(call_id=name, path=f"/calls/{name}.wav", metadata=CallMetadata(language="en"))
    return call, Audio(f"/calls/{name}.wav", channels, 16000)


def test_a_group_shares_one_recognition_pass_and_a_bad_call_fails_alone():
    engine = Engine(Config())
    fake = engine.__dict__["transcriber"] = FakeTranscriber()
    decoded = [with_vad(*_stereo_call(name, 2.0 + k, POISON if name == "bad" else 0.0), engine)
               for k, name in enumerate(("one", "bad", "two"))]
    results = transcribe_calls(decoded, engine)
    assert fake.calls == [6, 2, 2, 2]  # the group together, then each call alone after the failure
    assert isinstance(results[1], Fault) and isinstance(results[1].error, RuntimeError)
    assert results[1].kind == "file" and results[1].reason == "decoder failed on this audio"
    for result, seconds in ((results[0], 2.0), (results[2], 4.0)):
        words = [w.text for w in result.transcript.words]
        assert words == [f"word{int(seconds * 16000)}"] * 2  # each channel got its own recognition
        assert {u.channel for u in result.transcript.utterances} == {0, 1}


def test_a_good_group_is_recognised_once():
    engine = Engine(Config())
    fake = engine.__dict__["transcriber"] = FakeTranscriber()
    results = transcribe_calls([with_vad(*_stereo_call(n, 1.5), engine) for n in ("a", "b")], engine)
    assert fake.calls == [4] and all(r.transcript.channels == 2 for r in results)


@pytest.mark.integration
def test_two_copies_of_one_recording_in_a_group_are_stored_once(tmp_path):
    from qa.batch import run_batch
    from qa.engine import engine_for
    from qa.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    name = "20261202T114500_op02_inbound_billing_es.wav"
    shutil.copy(SAMPLE_AUDIO / name, folder / name)
    shutil.copy(SAMPLE_AUDIO / name, folder / f"copy_{name}")
    summary = run_batch([folder], Store(tmp_path / "g.duckdb"), engine_for(Config()))
    assert (summary.processed, summary.skipped, summary.failed) == (1, 1, 0)
