"""Profanity detector: lexicon matching, inflections, allow/deny lists and the sample calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.compliance.base import CallContext, Severity
from qa.compliance.profanity import COVERED_LANGUAGES, ProfanityConfig, ProfanityDetector
from qa.types import Call, CallMetadata, Role, Transcript, Utterance, Word

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "sample_audio").glob("*.json"))


def ground_truth(path: Path) -> tuple[dict, CallContext]:
    """A call context from a sample's ground truth: word times spread evenly over each utterance."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    utterances = []
    for u in truth["utterances"]:
        words = u["text"].split()
        step = (u["end"] - u["start"]) / len(words)
        timed = tuple(Word(u["start"] + k * step, u["start"] + (k + 1) * step, w) for k, w in enumerate(words))
        utterances.append(Utterance(u["speaker"], Role(u["speaker"]), None, u["start"], u["end"], u["text"], timed))
    transcript = Transcript(truth["file"], truth["language"], 1.0, truth["duration"], truth["channels"],
                            truth["sample_rate"], tuple(utterances), ())
    metadata = CallMetadata(campaign=truth["campaign"], language=truth["language"], direction=truth["direction"])
    return truth, CallContext(Call(truth["file"], truth["file"], metadata), transcript)


def context_of(*utterances: Utterance, language: str = "en") -> CallContext:
    transcript = Transcript("c", language, 1.0, 60.0, 1, 16000, tuple(utterances), ())
    return CallContext(Call("c", "c.wav", CallMetadata(language=language)), transcript)


def spoken(text: str, role: Role = Role.OPERATOR, start: float = 0.0, word_s: float = 0.5) -> Utterance:
    words = tuple(Word(start + k * word_s, start + (k + 1) * word_s, w, 0.9) for k, w in enumerate(text.split()))
    return Utterance("S0", role, None, start, start + word_s * len(words), text, words)


def found(text: str, language: str | None, config: ProfanityConfig = ProfanityConfig()) -> list[str]:
    return [text[f.start:f.end] for f in ProfanityDetector(config).find(text, language)]


def test_samples_exist():
    assert len(SAMPLES) == 8


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_calls_match_ground_truth(path):
    truth, context = ground_truth(path)
    flags = ProfanityDetector().detect(context)
    events = [e for e in truth["events"] if e["kind"] == "profanity"]
    for event in events:
        assert any(f.role.value == event["role"] and f.start < event["end"] and f.end > event["start"]
                   for f in flags), f"missed {event}"
    for flag in flags:  # nothing outside the labelled events: a clean call gives no flag
        assert any(flag.start < e["end"] and flag.end > e["start"] for e in events), f"false flag {flag}"
    assert bool(flags) == bool(events)


def sample(suffix: str) -> CallContext:
    return ground_truth(next(p for p in SAMPLES if p.stem.endswith(suffix)))[1]


def test_operator_profanity_is_a_violation_customer_profanity_is_context():
    [flag] = ProfanityDetector().detect(sample("op02_inbound_support_en"))
    assert flag.role is Role.OPERATOR and dict(flag.details)["violation"] == "true"
    assert flag.severity in (Severity.MEDIUM, Severity.HIGH)
    assert "shit" in flag.evidence and flag.detector == "profanity" and flag.detector_version == "1"
    [flag] = ProfanityDetector().detect(sample("op01_inbound_billing_en"))
    assert flag.role is Role.CUSTOMER and dict(flag.details)["violation"] == "false"
    assert flag.speaker == "customer" and dict(flag.details)["terms"] == "fuck*"


def test_flag_times_come_from_the_matched_words():
    utterance = spoken("well this is fucking ridiculous", start=10.0)
    [flag] = ProfanityDetector().detect(context_of(utterance))
    assert (flag.start, flag.end) == (11.5, 12.0)
    assert flag.speaker == "S0" and flag.evidence == utterance.text and flag.confidence == pytest.approx(0.9)


def test_without_words_times_are_spread_over_the_utterance():
    utterance = Utterance("S1", Role.CUSTOMER, None, 0.0, 10.0, "aaaa shit", ())
    [flag] = ProfanityDetector().detect(context_of(utterance))
    assert 4.0 <= flag.start < flag.end <= 10.0


def test_mild_word_is_raised_to_medium_for_the_operator_only():
    detector = ProfanityDetector()
    [op] = detector.detect(context_of(spoken("oh crap", Role.OPERATOR)))
    [cu] = detector.detect(context_of(spoken("oh crap", Role.CUSTOMER)))
    [un] = detector.detect(context_of(spoken("oh crap", Role.UNKNOWN)))
    assert (op.severity, cu.severity, un.severity) == (Severity.MEDIUM, Severity.LOW, Severity.LOW)
    assert dict(un.details)["violation"] == "unknown"


@pytest.mark.parametrize("text", [
    "Scunthorpe", "assistance", "class", "cocktail", "analysis", "shitake mushrooms", "Dick Smith called",
    "I spoke to Dick yesterday", "butter", "button", "cumin", "title", "grass", "therapist", "Middlesex",
    "hello", "assassin", "passport", "cum laude", "a blue tit in the garden", "Sussex", "shell",
])
def test_ordinary_english_words_are_not_flagged(text):
    assert found(text, "en") == []


