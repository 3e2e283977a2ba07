"""Domain types: frozen dataclasses, times in float seconds from the start of the call."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping


class Role(str, enum.Enum):
    """Who a speaker is in the call."""

    OPERATOR = "operator"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing and the recogniser's confidence."""

    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True)
class SpeechTurn:
    """A stretch of time during which one speaker talks (diarization output)."""

    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Utterance:
    """Consecutive words of one speaker, with the speaker's role."""

    speaker: str
    role: Role
    channel: int | None
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class CallMetadata:
    """What is known about a call before listening to it (manifest, file name)."""

    operator_id: str | None = None
    direction: str | None = None  # "inbound" | "outbound"
    campaign: str | None = None
    language: str | None = None
    started_at: str | None = None  # ISO 8601 as given
    team: str | None = None
    operator_speaker: str | None = None  # role override: channel "0"/"1" or "first"/"second"


@dataclass(frozen=True)
class Call:
    """One recording to process: its content hash is its identity."""

    call_id: str
    path: str
    metadata: CallMetadata = field(default_factory=CallMetadata)


@dataclass(frozen=True)
class ChannelLayout:
    """How a call's channels were read, with the measures behind it (qa/transcribe/layout.py)."""

    channels: int  # in the file
    mode: str  # mono | channels | dual_mono | one_sided | mixed
    reason: str
    forced: bool = False  # by [roles] stereo
    live_channel: int | None = None  # the channel diarized (dual_mono, one_sided)
    correlation: float | None = None  # zero-lag, of the two channels
    difference_db: float | None = None  # level of their difference against their sum
    envelope_correlation: float | None = None  # of their frame energies, at the best lag up to 256 ms
    level_db: tuple[float, ...] = ()  # dBFS per channel
    speech_s: tuple[float | None, ...] = ()  # VAD speech per channel, two parties: its own only (None: not run)
    bleed_db: tuple[float | None, ...] = ()  # the other channel's bleed into each

    @property
    def diarized(self) -> bool:
        """Whether speakers come from diarization (not one per channel)."""
        return self.mode != "channels"


@dataclass(frozen=True)
class Transcript:
    """A call's diarized, role-labelled transcript."""

    call_id: str
    language: str | None
    language_probability: float
    duration: float
    channels: int
    sample_rate: int
    utterances: tuple[Utterance, ...]
    turns: tuple[SpeechTurn, ...]

    @property
    def has_speech(self) -> bool:
        return bool(self.utterances)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(word for utterance in self.utterances for word in utterance.words)


class Severity(str, enum.Enum):
    """How urgently a QA specialist should look at a flag."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Flag:
    """Something a QA specialist must look at, in one call.

    ``start``/``end`` are seconds from the start of the call (from word timestamps);
    ``evidence`` is the (redacted) text that shows it; ``details`` holds detector-specific
    facts as (name, value) pairs (e.g. the script step, the loudness excess in LU).
    """

    kind: str
    severity: Severity
    role: Role
    start: float
    end: float
    evidence: str
    detector: str
    detector_version: str
    confidence: float = 1.0
    speaker: str | None = None
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PiiMention:
    """Personal data spoken in a call: which words, when, of what type; never the value."""

    type: str
    role: Role
    speaker: str
    start: float
    end: float
    utterance_index: int
    first_word: int
    last_word: int  # inclusive
    score: float = 1.0
    recognizer: str = ""


@dataclass(frozen=True)
class ScoreItem:
    """One scorecard criterion applied to one call, with the evidence for any lost points.

    ``flag_refs`` name the flags that cost points (flag ids once stored); ``metric`` /
    ``metric_role`` / ``metric_value`` the measurement that did; ``start``/``end`` where in
    the call the evidence is (None when it is the whole call). ``restored_refs`` are flags a
    reviewer dismissed, whose points were given back.
    """

    criterion: str
    label: str
    weight: float
    points: float
    applicable: bool = True
    auto_fail: bool = False
    failed: bool = False  # an auto-fail criterion that fired
    reason: str = ""
    flag_refs: tuple[int, ...] = ()
    restored_refs: tuple[int, ...] = ()
    metric: str | None = None
    metric_role: str | None = None
    metric_value: float | None = None
    start: float | None = None
    end: float | None = None

    @property
    def lost(self) -> float:
        return round(self.weight - self.points, 3) if self.applicable else 0.0


@dataclass(frozen=True)
class Score:
    """A call's score on one scorecard: 0-100, or not scorable with the reason."""

    call_id: str
    scorecard: str
    scorecard_version: str
    scorable: bool
    total: float | None
    items: tuple[ScoreItem, ...] = ()
    not_scorable_reason: str | None = None
    auto_failed: bool = False


@dataclass(frozen=True)
class CategoryMatch:
    """A category a call fell into, with the utterance (or flag) that showed it."""

    category: str
    group: str  # reason | resolution | outbound
    role: Role | None
    start: float | None
    end: float | None
    evidence: str  # the redacted utterance, or the flag's evidence
    confidence: float


@dataclass(frozen=True)
class Categorization:
    """A call's categories, its outcome, and the category book version they came from."""

    book_version: str
    matches: tuple[CategoryMatch, ...]
    direction: str  # inbound | outbound
    outcome: str  # inbound: resolved | callback | escalated | unresolved; outbound: agreed | refused | no_decision
    refusal_reason: str | None = None  # price | already_has | not_interested | call_later
    do_not_call: bool = False


@dataclass(frozen=True)
class CallResult:
    """Everything stored for one call, computed without the database (picklable, so a worker
    process can compute it and the one writing process store it)."""

    call: Call
    transcript: Transcript  # as stored: redacted as configured
    language_source: str
    asr_model: str
    diarization: str
    flags: tuple[Flag, ...]
    pii: tuple[PiiMention, ...]
    redacted: bool
    detectors: dict[str, str]
    audio_path: str | None
    metrics: tuple[tuple[str, str, float], ...]
    dead_air: tuple[tuple[float, float], ...]
    score: Score
    layout: ChannelLayout | None = None  # how the channels were read
    categorization: Categorization | None = None  # None: not judged (language) or no speech

    @property
    def outcome(self) -> str:
        """'processed', or 'no_speech' for a readable recording in which nobody spoke."""
        return "processed" if self.transcript.has_speech else "no_speech"


@dataclass(frozen=True)
class ScoringInput:
    """What a call is scored on. ``flags`` are (ref, flag): ref is the flag id once stored."""

    call_id: str
    campaign: str | None = None
    language: str | None = None
    language_source: str = "detected"  # metadata | config | detected
    language_probability: float = 1.0
    asr_model: str | None = None
    has_speech: bool = True
    word_count: int = 0
    mean_word_probability: float | None = None
    flags: tuple[tuple[int, Flag], ...] = ()
    metrics: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (name, role) -> value
    dead_air: tuple[tuple[float, float], ...] = ()
    dismissed: frozenset[int] = frozenset()  # refs of flags a reviewer dismissed
    detectors: frozenset[str] | None = None  # detectors that ran on the call (None: not known)
