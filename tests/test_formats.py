"""Transcript renderings: RTTM says who spoke when from the diarization turns, named by role."""

from qa.formats import to_rttm
from qa.types import Role, SpeechTurn, Transcript, Utterance, Word


def _transcript(turns):
    words = (Word(0.5, 0.9, "hello", 0.9), Word(1.0, 1.4, "there", 0.9))
    utterances = (Utterance("SPEAKER_00", Role.OPERATOR, None, 0.5, 1.4, "hello there", words),
                  Utterance("SPEAKER_01", Role.CUSTOMER, None, 2.0, 2.4, "hi", (Word(2.0, 2.4, "hi", 0.8),)))
    return Transcript("c1", "en", 1.0, 5.0, 1, 16000, utterances, turns)


def test_rttm_has_one_line_per_diarization_turn_named_by_role():
    turns = (SpeechTurn(0.3, 1.6, "SPEAKER_00"), SpeechTurn(1.9, 2.6, "SPEAKER_01"), SpeechTurn(3.0, 3.5, "SPEAKER_00"),
             SpeechTurn(4.0, 4.2, "SPEAKER_02"))
    lines = [line.split() for line in to_rttm(_transcript(turns), "call").splitlines()]
    assert [(l[3], l[4], l[7]) for l in lines] == [("0.300", "1.300", "operator"), ("1.900", "0.700", "customer"),
                                                   ("3.000", "0.500", "operator"), ("4.000", "0.200", "SPEAKER_02")]
    assert all(l[0] == "SPEAKER" and l[1] == "call" and len(l) == 10 for l in lines)


def test_rttm_without_turns_falls_back_to_the_utterances():
    lines = to_rttm(_transcript(()), "call").splitlines()
    assert [line.split()[7] for line in lines] == ["operator", "customer"]
