"""Matching a detector's finding to an injected ground-truth event of a sample call."""

from __future__ import annotations

TOLERANCE_S = 1.0


def overlaps(start, end, event):
    return start <= event["end"] + TOLERANCE_S and end >= event["start"] - TOLERANCE_S
