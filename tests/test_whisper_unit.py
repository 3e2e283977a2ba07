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
    fixed = transcriber._redecode_repetitions(np.zeros(30 * 16000, np.float32), [looping, fine], {"language": "es"})
    assert transcriber._model.heard == [10 * 16000]  # not the whole recording
    assert [(s.start, s.end) for s in fixed] == [(10.5, 11.0), (20.0, 25.0)]
    assert [(w.word, w.start, w.end) for w in fixed[0].words] == [("hola", 10.5, 10.9)]


def test_batches_are_split_until_every_worker_has_one():
    from qa.transcribe.packing import pack
    from qa.transcribe.whisper import _Job, _batches, _spread

    assert _batches(19, 8) == [range(0, 6), range(6, 12), range(12, 19)]  # as few as fit, even
    assert _batches(5, 4) == [range(0, 2), range(2, 5)] and _batches(8, 4) == [range(0, 4), range(4, 8)]
    assert _batches(0, 4) == []
    packing = pack([[(0, 16000 * 150)]])  # five windows
    one = _Job("en", [0], packing, (np.zeros(0, np.float32),), range(0, 5))
    assert [job.windows for job in _spread([one], 2)] == [range(0, 2), range(2, 5)]
    assert [job.windows for job in _spread([one], 4)] == [range(0, 1), range(1, 2), range(2, 3), range(3, 5)]
    assert _spread([one], 1) == [one] and _spread([], 2) == []
    single = _Job("en", [0], packing, (np.zeros(0, np.float32),), range(0, 1))
    assert _spread([single], 2) == [single]


def test_a_job_decodes_only_its_own_windows_audio():
    from qa.transcribe.packing import pack
    from qa.transcribe.whisper import _Job

    heard = []

    class FakePipeline:
        def __init__(self, model):
            pass

        def transcribe(self, audio, clip_timestamps, **options):
            heard.append((len(audio), clip_timestamps))
            words = [Word(t + 0.5, t + 0.9, "hi", 0.9) for t in range(60)]  # every second heard
            return iter([_segment(0.0, 60.0, 1.2, words)]), None

    transcriber = WhisperTranscriber.__new__(WhisperTranscriber)
    transcriber._model, transcriber._batched_pipeline = FakeModel(), FakePipeline
    transcriber.config, transcriber.batch_per_worker = type("C", (), {"beam_size": 5})(), 4
    samples = (np.zeros(16000 * 150, np.float32),)
    packing = pack([[(0, 16000 * 150)]])  # five 30 s windows
    segments, offset = transcriber._decode_job(_Job("en", [0], packing, samples, range(3, 5)))
    [(length, clips)] = heard
    # as BatchedInferencePipeline turns clip seconds into samples: exactly the windows
    assert length == 16000 * 60
    assert [(int(c["start"] * 16000), int(c["end"] * 16000)) for c in clips] == [(0, 480000), (480000, 960000)]
    assert offset == 90.0 and packing.locate(segments[0].words[0].start + offset, 90.9)[1] == 90.5


def test_unheard_spans_are_long_stretches_of_a_window_without_a_word():
    from qa.transcribe.whisper import unheard_spans

    windows = [(0.0, 30.0), (30.0, 40.0)]
    heard = [(6.0, 6.5), (6.4, 7.0), (8.0, 9.0), (29.5, 30.2), (31.0, 39.0)]
    assert unheard_spans(windows, heard) == [(0.0, 6.0), (9.0, 29.5)]
    assert unheard_spans([(0.0, 2.5)], []) == []  # shorter than 3 s: left alone
    assert unheard_spans([(0.0, 5.0)], []) == [(0.0, 5.0)]


def test_speech_the_batch_heard_nothing_in_is_decoded_alone_and_merged_in_order():
    transcriber = WhisperTranscriber.__new__(WhisperTranscriber)
    transcriber._model = FakeModel()  # hears "hola" at 0.5-0.9 s of what it is given
    batched = [_segment(10.0, 12.0, 1.2, [Word(10.0, 12.0, "bien", 0.9)])]
    runs = [(4.0, 12.0)]
    fixed = transcriber._redecode_unheard(np.zeros(16000 * 12, np.float32), batched, runs, {"language": "es"})
    assert transcriber._model.heard == [6 * 16000]  # 4-10 s, and only that
    assert [(w.word, w.start) for s in fixed for w in s.words] == [("hola", 4.5), ("bien", 10.0)]


def test_a_word_stretched_over_skipped_speech_gives_way_to_the_words_decoded_alone():
    from qa.transcribe.whisper import stretched

    assert stretched("sorry,", 3.1) and not stretched("sorry,", 2.4) and not stretched("I", 1.9)
    assert not stretched("0770090123.", 3.4)  # ten digits take their time
    transcriber = WhisperTranscriber.__new__(WhisperTranscriber)
    transcriber._model = FakeModel()  # hears "hola" at 0.5-0.9 s of what it is given
    batched = [_segment(4.0, 12.0, 1.2, [Word(4.0, 4.3, "I'm", 0.9), Word(4.3, 9.8, "sorry", 0.6),
                                         Word(10.0, 12.0, "bien", 0.9)])]
    runs = [(4.0, 12.0)]
    fixed = transcriber._redecode_unheard(np.zeros(16000 * 12, np.float32), batched, runs, {"language": "es"})
    assert transcriber._model.heard == [int(5.7 * 16000)]  # 4.3-10 s: from the last word heard to the next
    assert [(w.word, w.start) for s in fixed for w in s.words] == [("I'm", 4.0), ("bien", 10.0), ("hola", 4.8)]
