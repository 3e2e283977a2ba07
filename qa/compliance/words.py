"""Words of a text as the text detectors compare them: unicode word tokens, case-folded, with
accents dropped (acute/grave only, or every Latin mark when ``loose``), and their times."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from qa.types import Utterance

_DROP_STRICT = {"\u0300", "\u0301", "\u0302", "\u0304", "\u064b", "\u064c", "\u064d", "\u064e",
                "\u064f", "\u0650", "\u0651", "\u0652", "\u0670", "\u093c"}
_LETTER_MAP = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9",
                             "\u0640": None, "\u0901": "\u0902"})


def fold(text: str, loose: bool = False) -> str:
    """Case-fold ``text`` and drop accents: acute/grave only, or (``loose``) every Latin mark.

    Arabic-script vowel marks and letter variants and the Devanagari nukta are always folded,
    so "كيري"/"کیری" and "भोसड़ी"/"भोसडी" compare equal.
    """
    out = []
    for char in unicodedata.normalize("NFD", text.casefold().translate(_LETTER_MAP)):
        if char in _DROP_STRICT:
            continue
        if loose and unicodedata.category(char) == "Mn" and not "\u0900" <= char <= "\u097f":
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


@dataclass(frozen=True)
class Token:
    """A word of a text: folded ``text``, the ``raw`` characters and their offsets."""

    text: str
    raw: str
    start: int
    end: int


def tokenize(text: str, loose: bool = False) -> list[Token]:
    """Split ``text`` into runs of letters, marks and digits (any script), folded."""
    tokens, start = [], None
    for index, char in enumerate(text + " "):
        if unicodedata.category(char)[0] in "LMN":
            start = index if start is None else start
        elif start is not None:
            raw = text[start:index]
            tokens.append(Token(fold(raw, loose), raw, start, index))
            start = None
    return tokens


def timed_tokens(utterance: Utterance, loose: bool = False) -> tuple[str, list[Token], list[tuple[float, float, float]]]:
    """The utterance's text, its tokens and each token's (start, end, probability).

    Times come from the utterance's words; without words they are spread over the
    utterance in proportion to the character offsets.
    """
    words = [w for w in utterance.words if w.text.strip()]
    if not words:
        text = utterance.text
        tokens = tokenize(text, loose)
        span, length = utterance.end - utterance.start, max(len(text), 1)
        return text, tokens, [(utterance.start + span * t.start / length,
                               utterance.start + span * t.end / length, 1.0) for t in tokens]
    starts, parts, position = [], [], 0
    for word in words:
        starts.append(position)
        parts.append(word.text.strip())
        position += len(parts[-1]) + 1
    text = " ".join(parts)
    tokens = tokenize(text, loose)
    timed = [words[bisect_right(starts, t.start) - 1] for t in tokens]
    return text, tokens, [(w.start, w.end, w.probability) for w in timed]
