"""Customer sentiment at start and end of a call, on the real shipped lexicons."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qa.scoring.sentiment import SENTIMENT_LANGUAGES, CustomerSentiment, customer_sentiment
from qa.types import Role, Transcript, Utterance

C, O = Role.CUSTOMER, Role.OPERATOR


def _call(lines, language=None):
    """lines: (role, start, text); each utterance lasts 3 s."""
    utts = tuple(
        Utterance(role.value, role, None, start, start + 3.0, text) for role, start, text in lines
    )
    return Transcript("c", language, 1.0, max(s for _, s, _ in lines) + 5, 1, 16000, utts, ())


# An angry customer at the start, a thankful one at the end, in a call longer than 2 windows.
ARCS = {
    "en": ("This is ridiculous, I'm furious, your service is terrible and useless!",
           "Great, thank you so much, that was really helpful."),
    "es": ("¡Qué mierda! Estoy harto, esto es una vergüenza, el router no funciona.",
           "Perfecto, muchas gracias, es usted muy amable."),
    "fi": ("Olen todella vihainen, tämä on surkea ja huono palvelu!",
           "Hyvä, kiitos paljon, olette olleet todella ystävällinen."),
}


@pytest.mark.parametrize("language", sorted(ARCS))
def test_angry_start_thankful_end(language):
    angry, thanks = ARCS[language]
    call = _call([(O, 0, "Hello."), (C, 4, angry), (O, 70, "..."), (C, 150, "..."),
                  (O, 200, "..."), (C, 250, thanks)], language)
    result = customer_sentiment(call, language)
    assert result.method == ("vader" if language == "en" else f"afinn-{language}")
    assert result.start is not None and result.start < -0.3
    assert result.end is not None and result.end > 0.3


def test_covered_languages():
    assert SENTIMENT_LANGUAGES == ("en", "es", "fi")


@pytest.mark.parametrize("language", ["hi", "fa", "sw", "de", None])
def test_uncovered_language_is_none(language):
    call = _call([(C, 0, "This is terrible!"), (C, 200, "Thank you, great.")], None)
    assert customer_sentiment(call, language) == CustomerSentiment(None, None, "")


def test_language_falls_back_to_transcript_and_drops_region():
    call = _call([(C, 0, "¡Qué vergüenza, estoy harto!"), (C, 200, "Muchas gracias.")], "es")
    assert customer_sentiment(call, None).method == "afinn-es"
    assert customer_sentiment(call, "es-MX").method == "afinn-es"
    assert customer_sentiment(call, "EN").method == "vader"


def test_no_customer_speech_is_none():
    call = _call([(O, 0, "Thank you for calling, goodbye."), (O, 10, "Hello?")], "en")
    assert customer_sentiment(call, "en") == CustomerSentiment(None, None, "vader")


def test_placeholders_are_stripped():
    only_placeholders = _call([(C, 0, "<TERRIBLE_PERSON> <PHONE_NUMBER>")], "en")
    assert customer_sentiment(only_placeholders, "en") == CustomerSentiment(None, None, "vader")
    plain = customer_sentiment(_call([(C, 0, "Thank you, it's fine.")], "en"), "en")
    masked = customer_sentiment(_call([(C, 0, "Thank you <HORRIBLE_NAME>, it's fine.")], "en"), "en")
    assert masked == plain and plain.start > 0


def test_words_without_lexicon_hits_score_zero():
    call = _call([(C, 0, "Se on nolla neljä viisi.")], "fi")
    assert customer_sentiment(call, "fi") == CustomerSentiment(0.0, 0.0, "afinn-fi")


def test_short_call_splits_at_midpoint():
    # 40 s of customer speech < 2 windows: start = first half, end = second half, no overlap.
    call = _call([(C, 0, "I'm furious, this is terrible."), (C, 10, "Okay."),
                  (C, 25, "Fine."), (C, 37, "Wonderful, thank you!")], "en")
    result = customer_sentiment(call, "en")
    assert result.start < 0 < result.end


def test_single_utterance_is_both_windows():
    result = customer_sentiment(_call([(C, 0, "Thank you, great.")], "en"), "en")
    assert result.start == result.end > 0


def test_long_call_windows_are_the_first_and_last_window_s():
    call = _call([(C, 0, "Okay."), (C, 50, "This is terrible!"), (C, 100, "Awful, awful."),
                  (C, 300, "Wonderful, thank you!")], "en")
    narrow = customer_sentiment(call, "en", window_s=60.0)
    assert narrow.start < 0 < narrow.end  # 100 s lies in neither window
    wide = customer_sentiment(call, "en", window_s=120.0)
    assert wide.start < narrow.start  # "Awful, awful." now counts too


@pytest.mark.parametrize(
    "language, negated, plain",
    [("es", "No estoy contento.", "Estoy contento."),
     ("fi", "En ole tyytyväinen.", "Olen tyytyväinen.")],
)
def test_negation_flips_within_clause(language, negated, plain):
    neg = customer_sentiment(_call([(C, 0, negated)], language), language)
    pos = customer_sentiment(_call([(C, 0, plain)], language), language)
    assert neg.start < 0 < pos.start


@pytest.mark.parametrize("language, text", [("es", "No, gracias."), ("fi", "Ei kiitos.")])
def test_declining_politely_stays_positive(language, text):
    assert customer_sentiment(_call([(C, 0, text)], language), language).start > 0


def test_import_is_light():
    code = (
        "import sys, qa.scoring.sentiment; "
        "heavy = [m for m in ('vaderSentiment', 'sklearn', 'spacy', 'torch') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
