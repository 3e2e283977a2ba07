"""Script adherence: did the operator say the script's steps, in order and in time?

Scripts come from a YAML file (format documented at the top of ``scripts/default.yaml``),
chosen by the call's campaign and language: (campaign, language) -> (campaign, "default") ->
("default", language) -> ("default", "en").

A step is found when one of its phrases scores at least ``threshold`` (rapidfuzz ``ratio``,
0-100) against a window of words of an utterance of the step's role; texts are case- and
accent-folded and stripped of punctuation first, and windows one word shorter or longer than
the phrase are tried, so ASR errors ("Akme Telekom") and small paraphrases still match. The
default 80 sits above the best near misses of the sample calls (<= 70) and below ASR-damaged
phrasings (>= 85); forbidden phrases need 90, since they raise high-severity flags.

Flags (kind: severity): ``script_missing`` (a required step not found: the step's severity,
medium by default), ``script_order`` (found before a step that precedes it in the script:
low), ``script_late`` (started after ``within_s``: low), ``script_early`` (ended before the last
``from_end_s`` seconds: low), ``forbidden_phrase`` (high). Utterances of unknown role are used
only when the call has none of the step's role; a call without speech gets no flags.

Absence is only asserted from speech the recogniser could make out: when the utterance where a
missing step was expected has a mean word probability below ``min_word_probability`` (0.5:
the recogniser was more unsure than not), no ``script_missing`` is raised for it - the step is
unverifiable, not missing (a small model on a low-resource language garbles greetings).

Nor is a step judged where the recording does not hold its part of the call: the opening of a
call picked up again after a dropped line ("I think we got disconnected"), the closing of a
recording that stops mid-speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz

from qa.compliance.base import CallContext, Flag, Severity, TextFinding
from qa.compliance.profanity import timed_tokens, tokenize
from qa.compliance.registry import DetectorSpec, SyntheticRate, register
from qa.compliance.script_book import Script, ScriptBook, Step, load_scripts
from qa.types import Role, Transcript, Utterance

_SLOT = re.compile(r"\{(\w+)\}")
_SLOT_WORDS = {"company": 4, "name": 3}


@dataclass(frozen=True)
class _Phrase:
    text: str
    segments: tuple[tuple[str, ...], ...]  # literal word runs
    gaps: tuple[int, ...]  # most words a placeholder between two segments may take
    lead: bool  # a placeholder before the first segment needs a word there
    trail: bool


def _compile(text: str, company: str | None) -> _Phrase:
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
    return _Phrase(text, tuple(segments), tuple(inner[: max(len(segments) - 1, 0)]), lead, trail)


def _window(segment: tuple[str, ...], words: list[str], lo: int, hi: int) -> tuple[float, int, int]:
    target, n = " ".join(segment), len(segment)
    best = (0.0, -1, -1)
    slack = 2 if n >= 6 else 1
    for size in range(max(1, n - slack), n + slack + 1):
        for i in range(lo, hi - size + 1):
            score = fuzz.ratio(target, " ".join(words[i:i + size]))
            if score > best[0]:
                best = (score, i, i + size)
    return best


def _match(phrase: _Phrase, words: list[str], lo: int = 0) -> tuple[float, int, int]:
    """Best (score, first word, end word) of ``phrase`` in ``words`` from ``lo`` on."""
    if not phrase.segments:
        return 0.0, -1, -1
    total = weight = 0.0
    first, position = -1, lo + (1 if phrase.lead else 0)
    for k, segment in enumerate(phrase.segments):
        hi = len(words) if k == 0 else min(len(words), position + phrase.gaps[k - 1] + len(segment) + 2)
        score, i, j = _window(segment, words, position, hi)
        if i < 0:
            return 0.0, -1, -1
        first = i if k == 0 else first
        length = len(" ".join(segment))
        total, weight, position = total + score * length, weight + length, j
    if phrase.trail and position >= len(words):
        return 0.0, -1, -1
    return total / weight, first, position


class _Hit(NamedTuple):
    score: float
    utterance: Utterance
    start: float
    end: float


def _mean_probability(utterance: Utterance) -> float:
    """Mean recogniser probability of the utterance's words (1.0 when it has no timed words)."""
    if not utterance.words:
        return 1.0
    return sum(w.probability for w in utterance.words) / len(utterance.words)


# A call picked up again after the line dropped: its opening was said before the drop.
_RESUMED = re.compile(r"\b(?:(?:got|were|was|get|been) (?:disconnected|cut off)|lost (?:you|the line|the connection)|"
                      r"(?:line|call) (?:dropped|went dead)|se (?:cort[oó]|cay[oó]) la (?:llamada|l[ií]nea)|"
                      r"nos desconectamos|(?:puhelu|linja|yhteys) katkesi)\b", re.I)
RESUMED_WITHIN_S = 15.0
RECORDING_CUT_S = 0.5  # speech this close to the end: the recording stopped mid-call


