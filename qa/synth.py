"""Synthetic calls for scale tests (``callqa synth``): realistic rows, bulk-loaded, marked synthetic.

Nothing here is real data and nothing real is read: every row is drawn from numpy random
generators (seeded) and written with polars as Parquet chunks, which ``Store.bulk_load`` appends
by column name, one transaction per chunk. Every ``calls`` row has ``synthetic = true``, a
``call_id`` ``synth-<run>-<n>`` (never a content hash, so it cannot collide with a real call),
``asr_model = 'synthetic'`` and ``path``/``file_name`` under ``synthetic/``; flags carry
``detector = detector_version = 'synthetic'`` and the evidence ``(synthetic)``. Reports leave
these rows out unless asked (``callqa report --synthetic only|include``).

What is generated (vectorised, never a Python loop per row):

- operators (default ``calls / 1000``, at least 10) ``synth-op0001`` ..., in teams of 12
  (``synth-team01`` ...); each team works one campaign (billing, support, sales, collections) and
  each operator mostly speaks one language (en, es, fi, hi, fa, sw), has a volume (part-timers
  take fewer calls), a skill level and a slight trend of it over the window (so leaderboards
  and trend lines differ between operators), and their own propensity for each flag kind;
- ``calls`` over the ``days`` before ``today`` (days of the store's time zone), during working
  hours (08:00-18:00, peaks late morning and early afternoon), weekdays busier than weekends;
  log-normal durations around 5 minutes; ~1.5 % without speech, ~0.4 % with too little speech,
  a few percent with a mean word probability under the scorecard's 0.62 (mostly fa and sw:
  the recogniser is worse there), ~1 % with an uncertain detected language. Rows are loaded
  in ``started_at`` order (call ids follow it too), so the zonemaps of ``started_at`` and
  ``call_id`` are tight for a time window;
- ``call_metrics``: only what the scorecard and the aggregates read — call-level duration_s,
  talk_s, silence_s, talk_listen_ratio, dead_air_count, dead_air_s, interruptions_by_operator,
  the operator's speaking_rate_wpm (absent, as in real rows, when the operator spoke under
  5 s; talk_listen_ratio absent when the customer never spoke) and the customer's
  sentiment_start / sentiment_end (-1..1, only in the languages sentiment covers; better
  operators end calls in a better mood);
- ``dead_air`` events (each over 10 s), as many as ``dead_air_count``, summing to ``dead_air_s``
  (events may overlap each other: they are not laid out on a real timeline);
- ``flags`` of the kinds the detectors raise, with per-operator propensity: script_missing,
  script_late, script_early, script_order (steps and the ``script`` key of the call's real
  script, ``qa/compliance/scripts``), forbidden_phrase, profanity and raised_voice (operator and
  customer), quiet_voice, pii_leak (types; card data read back is rare and auto-fails the call).
  ``flag_id`` is left to the column default (the ``flag_ids`` sequence);
- ``scores``: computed vectorised from those flags and metrics with the real scorecard book
  (criteria, weights, per_flag/per_unit, roles, severities, details, bands, auto_fail, the
  scorability rules and their reason texts, exactly as ``qa.scoring.scorer`` does). Rescoring
  a synthetic call with ``score_call`` gives the same total, within the last digit's rounding
  (numpy rounds the binary value half to even, Python ``round`` the exact decimal).

Approximations, on purpose, to keep 1,000,000 calls to a few minutes: no ``score_items`` rows
(11 per call; ``Store.score`` of a synthetic call has no items — ``callqa rescore`` writes them
if anyone needs them), no utterances, words, speaker turns or personal-data spans, and only the
metrics listed above. Flag and dead-air times are plausible, not derived from a transcript.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from qa.compliance.base import FLAG_KINDS as FLAG_KINDS_DETECTORS
from qa.errors import QAError
from qa.scoring.scorecard import ScorecardBook, load_scorecards
from qa.scoring.sentiment import SENTIMENT_LANGUAGES
from qa.store import SUMMARY_METRICS

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
DETECTORS = {name: "synthetic" for name in sorted(set(FLAG_KINDS_DETECTORS.values()))}  # all of them "ran"
DETECTORS_JSON = json.dumps(DETECTORS)


@dataclass(frozen=True)
class _Kind:
    """A flag kind on one role: base rate per 5-minute call, how much skill lowers it, severities."""

    kind: str
    role: str
    rate: float
    skill: float
    severity_p: tuple[float, float, float]  # low, medium, high
    at_most_one: bool = False


FLAG_KINDS = (
    _Kind("script_missing", "operator", 0.10, 0.6, (0, 1, 0)),
    _Kind("script_late", "operator", 0.06, 0.5, (1, 0, 0)),
    _Kind("script_early", "operator", 0.03, 0.5, (1, 0, 0)),
    _Kind("script_order", "operator", 0.03, 0.5, (1, 0, 0)),
    _Kind("forbidden_phrase", "operator", 0.003, 0.9, (0, 0, 1)),
    _Kind("profanity", "operator", 0.004, 1.0, (0, 0.6, 0.4)),
    _Kind("profanity", "customer", 0.03, 0.1, (0.5, 0.3, 0.2)),
    _Kind("raised_voice", "operator", 0.01, 0.8, (0, 0.7, 0.3)),
    _Kind("raised_voice", "customer", 0.05, 0.1, (1, 0, 0)),
    _Kind("quiet_voice", "operator", 0.015, 0.5, (0, 1, 0), at_most_one=True),
    _Kind("pii_leak", "operator", 0.012, 0.7, (0, 1, 0)),
)


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


def _operators(rng: np.random.Generator, count: int) -> _Operators:
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
        propensity=rng.lognormal(0.0, 0.35, (count, len(FLAG_KINDS))),
        talk_ratio=rng.lognormal(np.log(1.1) - 0.15 * skill, 0.25),
        wpm=rng.normal(150.0, 18.0, count), dead_air=rng.lognormal(np.log(0.25) - 0.3 * skill, 0.4),
        interrupts=rng.lognormal(np.log(0.5) - 0.3 * skill, 0.4),
    )


class _Scripts:
    """Step tables of the real scripts per (campaign, language), for flag details."""

    def __init__(self) -> None:
        from qa.compliance.script import load_scripts

        book = load_scripts()
        self.keys: list[str] = []
        self.steps: list[str] = []
        self.phase: dict[str, str] = {}
        self.within: dict[str, float] = {}
        self.from_end: dict[str, float] = {}
        tables: dict[str, list[list[int]]] = {"missing": [], "late": [], "early": [], "order": [], "after": []}
        for campaign in CAMPAIGNS:
            for language in LANGUAGES:
                script = book.select(campaign, language)
                self.keys.append(f"{script.campaign}/{script.language}" if script else "none")
                steps = list(script.steps) if script else []
                codes = [self._step(s.id) for s in steps]
                for s in steps:
                    self.phase[s.id] = s.phase
                    if s.within_s is not None:
                        self.within[s.id] = s.within_s
                    if s.from_end_s is not None:
                        self.from_end[s.id] = s.from_end_s
                tables["missing"].append([c for c, s in zip(codes, steps) if s.required])
                tables["late"].append([c for c, s in zip(codes, steps) if s.within_s is not None])
                tables["early"].append([c for c, s in zip(codes, steps) if s.from_end_s is not None])
                tables["order"].append(codes[1:])
                tables["after"].append(codes[:-1])
        width = max(1, max(len(row) for rows in tables.values() for row in rows))
        self.table = {name: np.array([row + [-1] * (width - len(row)) for row in rows])
                      for name, rows in tables.items()}
        self.size = {name: np.array([len(row) for row in rows]) for name, rows in tables.items()}

    def _step(self, step_id: str) -> int:
        if step_id not in self.steps:
            self.steps.append(step_id)
        return self.steps.index(step_id)

    def pick(self, rng: np.random.Generator, table: str, combo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A step code per flag (-1: the script has none) and its position in the table."""
        size = self.size[table][combo]
        position = np.minimum((rng.random(combo.size) * size).astype(np.int64), np.maximum(size - 1, 0))
        codes = self.table[table][combo, position]
        return np.where(size > 0, codes, -1), position


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


