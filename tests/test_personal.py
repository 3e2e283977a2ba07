"""Call-level personal data: spans across utterances, redaction, leak rules (fake text detector)."""

import re

from qa.compliance.base import PiiSpan
from qa.compliance.personal import find_mentions, leak_flags, redact_transcript
from qa.types import Role, Transcript, Utterance, Word


class DigitRunDetector:
    """Finds runs of 16 digit words (possibly split by commas) as CREDIT_CARD, 'call me' numbers as PHONE."""

    version = "test"
    DIGITS = r"(?:zero|one|two|three|four|five|six|seven|eight|nine)"

    def find_all(self, texts, language, contexts=None):
        return [self.find(text, language) for text in texts]

    def find(self, text, language):
        spans = []
        for match in re.finditer(rf"{self.DIGITS}(?:[ ,]+{self.DIGITS}){{15}}", text):
            spans.append(PiiSpan(match.start(), match.end(), "CREDIT_CARD", 1.0, "test"))
        for match in re.finditer(r"phone (\w+ \w+)", text):
            spans.append(PiiSpan(match.start(1), match.end(1), "PHONE_NUMBER", 0.9, "test"))
        return spans


def utterance(speaker, role, start, text, step=0.4):
    words = tuple(Word(start + i * step, start + i * step + 0.3, w) for i, w in enumerate(text.split()))
    return Utterance(speaker, role, None, words[0].start, words[-1].end, text, words)


def call_transcript(*utterances):
    return Transcript("c", "en", 1.0, 120.0, 1, 16000, tuple(utterances), ())


CARD = "four five three nine one four eight eight zero three four three six four six seven"


def test_card_number_split_across_two_utterances_is_one_mention_per_utterance():
    first, second = CARD.split()[:8], CARD.split()[8:]
    t = call_transcript(
        utterance("C", Role.CUSTOMER, 0.0, "it is " + " ".join(first)),
        utterance("O", Role.OPERATOR, 4.0, "okay"),
        utterance("C", Role.CUSTOMER, 5.0, " ".join(second)),
    )
    mentions = find_mentions(t, DigitRunDetector(), "en")
    assert [(m.type, m.utterance_index, m.first_word, m.last_word) for m in mentions] == [
        ("CREDIT_CARD", 0, 2, 9), ("CREDIT_CARD", 2, 0, 7)]
    redacted = redact_transcript(t, mentions)
    assert redacted.utterances[0].text == "it is [CREDIT_CARD]"
    assert redacted.utterances[2].text == "[CREDIT_CARD]"
    assert not any(w.text in CARD.split() for w in redacted.words)
    assert [w.start for w in redacted.words] == [w.start for w in t.words]  # times kept for audio redaction


def test_long_pause_breaks_a_number():
    first, second = CARD.split()[:8], CARD.split()[8:]
    t = call_transcript(utterance("C", Role.CUSTOMER, 0.0, " ".join(first)),
                        utterance("C", Role.CUSTOMER, 60.0, " ".join(second)))
    assert find_mentions(t, DigitRunDetector(), "en") == []


def test_without_full_redaction_card_data_is_still_masked():
    t = call_transcript(utterance("C", Role.CUSTOMER, 0.0, "card " + CARD + " phone five six"))
    mentions = find_mentions(t, DigitRunDetector(), "en")
    text = redact_transcript(t, mentions, everything=False).utterances[0].text
    assert text == "card [CREDIT_CARD] phone five six"


def test_operator_reading_back_the_card_is_a_leak_customer_giving_it_is_not():
    t = call_transcript(utterance("C", Role.CUSTOMER, 0.0, CARD), utterance("O", Role.OPERATOR, 10.0, "so " + CARD))
    mentions = find_mentions(t, DigitRunDetector(), "en")
    flags = leak_flags(mentions, redact_transcript(t, mentions), None, (), 120.0, "test")
    assert [(f.kind, f.role, f.severity.value) for f in flags] == [("pii_leak", Role.OPERATOR, "high")]
    assert flags[0].evidence == "so [CREDIT_CARD]"


def test_operator_repeating_a_phone_just_given_is_fine_disclosing_one_is_not():
    given = call_transcript(utterance("C", Role.CUSTOMER, 0.0, "my phone five six"),
                            utterance("O", Role.OPERATOR, 5.0, "your phone five six"))
    disclosed = call_transcript(utterance("O", Role.OPERATOR, 5.0, "your phone five six"))
    for transcript, expected in ((given, 0), (disclosed, 1)):
        mentions = find_mentions(transcript, DigitRunDetector(), "en")
        assert len(leak_flags(mentions, transcript, None, (), 120.0, "t")) == expected


