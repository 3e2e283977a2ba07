"""faster-whisper transcription: word timestamps, VAD, batched where it pays."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from qa.audio import SAMPLE_RATE
from qa.config import AsrConfig
from qa.errors import BackendUnavailable
from qa.spans import merge_spans
from qa.transcribe.base import AsrStream, Recognition
from qa.transcribe.models import resolve_whisper_model
from qa.transcribe.packing import Packing, pack
from qa.transcribe.vad import asr_options, speech_activity
from qa.types import Word

_INSTALL_HINT = "pip install faster-whisper"
_COMPRESSION_RATIO_LIMIT = 2.4  # whisper's threshold for a looping, repetitive decode
UNHEARD_S = 3.0  # this much speech (by the VAD) with no word in it is decoded again, alone
# a word timed longer than this (0.5 s a letter or digit, at least 2 s) was stretched by the
# decoder over speech it skipped: "sorry" over 3.1 s where twenty words were said
STRETCHED_MIN_S, STRETCHED_S_PER_CHARACTER = 2.0, 0.5


def resolve_device(device: str) -> str:
    """``auto`` becomes ``cuda`` when CTranslate2 sees a GPU, else ``cpu``."""
    if device != "auto":
        return device
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def resolve_compute_type(compute_type: str, device: str) -> str:
    """``auto`` becomes float16 on a GPU and int8 on the CPU."""
    if compute_type != "auto":
        return compute_type
    return "float16" if device == "cuda" else "int8"


def resolve_threads(cpu_threads: int) -> int:
    return cpu_threads if cpu_threads > 0 else (os.cpu_count() or 1)


def resolve_workers(workers: int, device: str, cpu_threads: int) -> int:
    """``0`` (auto): two batches at once on a CPU with two or more threads, one on a GPU."""
    if workers > 0:
        return workers
    return 2 if device == "cpu" and cpu_threads >= 2 else 1


class WhisperTranscriber:
    """Transcriber backed by faster-whisper; loads its model once, in the constructor."""

    def __init__(self, config: AsrConfig) -> None:
        try:
            from faster_whisper import BatchedInferencePipeline, WhisperModel
        except ImportError as error:
            raise BackendUnavailable(f"faster-whisper is not importable ({error}): {_INSTALL_HINT}") from None
        self.config = config
        self.model_path = resolve_whisper_model(config.model)
        self.device = resolve_device(config.device)
        self.compute_type = resolve_compute_type(config.compute_type, self.device)
        self.cpu_threads = resolve_threads(config.cpu_threads)
        self.workers = resolve_workers(config.workers, self.device, self.cpu_threads)
        # batch_size windows in flight in all, not per worker: with 16 in flight a 60-minute
        # call peaked at 3.86 GB RSS, with 8 at 3.24 GB (benchmarks/memory.py)
        self.batch_per_worker = max(1, config.batch_size // self.workers)
        try:
            # each worker decodes its own batch with its share of the threads: on 2 cores two
            # 1-thread batches at once took 11-13 s where one 2-thread batch at a time took 20-22
            self._model = WhisperModel(
                self.model_path,
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=max(1, self.cpu_threads // self.workers),
                num_workers=self.workers,
            )
        except Exception as error:  # hub download refused offline, bad path, missing CUDA
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise BackendUnavailable(
                f"whisper model {config.model!r} cannot be loaded on {self.device}/{self.compute_type}: "
                f"{first_line}"
            ) from None
        self._batched_pipeline = BatchedInferencePipeline
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="callqa-asr") if self.workers > 1 else None

    def describe(self) -> dict:
        """The resolved model, device and threads, as ``callqa models`` prints them."""
        return describe_asr(self.config) | {"model_path": self.model_path}

    def detect_language(self, streams: Sequence[AsrStream]) -> tuple[str | None, float]:
        """The language of one call's channels together and its probability, from their mix over
        the first 30 s of speech of any of them (None when none has speech)."""
        regions = [self._speech(stream) for stream in streams]
        if not any(regions):
            return None, 0.0
        return self._detect([stream.samples for stream in streams], merge_spans(r for rs in regions for r in rs))

    def transcribe(self, samples: np.ndarray, language: str | None = None) -> Recognition:
        """Words with timestamps; detects the language when none is given."""
        return self.transcribe_many([AsrStream(samples, language)])[0]

    def transcribe_many(self, streams: Sequence[AsrStream]) -> list[Recognition]:
        """Words of many channels at once: their windows decoded in shared batches.

        Streams are grouped by language (detected first where none is given); each group's
        speech is laid out as 30 s windows (qa/transcribe/packing.py, a window never holds
        two streams) and decoded in full batches, so the windows of short calls and of both
        channels of a stereo call fill a batch together.
        """
        regions = [self._speech(stream) for stream in streams]
        languages: list[tuple[str | None, float]] = []
        for stream, stream_regions in zip(streams, regions):
            if stream.language or not stream_regions:
                languages.append((stream.language or None, 1.0 if stream.language else 0.0))
            else:
                languages.append(self._detect([stream.samples], stream_regions))
        if self.config.batch_size == 1:
            return [self._sequential(stream.samples, language, probability)
                    for stream, (language, probability) in zip(streams, languages)]
        jobs = []
        for language in dict.fromkeys(language for language, _ in languages if language):
            members = [i for i, (lang, _) in enumerate(languages) if lang == language and regions[i]]
            packing = pack([regions[i] for i in members])
            samples = tuple(streams[i].samples for i in members)
            jobs += [_Job(language, members, packing, samples, windows)
                     for windows in _batches(len(packing.windows), self.batch_per_worker)]
        # longest first: the pool hands jobs out in order, so the workers finish together
        jobs = sorted(_spread(jobs, self.workers), key=lambda job: -len(job.windows))
        decoded = self._pool.map(self._decode_job, jobs) if self._pool and len(jobs) > 1 else map(self._decode_job, jobs)
        words: list[list[Word]] = [[] for _ in streams]
        for job, (segments, offset) in zip(jobs, decoded):
            for w in (w for segment in segments for w in segment.words or ()):
                if w.word.strip():
                    member, start, end = job.packing.locate(w.start + offset, w.end + offset)
                    words[job.members[member]].append(_word(w, start, end))
        return [Recognition(tuple(sorted(found, key=lambda w: w.start)), language, float(probability))
                for found, (language, probability) in zip(words, languages)]

    def _speech(self, stream: AsrStream) -> list[tuple[int, int]]:
        """The stream's ASR speech regions: given, found by VAD, or (no VAD) all of it."""
        if stream.speech is not None:
            return list(stream.speech)
        if not self.config.vad_filter:
            return [(0, len(stream.samples))] if len(stream.samples) else []
        return speech_activity(stream.samples).regions(asr_options())

    def _detect(self, channels: Sequence[np.ndarray], regions: list[tuple[int, int]]) -> tuple[str, float]:
        """Language of the channels' mix over the first 30 s of speech in ``regions`` (what
        faster-whisper looks at, too), mixed only there: no copy of a whole recording."""
        first = pack([regions])
        end = first.windows[0][1]
        mix = [sum(channel[p.start:p.end] for channel in channels) / np.float32(len(channels))
               for p in first.pieces if p.offset < end]
        language, probability, _ = self._model.detect_language(np.concatenate(mix).astype(np.float32, copy=False))
        return language, float(probability)

    def _decode_job(self, job: "_Job") -> tuple[list, float]:
        """One batch of windows through BatchedInferencePipeline (its own instance: it keeps
        state); its segments, timed from the job's first window, and that window's packed start
        in seconds. Only the job's own audio is packed: a whole 60-minute call at once is 230 MB."""
        windows = job.packing.windows[job.windows.start:job.windows.stop]
        first = windows[0][0]
        audio = job.packing.audio(job.samples, first, windows[-1][1])
        options = dict(language=job.language, word_timestamps=True, beam_size=self.config.beam_size)
        clips = [{"start": _seconds(start - first), "end": _seconds(end - first)} for start, end in windows]
        pipeline = self._batched_pipeline(self._model)
        segments, _ = pipeline.transcribe(audio, batch_size=self.batch_per_worker, clip_timestamps=clips, **options)
        segments = self._redecode_repetitions(audio, list(segments), options)
        runs = [(_seconds(start - first), _seconds(end - first)) for start, end in job.packing.runs(windows)]
        return self._redecode_unheard(audio, segments, runs, options), first / SAMPLE_RATE

    def _sequential(self, samples: np.ndarray, language: str | None, probability: float) -> Recognition:
        """batch_size = 1: faster-whisper's sequential decoding with temperature fallback."""
        segments, info = self._model.transcribe(samples, language=language, word_timestamps=True,
                                                vad_filter=self.config.vad_filter, beam_size=self.config.beam_size,
                                                condition_on_previous_text=False)
        words = tuple(_word(w, w.start, w.end) for segment in segments for w in (segment.words or ()) if w.word.strip())
        if language is None:
            probability = float(info.language_probability)
        return Recognition(words, info.language, probability)

    def _redecode_repetitions(self, audio: np.ndarray, segments: list, options: dict) -> list:
        """Decode again, sequentially with temperature fallback, the batched segments stuck in a loop.

        Batched decoding has no fallback, so a segment can repeat one word until its window ends
        ("niña niña niña …"); whisper's own remedy is to re-sample above a compression ratio.
        """
        fixed = []
        for segment in segments:
            if segment.compression_ratio <= _COMPRESSION_RATIO_LIMIT:
                fixed.append(segment)
            else:
                fixed += self._decode_alone(audio, segment.start, segment.end, options)
        return fixed

    def _redecode_unheard(self, audio: np.ndarray, segments: list, runs: list[tuple[float, float]],
                          options: dict) -> list:
        """Decode again, alone, stretches of speech the batch heard no word in.

        All of a job's audio is speech by the VAD, yet a batched decode can skip several seconds
        of it: on the Finnish sample it dropped the operator's greeting, which a script check
        would then flag as missing. It can also time one word over what it skipped, so a
        stretched word counts as unheard, and gives way to what the decode alone hears there.
        Decoded alone, with fallback, the skipped words come back. ``runs`` are the spans (s)
        of one stream's windows end to end: a skip often crosses from one window to the next.
        """
        heard = [(w.start, w.end) for segment in segments for w in segment.words or ()
                 if not stretched(w.word, w.end - w.start)]
        gaps = unheard_spans(runs, heard)
        if not gaps:
            return segments
        extra = [again for start, end in gaps for again in self._decode_alone(audio, start, end, options)]
        kept = [replace(segment, words=[w for w in segment.words if not _inside(w, gaps)])
                if segment.words and any(_inside(w, gaps) for w in segment.words) else segment
                for segment in segments]
        return sorted(kept + extra, key=lambda segment: segment.start)

    def _decode_alone(self, audio: np.ndarray, start: float, end: float, options: dict) -> list:
        """Segments of ``audio`` from ``start`` to ``end`` seconds, decoded sequentially with
        temperature fallback; only that audio, as transcribe() computes features for all it is given."""
        first = int(start * SAMPLE_RATE)
        again, _ = self._model.transcribe(audio[first:int(end * SAMPLE_RATE)], condition_on_previous_text=False,
                                          vad_filter=False, **options)
        shift = first / SAMPLE_RATE
        return [replace(s, start=s.start + shift, end=s.end + shift,
                        words=[replace(w, start=w.start + shift, end=w.end + shift) for w in s.words or ()])
                for s in again]


