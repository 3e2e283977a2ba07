"""Script adherence: the YAML format, step matching, order/late/early, forbidden phrases, samples."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from qa.compliance.base import CallContext, Severity
from qa.compliance.script import ScriptDetector, load_scripts
from qa.errors import ConfigError
from qa.evaluate import load_truth, truth_transcript
from qa.types import Call, CallMetadata, Role, Transcript, Utterance, Word

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "sample_audio").glob("*.json"))
OPENING = {"greeting", "operator_name", "offer_help", "company_name"}
CLOSING = {"closing_question", "farewell"}


def ground_truth(path: Path, rewrite=lambda text: text) -> tuple[dict, CallContext]:
    """A call context from a sample's ground truth: word times spread evenly over each utterance."""
    truth = load_truth(path)
    raw = truth.raw
    metadata = CallMetadata(campaign=raw["campaign"], language=raw["language"], direction=raw["direction"])
    return raw, CallContext(Call(raw["file"], raw["file"], metadata), truth_transcript(truth, rewrite))


def call(*turns: tuple[float, str, str], language: str = "en", campaign: str | None = None,
         duration: float = 60.0) -> CallContext:
    """A call from (start, role, text) turns, 0.4 s per word."""
    utterances = []
    for start, role, text in turns:
        words = tuple(Word(start + 0.4 * k, start + 0.4 * (k + 1), w) for k, w in enumerate(text.split()))
        utterances.append(Utterance(role, Role(role), None, start, words[-1].end, text, words))
    transcript = Transcript("c", language, 1.0, duration, 1, 16000, tuple(utterances), ())
    return CallContext(Call("c", "c.wav", CallMetadata(campaign=campaign, language=language)), transcript)


def kinds(flags) -> list[tuple[str, str]]:
    return [(f.kind, dict(f.details).get("step", "")) for f in flags]


GOOD_CALL = [
    (0.5, "operator", "Thank you for calling Acme Telecom, my name is Laura, how can I help you today?"),
    (6.0, "customer", "My bill is wrong."),
    (20.0, "operator", "Let me fix that for you."),
    (45.0, "operator", "Is there anything else I can help you with?"),
    (50.0, "customer", "No thanks."),
    (53.0, "operator", "Thank you for calling, have a nice day, goodbye."),
]


def asr_like(text: str) -> str:
    """What a small ASR model makes of it: no case, no punctuation, some misheard words."""
    text = re.sub(r"[^\w\s']", "", text.lower())
    for heard, misheard in (("acme telecom", "acne tele com"), ("anything", "anythin"),
                            ("ayudarle", "ayudarte"), ("telecomiin", "telekomiin"), ("gracias", "grasias")):
        text = text.replace(heard, misheard)
    return text


def test_shipped_scripts_load():
    book = load_scripts()
    for language in ("en", "es", "fi", "hi", "fa", "sw"):
        steps = [s.id for s in book.scripts[("default", language)].steps]
        assert steps[0] == "greeting" and steps[-2:] == ["closing_question", "farewell"]
        assert book.scripts[("default", language)].forbidden
    assert ("sales", "en") in book.scripts and book.company is None


@pytest.mark.parametrize("rewrite", [lambda t: t, asr_like], ids=["exact", "asr-like"])
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_calls_match_ground_truth(path, rewrite):
    truth, context = ground_truth(path, rewrite)
    flags = ScriptDetector().detect(context)
    events = [e for e in truth["events"] if e["kind"] == "script_missing"]
    if not events:
        assert flags == [], "a clean call must give no script flag"
    missing = {dict(f.details)["step"]: f for f in flags if f.kind == "script_missing"}
    for event in events:  # the call without a greeting lacks the opening; without a closing, the closing
        group = OPENING if event["step"] == "greeting" else CLOSING
        hits = [f for step, f in missing.items() if step in group]
        assert hits and all(f.role is Role.OPERATOR and f.start < event["end"] and f.end > event["start"]
                            for f in hits), f"missed {event}"
        assert set(missing) <= group, "only the labelled part of the script is missing"
    if any(e["step"] == "greeting" for e in events):
        assert "greeting" in missing


