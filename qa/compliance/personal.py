"""Personal data in a whole call: find it across utterances, redact it, flag leaks.

People split a card number or a phone number across pauses and across utterances, so a
speaker's consecutive utterances are joined into one text (see ``_segments``), handed to the
text-level ``PiiDetector`` with what the other party said just before as context (the
question tells what the answer is); its character spans are mapped back to words, and so to
times and utterances.

Leaks (kind ``pii_leak``):

* the operator says card data (card number, security code, expiry): PCI DSS forbids reading
  it back; severity high;
* the operator says other personal data (phone, e-mail, address, IBAN, national id) of a type
  the customer has not given in the last ``leak_window_s`` seconds: a disclosure; medium;
  not when the customer has just asked for someone else's details ("what is their number?"):
  a business's number given on request is no leak (English cues only, so far);
* anyone says card data on a campaign listed in ``no_card_campaigns``; high.

Names are not leaks on their own: operators greet customers by name. Redaction replaces each
word of a span by ``[TYPE]``; card numbers and security codes are always redacted (PCI DSS),
everything else when ``redact`` is on (the default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.compliance.base import CallContext, PiiSpan
from qa.compliance.registry import DetectorSpec, SyntheticRate, register
from qa.types import Flag, PiiMention, Role, Severity, Transcript, Utterance

CARD_TYPES = frozenset({"CREDIT_CARD", "CARD_SECURITY_CODE", "CARD_EXPIRY"})
DISCLOSURE_TYPES = frozenset({"PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS", "IBAN_CODE",
                              "US_SSN", "US_DRIVER_LICENSE", "NATIONAL_ID"})
SOFT_BREAK_S = 6.0  # utterances of one speaker closer than this may continue one number
_BACKCHANNEL_WORDS = 3  # the other party saying this many words or more ends a run
_SOFT = ", "


@dataclass(frozen=True)
class _WordRef:
    utterance_index: int
    word_index: int
    start_char: int
    end_char: int


def _segments(transcript: Transcript) -> list[tuple[str, list[tuple[int, Utterance]], str]]:
    """(speaker, utterances, context) runs that may carry one spoken item between them.

    A speaker's utterances stay in one run while they follow each other within
    ``SOFT_BREAK_S`` and the other party only said short backchannels ("okay", "mm-hm") in
    between; ``context`` is what the other party said just before the run (often the question:
    "and the phone number on the account?").
    """
    utterances = transcript.utterances
    runs: list[tuple[str, list[tuple[int, Utterance]], str]] = []
    open_run: dict[str, int] = {}
    for index, utterance in enumerate(utterances):
        current = open_run.get(utterance.speaker)
        if current is not None:
            last_index, last = runs[current][1][-1]
            between = utterances[last_index + 1:index]
            if utterance.start - last.end < SOFT_BREAK_S and all(
                    len(u.words) < _BACKCHANNEL_WORDS for u in between if u.speaker != utterance.speaker):
                runs[current][1].append((index, utterance))
                continue
        before = [u.text for u in utterances[max(0, index - 2):index] if u.speaker != utterance.speaker]
        open_run[utterance.speaker] = len(runs)
        runs.append((utterance.speaker, [(index, utterance)], " ".join(before)))
    return runs


def _run_text(utterances: list[tuple[int, Utterance]]) -> tuple[str, list[_WordRef]]:
    """One run's utterances as one text, with each word's character span in it."""
    parts: list[str] = []
    refs: list[_WordRef] = []
    length = 0
    for position, (index, utterance) in enumerate(utterances):
        if position:
            parts.append(_SOFT)
            length += len(_SOFT)
        for word_index, word in enumerate(utterance.words):
            if word_index:
                parts.append(" ")
                length += 1
            parts.append(word.text)
            refs.append(_WordRef(index, word_index, length, length + len(word.text)))
            length += len(word.text)
    return "".join(parts), refs


def find_mentions(transcript: Transcript, detector, language: str | None) -> list[PiiMention]:
    """Every personal-data mention in the call, one per (span, utterance), in time order."""
    runs = _segments(transcript)
    texts = [_run_text(utterances) for _, utterances, _ in runs]
    found = detector.find_all([text for text, _ in texts], language, [context for *_, context in runs])
    mentions = []
    for (speaker, _, _), (_, refs), spans in zip(runs, texts, found):
        for span in spans:
            mentions.extend(_mentions_of(span, refs, transcript, speaker))
    return sorted(mentions, key=lambda m: (m.start, m.utterance_index, m.first_word))


def _mentions_of(span: PiiSpan, refs: list[_WordRef], transcript: Transcript, speaker: str) -> list[PiiMention]:
    covered = [r for r in refs if r.start_char < span.end and r.end_char > span.start]
    by_utterance: dict[int, list[_WordRef]] = {}
    for ref in covered:
        by_utterance.setdefault(ref.utterance_index, []).append(ref)
    mentions = []
    for index, words in by_utterance.items():
        utterance = transcript.utterances[index]
        first, last = words[0].word_index, words[-1].word_index
        mentions.append(PiiMention(
            type=span.type, role=utterance.role, speaker=speaker,
            start=utterance.words[first].start, end=utterance.words[last].end,
            utterance_index=index, first_word=first, last_word=last,
            score=round(float(span.score), 3), recognizer=span.recognizer,
        ))
    return mentions


def redact_transcript(transcript: Transcript, mentions: list[PiiMention], everything: bool = True) -> Transcript:
    """The transcript with the words of each mention replaced by ``[TYPE]``.

    With ``everything`` off only card data is masked (PCI DSS allows nothing less).
    """
    placeholders: dict[tuple[int, int], tuple[str, int]] = {}
    for number, mention in enumerate(mentions):
        if everything or mention.type in CARD_TYPES:
            for word_index in range(mention.first_word, mention.last_word + 1):
                placeholders[(mention.utterance_index, word_index)] = (f"[{mention.type}]", number)
    if not placeholders:
        return transcript
    utterances = []
    for index, utterance in enumerate(transcript.utterances):
        words, shown, previous = [], [], None
        for word_index, word in enumerate(utterance.words):
            masked = placeholders.get((index, word_index))
            words.append(replace(word, text=masked[0]) if masked else word)
            if masked is None or masked != previous:
                shown.append(masked[0] if masked else word.text)
            previous = masked
        utterances.append(replace(utterance, words=tuple(words), text=" ".join(shown)))
    return replace(transcript, utterances=tuple(utterances))


def leak_flags(mentions: list[PiiMention], redacted: Transcript, campaign: str | None,
               no_card_campaigns: tuple[str, ...], window_s: float, version: str) -> list[Flag]:
    """``pii_leak`` flags by the rules in the module docstring (evidence from ``redacted``)."""
    flags = []
    for mention in mentions:
        reason, severity = _leak_reason(mention, mentions, campaign, no_card_campaigns, window_s)
        if reason is not None and mention.type in DISCLOSURE_TYPES and _asked_for(mention, redacted):
            continue  # "what is their number?": a business's details, given on request
        if reason is None:
            continue
        flags.append(Flag(
            kind="pii_leak", severity=severity, role=mention.role, start=mention.start, end=mention.end,
            evidence=redacted.utterances[mention.utterance_index].text, detector="pii",
            detector_version=version, confidence=mention.score, speaker=mention.speaker,
            details=(("type", mention.type), ("reason", reason)),
        ))
    return flags


# the customer asking for someone else's contact details (a shop's number, the office's address)
_ASKED_FOR = re.compile(r"\b(?:their|its|your|the)\s+(?:[\w']+\s+){0,2}(?:number|phone|address|e-?mail|website)\b",
                        re.I)
ASKED_WINDOW_S = 60.0


def _asked_for(mention: PiiMention, transcript: Transcript) -> bool:
    """Whether the customer asked for these details shortly before the operator said them."""
    for utterance in reversed(transcript.utterances[:mention.utterance_index]):
        if mention.start - utterance.end > ASKED_WINDOW_S:
            return False
        if utterance.role is Role.CUSTOMER and "?" in utterance.text and _ASKED_FOR.search(utterance.text):
            return True
    return False


def _leak_reason(mention: PiiMention, mentions: list[PiiMention], campaign: str | None,
                 no_card_campaigns: tuple[str, ...], window_s: float) -> tuple[str | None, Severity]:
    if mention.type in CARD_TYPES and campaign and campaign in no_card_campaigns:
        return f"card data on campaign {campaign!r}, which must not take it", Severity.HIGH
    if mention.role is not Role.OPERATOR:
        return None, Severity.LOW
    if mention.type in CARD_TYPES:
        return "operator read card data aloud", Severity.HIGH
    if mention.type in DISCLOSURE_TYPES:
        given = any(
            m.role is Role.CUSTOMER and m.type == mention.type and mention.start - window_s <= m.start <= mention.start
            for m in mentions
        )
        if not given:
            return "operator disclosed data the customer did not give", Severity.MEDIUM
    return None, Severity.LOW


@dataclass(frozen=True)
class LeakSettings:
    """When personal data said in a call is a leak (see the module docstring)."""

    leak_window_s: float = 120.0  # operator repeating data the customer gave this recently is no leak
    no_card_campaigns: tuple[str, ...] = ()  # campaigns that must not take card data at all


class LeakDetector:
    """``pii_leak`` flags from the personal data the suite found in the call (``context.pii``)."""

    name = "pii"
    version = "1"

    def __init__(self, settings: LeakSettings = LeakSettings()) -> None:
        self.settings = settings

    def detect(self, context: CallContext) -> list[Flag]:
        return leak_flags(list(context.pii), context.transcript, context.call.metadata.campaign,
                          self.settings.no_card_campaigns, self.settings.leak_window_s, self.version)


register(DetectorSpec(
    name=LeakDetector.name, version=LeakDetector.version, kinds=("pii_leak",), build=LeakDetector,
    settings=LeakSettings, flat_keys=(("leak_window_s", "leak_window_s"), ("no_card_campaigns", "no_card_campaigns")),
    synthetic=(SyntheticRate("pii_leak", "operator", 0.012, 0.7, (0, 1, 0)),),
))