def test_a_business_number_the_customer_asked_for_is_no_disclosure():
    asked = call_transcript(utterance("C", Role.CUSTOMER, 0.0, "okay what is their number?"),
                            utterance("O", Role.OPERATOR, 30.0, "the garage phone five six"))
    own = call_transcript(utterance("C", Role.CUSTOMER, 0.0, "what is my number on file?"),
                          utterance("O", Role.OPERATOR, 30.0, "your phone five six"))
    long_ago = call_transcript(utterance("C", Role.CUSTOMER, 0.0, "what is their number?"),
                               utterance("O", Role.OPERATOR, 90.0, "the garage phone five six"))
    for transcript, expected in ((asked, 0), (own, 1), (long_ago, 1)):
        mentions = find_mentions(transcript, DigitRunDetector(), "en")
        assert len(leak_flags(mentions, transcript, None, (), 120.0, "t")) == expected


def test_card_data_on_a_campaign_that_must_not_take_it():
    t = call_transcript(utterance("C", Role.CUSTOMER, 0.0, CARD))
    mentions = find_mentions(t, DigitRunDetector(), "en")
    assert leak_flags(mentions, t, "support", ("sales",), 120.0, "t") == []
    flags = leak_flags(mentions, t, "sales", ("sales",), 120.0, "t")
    assert [(f.role, f.severity.value) for f in flags] == [(Role.CUSTOMER, "high")]


def test_a_substantive_reply_in_between_starts_a_new_run_with_the_question_as_context():
    from qa.compliance.personal import _segments

    t = call_transcript(
        utterance("O", Role.OPERATOR, 0.0, "and the phone number on the account"),
        utterance("C", Role.CUSTOMER, 2.0, "five six seven"),
        utterance("O", Role.OPERATOR, 3.5, "ok"),
        utterance("C", Role.CUSTOMER, 4.0, "eight nine"),
        utterance("O", Role.OPERATOR, 5.0, "thanks and your postcode please"),
        utterance("C", Role.CUSTOMER, 7.0, "one two"),
    )
    runs = [(speaker, [i for i, _ in items], context) for speaker, items, context in _segments(t)]
    assert runs == [("O", [0], ""), ("C", [1, 3], "and the phone number on the account"),
                    ("O", [2, 4], "five six seven"), ("C", [5], "thanks and your postcode please")]


def test_card_data_is_masked_even_with_every_detector_switched_off():
    from qa.compliance.suite import Compliance
    from qa.config import ComplianceConfig
    from qa.types import Call

    suite = Compliance(ComplianceConfig(detectors=(), redact=False))
    suite.pii = DigitRunDetector()
    t = call_transcript(utterance("O", Role.OPERATOR, 0.0, "so " + CARD + " phone five six"))
    analysis = suite.analyze(Call("c", "c.wav"), t)
    assert analysis.flags == ()
    assert analysis.transcript.utterances[0].text == "so [CREDIT_CARD] phone five six"


def test_a_call_whose_language_is_not_judged_is_redacted_all_the_same_with_no_text_verdicts():
    from qa.compliance.suite import Compliance
    from qa.config import ComplianceConfig
    from qa.types import Call

    suite = Compliance(ComplianceConfig(detectors=("pii", "profanity", "loudness")))
    suite.pii = DigitRunDetector()
    t = call_transcript(utterance("O", Role.OPERATOR, 0.0, "so " + CARD + " phone five six, oh shit"))
    judged = suite.analyze(Call("c", "c.wav"), t)
    assert {f.kind for f in judged.flags} == {"pii_leak", "profanity"}
    withheld = suite.analyze(Call("c", "c.wav"), t, judge_text=False)
    assert withheld.flags == ()  # loudness, the audio-only detector, runs but has no audio here
    assert withheld.transcript == judged.transcript and withheld.pii == judged.pii
    assert withheld.transcript.utterances[0].text == "so [CREDIT_CARD] phone [PHONE_NUMBER] oh shit"
    assert all(w.text.startswith("[") or w.text in ("so", "phone", "oh", "shit") for w in withheld.transcript.words)
    assert suite.running(judge_text=False) == ("loudness",)
    assert set(suite.versions(judge_text=False)) == {"loudness"}