def unheard_spans(windows: list[tuple[float, float]], heard: list[tuple[float, float]],
                  min_gap: float = UNHEARD_S) -> list[tuple[float, float]]:
    """Stretches of at least ``min_gap`` seconds inside ``windows`` that no heard (start, end) span touches."""
    gaps = []
    for window_start, window_end in windows:
        at = window_start
        for start, end in sorted(span for span in heard if span[1] > window_start and span[0] < window_end):
            if start - at >= min_gap:
                gaps.append((at, start))
            at = max(at, end)
        if window_end - at >= min_gap:
            gaps.append((at, window_end))
    return gaps


def stretched(text: str, seconds: float) -> bool:
    """Whether a word said in ``seconds`` is longer than its letters and digits could take."""
    return seconds > max(STRETCHED_MIN_S, STRETCHED_S_PER_CHARACTER * sum(c.isalnum() for c in text))


def _inside(word, spans: list[tuple[float, float]]) -> bool:
    middle = (word.start + word.end) / 2
    return any(start <= middle < end for start, end in spans)


def _seconds(samples: int) -> float:
    """Seconds that faster-whisper's ``int(seconds * 16000)`` turns back into exactly ``samples``
    (``samples / 16000`` can come back one sample short)."""
    return (samples + 0.25) / SAMPLE_RATE