def test_missing_flag_shows_the_near_miss_and_where_it_was_expected():
    truth, context = ground_truth(next(p for p in SAMPLES if "inbound_billing_es" in p.stem))
    flags = {dict(f.details)["step"]: f for f in ScriptDetector().detect(context)}
    closing = flags["closing_question"]
    last_operator = [u for u in context.transcript.utterances if u.role is Role.OPERATOR][-1]
    assert (closing.start, closing.end) == (last_operator.start, last_operator.end)
    assert closing.severity is Severity.MEDIUM and closing.evidence
    assert 0 < float(dict(closing.details)["best_score"]) < 80
    assert dict(closing.details)["script"] == "default/es"


def test_a_good_call_passes_and_asr_errors_are_tolerated():
    assert ScriptDetector().detect(call(*GOOD_CALL)) == []
    noisy = [(t, r, asr_like(s)) for t, r, s in GOOD_CALL]
    assert ScriptDetector().detect(call(*noisy)) == []


def test_only_the_steps_role_counts():
    turns = [(t, "customer" if r == "operator" else r, s) for t, r, s in GOOD_CALL]
    steps = {dict(f.details)["step"] for f in ScriptDetector().detect(call(*turns)) if f.kind == "script_missing"}
    assert steps == {"greeting", "operator_name", "offer_help", "closing_question", "farewell"}


def test_unknown_roles_are_used_when_no_operator_was_identified():
    turns = [(t, "unknown", s) for t, _, s in GOOD_CALL]
    assert ScriptDetector().detect(call(*turns)) == []


def test_late_step_is_flagged_with_the_time_of_the_matched_words():
    turns = [(2.0, "operator", "One moment."), (25.0, "operator", "Sorry, thank you for calling Acme Telecom, "
                                                           "my name is Laura, how can I help you?")] + GOOD_CALL[2:]
    flags = [f for f in ScriptDetector().detect(call(*turns)) if f.kind == "script_late"]
    assert kinds(flags)[0] == ("script_late", "greeting")
    assert flags[0].start == pytest.approx(25.4) and flags[0].end == pytest.approx(27.0)  # "thank ... calling"
    assert flags[0].severity is Severity.LOW


def test_closing_question_asked_too_early_is_flagged():
    turns = GOOD_CALL[:3] + [(65.0, "operator", "Is there anything else I can help you with?"),
                             (80.0, "operator", "Okay, the ticket is open now."),
                             (115.0, "operator", "Goodbye.")]
    [flag] = ScriptDetector().detect(call(*turns, duration=120.0))
    assert kinds([flag]) == [("script_early", "closing_question")] and flag.severity is Severity.LOW
    assert flag.start == pytest.approx(65.0) and dict(flag.details)["from_end_s"] == "30"


