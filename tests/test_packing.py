"""Packing speech of many channels into shared recognition windows, and mapping times back."""

import numpy as np
import pytest

from qa.transcribe.packing import SAMPLE_RATE, pack

S = SAMPLE_RATE


def test_regions_of_one_stream_fill_windows_up_to_30_s():
    packing = pack([[(0, 10 * S), (12 * S, 25 * S), (30 * S, 40 * S)]])
    assert packing.windows == ((0, 23 * S), (23 * S, 33 * S))  # 10 + 13 s, then the 10 s that overflowed
    assert [p.offset for p in packing.pieces] == [0, 10 * S, 23 * S]


def test_each_stream_starts_its_own_window():
    packing = pack([[(0, 5 * S)], [(2 * S, 4 * S)], [], [(1 * S, 3 * S)]])
    assert packing.windows == ((0, 5 * S), (5 * S, 7 * S), (7 * S, 9 * S))
    assert [p.stream for p in packing.pieces] == [0, 1, 3]


def test_runs_join_the_windows_of_one_stream_and_keep_streams_apart():
    packing = pack([[(0, 10 * S), (12 * S, 25 * S), (30 * S, 40 * S)], [(0, 5 * S)]])
    assert packing.windows == ((0, 23 * S), (23 * S, 33 * S), (33 * S, 38 * S))
    assert packing.runs(packing.windows) == [(0, 33 * S), (33 * S, 38 * S)]
    assert packing.runs(packing.windows[1:]) == [(23 * S, 33 * S), (33 * S, 38 * S)]
    assert packing.runs([]) == []


def test_a_region_longer_than_a_window_is_split():
    packing = pack([[(S, 71 * S)]])
    assert [(p.start, p.end) for p in packing.pieces] == [(S, 31 * S), (31 * S, 61 * S), (61 * S, 71 * S)]
    assert packing.windows == ((0, 30 * S), (30 * S, 60 * S), (60 * S, 70 * S))


def test_packed_times_map_back_to_their_stream_and_time():
    packing = pack([[(2 * S, 4 * S), (10 * S, 12 * S)], [(7 * S, 9 * S)]])
    assert packing.locate(0.5, 0.9) == (0, 2.5, 2.9)
    assert packing.locate(2.5, 3.0) == (0, 10.5, 11.0)  # second region of stream 0
    assert packing.locate(4.2, 4.6) == (1, 7.2, 7.6)
    stream, start, end = packing.locate(1.8, 2.4)  # across a join: the middle (2.1 s) decides
    assert stream == 0 and (start, end) == pytest.approx((9.8, 10.4))


def test_packed_audio_is_the_regions_end_to_end():
    streams = [np.arange(10, dtype=np.float32), np.arange(100, 110, dtype=np.float32)]
    packing = pack([[(1, 3), (5, 6)], [(0, 2)]], window_samples=4)
    assert packing.audio(streams).tolist() == [1, 2, 5, 100, 101]
    assert packing.windows == ((0, 3), (3, 5))
    assert pack([[], []]).windows == () and pack([[]]).audio(streams).size == 0


def test_audio_of_a_run_of_windows_is_just_their_pieces():
    streams = [np.arange(10, dtype=np.float32), np.arange(100, 110, dtype=np.float32)]
    packing = pack([[(1, 3), (5, 6)], [(0, 2)]], window_samples=4)
    assert packing.audio(streams, *packing.windows[1]).tolist() == [100, 101]
    assert packing.audio(streams, 0, packing.windows[0][1]).tolist() == [1, 2, 5]
    assert packing.audio(streams, 5, 5).size == 0


def test_union_of_the_streams_regions():
    from qa.spans import merge_spans

    assert merge_spans([(0, 5), (10, 12), (3, 7), (12, 13), (20, 21)]) == [(0, 7), (10, 13), (20, 21)]
    assert merge_spans([]) == []