@pytest.mark.parametrize("text,language", [
    ("el martillo y la concha", "es"), ("tenemos un año de garantía", "es"), ("el cono naranja", "es"),
    ("tavara tuli postissa, muna ja reikä", "fi"), ("kustannus kuussa, kuusi", "fi"),
    ("Helvetica on fontti", "fi"), ("हमें माल मिल गया", "hi"), ("maal aa gaya", "hi"),
    ("هیچ کس تماس نگرفت", "fa"), ("سوپر مارکت", "fa"), ("habari yako, asante sana", "sw"),
])
def test_ordinary_words_in_other_languages_are_not_flagged(text, language):
    assert found(text, language) == []


@pytest.mark.parametrize("text,language,expected", [
    ("fuck this", "en", ["fuck"]), ("this is fucking ridiculous", "en", ["fucking"]),
    ("he fucked it up", "en", ["fucked"]), ("you motherfucker", "en", ["motherfucker"]),
    ("oh shit sorry", "en", ["shit"]), ("bitches and bastards", "en", ["bitches", "bastards"]),
    ("this is shitty", "en", ["shitty"]), ("you dick", "en", ["dick"]), ("You Dick!", "en", ["Dick"]), ("Dick. Goodbye.", "en", ["Dick"]), ("FUCKIN HELL", "en", ["FUCKIN"]),
    ("joder, qué jodido", "es", ["joder", "jodido"]), ("¡Qué mierda!", "es", ["mierda"]),
    ("coño", "es", ["coño"]), ("son unos cabrones", "es", ["cabrones"]), ("hijo de puta", "es", ["hijo de puta"]),
    ("me cago en todo", "es", ["me cago en"]), ("Cabrón", "es", ["Cabrón"]),
    ("vittu", "fi", ["vittu"]), ("vitun kone", "fi", ["vitun"]), ("painu vittuun", "fi", ["vittuun"]),
    ("perkele", "fi", ["perkele"]), ("perkeleen perkele", "fi", ["perkeleen", "perkele"]),
    ("ihan paskaa", "fi", ["paskaa"]), ("saatanan helvetti", "fi", ["saatanan", "helvetti"]),
    ("haista vittu", "fi", ["haista vittu"]), ("mitä vitunmoista", "fi", ["vitunmoista"]),
    ("perkeleestä", "fi", ["perkeleestä"]), ("jodiendo", "es", ["jodiendo"]), ("fuckwit", "en", ["fuckwit"]),
])
def test_swearing_and_its_inflections_are_found(text, language, expected):
    assert found(text, language) == expected


@pytest.mark.parametrize("text,language,expected", [
    ("तू चूतिया है", "hi", ["चूतिया"]), ("भोसड़ी के", "hi", ["भोसड़ी के"]), ("भोसडी के", "hi", ["भोसडी के"]),
    ("tu chutiya hai", "hi", ["chutiya"]), ("کیرم تو این", "fa", ["کیرم"]), ("حرامزاده", "fa", ["حرامزاده"]),
    ("wewe ni mjinga", "sw", ["mjinga"]), ("kuma mamako", "sw", ["kuma mamako"]),
])
def test_hindi_persian_swahili(text, language, expected):
    assert found(text, language) == expected


def test_findings_have_offsets_severity_and_details():
    text = "Well, fuck. You faggot!"
    findings = ProfanityDetector().find(text, "en")
    assert [text[f.start:f.end] for f in findings] == ["fuck", "faggot"]
    assert [f.severity for f in findings] == [Severity.MEDIUM, Severity.HIGH]
    assert all(f.kind == "profanity" and f.detector == "profanity" for f in findings)
    assert dict(findings[0].details) == {"term": "fuck*", "language": "en"}  # a stem
    assert found("this sucks", "en") and ProfanityDetector().find("this sucks", "en")[0].severity is Severity.LOW


def test_glin_dictionary_entries_are_used():
    assert found("what a cocksucker", "en") == ["cocksucker"]  # in glin's list, not in ours
    assert found("gilipollas", "es") == ["gilipollas"]


def test_language_coverage():
    assert set(COVERED_LANGUAGES) == {"en", "es", "fi", "hi", "fa", "sw"}
    assert found("vittu", "es") == [] and found("joder", "fi") == []
    assert found("fuck this", "fi") == ["fuck"]  # English stems apply to every language
    assert found("fuck, vittu, Scheiße", "de") == ["fuck"]  # uncovered: the international stems only
    assert found("vittu joder fuck", None) == ["vittu", "joder", "fuck"]  # unknown: every lexicon
    assert found("joder", "es-ES") == ["joder"]


def test_allow_list_removes_words_and_deny_list_adds_them():
    allow = ProfanityConfig(allow=("crap", "Dick Smith"))
    assert found("oh crap", "en", allow) == []
    assert found("dick smith is here", "en", allow) == []
    assert found("oh shit", "en", allow) == ["shit"]
    deny = ProfanityConfig(deny=("darn*", "son of a gun", "tavara"))
    assert found("darned son of a gun, tavara", "fi", deny) == ["darned", "son of a gun", "tavara"]
    assert found("darn", "en", deny) == ["darn"] and found("darn", "en") == []
    [finding] = ProfanityDetector(deny).find("son of a gun", "en")
    assert finding.severity is Severity.MEDIUM and dict(finding.details)["language"] == "deny"


def test_asr_like_text_without_case_or_punctuation():
    assert found("it wasnt this is fucking ridiculous i want my money back", "en") == ["fucking"]
    assert found("que mierda estuve en casa todo el dia", "es") == ["mierda"]
    assert found("VITTU TÄMÄ ON PASKA", "fi") == ["VITTU", "PASKA"]
    assert found("ok shit sorry i clicked the wrong button", "en") == ["shit"]


def test_no_speech_no_flags():
    assert ProfanityDetector().detect(context_of()) == []
    assert ProfanityDetector().find("", "en") == []
