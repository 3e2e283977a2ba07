"""Telephone codecs and rates: each decodes, at its real rate (one short clip each; what the
recogniser makes of them, against the 16 kHz original, is measured in benchmarks/telephony.py)."""

from __future__ import annotations

import shutil
from functools import cache

import pytest

from helpers.paths import SAMPLE_AUDIO, benchmark
from qa.audio import load_audio

CLIP_S = 30.0
SOURCE = SAMPLE_AUDIO / "20261130T103000_op02_inbound_support_en.wav"
telephony = benchmark("telephony")


def _need_sox(name: str) -> None:
    if telephony.CODECS[name][1] is None and shutil.which("sox") is None:
        pytest.skip("sox makes the GSM file (.ci/run installs it)")


@cache
def _clip(tmp_root, name: str):
    suffix = telephony.CODECS[name][3]
    return telephony.encode(SOURCE, tmp_root / f"{name.replace(' ', '_')}{suffix}", name, seconds=CLIP_S)


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory):
    return tmp_path_factory.mktemp("codecs")


@pytest.mark.parametrize("name", list(telephony.CODECS))
def test_each_codec_decodes_at_its_real_rate(tmp_root, name):
    _need_sox(name)
    audio = load_audio(_clip(tmp_root, name))
    assert audio.source_sample_rate == telephony.CODECS[name][2]  # Opus: from its header, not 48 kHz
    assert audio.sample_rate == 16000 and len(audio.channels) == 1
    assert audio.duration == pytest.approx(CLIP_S, abs=0.1)
