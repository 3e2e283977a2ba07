"""Spans of time or samples: (start, end) pairs."""

from __future__ import annotations

from typing import Iterable, TypeVar

T = TypeVar("T", int, float)


def merge_spans(spans: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """``spans`` sorted, with those that overlap or touch merged into one."""
    merged: list[tuple[T, T]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
