"""Call metrics on hand-built transcripts with known numbers."""

from __future__ import annotations

import pytest

from qa.scoring.metrics import FILLERS, CallMetrics, MetricsConfig, call_metrics, metrics_rows
from qa.types import Role, Transcript, Utterance, Word

OP, CU, UN = Role.OPERATOR, Role.CUSTOMER, Role.UNKNOWN


def said(role: Role, start: float, text: str, word_s: float = 0.5, gap: float = 0.0) -> Utterance:
    """An utterance whose words last ``word_s`` each, ``gap`` apart."""
    words = tuple(Word(start + k * (word_s + gap), start + k * (word_s + gap) + word_s, w)
                  for k, w in enumerate(text.split()))
    return Utterance(role.value, role, None, start, words[-1].end, text, words)


def call(*utterances: Utterance, duration: float = 60.0, language: str = "en",
         channels: int = 1) -> Transcript:
    return Transcript("c", language, 1.0, duration, channels, 16000, utterances, ())


def test_mono_call_talk_silence_dead_air_and_hold():
    t = call(said(OP, 2.0, "hello thank you for calling"),          # 2.0-4.5
             said(CU, 5.0, "hi I have a problem"),                   # 5.0-7.5
             said(OP, 20.0, "let me check that for you"),            # 12.5 s gap: dead air
             said(CU, 60.0, "ok"),                                   # 37 s gap: dead air + hold
             duration=70.0)
    m = call_metrics(t)
    assert m.duration_s == 70.0
    assert m.talk_s == pytest.approx(2.5 + 2.5 + 3.0 + 0.5)
    assert m.silence_s == pytest.approx(70.0 - 8.5)
    assert m.dead_air == ((7.5, 20.0), (23.0, 60.0))  # leading 2 s and trailing 9.5 s excluded
    assert m.dead_air_count == 2 and m.dead_air_s == pytest.approx(12.5 + 37.0)
    assert m.hold_count == 1 and m.hold_s == pytest.approx(37.0)
    assert m.overtalk_count == 0 and m.interruptions_by_operator == 0
    assert m.first_response_s == 2.0
    assert m.talk_listen_ratio == pytest.approx(5.5 / 3.0, abs=1e-3)
    assert m.operator.words == 11 and m.customer.words == 6
    assert m.operator.utterances == 2 and m.customer.utterances == 2
    assert m.operator.speaking_rate_wpm == pytest.approx(11 / (5.5 / 60), abs=0.1)
    assert m.customer.speaking_rate_wpm is None  # under 5 s of talk


def test_gap_exactly_at_threshold_is_not_dead_air_but_thirty_is_hold():
    t = call(said(OP, 0.0, "a"), said(CU, 10.5, "b"), said(OP, 41.0, "c"), duration=42.0)
    m = call_metrics(t)
    assert m.dead_air == ((11.0, 41.0),)  # the 10.0 s gap is not "longer than" 10 s
    assert m.hold_count == 1 and m.hold_s == pytest.approx(30.0)
    m = call_metrics(t, config=MetricsConfig(dead_air_s=5.0, hold_s=31.0))
    assert m.dead_air_count == 2 and m.hold_count == 0


def test_stereo_overlap_who_started_and_interruptions():
    t = call(said(CU, 0.0, "one two three four five six"),   # customer 0.0-3.0
             said(OP, 2.0, "sorry to cut in"),                # operator 2.0-4.0: barges in, 1.0 s
             said(OP, 10.0, "so the plan is this"),           # operator 10.0-12.5
             said(CU, 12.2, "right"),                         # customer 12.2-12.7: 0.3 s overlap
             said(OP, 20.0, "and then"),                      # operator 20.0-21.0
             said(CU, 20.9, "what"),                          # 0.1 s overlap: jitter, ignored
             said(CU, 30.0, "I was saying that"),             # customer 30.0-32.0
             said(OP, 31.6, "yes"),                           # operator 31.6-32.1 inside, 0.4 s
             channels=2)
    m = call_metrics(t)
    assert m.overtalk_count == 3
    assert m.overtalk_s == pytest.approx(1.0 + 0.3 + 0.4)
    assert m.overtalk_started_by_operator == 2 and m.overtalk_started_by_customer == 1
    # 2.0: overlap 1.0 s >= 0.5; 31.6: customer stopped 0.4 s after the operator started
    assert m.interruptions_by_operator == 2
    assert m.talk_s + m.silence_s == pytest.approx(m.duration_s)
    assert m.talk_s == pytest.approx(4.0 + 2.7 + 1.4 + 2.1)


def test_operator_backchannel_under_customer_is_not_an_interruption():
    t = call(said(CU, 0.0, "a long story told here slowly"),  # 0.0-3.0
             said(OP, 1.0, "mhm", word_s=0.4),                # 1.0-1.4, customer continues
             channels=2)
    m = call_metrics(t)
    assert m.overtalk_count == 1 and m.overtalk_started_by_operator == 1
    assert m.interruptions_by_operator == 0
    assert call_metrics(t, config=MetricsConfig(interruption_s=0.4)).interruptions_by_operator == 1


def test_pauses_between_words_are_not_silence():
    # words 0-0.5, 0.7-1.2, 1.4-1.9: 0.2 s pauses are speech
    t = call(said(OP, 0.0, "one two three", word_s=0.5, gap=0.2), duration=1.9)
    m = call_metrics(t)
    assert m.talk_s == pytest.approx(1.9) and m.silence_s == pytest.approx(0.0)
    t = call(said(OP, 0.0, "one two three", word_s=0.5, gap=0.4), duration=2.3)
    assert call_metrics(t).talk_s == pytest.approx(1.5)