def _word(word, start: float, end: float) -> Word:
    """A faster-whisper word as ours, at ``start``-``end`` seconds."""
    return Word(round(float(start), 3), round(float(end), 3), word.word.strip(), round(float(word.probability), 4))


@dataclass(frozen=True, eq=False)
class _Job:
    """Some windows of one language's packed streams, decoded as one batch."""

    language: str
    members: list[int]  # stream index of each packed stream
    packing: Packing
    samples: tuple[np.ndarray, ...]  # each packed stream's audio
    windows: range


def _batches(count: int, size: int) -> list[range]:
    """``count`` windows in as few batches of at most ``size`` as can hold them, as even as can be."""
    batches = -(-count // size)
    if not batches:
        return []
    bounds = [count * k // batches for k in range(batches + 1)]
    return [range(start, stop) for start, stop in zip(bounds, bounds[1:])]


def _spread(jobs: list[_Job], workers: int) -> list[_Job]:
    """Split the largest batches in two until every worker has one (or none can be split)."""
    jobs = list(jobs)
    while len(jobs) < workers:
        largest = max(jobs, key=lambda job: len(job.windows), default=None)
        if largest is None or len(largest.windows) < 2:
            break
        middle = largest.windows.start + len(largest.windows) // 2
        at = jobs.index(largest)
        jobs[at:at + 1] = [replace(largest, windows=range(largest.windows.start, middle)),
                           replace(largest, windows=range(middle, largest.windows.stop))]
    return jobs


def describe_asr(config: AsrConfig) -> dict:
    """Resolved ASR settings without loading the model (the model path is resolved)."""
    device = resolve_device(config.device)
    threads = resolve_threads(config.cpu_threads)
    return {
        "model": config.model,
        "model_path": resolve_whisper_model(config.model),
        "device": device,
        "compute_type": resolve_compute_type(config.compute_type, device),
        "cpu_threads": threads,
        "workers": resolve_workers(config.workers, device, threads),
        "batch_size": config.batch_size,
        "beam_size": config.beam_size,
        "vad_filter": config.vad_filter,
    }
