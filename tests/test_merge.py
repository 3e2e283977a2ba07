from qa.transcribe.merge import assign_speakers, group_utterances, interleave
from qa.types import Role, SpeechTurn, Word


def words(*spans):
    return tuple(Word(s, e, f"w{i}") for i, (s, e) in enumerate(spans))


def test_word_goes_to_turn_with_most_overlap():
    turns = [SpeechTurn(0.0, 2.0, "A"), SpeechTurn(1.8, 4.0, "B")]
    assert assign_speakers(words((0.5, 0.9), (1.7, 2.4), (3.0, 3.5)), turns) == ["A", "B", "B"]


def test_word_outside_every_turn_goes_to_nearest():
    turns = [SpeechTurn(0.0, 1.0, "A"), SpeechTurn(5.0, 6.0, "B")]
    assert assign_speakers(words((1.2, 1.5), (4.2, 4.8)), turns) == ["A", "B"]


def test_no_turns_gives_one_speaker():
    assert assign_speakers(words((0, 1), (1, 2)), []) == ["SPEAKER_00", "SPEAKER_00"]


def test_utterances_split_on_speaker_change_and_long_pause():
    ws = words((0, 0.5), (0.6, 1.0), (1.2, 1.5), (4.0, 4.5))
    utterances = group_utterances(ws, ["A", "A", "B", "B"], max_pause=1.5)
    assert [(u.speaker, u.text, u.start, u.end) for u in utterances] == [
        ("A", "w0 w1", 0, 1.0),
        ("B", "w2", 1.2, 1.5),
        ("B", "w3", 4.0, 4.5),
    ]
    assert all(u.role is Role.UNKNOWN for u in utterances)


def test_interleave_keeps_overlap_in_time_order():
    left = group_utterances(words((0, 3)), ["L"], channel=0)
    right = group_utterances(words((2, 2.5)), ["R"], channel=1)
    merged = interleave(left, right)
    assert [(u.speaker, u.channel) for u in merged] == [("L", 0), ("R", 1)]
    assert merged[0].end > merged[1].start
