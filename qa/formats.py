"""Transcript renderings: JSON, RTTM (who spoke when) and WebVTT (captions)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict

from qa.types import SpeechTurn, Transcript


def to_json(transcript: Transcript, uri: str) -> str:
    """The transcript as one JSON document (times in seconds)."""
    data = asdict(transcript)
    data["uri"] = uri
    data["has_speech"] = transcript.has_speech
    for utterance in data["utterances"]:
        utterance["role"] = utterance["role"].value
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_rttm(transcript: Transcript, uri: str) -> str:
    """Who spoke when: one SPEAKER line per diarization turn (the channels' speech on stereo),
    the speaker named by its role; a speaker no word was given to keeps its label."""
    votes: dict[str, Counter] = {}
    for u in transcript.utterances:
        votes.setdefault(u.speaker, Counter())[u.role.value] += len(u.words) or 1
    names = {speaker: counts.most_common(1)[0][0] for speaker, counts in votes.items()}
    turns = transcript.turns or tuple(SpeechTurn(u.start, u.end, u.speaker) for u in transcript.utterances)
    lines = [f"SPEAKER {uri} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {names.get(t.speaker, t.speaker)} <NA> <NA>"
             for t in turns]
    return "".join(line + "\n" for line in lines)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_vtt(transcript: Transcript, uri: str) -> str:
    """WebVTT captions with the role as the voice."""
    cues = [
        f"{_timestamp(u.start)} --> {_timestamp(u.end)}\n<v {u.role.value}>{u.text}\n"
        for u in transcript.utterances
    ]
    return "WEBVTT\n\n" + "\n".join(cues)
