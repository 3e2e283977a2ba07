"""Pure call metrics from a role-labelled transcript: talk, silence, dead air, over-talk, fillers.

Speech time comes from word timestamps (an utterance without words counts as one interval);
each role's word intervals are merged when less than ``merge_gap_s`` apart, so a pause between
words is not silence. Every total below is computed on those merged intervals, so for the call
``talk_s + silence_s == duration_s``. Mono diarized calls never overlap; stereo calls (channels
transcribed alone) do, and over-talk is the overlap of operator and customer speech.

Decisions:
- dead air and hold are gaps *between* speech: leading silence before the first word (ringing)
  and trailing silence after the last (hang-up) are not counted; a hold gap (>= ``hold_s``) is
  also a dead-air event (> ``dead_air_s``).
- an over-talk event is one overlap of an operator and a customer interval >= ``min_overtalk_s``;
  it was started by the role whose interval began later; simultaneous starts count for neither.
- an operator interruption is an over-talk event started by the operator while the customer was
  speaking where the overlap is >= ``interruption_s`` or the customer stopped within
  ``interruption_s`` of the operator starting (a short "yes" under the customer is not one).
- ``first_response_s``: inbound (also unknown direction) = call start to the operator's first
  word; outbound = to the customer's first word; None when that role never speaks.
- unknown-role speech counts toward talk/silence and breaks monologues, but has no RoleMetrics.
- fillers: whole words/phrases, case-, accent- and punctuation-insensitive; a language without a
  list gets ``filler_rate`` None.
"""

from __future__ import annotations

import functools
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, fields

from qa.types import Role, Transcript

Interval = tuple[float, float]
_EPS = 1e-9  # float slack for threshold comparisons (1.4 - 1.0 < 0.4)

# Filler ("parasite") words and phrases. Marked "uncertain": also ordinary words, so they
# over-count in some sentences. Deliberately left out: en "like", es "vale", fi "no" (too often
# meaningful). Accent folding makes fi "öö" equal "oo" (colloquial "be"): rare, accepted.
FILLERS: dict[str, tuple[str, ...]] = {
    "en": ("um", "umm", "uh", "uhh", "er", "erm", "hmm", "you know", "i mean", "basically",
           "actually", "literally", "sort of", "kind of"),  # uncertain: actually, sort/kind of
    "es": ("eh", "ehh", "em", "mmm", "este", "o sea", "pues", "bueno", "en plan", "digamos"),
    # es uncertain: este ("this"), pues ("since"), bueno ("good")
    "fi": ("öö", "ää", "tota", "tuota", "tota noin", "niinku", "niin kuin", "siis", "ihan"),
    # fi uncertain: siis ("so"), ihan ("quite"), niin kuin ("as")
    "hi": ("मतलब", "यानी", "अच्छा", "हम्म", "उम्म", "वैसे", "matlab", "yaani"),
    # hi uncertain: अच्छा ("good"), वैसे ("by the way"), मतलब ("meaning")
    "fa": ("خب", "یعنی", "مثلا", "چیزه", "ام", "اه"),
    # fa uncertain: مثلا ("for example"), یعنی ("means"), ام (also a clitic written apart)
    "sw": ("yaani", "eee", "ee", "aah", "mmh", "unajua", "sasa", "kwa hiyo"),
    # sw uncertain: ee ("yes"), sasa ("now"), kwa hiyo ("therefore")
}
_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9",
                          "\u0640": None, "'": None, "\u2019": None, "\u02bc": None, "-": None,
                          "\u200c": None, "\u200d": None})


@dataclass(frozen=True)
class MetricsConfig:
    """Thresholds, in seconds."""

    dead_air_s: float = 10.0  # no one speaking longer than this = a dead-air event
    hold_s: float = 30.0  # a gap at least this long is "hold-like"
    min_overtalk_s: float = 0.3  # overlaps shorter than this are ignored (backchannel jitter)
    interruption_s: float = 0.5  # see the module docstring
    merge_gap_s: float = 0.3  # words of one role closer than this are one speech interval
    monologue_pause_s: float = 2.0  # pauses shorter than this do not end a monologue
    min_rate_talk_s: float = 5.0  # speaking rate is None below this much talk


