"""Personal data in text typed into the dashboard (a search query), masked before it is stored.

The pipeline's model-free recognisers (``PiiDetector``'s checked numbers: cards, IBANs,
phones, SSNs, security codes, expiry dates, licences; e-mail addresses, spoken or written;
usernames after a cue) on the spoken-form normalised text, resolved and masked as
transcripts are: ``4539 1488 0343 6467`` becomes ``[CREDIT_CARD]``. No spaCy: names and
places in a query are kept (a query is a few words, not a conversation).
"""

from __future__ import annotations

import re

from qa.compliance.handles import loose_email_hits, username_hits
from qa.compliance.pii import PiiDetector, _resolve, _spoken, redact
from qa.compliance.recognizers import Hit, dictated_hits, iban_hits, license_hits, number_hits
from qa.compliance.spoken import normalise

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)


def query_hits(text: str, language: str | None = "en") -> list:
    """Spans (``PiiSpan``) of personal data in ``text``, in characters of ``text``."""
    norm = normalise(text, language)
    found = norm.text
    hits = number_hits(found) + iban_hits(found) + license_hits(found) + loose_email_hits(found)
    hits += username_hits(found) + dictated_hits(found, _spoken(norm))
    hits += [Hit(m.start(), m.end(), "EMAIL_ADDRESS", 1.0, "email") for m in _EMAIL.finditer(found)]
    return PiiDetector._spans(text, norm, _resolve(hits))


def redact_query(text: str, language: str | None = "en") -> str:
    """``text`` with its personal data replaced by ``[TYPE]``, as transcripts are stored."""
    return redact(text, query_hits(text, language))
