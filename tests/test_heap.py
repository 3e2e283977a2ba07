"""Freed heap memory is given back while a batch runs (glibc's malloc_trim)."""

import sys
import threading
import time

import pytest

from qa.heap import malloc_trim, trimming_heap


def trimmer_threads():
    return [t for t in threading.enumerate() if t.name == "callqa-heap-trim"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_the_trimmer_runs_while_the_block_does_and_stops_after():
    assert malloc_trim() is not None and malloc_trim()(0) in (0, 1)
    with trimming_heap(0.01):
        assert len(trimmer_threads()) == 1
        time.sleep(0.05)
    assert trimmer_threads() == []


def test_no_trimmer_when_turned_off():
    with trimming_heap(0):
        assert trimmer_threads() == []