# Metrics that read the recognised words, not only their times: not stored for a call whose
# language is not judged (qa/pipeline.py), like the detectors' text verdicts.
TEXT_METRICS = frozenset({"filler_count", "filler_rate", "speaking_rate_wpm", "sentiment_start", "sentiment_end"})


@dataclass(frozen=True)
class RoleMetrics:
    """One role's (operator or customer) speech."""

    talk_s: float
    words: int
    speaking_rate_wpm: float | None
    filler_count: int
    filler_rate: float | None  # fillers per 100 words
    longest_monologue_s: float
    utterances: int


@dataclass(frozen=True)
class CallMetrics:
    """Whole-call metrics; see the module docstring for the definitions."""

    duration_s: float
    talk_s: float
    silence_s: float
    talk_listen_ratio: float | None  # operator talk / customer talk
    dead_air_count: int
    dead_air_s: float
    dead_air: tuple[tuple[float, float], ...]  # events (start, end)
    hold_count: int
    hold_s: float
    overtalk_count: int
    overtalk_s: float
    overtalk_started_by_operator: int
    overtalk_started_by_customer: int
    interruptions_by_operator: int  # operator interrupting the customer
    first_response_s: float | None
    operator: RoleMetrics
    customer: RoleMetrics


def _merge(intervals: list[Interval], gap: float = 0.0) -> list[Interval]:
    out: list[list[float]] = []
    for start, end in sorted(intervals):
        if out and (start <= out[-1][1] or start - out[-1][1] < gap - _EPS):
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _total(intervals: list[Interval]) -> float:
    return sum((e - s for s, e in intervals), 0.0)


def _fold(text: str) -> str:
    """Case-fold, drop accents (not Devanagari marks), unify Arabic/Persian letter variants."""
    chars = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    kept = (c for c in chars if unicodedata.category(c) != "Mn" or "\u0900" <= c <= "\u097f")
    return unicodedata.normalize("NFC", "".join(kept))


def _tokens(text: str) -> list[str]:
    """Words of ``text``: folded runs of letters, marks and digits; punctuation is a separator."""
    folded = _fold(text)
    return "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in folded).split()


@functools.lru_cache(maxsize=None)
def _phrases(language: str) -> tuple[tuple[str, ...], ...]:
    items = {tuple(_tokens(p)) for p in FILLERS.get(language, ())}
    return tuple(sorted((p for p in items if p), key=len, reverse=True))


def _count_fillers(tokens: list[str], phrases: tuple[tuple[str, ...], ...]) -> int:
    """Non-overlapping matches, longest phrase first at each position."""
    count = index = 0
    while index < len(tokens):
        step = next((len(p) for p in phrases if tuple(tokens[index:index + len(p)]) == p), 0)
        count += bool(step)
        index += step or 1
    return count


def _longest_monologue(own: list[Interval], other: list[Interval], pause: float) -> float:
    """Longest span of ``own`` speech with no ``other`` speech in it, pauses < ``pause`` merged.

    Both lists are sorted and disjoint (merged).
    """
    ends = [e for _, e in other]
    pieces: list[Interval] = []
    for start, end in own:  # own speech minus other speech
        k = bisect_right(ends, start)
        while k < len(other) and other[k][0] < end:
            if other[k][0] > start:
                pieces.append((start, other[k][0]))
            start, k = max(start, other[k][1]), k + 1
        if end > start:
            pieces.append((start, end))
    runs: list[list[float]] = []
    for start, end in pieces:
        if runs and start - runs[-1][1] < pause - _EPS:
            k = bisect_right(ends, runs[-1][1])  # the first other speech after this run
            if not (k < len(other) and other[k][0] < start):
                runs[-1][1] = end
                continue
        runs.append([start, end])
    return max((e - s for s, e in runs), default=0.0)


