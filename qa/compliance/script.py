"""Script adherence: did the operator say the script's steps, in order and in time?

Scripts come from a YAML file (format documented at the top of ``scripts/default.yaml``),
chosen by the call's campaign and language: (campaign, language) -> (campaign, "default") ->
("default", language) -> ("default", "en").

A step is found when one of its phrasings is said in an utterance of the step's role, by
either signal of ``qa/compliance/matching.py``: the fuzzy score reaches ``threshold`` (0-100;
82 sits above the best near misses of the sample calls, <= 73, and of the labelled real
turns, 80, and below ASR-damaged phrasings, >= 85) or, in languages the sentence encoder covers, the meaning does
(``semantic_threshold``, cosine). Phrasings marked ``^`` (a bare "hello") count only in the
speaker's first turn. A required step is missing only when nothing in its half of
the call is plausibly that step: no phrasing without placeholders reaches ``plausible`` (75)
and no sentence ``semantic_plausible``. Forbidden phrases need a fuzzy 90 (their words, not
their meaning), since they raise high-severity flags.

Flags (kind: severity): ``script_missing`` (a required step not found: the step's severity,
medium by default), ``script_order`` (found before a step that precedes it in the script:
low), ``script_late`` (started after ``within_s``: low), ``script_early`` (ended before the last
``from_end_s`` seconds: low), ``forbidden_phrase`` (high). Utterances of unknown role are used
only when the call has none of the step's role; a call without speech gets no flags.

Absence is only asserted from speech the recogniser could make out: when the utterance where a
missing step was expected has a mean word probability below ``min_word_probability`` (0.5:
the recogniser was more unsure than not), no ``script_missing`` is raised for it - the step is
unverifiable, not missing (a small model on a low-resource language garbles greetings).

Nor is a step judged where the recording does not hold its part of the call: no step of a
recording that starts mid-call (picked up again after a dropped line, "I think we got
disconnected"; back from a hold or a transfer, "Okay, I'm here", "thanks for holding": its
opening and whatever of the script came before are in another recording), and no closing
step of a recording that stops mid-speech. Forbidden phrases are judged everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from qa.compliance.base import CallContext, Flag, Severity, TextFinding
from qa.compliance.matching import Match, SentenceEncoder, best_match, compile_phrase, fuzzy_match, prepare
from qa.compliance.words import timed_tokens, tokenize
from qa.compliance.registry import DetectorSpec, SyntheticRate, register
from qa.compliance.script_book import Script, ScriptBook, Step, load_scripts
from qa.types import Role, Transcript, Utterance

class _Hit(NamedTuple):
    match: Match
    utterance: Utterance
    start: float
    end: float

    @property
    def score(self) -> float:
        """The stronger signal, 0-100."""
        return self.match.score * 100


def _mean_probability(utterance: Utterance) -> float:
    """Mean recogniser probability of the utterance's words (1.0 when it has no timed words)."""
    if not utterance.words:
        return 1.0
    return sum(w.probability for w in utterance.words) / len(utterance.words)


# A recording that starts mid-call: picked up again after the line dropped, or back from a hold
# or a transfer. Its opening was said in another recording.
_RESUMED = re.compile(r"\b(?:(?:got|were|was|get|been) (?:disconnected|cut off)|lost (?:you|the line|the connection)|"
                      r"(?:line|call) (?:dropped|went dead)|se (?:cort[oó]|cay[oó]) la (?:llamada|l[ií]nea)|"
                      r"nos desconectamos|(?:puhelu|linja|yhteys) katkesi|"
                      r"^(?:\W*\w+\W+)?i'?m (?:here|back)\b(?! to)|thanks? (?:you )?for (?:holding|waiting|your patience)|"
                      r"sorry (?:about|for) the (?:wait|hold)|are you still there|"
                      r"gracias por (?:la espera|esperar)|^(?:\W*\w+\W+)?(?:sigo aqu[ií]|ya estoy aqu[ií])|"
                      r"kiitos odottamisesta|olen taas linjoilla)\b", re.I)