class _Scorer:
    """The scorecard book applied to whole columns; mirrors ``qa.scoring.scorer.score_call``."""

    RANK = {"low": 0, "medium": 1, "high": 2}

    def __init__(self, book: ScorecardBook) -> None:
        self.book = book
        self.names = [book.select(c).name for c in CAMPAIGNS]  # scorecard of each campaign

    def reasons(self, calls: pl.DataFrame) -> pl.Series:
        rules = self.book.scorable
        col = pl.col
        bad_languages = sorted({lang for key, langs in rules.unreliable_languages
                                if key in ("*", "synthetic") for lang in langs})
        probability_text = f"{rules.min_mean_word_probability:.2f}"
        language_text = f"{rules.min_language_probability:.2f}"
        return calls.select(
            pl.when(~col("has_speech")).then(pl.lit("no speech"))
            .when(col("word_count") < rules.min_words).then(
                pl.format("too little speech ({} words < {})", col("word_count"), pl.lit(rules.min_words)))
            .when((col("language_source") == "detected")
                  & (col("language_probability") < rules.min_language_probability)).then(
                pl.format("language uncertain ({} detected with probability {} < {})", col("language"),
                          col("_lp_text"), pl.lit(language_text)))
            .when(col("language").is_in(bad_languages)).then(
                pl.format("language {} is transcribed unreliably by ASR model {}", col("language"),
                          col("asr_model")))
            .when(col("mean_word_probability") < rules.min_mean_word_probability).then(
                pl.format("low ASR confidence (mean word probability {} < {})", col("_mwp_text"),
                          pl.lit(probability_text)))
            .otherwise(None).alias("not_scorable_reason")
        ).to_series()

    def _matching(self, flags: pl.DataFrame, rule) -> pl.Expr:
        expr = pl.col("kind").is_in(list(rule.kinds))
        if rule.roles:
            expr = expr & pl.col("role").is_in([r.value for r in rule.roles])
        if self.RANK[rule.min_severity.value]:
            expr = expr & (pl.col("severity").replace_strict(self.RANK, return_dtype=pl.Int8)
                           >= self.RANK[rule.min_severity.value])
        for key, allowed in rule.details:
            column = f"d_{key}"
            expr = expr & (pl.col(column).is_in(list(allowed)).fill_null(False) if column in flags.columns
                           else pl.lit(False))
        return expr

    def totals(self, n: int, campaign: np.ndarray, flags: pl.DataFrame,
               metrics: dict[tuple[str, str], np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(total before scorability, auto_failed, scorecard name) per call."""
        total = np.full(n, np.nan)
        auto_failed = np.zeros(n, dtype=bool)
        scorecard = np.array(self.names, dtype=object)[campaign]
        for name in sorted(set(self.names)):
            card = self.book.scorecards[name]
            rows = np.flatnonzero(scorecard == name)
            if rows.size == 0:
                continue
            in_card = flags.filter(pl.col("scorecard") == name)
            counts = (in_card.group_by("i").agg([self._matching(in_card, c.flags).sum().alias(c.id)
                                                 for c in card.criteria if c.flags is not None])
                      if in_card.height else None)
            earned = np.zeros(rows.size)
            weight = np.zeros(rows.size)
            failed = np.zeros(rows.size, dtype=bool)
            for criterion in card.criteria:
                needed = {FLAG_KINDS_DETECTORS.get(k) for k in criterion.flags.kinds} if criterion.flags else set()
                if criterion.flags is not None and None not in needed and not needed & set(DETECTORS):
                    lost, applicable = np.zeros(rows.size), np.zeros(rows.size, dtype=bool)  # "not checked"
                elif criterion.flags is not None:
                    matched = np.zeros(n, dtype=np.int64)
                    if counts is not None:
                        matched[counts["i"].to_numpy()] = counts[criterion.id].to_numpy()
                    active = matched[rows]
                    if criterion.per_flag is None:
                        lost = np.where(active > 0, criterion.weight, 0.0)
                    else:
                        lost = np.minimum(criterion.weight, criterion.per_flag * active)
                    applicable = np.ones(rows.size, dtype=bool)
                    if criterion.auto_fail:
                        failed |= active > 0
                else:
                    rule = criterion.metric
                    value = metrics.get((rule.name, rule.role), np.full(n, np.nan))[rows]
                    applicable = ~np.isnan(value)
                    excess = np.zeros(rows.size)
                    if rule.min is not None:
                        excess = np.where(value < rule.min, rule.min - value, excess)
                    if rule.max is not None:
                        excess = np.where(value > rule.max, value - rule.max, excess)
                    excess = np.nan_to_num(excess)
                    if criterion.per_unit is None:
                        lost = np.where(excess > 0, criterion.weight, 0.0)
                    else:
                        lost = np.where(excess > 0, np.minimum(criterion.weight, criterion.per_unit * excess), 0.0)
                if criterion.auto_fail:
                    continue
                points = np.round(criterion.weight - lost, 3)
                earned += np.where(applicable, points, 0.0)
                weight += np.where(applicable, criterion.weight, 0.0)
            card_total = np.where(weight > 0, 100.0 * earned / np.where(weight > 0, weight, 1.0), 100.0)
            total[rows] = np.where(failed, 0.0, card_total)
            auto_failed[rows] = failed
        return np.round(total, 1), auto_failed, list(scorecard)


def synthesize(store, calls: int, seed: int = 0, operators: int | None = None, days: int = 180,
               today: date | None = None, chunk: int = 200_000,
               on_chunk: Callable[[int], None] | None = None) -> dict:
    """Append ``calls`` synthetic calls to ``store`` (see the module docstring); return counts and seconds.

    Refuses (QAError) a database that holds any real (non-synthetic) call. ``today`` defaults to
    today in the store's time zone; calls fall on the ``days`` days before it. ``on_chunk`` gets
    the number of calls of each chunk once it is loaded.
    """
    if calls < 0 or days < 1 or chunk < 1:
        raise QAError("calls must be >= 0, days and chunk >= 1")
    if real := store.call_ids(include_synthetic=False):
        raise QAError(f"{store.path}: holds {len(real)} real call(s); synthetic rows go only into a "
                      "database of their own")
    started = time.monotonic()
    today = today or datetime.now(ZoneInfo(store.timezone)).date()
    rng = np.random.default_rng(seed)
    count = operators if operators is not None else max(10, round(calls / 1000))
    if count < 1:
        raise QAError("operators must be >= 1")
    ops = _operators(rng, count)
    scripts = _Scripts()
    scorer = _Scorer(load_scorecards())
    start_us = _start_times(rng, calls, today, days, store.timezone)
    window_start_us = ((today - timedelta(days=days)) - date(1970, 1, 1)).days * 86400 * 1_000_000
    run = uuid.uuid4().hex[:8]
    loaded: dict[str, int] = {}
    temp = Path(tempfile.mkdtemp(prefix="callqa-synth-"))
    try:
        for number, offset in enumerate(range(0, calls, chunk)):
            stop = min(calls, offset + chunk)
            frames = _chunk(rng, ops, scripts, scorer, run, offset, start_us[offset:stop],
                            window_start_us, days, count)
            files = {}
            for table, frame in frames.items():
                if frame.height:
                    path = temp / f"{table}-{number:05d}.parquet"
                    frame.write_parquet(path, compression="zstd", statistics=False)
                    files[table] = [path]
            for table, rows in store.bulk_load(files).items():
                loaded[table] = loaded.get(table, 0) + rows
            for paths in files.values():
                for path in paths:
                    path.unlink()
            if on_chunk is not None:
                on_chunk(stop - offset)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    seconds = time.monotonic() - started
    for table in ("calls", "call_metrics", "call_summary", "dead_air", "flags", "scores"):
        loaded.setdefault(table, 0)
    return {"db": str(store.path), "run": run, "calls": calls, "operators": count,
            "teams": math.ceil(count / TEAM_SIZE), "days": days, "first_day": str(today - timedelta(days=days)),
            "last_day": str(today - timedelta(days=1)), "rows": loaded, "seconds": round(seconds, 2),
            "calls_per_s": round(calls / seconds) if seconds > 0 else None}


def _chunk(rng: np.random.Generator, ops: _Operators, scripts: _Scripts, scorer: _Scorer, run: str,
           offset: int, start_us: np.ndarray, window_start_us: int, days: int, count: int) -> dict[str, pl.DataFrame]:
    """All rows of the calls ``offset ...`` (starting at ``start_us``), one DataFrame per table."""
    n = start_us.size
    op = rng.choice(count, size=n, p=ops.volume)
    campaign = ops.campaign[op]
    language = np.where(rng.random(n) < 0.8, ops.language[op], rng.choice(len(LANGUAGES), size=n, p=LANGUAGE_P))
    progress = np.clip((start_us - window_start_us) / (days * 86400e6), 0.0, 1.0)
    skill = ops.skill[op] + ops.slope[op] * (progress - 0.5)
    outbound = rng.random(n) < np.array(OUTBOUND_P)[campaign]

    # speech: most calls; some silent, some with only a few words
    kind_draw = rng.random(n)
    no_speech = kind_draw < 0.015
    few_words = (kind_draw >= 0.015) & (kind_draw < 0.019)
    duration = rng.lognormal(np.log(300.0), 0.55, n) * np.array(DURATION_FACTOR)[campaign]
    duration = np.where(no_speech, rng.uniform(8, 60, n), duration)
    duration = np.where(few_words, rng.uniform(8, 25, n), duration)
    duration = np.round(np.clip(duration, 8.0, 3600.0), 3)
    talk = np.where(no_speech, 0.0, np.round(duration * rng.uniform(0.6, 0.9, n), 3))
    ratio = np.exp(np.log(ops.talk_ratio[op]) + rng.normal(0, 0.35, n))
    operator_talk = talk * ratio / (1 + ratio)
    operator_talk = np.where(few_words, np.minimum(operator_talk, 4.0), operator_talk)  # too short for a rate
    customer_talk = talk - operator_talk
    wpm = np.clip(ops.wpm[op] + rng.normal(0, 12, n), 60, 260)
    words = np.round(operator_talk * wpm / 60 + customer_talk * rng.normal(145, 20, n).clip(60) / 60)
    words = np.where(no_speech, 0, np.where(few_words, rng.integers(2, 20, n), words)).astype(np.int64)
    word_p = np.array(WORD_PROBABILITY)[language]
    mean_word_p = _quantize(np.clip(rng.normal(word_p[:, 0], word_p[:, 1]), 0.30, 0.99))
    detected = rng.random(n) < 0.4
    language_p = np.where(detected, _quantize(np.clip(1 - rng.beta(1.0, 6.0, n) * 1.1, 0.2, 0.99)), 1.0)
    channels = np.where(rng.random(n) < 0.8, 2, 1)

    # metrics
    quality = np.exp(-skill)
    dead_count = np.where(no_speech, 0, rng.poisson(ops.dead_air[op] * np.sqrt(quality) * duration / 300))
    dead_count = np.where(few_words, 0, dead_count)
    gap_call = np.repeat(np.arange(n), dead_count)
    gap_length = np.round(10.05 + rng.exponential(7.0, gap_call.size), 3)
    gap_start = np.round(rng.uniform(0.1, 0.8, gap_call.size) * np.maximum(duration[gap_call] - gap_length, 0), 3)
    dead_s = np.round(np.bincount(gap_call, weights=gap_length, minlength=n), 3)
    interruptions = np.where(no_speech, 0, rng.poisson(ops.interrupts[op])).astype(np.float64)
    # the customer's mood, where a sentiment lexicon covers the language: good operators lift it
    mood = (customer_talk > 0) & np.isin(language, [LANGUAGES.index(x) for x in SENTIMENT_LANGUAGES
                                                   if x in LANGUAGES])
    mood_start = np.clip(rng.normal(-0.05, 0.4, n), -1.0, 1.0)
    mood_end = np.clip(0.6 * mood_start + rng.normal(0.15 + 0.12 * skill, 0.35), -1.0, 1.0)
    metrics = {
        ("duration_s", "call"): duration, ("talk_s", "call"): talk,
        ("silence_s", "call"): np.round(duration - talk, 3),
        ("talk_listen_ratio", "call"): np.where(customer_talk > 0, np.round(operator_talk / np.where(
            customer_talk > 0, customer_talk, 1), 3), np.nan),
        ("dead_air_count", "call"): dead_count.astype(np.float64), ("dead_air_s", "call"): dead_s,
        ("interruptions_by_operator", "call"): interruptions,
        ("speaking_rate_wpm", "operator"): np.where(operator_talk >= 5.0, np.round(wpm, 1), np.nan),
        ("sentiment_start", "customer"): np.where(mood, np.round(mood_start, 3), np.nan),
        ("sentiment_end", "customer"): np.where(mood, np.round(mood_end, 3), np.nan),
    }

    ids = (pl.lit(f"synth-{run}-") + pl.Series(np.arange(offset, offset + n)).cast(pl.Utf8).str.zfill(9))
    call_id = pl.select(ids.alias("call_id")).to_series()
    combo = campaign * len(LANGUAGES) + language
    flags = _flags(rng, ops, scripts, n, op, combo, skill, duration, no_speech)
    flags = flags.with_columns(scorecard=_names(scorer.names, campaign[flags["i"].to_numpy()]))
    total, auto_failed, scorecard = scorer.totals(n, campaign, flags, metrics)

    language_names = _names(LANGUAGES, language)
    calls_frame = pl.DataFrame({
        "call_id": call_id,
        "path": "synthetic/" + call_id + ".wav",
        "file_name": call_id + ".wav",
        "operator_id": _names(ops.ids, op),
        "direction": _names(("inbound", "outbound"), outbound.astype(np.int64)),
        "campaign": _names(CAMPAIGNS, campaign),
        "started_at": pl.Series(start_us).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        "language": language_names,
        "language_probability": language_p,
        "language_source": _names(("metadata", "detected"), detected.astype(np.int64)),
        "duration_s": duration,
        "channels": pl.Series(channels, dtype=pl.Int32),
        "source_sample_rate": pl.Series(np.full(n, 8000), dtype=pl.Int32),
        "has_speech": ~no_speech,
        "word_count": pl.Series(words, dtype=pl.Int32),
        "asr_model": _constant("synthetic", n),
        "diarization": _names(("synthetic", "channels"), (channels == 2).astype(np.int64)),
        "redacted": np.zeros(n, dtype=bool),
        "detectors": _constant(DETECTORS_JSON, n),
        "team": _names([f"synth-team{t + 1:02d}" for t in range(int(ops.team.max()) + 1)], ops.team[op]),
        "synthetic": np.ones(n, dtype=bool),
        "mean_word_probability": mean_word_p,
    })
    reasons = scorer.reasons(calls_frame.with_columns(
        _lp_text=_two_decimals(language_p), _mwp_text=_two_decimals(mean_word_p)))
    scorable = reasons.is_null().to_numpy()
    scores = pl.DataFrame({
        "call_id": call_id,
        "scorecard": pl.Series(scorecard, dtype=pl.Utf8),
        "scorecard_version": _constant(scorer.book.scorecards["default"].version, n),
        "scorable": scorable,
        "not_scorable_reason": reasons,
        "total": np.where(scorable, total, np.nan),
        "auto_failed": auto_failed,
    }).with_columns(pl.col("total").fill_nan(None))

    names = list(metrics)
    values = np.column_stack([metrics[k] for k in names]).ravel()
    keep = ~np.isnan(values)
    rows = np.repeat(np.arange(n), len(names))[keep]
    which = np.tile(np.arange(len(names)), n)[keep]
    call_metrics = pl.DataFrame({
        "call_id": call_id.gather(rows),
        "name": _names([k[0] for k in names], which),
        "role": _names([k[1] for k in names], which),
        "value": values[keep],
    })
    dead_air = pl.DataFrame({"call_id": call_id.gather(gap_call), "start_s": gap_start,
                             "end_s": np.round(gap_start + gap_length, 3)})
    flag_rows = flags.with_columns(call_id=call_id.gather(flags["i"])).select(
        "call_id", "kind", "severity", "role", "speaker", "start_s", "end_s", "evidence", "detector",
        "detector_version", "confidence", "details")
    summary = pl.DataFrame({"call_id": call_id} | {
        column: metrics[key] for key, column in SUMMARY_METRICS.items()}).fill_nan(None)
    return {"calls": calls_frame, "call_metrics": call_metrics, "call_summary": summary, "dead_air": dead_air,
            "flags": flag_rows, "scores": scores}


_DETAIL_KEYS = ("step", "phase", "within_s", "from_end_s", "expected_after", "phrase", "type", "reason", "script")
_SCRIPT_TABLE = {"script_missing": "missing", "script_late": "late", "script_early": "early", "script_order": "order"}
_DURATION_SCALED = {"profanity", "raised_voice", "pii_leak", "forbidden_phrase"}


def _flags(rng: np.random.Generator, ops: _Operators, scripts: _Scripts, n: int, op: np.ndarray,
           combo: np.ndarray, skill: np.ndarray, duration: np.ndarray, no_speech: np.ndarray) -> pl.DataFrame:
    """The chunk's flags, one row each, in (call, start) order; ``i`` is the call's row in the chunk
    and the ``d_*`` columns are the details (also as the ``details`` JSON)."""
    step_phase = np.array([scripts.phase[s] for s in scripts.steps] + [""], dtype=object)
    within = np.array([scripts.within.get(s, 0.0) for s in scripts.steps] + [0.0])
    from_end = np.array([scripts.from_end.get(s, 0.0) for s in scripts.steps] + [0.0])
    frames = []
    for k, spec in enumerate(FLAG_KINDS):
        rate = spec.rate * ops.propensity[op, k] * np.exp(-spec.skill * skill)
        if spec.kind in _DURATION_SCALED:
            rate = rate * np.sqrt(duration / 300.0)
        rate = np.where(no_speech, 0.0, rate)
        if spec.at_most_one or spec.kind in ("script_late", "script_early", "script_order"):
            count = (rng.random(n) < np.minimum(rate, 1.0)).astype(np.int64)
        else:
            count = rng.poisson(rate)
        i = np.repeat(np.arange(n), count)
        m = i.size
        d = duration[i]
        start = rng.uniform(0.05, 0.95, m) * d
        details: dict[str, pl.Series] = {}
        severity = rng.choice(3, size=m, p=np.array(spec.severity_p) / sum(spec.severity_p))
        if spec.kind in _SCRIPT_TABLE:
            step, position = scripts.pick(rng, _SCRIPT_TABLE[spec.kind], combo[i])
            keep = step >= 0
            i, d, start, severity = i[keep], d[keep], start[keep], severity[keep]
            step, position = step[keep], position[keep]
            m = i.size
            safe = np.where(step >= 0, step, len(scripts.steps))
            details["step"] = _names(scripts.steps, step)
            if spec.kind == "script_missing":
                phase = step_phase[safe]
                start = np.where(phase == "opening", rng.uniform(0, 8, m),
                                 np.where(phase == "closing", d - rng.uniform(3, 15, m), start))
                details["phase"] = pl.Series(phase.tolist() if m else [], dtype=pl.Utf8)
            elif spec.kind == "script_late":
                start = within[safe] + rng.uniform(1, 30, m)
                details["within_s"] = _names([f"{within[c]:g}" for c in range(len(scripts.steps))], step)
            elif spec.kind == "script_early":
                start = d - from_end[safe] - rng.uniform(5, 60, m)
                details["from_end_s"] = _names([f"{from_end[c]:g}" for c in range(len(scripts.steps))], step)
            else:
                details["expected_after"] = _names(scripts.steps, scripts.table["after"][combo[i], position])
            details["script"] = _names(scripts.keys, combo[i])
        elif spec.kind == "forbidden_phrase":
            details["phrase"] = _constant(EVIDENCE, m)
            details["script"] = _names(scripts.keys, combo[i])
        elif spec.kind == "pii_leak":
            pii = rng.choice(len(PII_TYPES), size=m, p=PII_P)
            card = np.isin(pii, [PII_TYPES.index(t) for t in CARD_TYPES])
            severity = np.where(card, 2, 1)
            details["type"] = _names(PII_TYPES, pii)
            details["reason"] = _names(("operator disclosed personal data (synthetic)",
                                        "operator read card data aloud"), card.astype(np.int64))
        start = np.round(np.clip(start, 0.0, np.maximum(d - 0.5, 0.0)), 3)
        end = np.round(np.minimum(d, start + rng.uniform(1, 5, m)), 3)
        frame = pl.DataFrame({
            "i": pl.Series(i, dtype=pl.Int64), "kind": _constant(spec.kind, m),
            "severity": _names(SEVERITIES, severity), "role": _constant(spec.role, m),
            "speaker": _constant("CHANNEL_0" if spec.role == "operator" else "CHANNEL_1", m),
            "start_s": start, "end_s": end, "confidence": np.round(rng.uniform(0.6, 1.0, m), 3),
            **{f"d_{key}": details.get(key, pl.repeat(None, m, dtype=pl.Utf8, eager=True)) for key in _DETAIL_KEYS},
        })
        frames.append(frame)
    flags = pl.concat(frames).sort("i", "start_s")
    parts = [pl.when(pl.col(f"d_{key}").is_not_null()).then(pl.format('"{}": "{}"', pl.lit(key), pl.col(f"d_{key}")))
             for key in _DETAIL_KEYS]
    return flags.with_columns(
        evidence=pl.lit(EVIDENCE), detector=pl.lit("synthetic"), detector_version=pl.lit("synthetic"),
        details=pl.lit("{") + pl.concat_str(parts, separator=", ", ignore_nulls=True) + pl.lit("}"),
    )
