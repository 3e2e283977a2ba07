"""Paths the tests read: the repository, its sample calls and the shared evaluation data."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE_AUDIO = REPO / "sample_audio"
SHARED_DATA = REPO.parent / "shared" / "data"
