"""The detectors a configuration asks for, loaded once, run over one call.

Order matters: personal data is found first, on the clear transcript; every other detector
then sees the redacted transcript, so the evidence it quotes is redacted too. Personal data is
looked for even when the ``pii`` detector is switched off (then it raises no leak flags):
card numbers and security codes must never reach storage in clear.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from qa.compliance.base import CallContext
from qa.compliance.personal import find_mentions, leak_flags, redact_transcript
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

    @cached_property
    def pii(self):
        from qa.compliance.pii import PiiDetector

        return PiiDetector()

    @cached_property
    def profanity(self):
        from qa.compliance.profanity import ProfanityConfig, ProfanityDetector

        return ProfanityDetector(ProfanityConfig(allow=self.config.profanity_allow, deny=self.config.profanity_deny))

    @cached_property
    def loudness(self):
        from qa.compliance.loudness import LoudnessConfig, LoudnessDetector

        c = self.config
        return LoudnessDetector(LoudnessConfig(raised_lu=c.raised_lu, min_raised_s=c.min_raised_s,
                                               quiet_floor_lufs=c.quiet_floor_lufs,
                                               quiet_relative_lu=c.quiet_relative_lu))

    @cached_property
    def script(self):
        from qa.compliance.script import ScriptDetector, load_scripts

        return ScriptDetector(load_scripts(self.config.scripts or None, company=self.config.company or None))

    def load(self) -> None:
        """Load every configured detector now (before a timed batch)."""
        for name in {"pii", *self.config.detectors}:
            getattr(self, name)

    def versions(self) -> dict[str, str]:
        """Detector name -> version, for the run record."""
        return {name: getattr(self, name).version for name in self.config.detectors}

    def redact(self, call: Call, transcript: Transcript) -> tuple[list[PiiMention], Transcript]:
        """Personal-data mentions of one call and its transcript redacted as configured.

        Runs whatever detectors are configured: card data must never be stored in clear.
        """
        if not transcript.has_speech:
            return [], transcript
        mentions = find_mentions(transcript, self.pii, transcript.language or call.metadata.language)
        return mentions, redact_transcript(transcript, mentions, everything=self.config.redact)

    def analyze(self, call: Call, transcript: Transcript, audio: "Audio | None" = None) -> Analysis:
        """Flags and personal data of one call, and its transcript redacted as configured."""
        seconds: dict[str, float] = {}
        flags: list[Flag] = []
        started = time.perf_counter()
        mentions, redacted = self.redact(call, transcript)
        if "pii" in self.config.detectors:
            flags += leak_flags(mentions, redacted, call.metadata.campaign, self.config.no_card_campaigns,
                                self.config.leak_window_s, self.pii.version)
        seconds["pii"] = time.perf_counter() - started
        context = CallContext(call, redacted, audio)
        for name in self.config.detectors:
            if name == "pii" or not transcript.has_speech:
                continue
            started = time.perf_counter()
            flags += getattr(self, name).detect(context)
            seconds[name] = time.perf_counter() - started
        flags.sort(key=lambda f: (f.start, f.kind))
        return Analysis(redacted, tuple(flags), tuple(mentions), seconds)
