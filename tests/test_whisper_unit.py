"""The code around faster-whisper, with a fake model: re-decoding a looping segment."""

import numpy as np
import pytest

pytest.importorskip("faster_whisper")

from faster_whisper.transcribe import Segment, Word  # noqa: E402

from qa.transcribe.whisper import WhisperTranscriber  # noqa: E402


def _segment(start, end, ratio, words=()):
    return Segment(id=0, seek=0, start=start, end=end, text=" ".join(w.word for w in words), tokens=[],
                   avg_logprob=-0.3, compression_ratio=ratio, no_speech_prob=0.0, words=list(words), temperature=0.0)


class FakeModel:
    def __init__(self) -> None:
        self.heard: list[int] = []

    def transcribe(self, audio, **options):
        self.heard.append(len(audio))
        return [_segment(0.5, 1.0, 1.1, [Word(0.5, 0.9, "hola", 0.9)])], None


def test_a_looping_segment_is_decoded_again_from_its_own_audio_only():
    transcriber = WhisperTranscriber.__new__(WhisperTranscriber)  # no model load: the fake stands in
    transcriber._model = FakeModel()
    looping = _segment(10.0, 20.0, 3.5, [Word(10.0, 10.2, "niña", 0.5)] * 40)
    fine = _segment(20.0, 25.0, 1.3, [Word(20.1, 20.4, "bien", 0.9)])
    fixed = transcriber._redecode_repetitions(np.zeros(30 * 16000, np.float32), [looping, fine], "es", {})
    assert transcriber._model.heard == [10 * 16000]  # not the whole recording
    assert [(s.start, s.end) for s in fixed] == [(10.5, 11.0), (20.0, 25.0)]
    assert [(w.word, w.start, w.end) for w in fixed[0].words] == [("hola", 10.5, 10.9)]


def test_batches_are_split_until_every_worker_has_one():
    from qa.transcribe.packing import pack
    from qa.transcribe.whisper import _Job, _batches, _spread

    assert _batches(19, 8) == [range(0, 8), range(8, 16), range(16, 19)]
    packing = pack([[(0, 16000 * 150)]])  # five windows
    one = _Job("en", [0], packing, np.zeros(0, np.float32), range(0, 5))
    assert [job.windows for job in _spread([one], 2)] == [range(0, 2), range(2, 5)]
    assert [job.windows for job in _spread([one], 4)] == [range(0, 1), range(1, 2), range(2, 3), range(3, 5)]
    assert _spread([one], 1) == [one] and _spread([], 2) == []
    single = _Job("en", [0], packing, np.zeros(0, np.float32), range(0, 1))
    assert _spread([single], 2) == [single]
