"""Text-level detection, as ``callqa detect`` runs it: one JSON record in, one JSON result out.

Input records look like ``{"id": "7", "text": "...", "role": "operator", "language": "en"}``
(``role`` operator, agent (= operator), customer, or absent). The result::

    {"id": "7", "role": "operator", "language": "en",
     "flags": [{"kind": "profanity", "severity": "medium", "start": 10, "end": 17, ...}],
     "pii": [{"start": 30, "end": 49, "type": "CREDIT_CARD", "score": 1.0}],
     "redacted": "...",
     "categories": [{"category": "billing_question", "group": "reason", "confidence": 0.93}]}

Offsets are characters of the input text. ``categories`` are those of the category book the
text says in that role (either role when none is given), matched on the redacted text; an
optional ``"direction": "outbound"`` (or ``"inbound"``) limits them as on a call. ``pii`` lists every span whatever the role;
an operator's card data is also flagged as ``pii_leak`` (PCI DSS forbids reading it back).
"""

from __future__ import annotations

from typing import Any

from qa.compliance.personal import CARD_TYPES
from qa.errors import QAError

ROLES = {"operator": "operator", "agent": "operator", "customer": "customer", "": None}


def parse_record(record: Any) -> tuple[str | None, str, str | None, str | None]:
    """(id, text, role, language) of one input record, or QAError saying what is wrong."""
    if not isinstance(record, dict):
        raise QAError("each line must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str):
        raise QAError("'text' must be a string")
    role = record.get("role") or ""
    if not isinstance(role, str) or role.lower() not in ROLES:
        raise QAError(f"'role' must be operator, agent or customer, got {role!r}")
    language = record.get("language") or None
    if language is not None and not isinstance(language, str):
        raise QAError("'language' must be a string")
    identifier = record.get("id")
    return (None if identifier is None else str(identifier)), text, ROLES[role.lower()], language


def detect_record(record: Any, compliance, categories=None) -> dict[str, Any]:
    """The detectors of ``compliance`` (a ``Compliance``) on one input record, and the categories
    of ``categories`` (a ``(CategoryBook, SentenceEncoder)``, or None for none)."""
    from qa.compliance.pii import redact

    identifier, text, role, language = parse_record(record)
    detectors = compliance.config.detectors
    spans = compliance.pii.find(text, language) if "pii" in detectors else []
    flags: list[dict[str, Any]] = []
    for name in detectors:
        finder = getattr(compliance.detector(name), "text_findings", None)
        if finder is not None:
            flags += [_finding(f, role) for f in finder(text, language, role)]
    if role == "operator":
        flags += [
            {"kind": "pii_leak", "severity": "high", "start": s.start, "end": s.end, "role": role,
             "confidence": round(float(s.score), 3), "detector": "pii", "type": s.type,
             "reason": "operator read card data aloud"}
            for s in spans if s.type in CARD_TYPES
        ]
    flags.sort(key=lambda f: (f["start"], f["kind"]))
    return {
        "id": identifier,
        "role": role,
        "language": language,
        "flags": flags,
        "pii": [{"start": s.start, "end": s.end, "type": s.type, "score": round(float(s.score), 3)} for s in spans],
        "redacted": redact(text, spans),
    } | ({"categories": text_categories(redact(text, spans), role, language, record.get("direction"), *categories)}
         if categories else {})


def text_categories(text: str, role: str | None, language: str | None, direction: Any, book, encoder) -> list[dict]:
    """The categories one utterance says, best confidence first."""
    from qa.compliance.categorize import categorize
    from qa.types import Role, Transcript, Utterance

    if direction not in (None, "inbound", "outbound"):
        raise QAError(f"'direction' must be inbound or outbound, got {direction!r}")
    found: dict[str, dict] = {}
    for as_role in [role] if role else ["operator", "customer"]:
        utterance = Utterance(as_role, Role(as_role), None, 0.0, 1.0, text)
        transcript = Transcript("text", language, 1.0, 1.0, 1, 16000, (utterance,), ())
        for way in [direction] if direction else ["inbound", "outbound"]:
            for match in categorize(transcript, book, direction=way, encoder=encoder).matches:
                found[match.category] = {"category": match.category, "group": match.group,
                                         "confidence": match.confidence}
    return sorted(found.values(), key=lambda c: -c["confidence"])


def _finding(finding, role: str | None) -> dict[str, Any]:
    return {"kind": finding.kind, "severity": finding.severity.value, "start": finding.start,
            "end": finding.end, "role": role, "confidence": round(float(finding.confidence), 3),
            "detector": finding.detector} | dict(finding.details)