def _unrecorded_phases(transcript: Transcript) -> set[str]:
    """Phases of the call this recording does not hold, so no step of them is judged:
    ``opening`` when the call resumes after a dropped line, ``closing`` when speech runs up to
    the end of the recording (it stopped mid-call; sample calls end 1-3 s after the last word)."""
    phases = set()
    if any(_RESUMED.search(u.text) for u in transcript.utterances if u.start < RESUMED_WITHIN_S):
        phases.add("opening")
    words = transcript.words
    if words and transcript.duration - max(w.end for w in words) < RECORDING_CUT_S:
        phases.add("closing")
    return phases


def _spoken_by(utterances: tuple[Utterance, ...], role: Role) -> list[Utterance]:
    """The utterances of ``role``; where it has none, those of no known role."""
    own = [u for u in utterances if u.role is role]
    return own or [u for u in utterances if u.role is Role.UNKNOWN]


class ScriptDetector:
    """Checks calls against their script; see the module docstring for flags and thresholds."""

    name = "script"
    version = "1"

    def __init__(self, scripts: ScriptBook | None = None, threshold: float = 80.0,
                 forbidden_threshold: float = 90.0, company: str | None = None,
                 min_word_probability: float = 0.5) -> None:
        self.scripts = scripts if scripts is not None else load_scripts()
        self.threshold, self.forbidden_threshold = threshold, forbidden_threshold
        self.min_word_probability = min_word_probability
        self.company = company if company is not None else self.scripts.company
        self._compiled: dict[str, _Phrase] = {}

    def _phrase(self, text: str) -> _Phrase:
        if text not in self._compiled:
            self._compiled[text] = _compile(text, self.company)
        return self._compiled[text]

    def _hit(self, phrases: tuple[str, ...], utterance: Utterance) -> _Hit | None:
        """The best-scoring phrase in the utterance (the longer span on a tie), or None."""
        _, tokens, times = timed_tokens(utterance, loose=True)
        words, best = [t.text for t in tokens], None
        for text in phrases:
            score, i, j = _match(self._phrase(text), words)
            if i >= 0 and (best is None or (score, j - i) > best[:2]):
                best = (score, j - i, i, j)
        return best and _Hit(best[0], utterance, times[best[2]][0], times[best[3] - 1][1])

    def text_findings(self, text: str, language: str | None, role: str | None) -> list[TextFinding]:
        """Forbidden phrases in a plain text said by anyone but the customer (``callqa detect``)."""
        return [] if role == "customer" else self.find_forbidden(text, language)

    def find_forbidden(self, text: str, language: str | None) -> list[TextFinding]:
        """Forbidden phrases of the default script of ``language`` in ``text`` (character spans)."""
        script = self.scripts.select(None, language)
        tokens = tokenize(text, loose=True)
        words, findings = [t.text for t in tokens], []
        for phrase in script.forbidden if script else ():
            position = 0
            while True:
                score, i, j = _match(self._phrase(phrase), words, position)
                if i < 0 or score < self.forbidden_threshold:
                    break
                findings.append(TextFinding("forbidden_phrase", Severity.HIGH, tokens[i].start,
                                            tokens[j - 1].end, score / 100, self.name, (("phrase", phrase),)))
                position = j
        return sorted(findings, key=lambda f: f.start)

    def _flag(self, kind: str, severity: Severity, role: Role, start: float, end: float, evidence: str,
              confidence: float, speaker: str | None, details: tuple, script: Script) -> Flag:
        return Flag(kind, severity, role, start, end, evidence, self.name, self.version, round(confidence, 3),
                    speaker, details + (("script", f"{script.campaign}/{script.language}"),))

    def detect(self, context: CallContext) -> list[Flag]:
        """Missing, late, early, out-of-order steps and forbidden phrases of one call."""
        transcript = context.transcript
        script = self.scripts.select(context.call.metadata.campaign, context.language)
        if script is None or not transcript.utterances:
            return []
        duration = max([transcript.duration] + [u.end for u in transcript.utterances])
        unjudged = _unrecorded_phases(transcript)
        flags, found = [], []
        for step in script.steps:
            hit, step_flags = self._check_step(step, script, transcript.utterances, duration)
            flags += step_flags if step.phase not in unjudged else []
            if hit is not None:
                found.append((step, hit))
        flags += self._order_flags(found, script)
        flags += self._forbidden_flags(_spoken_by(transcript.utterances, Role.OPERATOR), script)
        return sorted(flags, key=lambda f: (f.start, f.kind))

    def _check_step(self, step: Step, script: Script, utterances: tuple[Utterance, ...],
                    duration: float) -> tuple[_Hit | None, list[Flag]]:
        """Where the call says ``step`` (None: nowhere), and the step's flags: late, early or missing."""
        candidates = _spoken_by(utterances, step.role)
        region = [u for u in candidates if (step.phase != "opening" or u.start < duration / 2)
                  and (step.phase != "closing" or u.end > duration / 2)]
        hits = [h for h in (self._hit(step.phrases, u) for u in region) if h]
        good = sorted((h for h in hits if h.score >= self.threshold), key=lambda h: h.start)
        if good:
            hit = good[-1] if step.phase == "closing" else good[0]
            return hit, self._timing_flags(step, hit, duration, script)
        if not step.required:
            return None, []
        around = candidates or list(utterances)  # no speech of that role at all
        missing = self._missing_flag(step, hits, around, script)
        return None, [missing] if missing else []

    def _timing_flags(self, step: Step, hit: _Hit, duration: float, script: Script) -> list[Flag]:
        """A found step said later than its ``within_s`` or earlier than its ``from_end_s``."""
        flags = []
        step_id = (("step", step.id),)
        where = (step.role, hit.start, hit.end, hit.utterance.text, hit.score / 100, hit.utterance.speaker)
        if step.within_s is not None and hit.start > step.within_s:
            flags.append(self._flag("script_late", Severity.LOW, *where, step_id + (
                ("within_s", f"{step.within_s:g}"), ("at_s", f"{hit.start:.1f}")), script))
        if step.from_end_s is not None and hit.end < duration - step.from_end_s:
            flags.append(self._flag("script_early", Severity.LOW, *where, step_id + (
                ("from_end_s", f"{step.from_end_s:g}"), ("at_s", f"{hit.end:.1f}")), script))
        return flags

    def _missing_flag(self, step: Step, hits: list[_Hit], around: list[Utterance], script: Script) -> Flag | None:
        """A required step not said, flagged on the first (closing: last) utterance ``around``;
        None where the recogniser could not make out that speech, so it is unverifiable."""
        near = max(hits, key=lambda h: h.score, default=None)
        expected = around[-1] if step.phase == "closing" else around[0]
        if _mean_probability(expected) < self.min_word_probability:
            return None
        best = near.score if near else 0.0
        return self._flag(
            "script_missing", step.severity, step.role, expected.start, expected.end,
            near.utterance.text if near else "", (100 - best) / 100, expected.speaker,
            (("step", step.id), ("best_score", f"{best:.0f}"), ("threshold", f"{self.threshold:g}"),
             ("phase", step.phase)), script)

    def _order_flags(self, found: list[tuple[Step, _Hit]], script: Script) -> list[Flag]:
        """Found steps said before a step the script puts earlier."""
        flags = []
        latest: tuple[Step, _Hit] | None = None
        for step, hit in found:
            if latest and hit.start < latest[1].start:
                flags.append(self._flag("script_order", Severity.LOW, step.role, hit.start, hit.end,
                                        hit.utterance.text, hit.score / 100, hit.utterance.speaker,
                                        (("step", step.id), ("expected_after", latest[0].id)), script))
            else:
                latest = (step, hit)
        return flags

    def _forbidden_flags(self, operator_utterances: list[Utterance], script: Script) -> list[Flag]:
        """Forbidden phrases the operator said; of overlapping ones only the best."""
        flags = []
        for utterance in operator_utterances:
            hits = [(p, h) for p in script.forbidden
                    if (h := self._hit((p,), utterance)) and h.score >= self.forbidden_threshold]
            taken: list[_Hit] = []  # "not my problem" inside "that's not my problem": one flag
            for phrase, hit in sorted(hits, key=lambda ph: (-ph[1].score, -len(ph[0]))):
                if all(hit.end <= t.start or hit.start >= t.end for t in taken):
                    taken.append(hit)
                    flags.append(self._flag("forbidden_phrase", Severity.HIGH, utterance.role, hit.start,
                                            hit.end, utterance.text, hit.score / 100, utterance.speaker,
                                            (("phrase", phrase),), script))
        return flags