RESUMED_WITHIN_S = 15.0
THRESHOLD = 82.0  # fuzzy score at which a phrasing is said (80 took "could I have your e-mail" for "could I get your name")
TURN_PAUSE_S = 1.5  # steps said within one turn are said in one breath: their order is not judged
SEMANTIC_THRESHOLD = 0.85  # cosine at which a sentence says a phrasing alone (0.80 took "if you need anything else, give us a call": benchmarks/script_steps.py)
PLAUSIBLE = 75.0  # fuzzy score from which a phrasing may have been said, misheard (sample near misses: <= 73)
SEMANTIC_PLAUSIBLE = 0.65
RECORDING_CUT_S = 0.5  # speech this close to the end: the recording stopped mid-call


def _unrecorded_phases(transcript: Transcript) -> set[str]:
    """Phases of the call this recording does not hold, so no step of them is judged: all of
    them when the recording starts mid-call (a cue in its first seconds), ``closing`` when
    speech runs up to the end of the recording (it stopped mid-call; sample calls end 1-3 s
    after the last word)."""
    phases = set()
    if any(_RESUMED.search(u.text) for u in transcript.utterances if u.start < RESUMED_WITHIN_S):
        return {"opening", "body", "closing"}
    words = transcript.words
    if words and transcript.duration - max(w.end for w in words) < RECORDING_CUT_S:
        phases.add("closing")
    return phases


def _turns(utterances: tuple[Utterance, ...]) -> dict[int, int]:
    """Each utterance's turn number (by id): a turn is a run of one speaker's utterances with
    pauses shorter than ``TURN_PAUSE_S``."""
    turns, turn, speaker, end = {}, -1, object(), float("-inf")
    for utterance in sorted(utterances, key=lambda u: u.start):
        turn += utterance.speaker != speaker or utterance.start - end > TURN_PAUSE_S
        turns[id(utterance)], speaker, end = turn, utterance.speaker, utterance.end
    return turns


def _first_turns(utterances: tuple[Utterance, ...], turns: dict[int, int]) -> set[int]:
    """Ids of the utterances in each speaker's first turn of the call."""
    first: dict[str, int] = {}
    for utterance in utterances:
        first[utterance.speaker] = min(first.get(utterance.speaker, turns[id(utterance)]), turns[id(utterance)])
    return {id(u) for u in utterances if turns[id(u)] == first[u.speaker]}


def phrasings(step: Step, first_turn: bool) -> tuple[str, ...]:
    """The step's phrasings that count in an utterance: ``^``-marked ones (a bare "hello") only
    in the speaker's first turn; a "Hi, Mary" later on greets someone already on the line."""
    return tuple(p.removeprefix("^") for p in step.phrases if first_turn or not p.startswith("^"))


def _expected_window(step: Step) -> str:
    """Where the script wants ``step``, in words for the flag's details."""
    if step.within_s is not None:
        return f"first {step.within_s:g} s"
    if step.from_end_s is not None:
        return f"last {step.from_end_s:g} s"
    return {"opening": "first half", "closing": "second half"}.get(step.phase, "anywhere")


def _spoken_by(utterances: tuple[Utterance, ...], role: Role) -> list[Utterance]:
    """The utterances of ``role``; where it has none, those of no known role."""
    own = [u for u in utterances if u.role is role]
    return own or [u for u in utterances if u.role is Role.UNKNOWN]


