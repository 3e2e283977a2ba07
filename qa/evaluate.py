"""Accuracy against ground truth: DER, WER, word attribution, roles (needs callqa[dev]).

Ground truth follows sample_audio/README.md: an RTTM file (who spoke when) and a JSON file
with the utterances (speaker = role, start, end, text) of each call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qa.transcribe.roles import normalise
from qa.types import Role, SpeechTurn, Transcript


# Personal-data types of the sample ground truth -> the detector's (Presidio) names.
TRUTH_PII_TYPES = {"CREDIT_CARD": "CREDIT_CARD", "CVV": "CARD_SECURITY_CODE", "EXPIRY": "CARD_EXPIRY",
                   "PHONE": "PHONE_NUMBER", "EMAIL": "EMAIL_ADDRESS", "PERSON": "PERSON"}


@dataclass(frozen=True)
class TruthUtterance:
    role: Role
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class GroundTruth:
    """One sample call's ground truth."""

    file: str
    language: str
    channels: int
    utterances: tuple[TruthUtterance, ...]
    raw: dict

    @property
    def text(self) -> str:
        return " ".join(u.text for u in self.utterances)

    def text_of(self, role: Role) -> str:
        return " ".join(u.text for u in self.utterances if u.role is role)


def load_truth(json_path: str | Path) -> GroundTruth:
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    utterances = tuple(
        TruthUtterance(Role(u["speaker"]), float(u["start"]), float(u["end"]), u["text"])
        for u in data["utterances"]
    )
    return GroundTruth(data["file"], data["language"], int(data["channels"]), utterances, data)


def load_rttm(path: str | Path) -> list[SpeechTurn]:
    """SPEAKER lines of an RTTM file as speech turns."""
    turns = []
    for line in Path(path).read_text().splitlines():
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            turns.append(SpeechTurn(start, start + duration, fields[7]))
    return turns


def _annotation(turns: list[SpeechTurn]):
    from pyannote.core import Annotation, Segment

    annotation = Annotation()
    for index, turn in enumerate(turns):
        annotation[Segment(turn.start, turn.end), index] = turn.speaker
    return annotation


def diarization_error_rate(reference: list[SpeechTurn], hypothesis: list[SpeechTurn], collar: float = 0.0) -> float:
    """DER (pyannote.metrics), optimal speaker mapping, overlap scored, ``collar`` in seconds."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
    return float(metric(_annotation(reference), _annotation(hypothesis)))


# Digit words of the sample languages, so "four five" and "45" score alike.
_DIGIT_WORDS = {
    "en": "zero one two three four five six seven eight nine".split(),
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve".split(),
    "fi": "nolla yksi kaksi kolme neljä viisi kuusi seitsemän kahdeksan yhdeksän".split(),
}
_DIGIT_OF = {word: str(d) for words in _DIGIT_WORDS.values() for d, word in enumerate(words)} | {"oh": "0"}


def comparable_words(text: str) -> str:
    """Lower-cased words without punctuation, numbers written digit by digit (as WER compares them)."""
    tokens = normalise(text).split()
    return " ".join(" ".join(t) if t.isdigit() else _DIGIT_OF.get(t, t) for t in tokens)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER (jiwer) after lower-casing, removing punctuation and writing numbers digit by digit."""
    import jiwer

    return float(jiwer.wer(comparable_words(reference), comparable_words(hypothesis) or "<empty>"))


def _truth_role_at(truth: GroundTruth, time: float, tolerance: float) -> Role | None:
    inside = [u for u in truth.utterances if u.start - tolerance <= time <= u.end + tolerance]
    roles = {u.role for u in inside}
    return roles.pop() if len(roles) == 1 else None


def word_attribution(truth: GroundTruth, transcript: Transcript, tolerance: float = 0.3) -> tuple[int, int]:
    """(words whose role matches the ground-truth speaker at that time, words checked).

    Words in overlapping speech or outside every ground-truth utterance are not checked.
    """
    correct = checked = 0
    for utterance in transcript.utterances:
        for word in utterance.words:
            expected = _truth_role_at(truth, (word.start + word.end) / 2, tolerance)
            if expected is not None:
                checked += 1
                correct += utterance.role is expected
    return correct, checked


def utterance_attribution(truth: GroundTruth, transcript: Transcript, tolerance: float = 0.3) -> tuple[int, int]:
    """(utterances given to the party who did not speak most of their words, utterances checked)."""
    wrong = checked = 0
    for utterance in transcript.utterances:
        said = [_truth_role_at(truth, (w.start + w.end) / 2, tolerance) for w in utterance.words]
        said = [role for role in said if role is not None]
        if said:
            checked += 1
            wrong += max(set(said), key=said.count) is not utterance.role
    return wrong, checked


def with_bleed(channels: tuple, level_db: float, delays_s: tuple[float, float] = (0.02, 0.045)) -> tuple:
    """Two channels, each mixed into the other ``level_db`` down and late: channel 0 into 1 by
    ``delays_s[0]``, 1 into 0 by ``delays_s[1]`` (echo and bleed on a real line)."""
    import numpy as np

    gain = np.float32(10 ** (level_db / 20))

    def late(samples, seconds):
        shift = int(round(seconds * 16_000))
        return np.concatenate([np.zeros(shift, np.float32), samples[:samples.size - shift]])

    left, right = channels
    return left + gain * late(right, delays_s[1]), right + gain * late(left, delays_s[0])


def role_assignment(truth: GroundTruth, transcript: Transcript) -> dict[str, tuple[Role, Role | None]]:
    """For each hypothesis speaker: (role given, ground-truth role of most of its words)."""
    votes: dict[str, dict[Role, int]] = {}
    given: dict[str, Role] = {}
    for utterance in transcript.utterances:
        given[utterance.speaker] = utterance.role
        for word in utterance.words:
            expected = _truth_role_at(truth, (word.start + word.end) / 2, 0.3)
            if expected is not None:
                counts = votes.setdefault(utterance.speaker, {})
                counts[expected] = counts.get(expected, 0) + 1
    return {
        speaker: (role, max(votes[speaker], key=votes[speaker].get) if votes.get(speaker) else None)
        for speaker, role in given.items()
    }


def truth_transcript(truth: GroundTruth, rewrite=lambda text: text) -> Transcript:
    """The ground truth as a Transcript (role = speaker), word times spread evenly over each
    utterance; ``rewrite`` can damage the text the way a recogniser would."""
    from qa.types import Utterance, Word

    operator_channel = truth.raw.get("operator_channel")
    utterances = []
    for u in truth.utterances:
        channel = None
        if truth.channels == 2 and operator_channel is not None:
            channel = operator_channel if u.role is Role.OPERATOR else 1 - operator_channel
        text = rewrite(u.text)
        words = text.split()
        step = (u.end - u.start) / len(words)
        timed = tuple(Word(u.start + k * step, u.start + (k + 1) * step, w) for k, w in enumerate(words))
        utterances.append(Utterance(u.role.value, u.role, channel, u.start, u.end, text, timed))
    return Transcript(truth.file, truth.language, 1.0, float(truth.raw["duration"]), truth.channels,
                      int(truth.raw["sample_rate"]), tuple(utterances), ())


def redacted_reference(truth: GroundTruth, role: Role | None = None) -> str:
    """The ground-truth text (of one role, or all) with personal data replaced as stored."""
    text = truth.text if role is None else truth.text_of(role)
    for event in truth.raw["events"]:
        if event["kind"] == "pii" and (role is None or event["role"] == role.value):
            text = text.replace(event["text"], f"[{TRUTH_PII_TYPES[event['type']]}]")
    return text