@dataclass(frozen=True)
class ScriptSettings:
    """``[compliance.script]``: the script book, the company name and the match thresholds."""

    scripts: str = ""  # YAML script book ("" = the shipped default, qa/compliance/scripts/)
    company: str = ""  # company name the greeting must contain ("" = any name)
    threshold: float = 80.0
    forbidden_threshold: float = 90.0
    min_word_probability: float = 0.5


def _script_detector(settings: ScriptSettings) -> ScriptDetector:
    return ScriptDetector(load_scripts(settings.scripts or None, company=settings.company or None),
                          threshold=settings.threshold, forbidden_threshold=settings.forbidden_threshold,
                          min_word_probability=settings.min_word_probability)


register(DetectorSpec(
    name=ScriptDetector.name, version=ScriptDetector.version,
    kinds=("script_missing", "script_order", "script_late", "script_early", "forbidden_phrase"),
    build=_script_detector, settings=ScriptSettings, flat_keys=(("scripts", "scripts"), ("company", "company")),
    synthetic=(SyntheticRate("script_missing", "operator", 0.10, 0.6, (0, 1, 0)),
               SyntheticRate("script_late", "operator", 0.06, 0.5, (1, 0, 0)),
               SyntheticRate("script_early", "operator", 0.03, 0.5, (1, 0, 0)),
               SyntheticRate("script_order", "operator", 0.03, 0.5, (1, 0, 0)),
               SyntheticRate("forbidden_phrase", "operator", 0.003, 0.9, (0, 0, 1))),
))
