"""Detectors on the real pipeline output of sample_audio/, against the injected events."""

from __future__ import annotations

import re
import unicodedata

import duckdb
import pytest

from qa.evaluate import TRUTH_PII_TYPES as PII_TYPES, comparable_words, load_truth
from qa.ingest import content_hash
from qa.scoring.scorecard import load_scorecards

from helpers.events import overlaps
from helpers.paths import SAMPLE_AUDIO

pytestmark = pytest.mark.integration

TRUTHS = sorted(SAMPLE_AUDIO.glob("*.json"))

# Events the recogniser destroys before any detector sees them (whisper `base`, espeak-ng Finnish):
# "Liisa Korhonen" comes back as "Liisa kokoinen" after a garbled name question, and the spelled
# e-mail as "liisa pisse kokoinen hapeppinen, kipipipipi". The detectors find both in the
# ground-truth text (test_compliance_truth.py); if a better model recovers them, this list must shrink.
ASR_LOSSES = {("20261203T133000_op04_inbound_collections_fi", "PERSON"),
              ("20261203T133000_op04_inbound_collections_fi", "EMAIL")}
AUDIO_KINDS = {"raised_voice", "quiet_voice"}  # judged on the audio alone


def judged(language: str) -> bool:
    """Whether the offline default (`base`) judges a call's words in this language (not fi, hi, fa, sw)."""
    return load_scorecards().scorable.not_judged("base", language) is None


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_every_injected_event_is_found(batch, truth_path):
    store, _ = batch
    truth = load_truth(truth_path)
    call_id = content_hash(truth_path.with_suffix(".wav"))
    flags = store.flags(call_id)
    mentions = store.pii_mentions(call_id)
    lost = set()
    for event in truth.raw["events"]:
        if event["kind"] == "pii":
            found = [m for m in mentions if m.type == PII_TYPES[event["type"]] and overlaps(m.start, m.end, event)]
            if not found:
                lost.add((truth_path.stem, event["type"]))
                continue
            assert found[0].role.value == event["role"]
        else:
            found = [f for f in flags if f.kind == event["kind"] and overlaps(f.start, f.end, event)]
            if not judged(truth.language) and event["kind"] not in AUDIO_KINDS:
                assert not found, f"{event['kind']} flagged on a call whose language is not judged"
                continue
            assert found, f"{event['kind']} {event['text']!r} at {event['start']} s not flagged"
            assert found[0].role.value == event["role"]
            if event["kind"] == "script_missing":
                assert event["step"] in dict(found[0].details).get("step", "")
    assert lost == {loss for loss in ASR_LOSSES if loss[0] == truth_path.stem}


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_no_flag_without_an_injected_event(batch, truth_path):
    store, _ = batch
    events = load_truth(truth_path).raw["events"]
    leaks = [e for e in events if e["kind"] == "pii" and e["role"] == "operator" and e["type"] == "CREDIT_CARD"]
    for flag in store.flags(content_hash(truth_path.with_suffix(".wav"))):
        assert judged(load_truth(truth_path).language) or flag.kind in AUDIO_KINDS, flag
        expected = leaks if flag.kind == "pii_leak" else [e for e in events if e["kind"] == flag.kind]
        assert any(overlaps(flag.start, flag.end, e) for e in expected), (
            f"unexpected {flag.kind} ({flag.role.value}) at {flag.start:.1f}-{flag.end:.1f} s: {flag.evidence!r}")


def test_no_card_digits_in_clear_anywhere_in_the_database(batch):
    store, _ = batch
    cards = {comparable_words(e["text"]).replace(" ", "") for t in TRUTHS for e in load_truth(t).raw["events"]
             if e.get("type") == "CREDIT_CARD"}
    assert cards
    with duckdb.connect(str(store.path), read_only=True) as con:
        texts = [row[0] for table, column in (("utterances", "text"), ("flags", "evidence"), ("flags", "details"))
                 for row in con.execute(f"SELECT {column} FROM {table}").fetchall()]
        texts += [row[0] for row in con.execute(
            "SELECT string_agg(text, ' ' ORDER BY utterance_index, word_index) FROM words GROUP BY call_id").fetchall()]
    for text in texts:
        digits = re.sub(r"\D", "", comparable_words(text or ""))
        for card in cards:
            assert not any(card[i:i + 6] in digits for i in range(len(card) - 5)), f"card digits in clear: {text!r}"


def _stored_texts(db) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        texts = [row[0] or "" for table, column in (("utterances", "text"), ("flags", "evidence"),
                                                   ("flags", "details"))
                 for row in con.execute(f"SELECT {column}::VARCHAR FROM {table}").fetchall()]
        texts += [row[0] for row in con.execute(
            "SELECT string_agg(text, ' ' ORDER BY utterance_index, word_index) FROM words GROUP BY call_id").fetchall()]
    return _folded(" ".join(texts))


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def test_no_name_or_email_in_clear_anywhere_in_the_database(batch):
    """Siblings of the card test: every word of a spoken name or e-mail address stays masked."""
    store, _ = batch
    stored = _stored_texts(store.path)
    spoken_glue = {"dot", "at", "piste", "at", "example", "esimerkki", "fi", "com"}
    checked = 0
    for truth in TRUTHS:
        for event in load_truth(truth).raw["events"]:
            if event.get("type") in ("PERSON", "EMAIL"):
                for word in set(re.findall(r"\w+", _folded(event["text"]))) - spoken_glue:
                    checked += 1
                    assert not re.search(rf"\b{word}\b", stored), f"{event['type']} word in clear: {word!r}"
    assert checked >= 15


def test_redacted_audio_copy_is_served(batch):
    store, _ = batch
    with duckdb.connect(str(store.path), read_only=True) as con:
        rows = con.execute("SELECT path, audio_path FROM calls WHERE has_speech").fetchall()
    assert rows and all(audio != path and audio.endswith(".wav") for path, audio in rows)
