"""Words and speaker turns become utterances: who said which words."""

from __future__ import annotations

import numpy as np

from qa.types import Role, SpeechTurn, Utterance, Word

MAX_PAUSE_S = 1.5  # a longer pause inside one speaker's speech starts a new utterance


def assign_speakers(words: tuple[Word, ...], turns: list[SpeechTurn]) -> list[str]:
    """The speaker of each word: the turn overlapping it most, else the nearest turn."""
    if not turns:
        return ["SPEAKER_00"] * len(words)
    starts = np.array([t.start for t in turns])
    ends = np.array([t.end for t in turns])
    speakers = [t.speaker for t in turns]
    assigned = []
    for word in words:
        overlap = np.minimum(ends, word.end) - np.maximum(starts, word.start)
        best = int(np.argmax(overlap))
        if overlap[best] <= 0:
            middle = (word.start + word.end) / 2
            distance = np.maximum(starts - middle, middle - ends)
            best = int(np.argmin(distance))
        assigned.append(speakers[best])
    return assigned


def group_utterances(
    words: tuple[Word, ...],
    speakers: list[str],
    channel: int | None = None,
    max_pause: float = MAX_PAUSE_S,
) -> list[Utterance]:
    """Consecutive words of one speaker, split at speaker changes and long pauses (role unknown)."""
    utterances: list[Utterance] = []
    current: list[Word] = []
    current_speaker = None
    for word, speaker in zip(words, speakers):
        if current and (speaker != current_speaker or word.start - current[-1].end > max_pause):
            utterances.append(_utterance(current_speaker, channel, current))
            current = []
        current.append(word)
        current_speaker = speaker
    if current:
        utterances.append(_utterance(current_speaker, channel, current))
    return utterances


def _utterance(speaker: str, channel: int | None, words: list[Word]) -> Utterance:
    return Utterance(
        speaker=speaker,
        role=Role.UNKNOWN,
        channel=channel,
        start=words[0].start,
        end=words[-1].end,
        text=" ".join(w.text for w in words),
        words=tuple(words),
    )


def interleave(*per_channel: list[Utterance]) -> list[Utterance]:
    """Utterances of several channels in time order (overlapping speech stays as it is)."""
    return sorted((u for utterances in per_channel for u in utterances), key=lambda u: (u.start, u.end))