def _role_metrics(transcript: Transcript, role: Role, speech: dict[Role, list[Interval]],
                  language: str, config: MetricsConfig) -> RoleMetrics:
    utterances = [u for u in transcript.utterances if u.role == role]
    talk = _total(speech[role])
    tokens = [_tokens(u.text or " ".join(w.text for w in u.words)) for u in utterances]
    words = sum(map(len, tokens))
    phrases = _phrases(language)
    fillers = sum(_count_fillers(t, phrases) for t in tokens)
    other = _merge([iv for r, ivs in speech.items() if r != role for iv in ivs])
    rate = round(words / (talk / 60), 1) if talk + _EPS >= config.min_rate_talk_s else None
    return RoleMetrics(
        talk_s=round(talk, 3), words=words, speaking_rate_wpm=rate,
        filler_count=fillers,
        filler_rate=round(100 * fillers / words, 2) if words and phrases else None,
        longest_monologue_s=round(_longest_monologue(speech[role], other,
                                                     config.monologue_pause_s), 3),
        utterances=len(utterances))


def _language(language: str | None) -> str:
    return (language or "").casefold().replace("_", "-").split("-")[0]


def call_metrics(transcript: Transcript, language: str | None = None,
                 direction: str | None = None, config: MetricsConfig = MetricsConfig()
                 ) -> CallMetrics:
    """Metrics of one call; ``language`` defaults to the transcript's, ``direction`` to inbound."""
    raw: dict[Role, list[Interval]] = {role: [] for role in Role}
    for u in transcript.utterances:
        spans = [(w.start, w.end) for w in u.words] or [(u.start, u.end)]
        raw[u.role].extend((max(0.0, s), max(0.0, s, e)) for s, e in spans)
    speech = {role: _merge(ivs, config.merge_gap_s) for role, ivs in raw.items()}
    union = _merge([iv for ivs in speech.values() for iv in ivs])
    talk = _total(union)
    duration = max([transcript.duration] + [e for _, e in union])
    gaps = [(a[1], b[0]) for a, b in zip(union, union[1:])]
    dead = [(round(s, 3), round(e, 3)) for s, e in gaps if e - s - _EPS > config.dead_air_s]
    holds = [e - s for s, e in gaps if e - s + _EPS >= config.hold_s]

    events = by_op = by_cust = interruptions = 0
    overtalk = 0.0
    ops, custs = speech[Role.OPERATOR], speech[Role.CUSTOMER]
    i = j = 0
    while i < len(ops) and j < len(custs):
        (o_s, o_e), (c_s, c_e) = ops[i], custs[j]
        overlap = min(o_e, c_e) - max(o_s, c_s)
        if overlap + _EPS >= config.min_overtalk_s:
            events += 1
            overtalk += overlap
            by_op += o_s > c_s
            by_cust += c_s > o_s
            interruptions += o_s > c_s and (overlap + _EPS >= config.interruption_s
                                            or c_e - o_s - _EPS <= config.interruption_s)
        if o_e <= c_e:
            i += 1
        else:
            j += 1

    outbound = (direction or "").casefold() in {"outbound", "outgoing", "out"}
    responder = speech[Role.CUSTOMER if outbound else Role.OPERATOR]
    language = _language(language or transcript.language)
    op, cust = (_role_metrics(transcript, r, speech, language, config)
                for r in (Role.OPERATOR, Role.CUSTOMER))
    return CallMetrics(
        duration_s=round(duration, 3), talk_s=round(talk, 3),
        silence_s=round(max(0.0, duration - talk), 3),
        talk_listen_ratio=round(op.talk_s / cust.talk_s, 3) if cust.talk_s > 0 else None,
        dead_air_count=len(dead), dead_air_s=round(_total(dead), 3),
        dead_air=tuple(dead), hold_count=len(holds), hold_s=round(sum(holds, 0.0), 3),
        overtalk_count=events, overtalk_s=round(overtalk, 3),
        overtalk_started_by_operator=by_op, overtalk_started_by_customer=by_cust,
        interruptions_by_operator=interruptions,
        first_response_s=round(responder[0][0], 3) if responder else None,
        operator=op, customer=cust)


def metrics_rows(m: CallMetrics) -> list[tuple[str, str, float]]:
    """Flat ``(name, "call" | role, value)`` rows for storage; None values and events skipped."""
    skip = {"dead_air", "operator", "customer"}
    rows = [(f.name, "call", float(getattr(m, f.name))) for f in fields(m)
            if f.name not in skip and getattr(m, f.name) is not None]
    for role, rm in (("operator", m.operator), ("customer", m.customer)):
        rows += [(f.name, role, float(getattr(rm, f.name))) for f in fields(rm)
                 if getattr(rm, f.name) is not None]
    return rows
