"""faster-whisper transcription: word timestamps, VAD, batched where it pays."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from qa.config import AsrConfig
from qa.errors import BackendUnavailable
from qa.transcribe.base import AsrStream, Recognition
from qa.transcribe.models import resolve_whisper_model
from qa.transcribe.packing import SAMPLE_RATE, pack
from qa.transcribe.vad import asr_options, speech_activity
from qa.types import Word

_INSTALL_HINT = "pip install faster-whisper"
_COMPRESSION_RATIO_LIMIT = 2.4  # whisper's threshold for a looping, repetitive decode


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
        try:
            self._model = WhisperModel(
                self.model_path,
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=self.cpu_threads,
            )
        except Exception as error:  # hub download refused offline, bad path, missing CUDA
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise BackendUnavailable(
                f"whisper model {config.model!r} cannot be loaded on {self.device}/{self.compute_type}: "
                f"{first_line}"
            ) from None
        self._batched = BatchedInferencePipeline(self._model) if config.batch_size > 1 else None

    def describe(self) -> dict:
        """The resolved model, device and threads, as ``callqa models`` prints them."""
        return describe_asr(self.config) | {"model_path": self.model_path}

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        """The most likely language of the speech in ``samples`` and its probability."""
        language, probability, _ = self._model.detect_language(samples, vad_filter=self.config.vad_filter)
        return language, float(probability)

    def transcribe(self, samples: np.ndarray, language: str | None = None) -> Recognition:
        """Words with timestamps; detects the language when none is given."""
        return self.transcribe_many([AsrStream(samples, language)])[0]

    def transcribe_many(self, streams: Sequence[AsrStream]) -> list[Recognition]:
        """Words of many channels at once: their speech packed into shared 30 s windows.

        Streams are grouped by language (detected first where none is given) and each group
        is packed (qa/transcribe/packing.py) and decoded in full batches, so the windows of
        short calls and of both channels of a stereo call fill a batch together.
        """
        regions = [self._speech(stream) for stream in streams]
        languages: list[tuple[str | None, float]] = []
        for stream, stream_regions in zip(streams, regions):
            if stream.language or not stream_regions:
                languages.append((stream.language or None, 1.0 if stream.language else 0.0))
            else:
                languages.append(self._detect(stream.samples, stream_regions))
        if self._batched is None:
            return [self._sequential(stream.samples, language, probability)
                    for stream, (language, probability) in zip(streams, languages)]
        words: list[list[Word]] = [[] for _ in streams]
        for language in dict.fromkeys(language for language, _ in languages if language):
            members = [i for i, (lang, _) in enumerate(languages) if lang == language and regions[i]]
            packing = pack([regions[i] for i in members])
            audio = packing.audio([streams[i].samples for i in members])
            for segment in self._decode_packed(audio, packing, language):
                for w in segment.words or ():
                    if not w.word.strip():
                        continue
                    member, start, end = packing.locate(w.start, w.end)
                    words[members[member]].append(
                        Word(round(float(start), 3), round(float(end), 3), w.word.strip(), round(float(w.probability), 4)))
        return [Recognition(tuple(sorted(found, key=lambda w: w.start)), language, float(probability))
                for found, (language, probability) in zip(words, languages)]

    def _speech(self, stream: AsrStream) -> list[tuple[int, int]]:
        """The stream's ASR speech regions: given, found by VAD, or (no VAD) all of it."""
        if stream.speech is not None:
            return list(stream.speech)
        if not self.config.vad_filter:
            return [(0, len(stream.samples))] if len(stream.samples) else []
        return speech_activity(stream.samples).regions(asr_options())

    def _detect(self, samples: np.ndarray, regions: list[tuple[int, int]]) -> tuple[str, float]:
        """Language of the first 30 s of speech (what faster-whisper looks at, too)."""
        first = pack([regions])
        start, end = first.windows[0]
        language, probability, _ = self._model.detect_language(first.audio([samples])[start:end])
        return language, float(probability)

    def _decode_packed(self, audio: np.ndarray, packing, language: str) -> list:
        options = dict(language=language, word_timestamps=True, beam_size=self.config.beam_size)
        clips = [{"start": start / SAMPLE_RATE, "end": end / SAMPLE_RATE} for start, end in packing.windows]
        segments, _ = self._batched.transcribe(audio, batch_size=self.config.batch_size, clip_timestamps=clips,
                                               **options)
        return self._redecode_repetitions(audio, list(segments), language, options)

    def _sequential(self, samples: np.ndarray, language: str | None, probability: float) -> Recognition:
        """batch_size = 1: faster-whisper's sequential decoding with temperature fallback."""
        segments, info = self._model.transcribe(samples, language=language, word_timestamps=True,
                                                vad_filter=self.config.vad_filter, beam_size=self.config.beam_size,
                                                condition_on_previous_text=False)
        words = tuple(
            Word(round(float(w.start), 3), round(float(w.end), 3), w.word.strip(), round(float(w.probability), 4))
            for segment in segments for w in (segment.words or ()) if w.word.strip()
        )
        if language is None:
            probability = float(info.language_probability)
        return Recognition(words, info.language, probability)

    def _redecode_repetitions(self, audio: np.ndarray, segments: list, language: str, options: dict) -> list:
        """Decode again, sequentially with temperature fallback, the batched segments stuck in a loop.

        Batched decoding has no fallback, so a segment can repeat one word until its window ends
        ("niña niña niña …"); whisper's own remedy is to re-sample above a compression ratio.
        """
        fixed = []
        for segment in segments:
            if segment.compression_ratio <= _COMPRESSION_RATIO_LIMIT:
                fixed.append(segment)
                continue
            again, _ = self._model.transcribe(
                audio,
                clip_timestamps=[segment.start, segment.end],
                condition_on_previous_text=False,
                vad_filter=False,
                **(options | {"language": language}),
            )
            fixed.extend(again)
        return fixed


def describe_asr(config: AsrConfig) -> dict:
    """Resolved ASR settings without loading the model (the model path is resolved)."""
    device = resolve_device(config.device)
    return {
        "model": config.model,
        "model_path": resolve_whisper_model(config.model),
        "device": device,
        "compute_type": resolve_compute_type(config.compute_type, device),
        "cpu_threads": resolve_threads(config.cpu_threads),
        "batch_size": config.batch_size,
        "beam_size": config.beam_size,
        "vad_filter": config.vad_filter,
    }