class ScriptDetector:
    """Checks calls against their script; see the module docstring for flags and thresholds."""

    name = "script"
    version = "2"

    def __init__(self, scripts: ScriptBook | None = None, threshold: float = THRESHOLD,
                 forbidden_threshold: float = 90.0, company: str | None = None,
                 min_word_probability: float = 0.5, semantic: bool = True,
                 semantic_threshold: float = SEMANTIC_THRESHOLD, plausible: float = PLAUSIBLE,
                 semantic_plausible: float = SEMANTIC_PLAUSIBLE) -> None:
        self.scripts = scripts if scripts is not None else load_scripts()
        self.threshold, self.forbidden_threshold = threshold, forbidden_threshold
        self.min_word_probability = min_word_probability
        self.company = company if company is not None else self.scripts.company
        self.encoder = SentenceEncoder() if semantic else None
        if self.encoder is not None:
            self.encoder.load()  # a model, loaded with the detector (Compliance.load), not on the first call
        self.semantic_threshold, self.plausible, self.semantic_plausible = (semantic_threshold, plausible,
                                                                             semantic_plausible)

    def lines(self, utterances: list[Utterance] | tuple[Utterance, ...], language: str | None) -> dict[int, tuple]:
        """Each utterance (by id) prepared for matching, with its tokens' times."""
        timed = [timed_tokens(u, loose=True) for u in utterances]
        prepared = prepare([text for text, _, _ in timed], language, self.encoder)
        return {id(u): (line, times) for u, line, (_, _, times) in zip(utterances, prepared, timed)}

    def _hit(self, phrases: tuple[str, ...], utterance: Utterance, lines: dict[int, tuple] | None = None,
             semantic: bool = True) -> _Hit | None:
        """The best phrasing in the utterance by either signal, or None."""
        line, times = (lines or self.lines([utterance], None))[id(utterance)]
        match = best_match(phrases, line, self.company, self.encoder if semantic else None)
        return match and _Hit(match, utterance, times[match.first][0], times[match.end - 1][1])

    def said(self, hit: _Hit | None) -> bool:
        """Whether ``hit`` is the step said: either signal over its threshold."""
        return hit is not None and (hit.match.fuzzy * 100 >= self.threshold
                                    or (hit.match.semantic or 0.0) >= self.semantic_threshold)

    def _plausible(self, hit: _Hit) -> bool:
        """Whether ``hit`` may be the step, heard or phrased a little off."""
        return hit.match.near_fuzzy * 100 >= self.plausible or (hit.match.semantic or 0.0) >= self.semantic_plausible

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
                score, i, j = fuzzy_match(compile_phrase(phrase, self.company), words, position)
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
        lines = self.lines(transcript.utterances, context.language)
        turns = _turns(transcript.utterances)
        firsts = _first_turns(transcript.utterances, turns)
        flags, found = [], []
        for step in script.steps:
            hit, step_flags = self._check_step(step, script, transcript.utterances, duration, (lines, firsts))
            flags += step_flags if step.phase not in unjudged else []
            if hit is not None:
                found.append((step, hit))
        flags += self._order_flags(found, script, turns)
        flags += self._forbidden_flags(_spoken_by(transcript.utterances, Role.OPERATOR), script, lines)
        return sorted(flags, key=lambda f: (f.start, f.kind))

    def _check_step(self, step: Step, script: Script, utterances: tuple[Utterance, ...], duration: float,
                    prepared: tuple[dict[int, tuple], set[int]]) -> tuple[_Hit | None, list[Flag]]:
        """Where the call says ``step`` (None: nowhere), and the step's flags: late, early or missing."""
        lines, firsts = prepared
        candidates = _spoken_by(utterances, step.role)
        region = [u for u in candidates if (step.phase != "opening" or u.start < duration / 2)
                  and (step.phase != "closing" or u.end > duration / 2)]
        hits = [h for h in (self._hit(phrasings(step, id(u) in firsts), u, lines) for u in region) if h]
        good = sorted((h for h in hits if self.said(h)), key=lambda h: h.start)
        if good:
            hit = good[-1] if step.phase == "closing" else good[0]
            return hit, self._timing_flags(step, hit, duration, script)
        if not step.required or any(self._plausible(h) for h in hits):
            return None, []  # nothing said that is surely the step, but something that may be it
        around = candidates or list(utterances)  # no speech of that role at all
        missing = self._missing_flag(step, hits, around, script)
        return None, [missing] if missing else []

    def _timing_flags(self, step: Step, hit: _Hit, duration: float, script: Script) -> list[Flag]:
        """A found step said later than its ``within_s`` or earlier than its ``from_end_s``."""
        flags = []
        step_id = (("step", step.id),)
        where = (step.role, hit.start, hit.end, hit.utterance.text, hit.match.score, hit.utterance.speaker)
        if step.within_s is not None and hit.start > step.within_s:
            flags.append(self._flag("script_late", Severity.LOW, *where, step_id + (
                ("within_s", f"{step.within_s:g}"), ("at_s", f"{hit.start:.1f}")), script))
        if step.from_end_s is not None and hit.end < duration - step.from_end_s:
            flags.append(self._flag("script_early", Severity.LOW, *where, step_id + (
                ("from_end_s", f"{step.from_end_s:g}"), ("at_s", f"{hit.end:.1f}")), script))
        return flags

    def _missing_flag(self, step: Step, hits: list[_Hit], around: list[Utterance], script: Script) -> Flag | None:
        """A required step not said, flagged on the first (closing: last) utterance ``around``;
        None where the recogniser could not make out that speech, so it is unverifiable.
        The details name the step, where it was expected and the closest line heard."""
        near = max(hits, key=lambda h: h.score, default=None)
        expected = around[-1] if step.phase == "closing" else around[0]
        if _mean_probability(expected) < self.min_word_probability:
            return None
        best = near.score if near else 0.0
        closest = (("closest_at", f"{near.start:.1f}"), ("closest_fuzzy", f"{near.match.fuzzy * 100:.0f}")) + (
            (("closest_semantic", f"{near.match.semantic:.2f}"),) if near and near.match.semantic is not None
            else ()) if near else ()
        return self._flag(
            "script_missing", step.severity, step.role, expected.start, expected.end,
            near.utterance.text if near else "", (100 - best) / 100, expected.speaker,
            (("step", step.id), ("expected", _expected_window(step)), ("best_score", f"{best:.0f}"),
             ("threshold", f"{self.threshold:g}"), ("phase", step.phase)) + closest, script)

    def _order_flags(self, found: list[tuple[Step, _Hit]], script: Script, turns: dict[int, int]) -> list[Flag]:
        """Found steps said before a step the script puts earlier, unless both are in one turn."""
        flags = []
        latest: tuple[Step, _Hit] | None = None
        for step, hit in found:
            if latest and hit.start < latest[1].start and turns[id(hit.utterance)] != turns[id(latest[1].utterance)]:
                flags.append(self._flag("script_order", Severity.LOW, step.role, hit.start, hit.end,
                                        hit.utterance.text, hit.match.score, hit.utterance.speaker,
                                        (("step", step.id), ("expected_after", latest[0].id)), script))
            elif latest is None or hit.start >= latest[1].start:
                latest = (step, hit)
        return flags

    def _forbidden_flags(self, operator_utterances: list[Utterance], script: Script,
                         lines: dict[int, tuple]) -> list[Flag]:
        """Forbidden phrases the operator said (fuzzy signal only: a high flag needs the words);
        of overlapping ones only the best."""
        flags = []
        for utterance in operator_utterances:
            hits = [(p, h) for p in script.forbidden
                    if (h := self._hit((p,), utterance, lines, semantic=False)) and h.score >= self.forbidden_threshold]
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
    threshold: float = THRESHOLD
    forbidden_threshold: float = 90.0
    min_word_probability: float = 0.5
    semantic: bool = True  # the sentence-embedding signal (languages the encoder covers)
    semantic_threshold: float = SEMANTIC_THRESHOLD
    plausible: float = PLAUSIBLE
    semantic_plausible: float = SEMANTIC_PLAUSIBLE


def _script_detector(settings: ScriptSettings) -> ScriptDetector:
    return ScriptDetector(load_scripts(settings.scripts or None, company=settings.company or None),
                          threshold=settings.threshold, forbidden_threshold=settings.forbidden_threshold,
                          min_word_probability=settings.min_word_probability, semantic=settings.semantic,
                          semantic_threshold=settings.semantic_threshold, plausible=settings.plausible,
                          semantic_plausible=settings.semantic_plausible)


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
