"""The detector registry: config keys, flag kinds, dispatch, scorecards and `callqa synth` all
read it, so a detector defined here runs end to end without touching any other file."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import duckdb
import pytest

from helpers.paths import SAMPLE_AUDIO
from qa.compliance.base import CallContext, TextFinding
from qa.compliance.registry import (DetectorSpec, SyntheticRate, detector_specs, flag_kinds, register,
                                    synthetic_rates, unregister)
from qa.config import parse_config
from qa.errors import ConfigError
from qa.types import Flag, Role, Severity

STEREO = "20261202T114500_op02_inbound_billing_es.wav"  # 41 s, Spanish, two channels


@dataclass(frozen=True)
class OpeningSettings:
    words: int = 3


class OpeningDetector:
    """Flags the operator's first few words: a detector that always has something to say."""

    name = "opening"
    version = "test-1"

    def __init__(self, settings: OpeningSettings = OpeningSettings()) -> None:
        self.words = settings.words

    def detect(self, context: CallContext) -> list[Flag]:
        first = next((u for u in context.transcript.utterances if u.role is Role.OPERATOR and u.words), None)
        if first is None:
            return []
        said = first.words[:self.words]
        return [Flag("opening_words", Severity.LOW, Role.OPERATOR, said[0].start, said[-1].end, first.text,
                     self.name, self.version, 1.0, first.speaker, (("words", str(len(said))),))]

    def text_findings(self, text: str, language: str | None, role: str | None) -> list[TextFinding]:
        end = len(" ".join(text.split()[:self.words]))
        return [TextFinding("opening_words", Severity.LOW, 0, end, detector=self.name)] if end else []


@pytest.fixture
def opening():
    spec = register(DetectorSpec(
        name="opening", version=OpeningDetector.version, kinds=("opening_words",), build=OpeningDetector,
        settings=OpeningSettings, synthetic=(SyntheticRate("opening_words", "operator", 0.5, 0.0, (1, 0, 0)),)))
    yield spec
    unregister("opening")


def test_the_shipped_detectors_declare_every_flag_kind_once():
    assert list(detector_specs()) == ["script", "profanity", "loudness", "pii"]
    assert flag_kinds() == {
        "script_missing": "script", "script_order": "script", "script_late": "script", "script_early": "script",
        "forbidden_phrase": "script", "profanity": "profanity", "raised_voice": "loudness",
        "quiet_voice": "loudness", "pii_leak": "pii"}
    assert {rate.kind for rate in synthetic_rates()} == set(flag_kinds())
    with pytest.raises(ValueError, match="'profanity' belongs to 'profanity'"):
        register(DetectorSpec(name="other", version="1", kinds=("profanity",), build=OpeningDetector))


def test_flat_compliance_keys_and_detector_tables_set_the_same_settings():
    flat = parse_config({"compliance": {"raised_lu": 8, "profanity_deny": ["darn*"], "company": "Acme",
                                        "no_card_campaigns": ["sales"]}}).compliance
    table = parse_config({"compliance": {"loudness": {"raised_lu": 8.0}, "profanity": {"deny": ["darn*"]},
                                         "script": {"company": "Acme"}, "pii": {"no_card_campaigns": ["sales"]}}})
    assert flat == table.compliance
    assert flat.settings_for("loudness").raised_lu == 8.0 and flat.settings_for("loudness").min_raised_s == 1.0
    assert flat.settings_for("profanity").deny == ("darn*",) and flat.settings_for("script").company == "Acme"
    assert parse_config({}).compliance.settings_for("pii").leak_window_s == 120.0
    for bad, message in (({"raised_db": 3}, "no setting 'raised_db'"),
                         ({"loudness": {"raised_db": 3}}, "[compliance.loudness] has no setting 'raised_db'"),
                         ({"raised_lu": "loud"}, "raised_lu must be float"),
                         ({"detectors": ["pii", "opening"]}, "detectors: unknown opening")):
        with pytest.raises(ConfigError) as error:
            parse_config({"compliance": bad})
        assert message in str(error.value)


def test_a_detector_defined_in_a_test_module_is_configured_and_runs_on_text(opening):
    from qa.compliance.suite import Compliance
    from qa.compliance.text import detect_record

    config = parse_config({"compliance": {"detectors": ["pii", "opening"], "opening": {"words": 2}}})
    compliance = Compliance(config.compliance)
    result = detect_record({"id": "1", "text": "hola buenos días", "role": "operator"}, compliance)
    assert [(f["kind"], f["start"], f["end"], f["detector"]) for f in result["flags"]] == [
        ("opening_words", 0, 11, "opening")]
    assert compliance.versions() == {"pii": "1", "opening": "test-1"}


@pytest.mark.integration
def test_a_detector_defined_in_a_test_module_runs_end_to_end(opening, tmp_path):
    """Config, dispatch, storage, scorecard and the synthetic generator, with no other file changed."""
    from qa.batch import run_batch
    from qa.engine import Engine
    from qa.store import Store
    from qa.synth import synthesize

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_AUDIO / STEREO, folder / STEREO)
    cards = tmp_path / "cards.yaml"
    cards.write_text("scorecards: {default: {criteria: [{id: opening, weight: 100, per_flag: 10, "
                     "flags: {kinds: [opening_words], roles: [operator]}}]}}\n"
                     "scorable: {min_mean_word_probability: 0.0, min_words: 1}\n")
    config = parse_config({"compliance": {"detectors": ["pii", "opening"], "opening": {"words": 2}},
                           "scoring": {"scorecards": str(cards)}})
    store = Store(tmp_path / "calls.duckdb")
    summary = run_batch([folder], store, Engine(config))
    assert (summary.processed, summary.failed) == (1, 0)
    with duckdb.connect(str(store.path), read_only=True) as con:
        flags = con.execute("SELECT kind, detector, detector_version, role, details::VARCHAR FROM flags").fetchall()
        detectors, = con.execute("SELECT detectors FROM calls").fetchone()
        total, = con.execute("SELECT total FROM scores").fetchone()
        item = con.execute("SELECT lost, reason FROM score_items WHERE criterion = 'opening'").fetchone()
    assert [f[:4] for f in flags] == [("opening_words", "opening", "test-1", "operator")] and "words" in flags[0][4]
    assert json.loads(detectors) == {"pii": "1", "opening": "test-1"}
    assert total == 90.0 and item[0] == 10.0 and "opening_words at" in item[1]

    synthetic = Store(tmp_path / "synth.duckdb")
    synthesize(synthetic, 200, seed=1)
    with duckdb.connect(str(synthetic.path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM flags WHERE kind = 'opening_words'").fetchone()[0] > 0
