"""The detectors a configuration asks for, loaded once, run over one call.

Order matters: personal data is found first, on the clear transcript; every other detector
then sees the redacted transcript, so the evidence it quotes is redacted too. Personal data is
looked for even when the ``pii`` detector is switched off (then it raises no leak flags):
card numbers and security codes must never reach storage in clear. The same holds on a call
whose language is not judged (``judge_text=False``): redacted, but no text verdicts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from qa.compliance.base import CallContext, Detector
from qa.compliance.personal import find_mentions, redact_transcript
from qa.compliance.registry import detector_spec
from qa.config import ComplianceConfig
from qa.types import Call, Flag, PiiMention, Transcript

if TYPE_CHECKING:
    from qa.audio import Audio


@dataclass(frozen=True)
class Analysis:
    """What the detectors made of one call: the transcript to store, flags, personal data."""

    transcript: Transcript
    flags: tuple[Flag, ...]
    pii: tuple[PiiMention, ...]
    seconds: dict[str, float] = field(default_factory=dict, compare=False)


class Compliance:
    """Runs the configured detectors; each loads on first use and is reused for every call."""

    def __init__(self, config: ComplianceConfig | None = None) -> None:
        self.config = config or ComplianceConfig()
        self._detectors: dict[str, Detector] = {}

    @cached_property
    def pii(self):
        """The personal-data recogniser: redaction runs whatever detectors are configured."""
        from qa.compliance.pii import PiiDetector

        return PiiDetector()

    def detector(self, name: str) -> Detector:
        """A registered detector, built with its configured settings on first use."""
        if name not in self._detectors:
            self._detectors[name] = detector_spec(name).build(self.config.settings_for(name))
        return self._detectors[name]

    def load(self) -> None:
        """Load every configured detector now (before a timed batch)."""
        self.pii
        for name in self.config.detectors:
            self.detector(name)

    def running(self, judge_text: bool = True) -> tuple[str, ...]:
        """The configured detectors that run on a call; without ``judge_text``, the audio-only ones."""
        return tuple(name for name in self.config.detectors if judge_text or not detector_spec(name).reads_text)

    def versions(self, judge_text: bool = True) -> dict[str, str]:
        """Detector name -> version of those that run, for the run and call records."""
        return {name: detector_spec(name).version for name in self.running(judge_text)}

    def redact(self, call: Call, transcript: Transcript) -> tuple[list[PiiMention], Transcript]:
        """Personal-data mentions of one call and its transcript redacted as configured.

        Runs whatever detectors are configured: card data must never be stored in clear.
        """
        if not transcript.has_speech:
            return [], transcript
        mentions = find_mentions(transcript, self.pii, transcript.language or call.metadata.language)
        return mentions, redact_transcript(transcript, mentions, everything=self.config.redact)

    def analyze(self, call: Call, transcript: Transcript, audio: "Audio | None" = None,
                judge_text: bool = True) -> Analysis:
        """Flags and personal data of one call, and its transcript redacted as configured.

        ``judge_text`` False (a language the ASR model transcribes too badly to judge): the
        call is redacted all the same, but only detectors that judge the audio alone run.
        """
        started = time.perf_counter()
        mentions, redacted = self.redact(call, transcript)
        seconds = {"redaction": time.perf_counter() - started}
        flags: list[Flag] = []
        if transcript.has_speech:
            context = CallContext(call, redacted, audio, tuple(mentions))
            for name in self.running(judge_text):
                started = time.perf_counter()
                flags += self.detector(name).detect(context)
                seconds[name] = time.perf_counter() - started
        flags.sort(key=lambda f: (f.start, f.kind))
        return Analysis(redacted, tuple(flags), tuple(mentions), seconds)
