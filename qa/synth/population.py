"""Who and when: the constants of the synthetic call centre, its operators, call start times, column helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from qa.compliance.registry import detector_specs

CAMPAIGNS = ("billing", "support", "sales", "collections")
CAMPAIGN_P = (0.30, 0.35, 0.20, 0.15)
OUTBOUND_P = (0.08, 0.05, 0.92, 0.88)
DURATION_FACTOR = (1.0, 1.2, 0.8, 0.9)
LANGUAGES = ("en", "es", "fi", "hi", "fa", "sw")
LANGUAGE_P = (0.65, 0.12, 0.07, 0.06, 0.05, 0.05)
WORD_PROBABILITY = ((0.82, 0.08), (0.81, 0.08), (0.79, 0.08), (0.76, 0.08), (0.72, 0.09), (0.70, 0.09))
TEAM_SIZE = 12
HOURS = np.array([0.6, 1.0, 1.3, 1.3, 0.9, 1.0, 1.2, 1.1, 0.9, 0.6])  # 08:00 ... 17:00 local
WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.35, 0.12])          # Monday ... Sunday
SEVERITIES = ("low", "medium", "high")
PII_TYPES = ("PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS", "IBAN_CODE", "CREDIT_CARD",
             "CARD_SECURITY_CODE", "CARD_EXPIRY")
PII_P = (0.32, 0.22, 0.16, 0.12, 0.10, 0.04, 0.04)
CARD_TYPES = {"CREDIT_CARD", "CARD_SECURITY_CODE", "CARD_EXPIRY"}
EVIDENCE = "(synthetic)"


def synthetic_detectors() -> dict[str, str]:
    """The detectors recorded as run on a generated call: every registered one."""
    return {name: "synthetic" for name in sorted(detector_specs())}


@dataclass(frozen=True)
class _Operators:
    ids: list[str]
    team: np.ndarray
    campaign: np.ndarray      # index into CAMPAIGNS (the team's)
    language: np.ndarray      # index into LANGUAGES (the operator's main one)
    volume: np.ndarray        # probabilities, sum 1
    skill: np.ndarray
    slope: np.ndarray         # skill change over the whole window
    propensity: np.ndarray    # (operators, kinds) multipliers of the flag rates
    talk_ratio: np.ndarray
    wpm: np.ndarray
    dead_air: np.ndarray      # dead-air events per 5 minutes
    interrupts: np.ndarray    # interruptions per call


def _operators(rng: np.random.Generator, count: int, kinds: int) -> _Operators:
    teams = math.ceil(count / TEAM_SIZE)
    team_campaign = rng.choice(len(CAMPAIGNS), size=teams, p=CAMPAIGN_P)
    team_campaign[:min(teams, len(CAMPAIGNS))] = np.arange(min(teams, len(CAMPAIGNS)))
    team = np.arange(count) // TEAM_SIZE
    volume = rng.gamma(4.0, 1.0, count)
    skill = rng.normal(0.0, 1.0, count)
    return _Operators(
        ids=[f"synth-op{i + 1:04d}" for i in range(count)],
        team=team, campaign=team_campaign[team],
        language=rng.choice(len(LANGUAGES), size=count, p=LANGUAGE_P),
        volume=volume / volume.sum(), skill=skill, slope=rng.normal(0.0, 0.6, count),
        propensity=rng.lognormal(0.0, 0.35, (count, kinds)),
        talk_ratio=rng.lognormal(np.log(1.1) - 0.15 * skill, 0.25),
        wpm=rng.normal(150.0, 18.0, count), dead_air=rng.lognormal(np.log(0.25) - 0.3 * skill, 0.4),
        interrupts=rng.lognormal(np.log(0.5) - 0.3 * skill, 0.4),
    )


def _names(vocabulary: list[str] | tuple[str, ...], codes: np.ndarray) -> pl.Series:
    """Strings of ``vocabulary`` at ``codes`` (-1: null), without a Python loop over rows."""
    series = pl.Series(list(vocabulary) + [None], dtype=pl.Utf8)
    codes = np.where(codes < 0, len(vocabulary), codes).astype(np.int64)
    return series.gather(codes)


def _constant(value: str, n: int) -> pl.Series:
    return pl.repeat(value, n, dtype=pl.Utf8, eager=True)


def _two_decimals(values: np.ndarray) -> pl.Series:
    """``f"{v:.2f}"`` of values in [0, 10) that never sit on a half (see ``_quantize``)."""
    hundredths = np.floor(values * 100 + 1e-6).astype(np.int64)
    return (pl.Series(hundredths // 100).cast(pl.Utf8) + "."
            + pl.Series(hundredths % 100).cast(pl.Utf8).str.zfill(2))


def _quantize(values: np.ndarray) -> np.ndarray:
    """Values at x.xx4: printed to two decimals they round one way only, in Python and here."""
    return np.floor(values * 100) / 100 + 0.004


def _utc_offsets(first: date, days: int, timezone: str) -> np.ndarray:
    """Seconds east of UTC at local noon of each day (working hours never cross a DST change)."""
    zone = ZoneInfo(timezone)
    return np.array([
        int(datetime.combine(first + timedelta(days=i), datetime.min.time().replace(hour=12), zone)
            .utcoffset().total_seconds()) for i in range(days)], dtype=np.int64)


def _start_times(rng: np.random.Generator, calls: int, today: date, days: int, timezone: str) -> np.ndarray:
    """Sorted UTC epoch microseconds of every call's start."""
    first = today - timedelta(days=days)
    weekdays = (np.arange(days) + first.weekday()) % 7
    weight = WEEKDAY[weekdays]
    day = np.sort(rng.choice(days, size=calls, p=weight / weight.sum()))
    hour = rng.choice(len(HOURS), size=calls, p=HOURS / HOURS.sum())
    second = (8 + hour) * 3600 + rng.integers(0, 3600, calls)
    epoch_day = (first - date(1970, 1, 1)).days + day
    local = epoch_day * 86400 + second
    utc = np.sort(local - _utc_offsets(first, days, timezone)[day])
    return utc * 1_000_000
