"""Which speaker is the operator.

Stereo recordings read as two parties (qa/transcribe/layout.py): the operator's channel comes
from the call's ``operator_speaker`` (manifest) or else ``[roles] operator_channel`` (default
0); the other channel is the customer.

Mono recordings, and stereo ones read as one conversation (dual mono, one silent channel), are
diarized: unless the manifest names the operator's turn order
(``operator_speaker = first|second``), each speaker's first two utterances are scored for
operator phrases ("thank you for calling", "how can I help", "calling from", in each seed
language; weight 2 for phrases only operators say, 1 for "my name is" and the like); the
speaker who scores at least 2 more than the other is the operator. Failing that, the speaker
who makes at least 2 more operator-only requests over the whole call ("could I get your",
"for verification", "is there anything else I can") is. Otherwise the speaker
who talks first is the operator on inbound calls (the operator answers) and the second one
on outbound calls (the customer answers). The customer is the other speaker with the most
speech; any further speakers are ``unknown``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.types import Role, Utterance

# Phrases an operator says while opening a call, by language; weight 2 = typical of operators
# only, weight 1 = customers say it too.
OPERATOR_PHRASES: dict[str, tuple[tuple[str, int], ...]] = {
    "en": (("thank you for calling", 2), ("thanks for calling", 2), ("how can i help", 2),
           ("how may i help", 2), ("how can i assist", 2), ("calling from", 2),
           ("my name is", 1)),
    "es": (("gracias por llamar", 2), ("gracias por comunicarse", 2), ("en qué puedo ayudar", 2),
           ("en que puedo ayudar", 2), ("cómo puedo ayudar", 2), ("como puedo ayudar", 2),
           ("le llamo de", 2), ("le habla", 2), ("mi nombre es", 1), ("me llamo", 1)),
    "fi": (("kiitos soitostasi", 2), ("kiitos soitosta", 2), ("miten voin auttaa", 2),
           ("kuinka voin auttaa", 2), ("soitan yrityksestä", 2), ("nimeni on", 1), ("täällä", 1)),
    "sw": (("asante kwa kupiga simu", 2), ("nikusaidie", 2), ("naweza kukusaidia", 2),
           ("jina langu ni", 1)),
    "hi": (("कॉल करने के लिए धन्यवाद", 2), ("मैं आपकी क्या मदद", 2), ("मेरा नाम", 1)),
    "fa": (("از تماس شما متشکرم", 2), ("چطور می توانم کمک", 2), ("چطور میتونم کمک", 2), ("اسم من", 1)),
}
# Requests only the operator makes, counted over the whole call: they decide where the opening
# does not (a recording that starts with the customer mid-sentence).
SERVICE_REQUESTS = ("could i get your", "can i get your", "can i have your", "may i have your",
                    "could i have your", "can you confirm your", "for verification",
                    "is there anything else i can", "me puede dar su", "me permite su", "me confirma su",
                    "hay algo más en lo que", "saisinko", "kertoisitteko", "voinko auttaa vielä")
_OPENING_UTTERANCES = 2
# Phrases decide only when one speaker has at least one operator-only phrase (weight 2) more
# than the other: "my name is" alone is said by customers too ("Nimeni on Matti Virtanen").
_DECISIVE_MARGIN = 2


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def operator_phrase_score(text: str) -> int:
    """Sum of the weights of operator phrases found in ``text`` (any language)."""
    padded = f" {normalise(text)} "
    return sum(
        weight
        for phrases in OPERATOR_PHRASES.values()
        for phrase, weight in phrases
        if f" {phrase} " in padded
    )


def _speaker_order(utterances: list[Utterance]) -> list[str]:
    order: list[str] = []
    for utterance in sorted(utterances, key=lambda u: u.start):
        if utterance.speaker not in order:
            order.append(utterance.speaker)
    return order


def _request_counts(utterances: list[Utterance], order: list[str]) -> dict[str, int]:
    """Per speaker: how many operator-only requests ("could I get your ...") they make in the call."""
    counts = dict.fromkeys(order, 0)
    for utterance in utterances:
        padded = f" {normalise(utterance.text)} "
        counts[utterance.speaker] += sum(padded.count(f" {normalise(r)} ") for r in SERVICE_REQUESTS)
    return counts


def mono_operator(utterances: list[Utterance], direction: str | None, override: str | None) -> str | None:
    """The diarized speaker label of the operator, by the rule in the module docstring."""
    order = _speaker_order(utterances)
    if not order:
        return None
    if override in ("first", "second"):
        index = 0 if override == "first" else 1
        return order[index] if index < len(order) else None
    scores = {speaker: 0 for speaker in order}
    for speaker in order:
        opening = [u.text for u in utterances if u.speaker == speaker][:_OPENING_UTTERANCES]
        scores[speaker] = operator_phrase_score(" ".join(opening))
    for scoring in (scores, _request_counts(utterances, order)):
        ranked = sorted(order, key=lambda s: -scoring[s])  # stable: ties keep the earlier speaker
        runner_up = scoring[ranked[1]] if len(ranked) > 1 else 0
        if scoring[ranked[0]] - runner_up >= _DECISIVE_MARGIN:
            return ranked[0]
    if direction == "outbound" and len(order) > 1:
        return order[1]
    return order[0]


def label_roles(utterances: list[Utterance], operator: str | None) -> list[Utterance]:
    """Set each utterance's role: the operator, the customer (most other speech), else unknown."""
    talk: dict[str, float] = {}
    for utterance in utterances:
        if utterance.speaker != operator:
            talk[utterance.speaker] = talk.get(utterance.speaker, 0.0) + utterance.end - utterance.start
    customer = max(talk, key=talk.get) if talk else None
    roles = {operator: Role.OPERATOR, customer: Role.CUSTOMER}
    return [replace(u, role=roles.get(u.speaker, Role.UNKNOWN)) for u in utterances]
