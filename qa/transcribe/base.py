"""The protocols each transcription stage implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from qa.types import SpeechTurn, Word


@dataclass(frozen=True)
class Recognition:
    """What a transcriber heard in one channel."""

    words: tuple[Word, ...]
    language: str | None
    language_probability: float


@dataclass(frozen=True, eq=False)
class AsrStream:
    """One channel to recognise: float32 mono 16 kHz samples, its language if known, and its
    speech regions as (start, end) samples when a VAD pass already found them."""

    samples: np.ndarray
    language: str | None = None
    speech: Sequence[tuple[int, int]] | None = None


class Transcriber(Protocol):
    """Speech to timed words. ``samples`` are float32 mono at 16 kHz."""

    def detect_language(self, streams: Sequence[AsrStream]) -> tuple[str | None, float]:
        """The language of one call's channels together and its probability."""
        ...

    def transcribe(self, samples: np.ndarray, language: str | None = None) -> Recognition: ...

    def transcribe_many(self, streams: Sequence[AsrStream]) -> list[Recognition]:
        """One Recognition per stream, in order; a backend may decode them together."""
        ...


class Diarizer(Protocol):
    """Who spoke when in a mono recording. ``samples`` are float32 mono at 16 kHz."""

    def diarize(
        self,
        samples: np.ndarray,
        num_speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> list[SpeechTurn]: ...
