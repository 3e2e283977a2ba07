"""Spoken-form normalisation and its offset map (pure Python, no model)."""

from __future__ import annotations

import random
import re

import pytest

from qa.compliance.spoken import apply_edits, email_edits, normalise, number_word, say_digits


def digits_of(text: str, language: str | None = "en") -> str:
    return normalise(text, language).text


@pytest.mark.parametrize("language, spoken, expected", [
    ("en", "four five three nine", "4539"),
    ("en", "oh seven seven oh oh", "07700"),
    ("en", "double five", "55"),
    ("en", "triple oh seven", "0007"),
    ("en", "twenty eight", "28"),
    ("en", "twenty-eight", "28"),
    ("en", "nineteen eighty four", "1984"),
    ("en", "twenty twenty eight", "2028"),
    ("en", "five hundred and twenty", "520"),
    ("en", "two thousand five hundred", "2500"),
    ("en", "forty five thirty nine", "4539"),
    ("es", "cuatro cinco tres nueve", "4539"),
    ("es", "cero seis", "06"),
    ("es", "cuarenta y cinco treinta y nueve", "4539"),
    ("es", "mil doscientos", "1200"),
    ("es", "ciento veintitrés", "123"),
    ("fi", "neljä viisi kolme yhdeksän", "4539"),
    ("fi", "nolla neljä viisi", "045"),
    ("fi", "kaksikymmentäkahdeksan", "28"),
    ("fi", "sataviisikymmentä", "150"),
    ("hi", "चार पाँच तीन नौ", "4539"),
    ("fa", "چهار پنج سه نه", "4539"),
    ("sw", "nne tano tatu tisa", "4539"),
    (None, "४५३९ and ۴۵۳۹", "4539 and 4539"),
])
def test_number_words(language, spoken, expected):
    assert digits_of(spoken, language) == expected


def test_groups_keep_their_separators():
    text = "It's four five three nine, one four eight eight... zero three four three - six four six seven."
    assert digits_of(text) == "It's 4539, 1488... 0343 - 6467."


def test_mixed_digits_and_words():
    assert digits_of("4539 one four eight eight 0343 six four six seven") == "4539 1488 0343 6467"


@pytest.mark.parametrize("text", [
    "Oh shit, sorry, I clicked the wrong button.",
    "I was charged twice on my bill.",
    "one and two",
    "a double charge",
    "I'm at home dot",
])
def test_words_that_are_not_numbers_stay(text):
    out = digits_of(text)
    assert not re.search(r"\d\d", out)
    assert "oh" not in text.lower() or "Oh" in out


def test_weak_zero_needs_a_neighbour():
    assert digits_of("Oh nine, twenty eight.") == "09, 28."
    assert digits_of("Oh, five minutes") == "Oh, 5 minutes"


def test_language_specific_words():
    assert number_word("once", "es") == (11, "t")
    assert number_word("once", "en") is None
    assert number_word("once", None) is None  # the English word wins when unknown
    assert number_word("kuusi", "fi") == (6, "u")
    assert number_word("talo", "fi") is None


@pytest.mark.parametrize("language, spoken, address", [
    ("en", "john dot smith at example dot com", "john.smith@example.com"),
    ("en", "j o h n at gmail dot com", "john@gmail.com"),
    ("en", "mary underscore jones at mail dot co dot uk", "mary_jones@mail.co.uk"),
    ("es", "juan punto garcia arroba ejemplo punto es", "juan.garcia@ejemplo.es"),
    ("fi", "liisa piste korhonen ät esimerkki piste fi", "liisa.korhonen@esimerkki.fi"),
])
def test_spelled_emails(language, spoken, address):
    text = f"It's {spoken}, thanks."
    norm = normalise(text, language)
    assert norm.text == f"It's {address}, thanks."
    start = norm.text.index(address)
    a, b = norm.span(start, start + len(address))
    assert text[a:b] == spoken


@pytest.mark.parametrize("text", [
    "I'm at home now.", "Look at that, dot the i's.", "meet at five dot thirty",
    "john.smith@example.com is fine",
])
def test_not_spelled_emails(text):
    assert email_edits(text) == []


def test_offsets_map_back_exactly():
    text = "My card is four five three nine, one four eight eight. Thanks!"
    norm = normalise(text)
    assert norm.text == "My card is 4539, 1488. Thanks!"
    for m in re.finditer(r"\d+", norm.text):
        a, b = norm.span(*m.span())
        assert digits_of(text[a:b]) == m.group()
    a, b = norm.span(norm.text.index("4539"), norm.text.index("1488") + 4)
    assert text[a:b] == "four five three nine, one four eight eight"
    a, b = norm.span(norm.text.index("Thanks"), len(norm.text))
    assert text[a:b] == "Thanks!"


def test_unchanged_text_is_identity():
    norm = normalise("Nothing to see here.")
    assert norm.text == norm.original and norm.starts is None
    assert norm.span(3, 7) == (3, 7)


def test_apply_edits_keeps_map_lengths():
    norm = apply_edits("abc def", [])
    assert norm.text == "abc def"
    from qa.compliance.spoken import Edit
    norm = apply_edits("one two x", [Edit(0, 3, "1"), Edit(3, 4, ""), Edit(4, 7, "2")])
    assert norm.text == "12 x"
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    assert norm.span(0, 2) == (0, 7) and norm.span(3, 4) == (8, 9)


@pytest.mark.parametrize("language", ["en", "es", "fi"])
def test_round_trip_random_numbers(language):
    rng = random.Random(3)
    for _ in range(40):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 19)))
        group = rng.choice([0, 3, 4])
        sep = rng.choice([", ", "... ", " - ", "… "])
        spoken = say_digits(digits, language, group, sep)
        text = f"Number: {spoken}."
        norm = normalise(text, language)
        assert re.sub(r"\D", "", norm.text) == digits
        first = re.search(r"\d", norm.text).start()
        last = max(m.end() for m in re.finditer(r"\d", norm.text))
        a, b = norm.span(first, last)
        assert text[a:b] == spoken


def test_say_digits():
    assert say_digits("4539", "en") == "four five three nine"
    assert say_digits("45391488", "es", 4, ", ") == "cuatro cinco tres nueve, uno cuatro ocho ocho"
    assert say_digits("10", "fi") == "yksi nolla"
