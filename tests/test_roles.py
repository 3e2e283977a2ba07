import pytest

from qa.transcribe.roles import label_roles, mono_operator, operator_phrase_score
from qa.types import Role, Utterance


def utt(speaker, start, text):
    return Utterance(speaker, Role.UNKNOWN, None, start, start + 1, text)


@pytest.mark.parametrize(
    "text, positive",
    [
        ("Thank you for calling Acme, my name is Laura.", True),
        ("Gracias por llamar a Acme, ¿en qué puedo ayudarle?", True),
        ("Kiitos soitostasi, miten voin auttaa?", True),
        ("Hello, I have a problem with my bill.", False),
        ("This is ridiculous.", False),
    ],
)
def test_operator_phrases(text, positive):
    assert (operator_phrase_score(text) > 0) is positive


def test_greeting_wins_over_speaking_first():
    utterances = [utt("S0", 0, "Hello? Hello?"), utt("S1", 2, "Thank you for calling Acme, how can I help?")]
    assert mono_operator(utterances, "inbound", None) == "S1"


def test_without_phrases_first_speaker_on_inbound_second_on_outbound():
    utterances = [utt("S0", 0, "Hello."), utt("S1", 2, "Hi there.")]
    assert mono_operator(utterances, "inbound", None) == "S0"
    assert mono_operator(utterances, None, None) == "S0"
    assert mono_operator(utterances, "outbound", None) == "S1"


def test_manifest_override_beats_the_rule():
    utterances = [utt("S0", 0, "Thank you for calling Acme."), utt("S1", 2, "Hi.")]
    assert mono_operator(utterances, "inbound", "second") == "S1"


def test_customer_is_other_speaker_with_most_speech_rest_unknown():
    utterances = [
        Utterance("S0", Role.UNKNOWN, None, 0, 5, "a"),
        Utterance("S1", Role.UNKNOWN, None, 5, 15, "b"),
        Utterance("S2", Role.UNKNOWN, None, 15, 16, "c"),
    ]
    roles = [u.role for u in label_roles(utterances, "S0")]
    assert roles == [Role.OPERATOR, Role.CUSTOMER, Role.UNKNOWN]


def test_no_utterances_no_operator():
    assert mono_operator([], "inbound", None) is None


def test_customer_giving_their_name_does_not_make_them_the_operator():
    utterances = [utt("S0", 0, "Joo, mikä on asia?"), utt("S1", 2, "Nimeni on Matti Virtanen.")]
    assert mono_operator(utterances, "inbound", None) == "S0"


def test_greeting_with_name_beats_customer_name():
    utterances = [utt("S0", 0, "Hi, my name is Ann."), utt("S1", 2, "Thank you for calling Acme, my name is Bob.")]
    assert mono_operator(utterances, "inbound", None) == "S1"


def test_a_recording_that_starts_with_the_customer_goes_by_the_operators_requests():
    utterances = [utt("S0", 0.0, "and I bought a car not too long ago and a light is coming on"),
                  utt("S1", 9.7, "Okay, could I get your first and last name for me?"),
                  utt("S0", 18.2, "Yes, my name is Jane Smith."),
                  utt("S1", 49.3, "And for verification, ma'am, do you know the purchase date?")]
    assert mono_operator(utterances, "inbound", None) == "S1"
