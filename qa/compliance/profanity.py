"""Profanity in what was said: whole-word, inflection-aware matching per language.

Word lists are glin-profanity 4.1.0's dictionaries, read as data through its
``DictionaryLoader`` (its ``Filter`` has no stems, so "vittuun" or "joder" are missed, and no
per-language curation, so Spanish "martillo" or Finnish "tavara" are flagged). Each covered
language has a curation file ``lexicons/<code>.yaml`` (see ``lexicons/README.md``): severities,
stems for inflected forms, exclusions of ordinary words and a few additions.

Covered: ``COVERED_LANGUAGES`` = English, Spanish, Finnish, Hindi (romanised and Devanagari),
Persian and Swahili (a short hand-written list: no package ships one). Every language also gets
the English "international" stems (fuck*, shit*, ...). Language ``None`` uses all covered lists
together; any other language gets only the international stems and the deny list.

Matching works on unicode word tokens, case-folded with acute/grave accents dropped (ñ, ä, ö
stay letters of their own). A word matches an entry when it is equal to it, equal to it plus a
plural suffix of the language, or - for a stem (``fuck*``) - starts with it; multi-word entries
match consecutive words. So "fucked" matches, "Scunthorpe", "cocktail" and "assistance" do not.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from qa.compliance.base import CallContext, Flag, Severity, TextFinding
from qa.compliance.registry import DetectorSpec, SyntheticRate, register
from qa.compliance.words import Token, fold, timed_tokens, tokenize
from qa.errors import ConfigError
from qa.types import Role

COVERED_LANGUAGES = ("en", "es", "fi", "hi", "fa", "sw")
LEXICON_DIR = Path(__file__).with_name("lexicons")
_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}
# A capitalised "Dick" after one of these is an insult, not a name.
_INSULT_LEAD = {"you", "your", "a", "an", "big", "fat", "stupid", "little", "such", "what", "the",
                "this", "that", "total", "complete", "fucking", "lazy", "ugly", "dumb", "huge"}


@dataclass(frozen=True)
class _Term:
    words: tuple[str, ...]
    severity: Severity
    stem: bool
    plural: tuple[str, ...]
    language: str

    @property
    def label(self) -> str:
        return " ".join(self.words) + ("*" if self.stem else "")

    def matches(self, tokens: list[Token], i: int) -> bool:
        if i + len(self.words) > len(tokens):
            return False
        *head, last = self.words
        if any(tokens[i + k].text != word for k, word in enumerate(head)):
            return False
        token = tokens[i + len(head)].text
        if self.stem:
            return token.startswith(last)
        return token == last or any(token == last + suffix for suffix in self.plural)


@dataclass(frozen=True)
class _Lexicon:
    terms: tuple[_Term, ...]
    exceptions: tuple[tuple[str, ...], ...]
    names: frozenset[str]


def _key(entry: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokenize(entry))


@functools.lru_cache(maxsize=None)
def _language_spec(code: str) -> dict:
    path = LEXICON_DIR / f"{code}.yaml"
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: {str(error).splitlines()[0]}") from None
    if not isinstance(spec, dict):
        raise ConfigError(f"{path}: expected a mapping of keys")
    return spec


def _terms(code: str, only: tuple[str, ...] | None = None) -> list[_Term]:
    """Terms of one language; ``only`` restricts them to those entries (the international list)."""
    spec = _language_spec(code)
    plural = tuple(spec.get("plural") or ())
    graded: dict[tuple[str, ...], _Term] = {}
    for level in ("low", "medium", "high"):
        for entry in spec.get(level) or ():
            entry = str(entry)
            key = _key(entry.rstrip("*"))
            if key:
                graded[key] = _Term(key, Severity(level), entry.endswith("*"), plural, code)
    if only is not None:
        wanted = {_key(e.rstrip("*")) for e in only}
        return [term for key, term in graded.items() if key in wanted]
    terms = dict(graded)
    stems = [key[0] for key, term in graded.items() if term.stem and len(key) == 1]
    if spec.get("glin"):
        from glin_profanity.data.dictionary import dictionary  # the package's own loader

        default = Severity(spec.get("default", "medium"))
        excluded = {_key(str(e)) for e in spec.get("exclude") or ()}
        for word in dictionary.get_words(spec["glin"]):
            if any(unicodedata.category(c)[0] not in "LMNZ" and c not in "-'" for c in word):
                continue  # leetspeak and emoji ("a$$", "f*ck"): never in ASR output
            key = _key(word)
            if len(key) == 1 and any(key[0].startswith(stem) for stem in stems):
                continue  # graded by the stem ("fucking" by "fuck*")
            if key and key not in excluded and key not in terms:
                terms[key] = _Term(key, default, False, plural, code)
    return list(terms.values())


@functools.lru_cache(maxsize=None)
def _lexicon(language: str | None) -> _Lexicon:
    codes = COVERED_LANGUAGES if language is None else ((language,) if language in COVERED_LANGUAGES else ())
    terms = {t.words: t for t in _terms("en", tuple(_language_spec("en").get("international") or ()))}
    exceptions: set[tuple[str, ...]] = set()
    names: set[str] = set()
    for code in codes:
        spec = _language_spec(code)
        terms.update({t.words: t for t in _terms(code)})
        exceptions.update(_key(str(e)) for e in spec.get("exceptions") or ())
        names.update(fold(str(n)) for n in spec.get("names") or ())
    return _Lexicon(tuple(terms.values()), tuple(sorted(exceptions)), frozenset(names))


def _language_code(language: str | None) -> str | None:
    return language.replace("_", "-").split("-")[0].lower() if language else None


def _phrase_cover(tokens: list[Token], phrases) -> set[int]:
    covered: set[int] = set()
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if n and all(tokens[i + k].text == phrase[k] for k in range(n)):
                covered.update(range(i, i + n))
    return covered


def _is_name(tokens: list[Token], text: str, i: int) -> bool:
    raw = tokens[i].raw
    if not (raw[:1].isupper() and raw[1:].islower()):
        return False
    def stop(a: int, b: int) -> bool:
        return any(c in ".!?" for c in text[tokens[a].end:tokens[b].start])

    if i + 1 < len(tokens) and tokens[i + 1].raw[:1].isupper() and not stop(i, i + 1):
        return True  # "Dick Smith"
    return i > 0 and not stop(i - 1, i) and tokens[i - 1].text not in _INSULT_LEAD


@dataclass(frozen=True)
class ProfanityConfig:
    """Per-deployment lists of whole words or phrases: ``allow`` never flags, ``deny`` flags (medium).

    A deny entry ending in ``*`` is a stem ("darn*" matches "darned").
    """

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()


class ProfanityDetector:
    """Finds swearing, slurs and sexual vulgarity in transcripts and texts."""

    name = "profanity"
    version = "1"

    def __init__(self, config: ProfanityConfig = ProfanityConfig()) -> None:
        self.config = config
        self._allow = tuple(k for k in (_key(a) for a in config.allow) if k)
        self._deny = tuple(_Term(_key(d.rstrip("*")), Severity.MEDIUM, d.endswith("*"), (), "deny")
                           for d in config.deny if _key(d.rstrip("*")))
        self._indexes: dict[str | None, tuple[dict[str, list[_Term]], list[_Term]]] = {}

    def _index(self, code: str | None) -> tuple[dict[str, list[_Term]], list[_Term]]:
        if code not in self._indexes:
            by_first: dict[str, list[_Term]] = {}
            stems: list[_Term] = []
            for term in [t for t in _lexicon(code).terms if t.words not in self._allow] + list(self._deny):
                if term.stem and len(term.words) == 1:
                    stems.append(term)
                else:
                    by_first.setdefault(term.words[0], []).append(term)
            self._indexes[code] = by_first, stems
        return self._indexes[code]

    def _matches(self, tokens: list[Token], text: str, language: str | None) -> list[tuple[int, int, _Term]]:
        code = _language_code(language)
        lexicon = _lexicon(code)
        by_first, stems = self._index(code)
        protected = _phrase_cover(tokens, lexicon.exceptions + self._allow)
        found, i = [], 0
        while i < len(tokens):
            word = tokens[i].text
            candidates = by_first.get(word, []) + [t for t in stems if word.startswith(t.words[0])]
            candidates += [t for n in range(1, min(4, len(word))) for t in by_first.get(word[:-n], ())]
            hits = [t for t in candidates if t.matches(tokens, i)]
            if hits:
                term = max(hits, key=lambda t: (len(t.words), _RANK[t.severity]))
                span = range(i, i + len(term.words))
                named = len(term.words) == 1 and term.words[0] in lexicon.names and _is_name(tokens, text, i)
                if not named and not protected.intersection(span):
                    found.append((i, span.stop, term))
                    i = span.stop
                    continue
            i += 1
        return found

    def text_findings(self, text: str, language: str | None, role: str | None) -> list[TextFinding]:
        """Profanity in a plain text, whoever said it (``callqa detect``)."""
        return self.find(text, language)

    def find(self, text: str, language: str | None) -> list[TextFinding]:
        """Profanity in ``text``: one finding per matched word or phrase, with character offsets."""
        tokens = tokenize(text)
        return [TextFinding(kind="profanity", severity=term.severity, start=tokens[i].start,
                            end=tokens[j - 1].end, detector=self.name,
                            details=(("term", term.label), ("language", term.language)))
                for i, j, term in self._matches(tokens, text, language)]

    def detect(self, context: CallContext) -> list[Flag]:
        """One flag per utterance with profanity, timed by the matched words.

        Operator profanity is a violation (severity at least medium); the customer's is kept
        as context (``violation`` false); an unknown speaker's is ``violation`` unknown.
        """
        flags = []
        for utterance in context.transcript.utterances:
            text, tokens, times = timed_tokens(utterance)
            matches = self._matches(tokens, text, context.language)
            if not matches:
                continue
            severity = max((term.severity for _, _, term in matches), key=_RANK.__getitem__)
            violation = {Role.OPERATOR: "true", Role.CUSTOMER: "false"}.get(utterance.role, "unknown")
            if utterance.role is Role.OPERATOR and _RANK[severity] < _RANK[Severity.MEDIUM]:
                severity = Severity.MEDIUM
            matched = [k for i, j, _ in matches for k in range(i, j)]
            flags.append(Flag(
                kind="profanity", severity=severity, role=utterance.role,
                start=min(times[k][0] for k in matched), end=max(times[k][1] for k in matched),
                evidence=utterance.text, detector=self.name, detector_version=self.version,
                confidence=sum(times[k][2] for k in matched) / len(matched),
                speaker=utterance.speaker,
                details=(("violation", violation),
                         ("terms", ", ".join(t.label for _, _, t in matches)),
                         ("language", context.language or ""))))
        return flags


register(DetectorSpec(
    name=ProfanityDetector.name, version=ProfanityDetector.version, kinds=("profanity",),
    build=ProfanityDetector, settings=ProfanityConfig,
    flat_keys=(("profanity_allow", "allow"), ("profanity_deny", "deny")),
    synthetic=(SyntheticRate("profanity", "operator", 0.004, 1.0, (0, 0.6, 0.4)),
               SyntheticRate("profanity", "customer", 0.03, 0.1, (0.5, 0.3, 0.2))),
))
