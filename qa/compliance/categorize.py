"""Call categories and the call's outcome, from its redacted transcript, flags and metrics.

Phrasings are matched by the shared matcher (qa/compliance/matching.py), as script steps are:
an utterance says a category when a phrasing matches it fuzzily (score 0.9) or, where the
sentence encoder covers the language, one of its sentences is as close in meaning as the
category asks (cosine, 0.7 by default). No ASR model is needed: ``callqa recategorize`` runs
this over stored transcripts.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from qa.compliance.category_book import INBOUND_OUTCOMES, OUTBOUND_OUTCOMES, Category, CategoryBook
from qa.compliance.matching import Line, SentenceEncoder, best_match, prepare
from qa.types import Categorization, CategoryMatch, Flag, Transcript, Utterance

FUZZY = 0.9  # script steps take 0.82; "change my plan" is 0.86 of "cancel my plan"


def confidence(category: Category, phrases: tuple[str, ...], line: Line,
               encoder: SentenceEncoder | None) -> float:
    """How surely ``line`` says one of ``phrases``: the signal that passed its threshold, else 0.

    Phrasings of one or two words are keywords, matched word by word and never by meaning
    ("billing" is close in meaning to any sentence about money)."""
    passed = []
    keywords = tuple(p for p in phrases if len(p.split()) <= 2)
    sentences = tuple(p for p in phrases if len(p.split()) > 2)
    for group, signal in ((keywords, None), (sentences, encoder)):
        match = best_match(group, line, encoder=signal) if group else None
        if match is not None:
            passed += [score for score, needed in ((match.fuzzy, FUZZY), (match.semantic or 0.0, category.semantic))
                       if score >= needed]
    return round(max(passed), 3) if passed else 0.0


def _placed(category: Category, utterance: Utterance, duration: float) -> bool:
    """Whether the utterance is where the category looks: its role, the first or last N s."""
    return ((category.role is None or utterance.role is category.role)
            and (category.first_s is None or utterance.start <= category.first_s)
            and (category.last_s is None or utterance.end >= duration - category.last_s
                 and utterance.start >= duration / 2))  # a short call's greeting is not its end


def _answered(utterances: list[Utterance], lines: list[Line], k: int) -> Line | None:
    """The other party's line just before utterance ``k`` (what it answers), if any."""
    earlier = [j for j in range(k) if utterances[j].role is not utterances[k].role]
    return lines[earlier[-1]] if earlier else None


def _voided(category: Category, language: str | None, sure: float, line: Line, answered: Line | None,
            encoder: SentenceEncoder | None) -> bool:
    """Whether a match is only a look-alike ("unless") or answers a line that voids it ("not_after":
    a "no, thanks" to "anything else?" is no refusal)."""
    unless = category.phrasings(language, "unless")
    if unless and confidence(category, unless, line, encoder) >= sure:
        return True
    not_after = category.phrasings(language, "not_after")
    return bool(not_after and answered is not None and confidence(category, not_after, answered, encoder))


def categorize(transcript: Transcript, book: CategoryBook, flags: Sequence[Flag] = (),
               metrics: Iterable[tuple[str, str, float]] = (), campaign: str | None = None,
               direction: str | None = None, encoder: SentenceEncoder | None = None) -> Categorization:
    """Every category the call falls into (each utterance that shows one) and its outcome."""
    utterances = [u for u in transcript.utterances if u.text.strip()]
    lines = prepare([u.text for u in utterances], transcript.language, encoder) if utterances else []
    measured = {(name, role): value for name, role, value in metrics}
    matches: list[CategoryMatch] = []
    for category in book.categories:
        if not category.applies(campaign, direction) or not all(c.holds(measured) for c in category.metrics):
            continue
        flagged = [f for f in flags if f.kind in category.flags and category.role in (None, f.role)]
        if category.flags and not flagged:
            continue
        if not category.phrases:
            first = flagged[0] if flagged else None
            matches.append(CategoryMatch(category.id, category.group, first.role if first else None,
                                         first.start if first else None, first.end if first else None,
                                         first.evidence if first else "", 1.0))
            continue
        phrases = category.phrasings(transcript.language)
        for k, (utterance, line) in enumerate(zip(utterances, lines)):
            if phrases and _placed(category, utterance, transcript.duration):
                sure = confidence(category, phrases, line, encoder)
                if sure and not _voided(category, transcript.language, sure, line, _answered(utterances, lines, k),
                                        encoder):
                    matches.append(CategoryMatch(category.id, category.group, utterance.role, utterance.start,
                                                 utterance.end, utterance.text, sure))
    matches.sort(key=lambda m: (m.start if m.start is not None else -1.0, m.category))
    return outcome_of(tuple(matches), book, direction)


def outcome_of(matches: tuple[CategoryMatch, ...], book: CategoryBook, direction: str | None) -> Categorization:
    """The call's outcome from its matches: the latest category with an ``outcome`` for the
    call's direction wins (within one utterance, by precedence)."""
    outbound = direction == "outbound"
    order = OUTBOUND_OUTCOMES if outbound else INBOUND_OUTCOMES
    decides = {c.id: c for c in book.categories if c.outcome in order}
    decisive = [m for m in matches if m.start is not None and m.category in decides]
    if decisive:
        last = max(m.start for m in decisive)
        said = {decides[m.category].outcome for m in decisive if m.start == last}
        outcome = next(o for o in order if o in said)
    else:
        outcome = "no_decision" if outbound else "unresolved"
    reasons = [decides[m.category].refusal_reason for m in decisive if decides[m.category].refusal_reason]
    reason = reasons[-1] if outcome == "refused" and reasons else None
    return Categorization(book.version, matches, "outbound" if outbound else "inbound", outcome, reason,
                          any(m.category == "do_not_call" for m in matches))