def test_longest_monologue_merges_short_pauses_and_breaks_on_the_other_party():
    t = call(said(OP, 0.0, "a b c d"),           # 0-2
             said(OP, 3.5, "e f"),                # 1.5 s pause: same monologue, 0-4.5
             said(OP, 7.0, "g"),                  # 2.5 s pause: new run
             said(CU, 10.0, "x"),                 # 10-10.5
             said(OP, 11.0, "h i j k l m n"),     # 11-14.5, broken at 12 by the customer
             said(CU, 12.0, "mm"),                # 12-12.5 (stereo overlap)
             channels=2)
    m = call_metrics(t)
    assert m.operator.longest_monologue_s == pytest.approx(4.5)
    assert m.customer.longest_monologue_s == pytest.approx(0.5)


@pytest.mark.parametrize("language, text, fillers", [
    ("en", "Um, I mean, you know... it's basically UH fine", 5),
    ("en", "I would like to know what you mean", 0),  # "like", "you mean", "know" alone
    ("es", "Eh, o sea, pues no sé, en plan... ¡bueno!", 5),
    ("es", "Ósea que sí", 0),                          # not the phrase "o sea"
    ("fi", "Öö, tota noin, se on niinku siis ihan niin kuin sanoin", 6),
    ("fi", "Tuota... ÖÖ", 2),
])
def test_fillers_per_language(language, text, fillers):
    t = call(said(OP, 0.0, text), language=language)
    m = call_metrics(t)
    assert m.operator.filler_count == fillers
    assert m.operator.filler_rate == pytest.approx(100 * fillers / m.operator.words, abs=0.01)


def test_filler_language_argument_and_region_codes():
    t = call(said(OP, 0.0, "eh pues um"), language="en")
    assert call_metrics(t).operator.filler_count == 1
    assert call_metrics(t, language="es-MX").operator.filler_count == 2
    assert call_metrics(t, language="xx").operator.filler_rate is None
    assert all(FILLERS[code] for code in ("en", "es", "fi", "hi", "fa", "sw"))


@pytest.mark.parametrize("language, text, fillers", [
    ("hi", "मतलब आप कल आइए", 1),
    ("fa", "خب، یعنی فردا", 2),
    ("fa", "خب، يعني فردا", 2),  # Arabic yeh in يعني folds to Persian yeh
    ("sw", "Yaani, unajua", 2),
])
def test_hindi_persian_swahili_fillers_match(language, text, fillers):
    assert call_metrics(call(said(OP, 0.0, text), language=language)).operator.filler_count == fillers


def test_no_speech_at_all():
    m = call_metrics(call(duration=30.0))
    assert m.talk_s == 0.0 and m.silence_s == 30.0 and m.dead_air_count == 0 and m.hold_count == 0
    assert m.first_response_s is None and m.talk_listen_ratio is None
    for role in (m.operator, m.customer):
        assert role.talk_s == 0.0 and role.words == 0 and role.utterances == 0
        assert role.speaking_rate_wpm is None and role.filler_rate is None
        assert role.longest_monologue_s == 0.0
    rows = metrics_rows(m)
    assert ("first_response_s", "call", 0.0) not in rows and ("talk_s", "call", 0.0) in rows


def test_unknown_role_counts_for_talk_not_for_roles():
    t = call(said(OP, 0.0, "hello"),          # 0-0.5
             said(UN, 5.0, "please hold"),    # 5-6: a recorded announcement
             said(OP, 7.0, "back"),
             said(CU, 20.0, "thanks"), duration=21.0)
    m = call_metrics(t)
    assert m.talk_s == pytest.approx(0.5 + 1.0 + 0.5 + 0.5)
    assert m.operator.talk_s == pytest.approx(1.0) and m.customer.talk_s == pytest.approx(0.5)
    assert m.operator.words == 2 and m.customer.words == 1
    assert m.dead_air == ((7.5, 20.0),)  # the unknown speaker's words split the 0.5-7.0 gap
    assert m.operator.longest_monologue_s == pytest.approx(0.5)  # broken by the announcement


def test_utterance_without_words_and_outbound_first_response():
    t = call(Utterance("S1", CU, None, 3.0, 5.0, "hello who is this"),
             said(OP, 1.0, "hi"), duration=10.0)
    assert call_metrics(t).first_response_s == 1.0
    m = call_metrics(t, direction="outbound")
    assert m.first_response_s == 3.0 and m.customer.talk_s == pytest.approx(2.0)
    assert m.customer.words == 4


def test_metrics_rows_are_flat_floats():
    m = call_metrics(call(said(OP, 0.0, "um hello there"), said(CU, 2.0, "hi")))
    assert isinstance(m, CallMetrics)
    rows = metrics_rows(m)
    assert all(isinstance(v, float) and r in {"call", "operator", "customer"} for _, r, v in rows)
    names = {(n, r) for n, r, _ in rows}
    assert ("filler_count", "operator") in names and ("dead_air", "call") not in names
    assert ("speaking_rate_wpm", "operator") not in names  # None: under 5 s of talk
    assert dict(((n, r), v) for n, r, v in rows)[("filler_count", "operator")] == 1.0
