"""faster-whisper transcription: word timestamps, VAD, batched where it pays."""

from __future__ import annotations

import os

import numpy as np

from qa.config import AsrConfig
from qa.errors import BackendUnavailable
from qa.transcribe.base import Recognition
from qa.transcribe.models import resolve_whisper_model
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
        options = dict(
            language=language or None,
            word_timestamps=True,
            vad_filter=self.config.vad_filter,
            beam_size=self.config.beam_size,
        )
        if self._batched is None:
            segments, info = self._model.transcribe(samples, condition_on_previous_text=False, **options)
            segments = list(segments)
        else:
            segments, info = self._batched.transcribe(samples, batch_size=self.config.batch_size, **options)
            segments = self._redecode_repetitions(samples, list(segments), info.language, options)
        words = tuple(
            Word(round(float(w.start), 3), round(float(w.end), 3), w.word.strip(), round(float(w.probability), 4))
            for segment in segments
            for w in (segment.words or ())
            if w.word.strip()
        )
        return Recognition(words, info.language, float(info.language_probability))


    def _redecode_repetitions(self, samples: np.ndarray, segments: list, language: str, options: dict) -> list:
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
                samples,
                clip_timestamps=[segment.start, segment.end],
                condition_on_previous_text=False,
                **(options | {"language": language, "vad_filter": False}),
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
