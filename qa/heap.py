"""Freed heap memory handed back to the operating system while a batch runs.

glibc keeps memory that the ASR workers and the diarization thread freed inside its arenas,
so a 60-minute call held about 700 MB of resident memory that no live object used (peak RSS
2911 MiB; with ``malloc_trim`` every 5 s, 2452 MiB at the same speed: benchmarks/memory.py).
``malloc_trim(0)`` gives every free page back. Where the C library has no ``malloc_trim``
(macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        function = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    function.argtypes, function.restype = [ctypes.c_size_t], ctypes.c_int
    return function


@contextmanager
def trimming_heap(period_s: float) -> Iterator[None]:
    """While the block runs, give free heap pages back every ``period_s`` seconds (0: never)."""
    trim = malloc_trim() if period_s > 0 else None
    if trim is None:
        yield
        return
    stop = threading.Event()

    def trim_until_stopped() -> None:
        while not stop.wait(period_s):
            trim(0)

    thread = threading.Thread(target=trim_until_stopped, name="callqa-heap-trim", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
