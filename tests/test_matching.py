"""The shared phrase matcher: fuzzy placeholders, name slots, sentences and the semantic signal."""

from __future__ import annotations

import pytest

from qa.compliance.matching import (SentenceEncoder, best_match, compile_phrase, covers, fuzzy_match, name_like,
                                    prepare)
from qa.compliance.words import tokenize


def words(text: str) -> list[str]:
    return [t.text for t in tokenize(text, loose=True)]


def names(text: str, language: str = "en") -> list[bool]:
    return name_like(tokenize(text, loose=True), language)


def test_placeholders_take_their_words_and_the_configured_company_binds():
    phrase = compile_phrase("thank you for calling {company}")
    assert phrase.trail and phrase.slots == ("company",)
    assert fuzzy_match(phrase, words("thank you for calling globex corp"))[0] == 100
    assert fuzzy_match(phrase, words("thank you for calling"))[1] == -1  # the slot needs a word
    bound = compile_phrase("thank you for calling {company}", "Acme Telecom")
    assert fuzzy_match(bound, words("thank you for calling globex corp"))[0] < 80


@pytest.mark.parametrize("text, expected", [
    ("I'm Dana from Acme", True), ("This is [PERSON] speaking", True), ("i'm dana", True),
    ("I'm sorry about that", False), ("This is great news", False), ("i'm sorry about that", False),
])
def test_a_name_placeholder_holds_only_a_name(text, expected):
    found = [fuzzy_match(compile_phrase(p), words(text), names=names(text))[1] >= 0
             for p in ("i'm {name}", "this is {name} speaking", "this is {name}")]
    assert any(found) is expected


def test_masks_and_capitalised_uncommon_words_look_like_names():
    assert names("Thank you, this is [PERSON] here") == [True, False, False, False, True, False]
    assert names("I'm Laura") == [False, False, True]


def test_sentences_and_long_clauses_are_spans_of_tokens():
    [line] = prepare(["Hi there. How can I help you today, sir, and what is the account number you have?"], "fi", None)
    assert line.vectors is None  # no encoder given, and Finnish is not covered anyway
    assert line.sentences[:2] == ((0, 2), (2, 17))
    assert (2, 8) in line.sentences and (9, 17) in line.sentences  # the clauses around "sir"


def test_languages_the_encoder_was_not_trained_on_get_no_semantic_signal():
    assert covers("en") and covers("es-ES") and not covers("fi") and not covers("sw")
    encoder = SentenceEncoder()
    [finnish] = prepare(["Voinko auttaa vielä jossakin muussa?"], "fi", encoder)
    match = best_match(("voinko auttaa vielä jossakin muussa",), finnish, encoder=encoder)
    assert match.semantic is None and match.fuzzy == 1.0


def test_the_semantic_signal_hears_a_paraphrase_and_points_at_its_sentence():
    encoder = SentenceEncoder()
    [line] = prepare(["Okay, it's all sorted. Do you need help with anything more?"], "en", encoder)
    match = best_match(("is there anything else i can help you with",), line, encoder=encoder)
    assert match.semantic > 0.7 and match.fuzzy < 0.8
    assert (match.first, match.end) == (5, 12)  # "do you need help with anything more"
    [other] = prepare(["Which colour would you like?"], "en", encoder)
    assert best_match(("is there anything else i can help you with",), other, encoder=encoder).semantic < 0.4


def test_placeholder_phrasings_get_no_semantic_score():
    encoder = SentenceEncoder()
    [line] = prepare(["Thank you for calling Big Jim's Auto."], "en", encoder)
    match = best_match(("thank you for calling {company}",), line, encoder=encoder)
    assert match.semantic is None and match.fuzzy == 1.0
    [thanks] = prepare(["Thank you very much."], "en", encoder)
    assert best_match(("thank you for calling {company}",), thanks, encoder=encoder) is None