def test_steps_out_of_order(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("scripts:\n  default:\n    en:\n      steps:\n"
                    "        - {id: greeting, phrases: ['thank you for calling {company}']}\n"
                    "        - {id: verification, phrases: ['can i have your account number']}\n"
                    "        - {id: disclosure, phrases: ['this call is recorded for quality purposes']}\n")
    detector = ScriptDetector(load_scripts(path))
    ordered = call((0.5, "operator", "Thank you for calling Acme. Can I have your account number?"),
                   (10.0, "operator", "This call is recorded for quality purposes."))
    assert detector.detect(ordered) == []
    swapped = call((0.5, "operator", "Thank you for calling Acme. This call is recorded for quality purposes."),
                   (10.0, "operator", "Can I have your account number?"))
    [flag] = detector.detect(swapped)
    assert kinds([flag]) == [("script_order", "disclosure")]
    assert dict(flag.details)["expected_after"] == "verification" and flag.start < 10.0


def test_optional_step_is_not_reported_missing(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("scripts:\n  default:\n    en:\n      steps:\n"
                    "        - {id: disclosure, required: false, phrases: ['this call is recorded']}\n"
                    "        - {id: farewell, severity: high, phrases: ['goodbye']}\n")
    flags = ScriptDetector(load_scripts(path)).detect(call((0.5, "operator", "Hello there.")))
    assert kinds(flags) == [("script_missing", "farewell")] and flags[0].severity is Severity.HIGH


def test_forbidden_phrases():
    turns = GOOD_CALL[:2] + [(20.0, "operator", "Honestly that's not my problem, sir."),
                             (30.0, "customer", "That's not my problem either!")] + GOOD_CALL[3:]
    [flag] = [f for f in ScriptDetector().detect(call(*turns)) if f.kind == "forbidden_phrase"]
    assert flag.severity is Severity.HIGH and flag.role is Role.OPERATOR and 20.0 < flag.start < flag.end <= 22.0
    text = "Well, i dont care. I do care about you."
    findings = ScriptDetector().find_forbidden(text, "en")
    assert [text[f.start:f.end] for f in findings] == ["i dont care"]
    assert findings[0].kind == "forbidden_phrase" and findings[0].severity is Severity.HIGH
    assert ScriptDetector().find_forbidden("No me importa nada.", "es")
    assert ScriptDetector().find_forbidden("Thank you for calling.", "en") == []


def test_company_placeholder_is_a_wildcard_unless_configured():
    other = [(0.5, "operator", "Thank you for calling Globex Corporation, my name is Laura, how can I help?")]
    turns = other + GOOD_CALL[1:]
    assert ScriptDetector().detect(call(*turns)) == []
    configured = ScriptDetector(company="Acme Telecom")
    assert kinds(configured.detect(call(*turns))) == [("script_missing", "greeting")]
    assert configured.detect(call(*GOOD_CALL)) == []
    assert ScriptDetector(load_scripts().with_company("Acme Telecom")).company == "Acme Telecom"
    from_file = ScriptDetector(load_scripts(None, company="Acme Telecom"))
    assert kinds(from_file.detect(call(*turns))) == [("script_missing", "greeting")]


def test_script_selection_and_fallbacks():
    book = load_scripts()
    assert (book.select("sales", "en").campaign, book.select("sales", "en").language) == ("sales", "en")
    assert book.select("sales", "es").language == "es" and book.select("sales", "es").campaign == "default"
    assert book.select("billing", "fi").language == "fi"
    assert book.select(None, "de").language == "en"
    assert book.select("billing", "en-GB").language == "en"
    assert book.select(None, None).language == "en"


def test_no_speech_no_flags():
    assert ScriptDetector().detect(call()) == []


@pytest.mark.parametrize("content,problem", [
    ("scripts: [unclosed", "invalid YAML"),
    ("version: 1\n", "missing key 'scripts'"),
    ("scripts:\n  default:\n    en:\n      forbidden: [x]\n", "missing key 'steps'"),
    ("scripts:\n  default:\n    en:\n      steps:\n        - {id: greeting}\n", "missing key 'phrases'"),
    ("scripts:\n  default:\n    en:\n      steps:\n        - {id: greeting, phrase: [hi]}\n", "unknown key(s) phrase"),
    ("scripts:\n  default:\n    en:\n      steps:\n        - {id: g, phrases: [hi], within_s: -3}\n", "within_s"),
    ("scripts:\n  default:\n    en:\n      steps:\n        - {id: g, phrases: []}\n", "non-empty list"),
    ("scripts:\n  default:\n    en:\n      steps:\n        - {id: g, phrases: [hi], role: boss}\n", "role"),
    ("scripts:\n  default:\n    en:\n      steps:\n        - {id: g, phrases: [a]}\n        - {id: g, phrases: [b]}\n",
     "unique"),
])
def test_bad_script_files_raise_one_line_config_errors(tmp_path, content, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError) as error:
        load_scripts(path)
    message = str(error.value)
    assert str(path) in message and problem in message and "\n" not in message


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="nope.yaml"):
        load_scripts(tmp_path / "nope.yaml")


def test_steps_are_frozen_data():
    step = load_scripts().scripts[("default", "en")].steps[0]
    assert step.role is Role.OPERATOR and step.within_s == 20 and step.phase == "opening" and step.required
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.id = "x"  # type: ignore[misc]


@pytest.mark.parametrize("language", ["en", "es", "fi", "hi", "fa", "sw"])
def test_each_shipped_script_accepts_its_own_phrasing(language):
    script = load_scripts().scripts[("default", language)]
    fill = {"{company}": "Acme Telecom", "{name}": "Laura"}
    said = [re.sub(r"\{\w+\}", lambda m: fill[m.group(0)], step.phrases[0]) for step in script.steps]
    opening, middle, closing = said[:3], said[3:-2], said[-2:]
    turns = [(0.5, "operator", " ".join(opening)), (10.0, "customer", "...")]
    turns += [(20.0 + 5 * k, "operator", text) for k, text in enumerate(middle)]
    turns += [(44.0, "operator", closing[0]), (52.0, "operator", closing[1])]
    assert ScriptDetector().detect(call(*turns, language=language)) == []
    without_opening = call(*turns[1:], language=language)
    missing = {dict(f.details)["step"] for f in ScriptDetector().detect(without_opening)}
    assert missing == {"greeting", "operator_name", "offer_help"}


def test_persian_phrases_match_with_or_without_zero_width_non_joiner():
    detector = ScriptDetector()
    for text in ("سلام، من لیلا هستم. چطور میتوانم کمکتان کنم؟", "سلام، من لیلا هستم. چطور می‌توانم کمکتان کنم؟"):
        flags = detector.detect(call((0.5, "operator", text), (50.0, "operator", "خداحافظ"), language="fa"))
        assert "offer_help" not in {dict(f.details)["step"] for f in flags}


def test_missing_step_in_speech_the_recogniser_could_not_make_out_is_not_asserted():
    turns = [(0.5, "operator", "niin tos tos takia kme pelekomien"), (6.0, "customer", "My bill is wrong."),
             *GOOD_CALL[2:]]
    clear = call(*turns)
    assert ("script_missing", "greeting") in kinds(ScriptDetector().detect(clear))
    first = clear.transcript.utterances[0]
    unsure = dataclasses.replace(first, words=tuple(dataclasses.replace(w, probability=0.3) for w in first.words))
    garbled = dataclasses.replace(clear, transcript=dataclasses.replace(
        clear.transcript, utterances=(unsure, *clear.transcript.utterances[1:])))
    assert ("script_missing", "greeting") not in kinds(ScriptDetector().detect(garbled))


def test_a_call_resumed_after_a_dropped_line_is_not_judged_on_its_opening():
    resumed = call((0.2, "operator", "Sorry, I think we got disconnected. So as I was saying, the plan is cheaper."),
                   (20.0, "customer", "Right."), (45.0, "operator", "Is there anything else I can help you with?"),
                   (53.0, "operator", "Have a nice day, goodbye."))
    assert ScriptDetector().detect(resumed) == []
    fresh = call((0.2, "operator", "So as I was saying, the plan is cheaper."), (20.0, "customer", "Right."),
                 (45.0, "operator", "Is there anything else I can help you with?"),
                 (53.0, "operator", "Have a nice day, goodbye."))
    assert {step for _, step in kinds(ScriptDetector().detect(fresh))} == {"greeting", "operator_name", "offer_help"}


def test_a_recording_that_stops_mid_speech_is_not_judged_on_its_closing():
    opening = GOOD_CALL[:3]
    cut = call(*opening, (40.0, "operator", "and the other thing I wanted to say about the bill is"), duration=44.2)
    assert ScriptDetector().detect(cut) == []  # the last word ends 0.2 s before the recording does
    ended = call(*opening, (40.0, "operator", "and the other thing I wanted to say about the bill is"), duration=46.0)
    assert {step for _, step in kinds(ScriptDetector().detect(ended))} == {"closing_question", "farewell"}


def test_a_recording_picked_up_from_a_hold_or_transfer_is_not_judged_on_its_steps():
    fragment = call((2.0, "operator", "Okay, I'm here."), (4.5, "customer", "I'd like to buy a Chromecast."),
                    (10.0, "operator", "Certainly, which colour would you like?"), (36.0, "operator", "It's on the way."),
                    (41.7, "operator", "Bye."), duration=45.3)
    assert ScriptDetector().detect(fragment) == []
    rude = call((2.0, "operator", "Thanks for holding. Honestly that's not my problem."), duration=45.3)
    assert kinds(ScriptDetector().detect(rude)) == [("forbidden_phrase", "")]
    here_to_help = call((0.5, "operator", "I'm here to help, what's the problem?"), duration=60.0)
    assert "greeting" in {step for _, step in kinds(ScriptDetector().detect(here_to_help))}


@pytest.mark.parametrize("opening", [
    "Thank you for calling Big Jim's Auto. I'm Dana. How can I help you today?",
    "Hi there, you've reached Contoso, and this is Dan speaking. What can I do for you today?",
    "thank you for calling acme this is [PERSON] how can i help you today",
])
def test_natural_openings_of_real_calls_are_in_order_and_on_time(opening):
    turns = [(0.5, "operator", opening)] + GOOD_CALL[1:]
    assert ScriptDetector().detect(call(*turns)) == []


def test_a_name_placeholder_needs_a_name():
    turns = [(0.5, "operator", "Thank you for calling Acme. I'm sorry, how can I help you?")] + GOOD_CALL[1:]
    assert kinds(ScriptDetector().detect(call(*turns))) == [("script_missing", "operator_name")]


def test_steps_said_in_one_turn_are_not_out_of_order():
    turns = [(0.5, "operator", "How can I help you? This is Laura from Acme, thank you for calling Acme.")]
    flags = ScriptDetector().detect(call(*turns, *GOOD_CALL[1:]))
    assert [f for f in flags if f.kind == "script_order"] == []


def test_a_closing_said_another_way_or_heard_a_little_wrong_is_not_missing():
    closing = [(45.0, "operator", "Let me know if there's anything else I can do for you today."),
               (53.0, "operator", "Have a good one.")]
    assert ScriptDetector().detect(call(*GOOD_CALL[:3], *closing)) == []
    misheard = [(45.0, "operator", "let me know if there is any thing else i can do for you to day"),
                (53.0, "operator", "have a good one")]
    assert ScriptDetector().detect(call(*GOOD_CALL[:3], *misheard)) == []


def test_a_missing_flag_names_the_expected_window_and_the_closest_line():
    turns = GOOD_CALL[:3] + [(45.0, "operator", "Okay, the ticket is open now."), (53.0, "operator", "Goodbye.")]
    [flag] = ScriptDetector().detect(call(*turns))
    details = dict(flag.details)
    assert details["step"] == "closing_question" and details["expected"] == "last 30 s"
    assert float(details["closest_at"]) >= 30.0 and "closest_semantic" in details
    assert 0 < flag.confidence <= 1


def test_semantic_signal_can_be_switched_off():
    closing = [(45.0, "operator", "Do you need help with anything more?"), (53.0, "operator", "Goodbye.")]
    turns = GOOD_CALL[:3] + closing
    assert ScriptDetector().detect(call(*turns)) == []
    assert kinds(ScriptDetector(semantic=False).detect(call(*turns))) == [("script_missing", "closing_question")]


def test_a_bare_hello_is_a_greeting_only_in_the_operators_first_turn():
    opened = [(0.5, "operator", "Hello. My name is Laura, how can I help you?")] + GOOD_CALL[1:]
    assert ScriptDetector().detect(call(*opened)) == []
    late_hello = [(0.5, "operator", "My name is Laura, how can I help you?"), (4.0, "customer", "Mary Jones."),
                  (6.0, "operator", "Hi, Mary.")] + GOOD_CALL[2:]
    assert kinds(ScriptDetector().detect(call(*late_hello))) == [("script_missing", "greeting")]
