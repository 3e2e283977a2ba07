"""What every detector shares: findings in text, flags on a call, and the Detector protocol.

Two levels:

* text level: ``TextFinding`` / ``PiiSpan`` are character spans of one piece of text (what
  ``callqa detect`` prints); profanity, forbidden phrases and personal data work here;
* call level: a ``Detector`` looks at a whole ``CallContext`` (transcript, audio, metadata)
  and returns ``Flag`` objects with times in seconds and the role of who said it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from qa.types import Call, Flag, PiiMention, Severity, Transcript

__all__ = ["CallContext", "Detector", "Flag", "PiiSpan", "Severity", "TextFinding"]

if TYPE_CHECKING:
    from qa.audio import Audio


@dataclass(frozen=True)
class PiiSpan:
    """Personal data found in a text: characters ``[start, end)`` of type ``type``.

    ``type`` uses Presidio's entity names where one exists (PERSON, PHONE_NUMBER,
    EMAIL_ADDRESS, CREDIT_CARD, IBAN_CODE, US_SSN, STREET_ADDRESS, DATE_TIME, …) plus USERNAME and
    ACCOUNT_NUMBER (an identifier with the business, said after a cue) and
    CARD_SECURITY_CODE and CARD_EXPIRY for card data near a card context.
    """

    start: int
    end: int
    type: str
    score: float = 1.0
    recognizer: str = ""


@dataclass(frozen=True)
class TextFinding:
    """A flag-worthy span of one text (profanity, forbidden phrase): characters ``[start, end)``."""

    kind: str
    severity: Severity
    start: int
    end: int
    confidence: float = 1.0
    detector: str = ""
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, eq=False)
class CallContext:
    """Everything a call-level detector may look at."""

    call: Call
    transcript: Transcript  # redacted as configured
    audio: "Audio | None" = None
    pii: tuple[PiiMention, ...] = ()  # personal data found in the clear transcript

    @property
    def language(self) -> str | None:
        return self.transcript.language or self.call.metadata.language


class Detector(Protocol):
    """A call-level detector: a stable ``name``, a ``version`` and ``detect``; registered in
    qa/compliance/registry.py. One that also works on plain text (``callqa detect``) has
    ``text_findings(text, language, role) -> list[TextFinding]``."""

    name: str
    version: str

    def detect(self, context: CallContext) -> list[Flag]: ...
