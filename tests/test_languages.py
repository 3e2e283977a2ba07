"""Language names, model keys, the shipped table of measured ASR quality and the benchmark's data."""

from __future__ import annotations

import pytest

from helpers.paths import benchmark
from qa.languages import language_name, measured_quality, model_key


def test_every_whisper_language_has_a_name():
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    assert {code for code in _LANGUAGE_CODES if language_name(code) == code} == set()
    assert (language_name("fa"), language_name("sw"), language_name("fi-FI"), language_name("xx")) == (
        "Persian", "Swahili", "Finnish", "xx")


@pytest.mark.parametrize("model, key", [
    ("base", "base"), ("Systran/faster-whisper-base", "base"), ("/home/u/.cache/callqa/models/faster-whisper-base/", "base"),
    ("large-v3", "large-v3"), ("Systran/faster-whisper-large-v3", "large-v3"),
    ("mobiuslabsgmbh/faster-whisper-large-v3-turbo", "large-v3-turbo"), ("openai/whisper-small", "small")])
def test_model_key_names_a_model_however_it_is_configured(model, key):
    assert model_key(model) == key


def test_the_shipped_table_has_measured_rows_for_base_and_none_for_other_models():
    rows = measured_quality("base")
    assert {r["language"] for r in rows} >= {"es", "en", "fa", "hi", "sw"}
    assert all(r.get("date") or r.get("source") for r in rows)  # measured here (dated) or says where
    assert measured_quality("large-v3") == []


def test_the_benchmark_finds_real_speech_with_references(shared_data):
    languages = benchmark("languages")
    sets, skipped = languages.data_sets(shared_data)
    by_name = {s.name: s for s in sets}
    assert by_name["fleurs-es"].language == "es" and len(by_name["fleurs-es"].clips) == 10
    assert by_name["pyannote-sample"].clips[0].reference.startswith("Hello? Hello? Oh, hello.")
    assert by_name["azure-sales"].reference.startswith("machine") and by_name["azure-sales@8kHz"].telephone
    assert any("auto_dealer_mono.wav: no reference" in note for note in skipped)
    assert languages.normalise("¿Hola, «señor» Pérez?") == "hola señor pérez"
