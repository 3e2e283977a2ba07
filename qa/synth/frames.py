"""One chunk of synthetic calls: every table's rows for a run of consecutive calls, as polars DataFrames."""

from __future__ import annotations

import json
from typing import NamedTuple

import numpy as np
import polars as pl

from qa.scoring.sentiment import SENTIMENT_LANGUAGES
from qa.store import SUMMARY_METRICS
from qa.synth.flags import _flags, _Scripts
from qa.synth.outcomes import outcome_frames
from qa.synth.population import (CAMPAIGNS, DURATION_FACTOR, LANGUAGE_P, LANGUAGES, OUTBOUND_P, WORD_PROBABILITY,
                                 _constant, _names, _Operators, _quantize, _two_decimals, synthetic_detectors)
from qa.synth.scores import _Scorer


class _Speech(NamedTuple):
    """Per call: how much speech it has and who talks how much."""

    no_speech: np.ndarray
    few_words: np.ndarray
    duration: np.ndarray
    talk: np.ndarray
    operator_talk: np.ndarray
    customer_talk: np.ndarray
    wpm: np.ndarray
    words: np.ndarray


class _Recognition(NamedTuple):
    """Per call: what the recogniser reports beside the words."""

    mean_word_p: np.ndarray
    detected: np.ndarray
    language_p: np.ndarray
    channels: np.ndarray


class _DeadAir(NamedTuple):
    """The chunk's dead-air gaps: each one's call (row in the chunk), start and length."""

    call: np.ndarray
    start: np.ndarray
    length: np.ndarray


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
    speech = _draw_speech(rng, ops, op, campaign)
    recognition = _draw_recognition(rng, language)
    metrics, dead_air = _draw_metrics(rng, ops, op, language, skill, speech)

    ids = (pl.lit(f"synth-{run}-") + pl.Series(np.arange(offset, offset + n)).cast(pl.Utf8).str.zfill(9))
    call_id = pl.select(ids.alias("call_id")).to_series()
    combo = campaign * len(LANGUAGES) + language
    flags = _flags(rng, ops, scripts, n, op, combo, skill, speech.duration, speech.no_speech)
    flags = flags.with_columns(scorecard=_names(scorer.names, campaign[flags["i"].to_numpy()]))
    total, auto_failed, scorecard = scorer.totals(n, campaign, flags, metrics)

    calls_frame = _calls_frame(call_id, ops, op, campaign, language, outbound, start_us, speech, recognition)
    scores = _scores_frame(scorer, calls_frame, recognition, scorecard, total, auto_failed)
    dead_air_rows = pl.DataFrame({"call_id": call_id.gather(dead_air.call), "start_s": dead_air.start,
                                  "end_s": np.round(dead_air.start + dead_air.length, 3)})
    flag_rows = flags.with_columns(call_id=call_id.gather(flags["i"])).select(
        "call_id", "kind", "severity", "role", "speaker", "start_s", "end_s", "evidence", "detector",
        "detector_version", "confidence", "details")
    summary = pl.DataFrame({"call_id": call_id} | {
        column: metrics[key] for key, column in SUMMARY_METRICS.items()}).fill_nan(None)
    categories, outcomes = outcome_frames(rng, call_id, campaign, language, outbound, skill, speech.duration,
                                          speech.no_speech)
    return {"calls": calls_frame, "call_metrics": _metric_rows(call_id, metrics), "call_summary": summary,
            "dead_air": dead_air_rows, "flags": flag_rows, "scores": scores, "call_categories": categories,
            "call_outcomes": outcomes}


def _draw_speech(rng: np.random.Generator, ops: _Operators, op: np.ndarray, campaign: np.ndarray) -> _Speech:
    """Most calls have speech; some are silent, some have only a few words."""
    n = op.size
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
    return _Speech(no_speech, few_words, duration, talk, operator_talk, customer_talk, wpm, words)


def _draw_recognition(rng: np.random.Generator, language: np.ndarray) -> _Recognition:
    """Per call: mean word probability, whether the language was detected and how surely, channels."""
    n = language.size
    word_p = np.array(WORD_PROBABILITY)[language]
    mean_word_p = _quantize(np.clip(rng.normal(word_p[:, 0], word_p[:, 1]), 0.30, 0.99))
    detected = rng.random(n) < 0.4
    language_p = np.where(detected, _quantize(np.clip(1 - rng.beta(1.0, 6.0, n) * 1.1, 0.2, 0.99)), 1.0)
    channels = np.where(rng.random(n) < 0.8, 2, 1)
    return _Recognition(mean_word_p, detected, language_p, channels)


def _draw_metrics(rng: np.random.Generator, ops: _Operators, op: np.ndarray, language: np.ndarray,
                  skill: np.ndarray, speech: _Speech) -> tuple[dict[tuple[str, str], np.ndarray], _DeadAir]:
    """Each (metric, role)'s values (NaN: none for that call) and the dead-air gaps behind two of them."""
    n = op.size
    no_speech, few_words, duration, talk = speech.no_speech, speech.few_words, speech.duration, speech.talk
    operator_talk, customer_talk = speech.operator_talk, speech.customer_talk
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
        ("speaking_rate_wpm", "operator"): np.where(operator_talk >= 5.0, np.round(speech.wpm, 1), np.nan),
        ("sentiment_start", "customer"): np.where(mood, np.round(mood_start, 3), np.nan),
        ("sentiment_end", "customer"): np.where(mood, np.round(mood_end, 3), np.nan),
    }
    return metrics, _DeadAir(gap_call, gap_start, gap_length)


def _calls_frame(call_id: pl.Series, ops: _Operators, op: np.ndarray, campaign: np.ndarray, language: np.ndarray,
                 outbound: np.ndarray, start_us: np.ndarray, speech: _Speech,
                 recognition: _Recognition) -> pl.DataFrame:
    """The chunk's ``calls`` rows."""
    n = op.size
    return pl.DataFrame({
        "call_id": call_id,
        "path": "synthetic/" + call_id + ".wav",
        "file_name": call_id + ".wav",
        "operator_id": _names(ops.ids, op),
        "direction": _names(("inbound", "outbound"), outbound.astype(np.int64)),
        "campaign": _names(CAMPAIGNS, campaign),
        "started_at": pl.Series(start_us).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        "language": _names(LANGUAGES, language),
        "language_probability": recognition.language_p,
        "language_source": _names(("metadata", "detected"), recognition.detected.astype(np.int64)),
        "duration_s": speech.duration,
        "channels": pl.Series(recognition.channels, dtype=pl.Int32),
        "source_sample_rate": pl.Series(np.full(n, 8000), dtype=pl.Int32),
        "has_speech": ~speech.no_speech,
        "word_count": pl.Series(speech.words, dtype=pl.Int32),
        "asr_model": _constant("synthetic", n),
        "diarization": _names(("synthetic", "channels"), (recognition.channels == 2).astype(np.int64)),
        "redacted": np.zeros(n, dtype=bool),
        "detectors": _constant(json.dumps(synthetic_detectors()), n),
        "team": _names([f"synth-team{t + 1:02d}" for t in range(int(ops.team.max()) + 1)], ops.team[op]),
        "synthetic": np.ones(n, dtype=bool),
        "mean_word_probability": recognition.mean_word_p,
    })


def _scores_frame(scorer: _Scorer, calls_frame: pl.DataFrame, recognition: _Recognition, scorecard: list[str],
                  total: np.ndarray, auto_failed: np.ndarray) -> pl.DataFrame:
    """The chunk's ``scores`` rows; a call the scorecard cannot score has its reason and no total."""
    reasons = scorer.reasons(calls_frame.with_columns(
        _lp_text=_two_decimals(recognition.language_p), _mwp_text=_two_decimals(recognition.mean_word_p)))
    scorable = reasons.is_null().to_numpy()
    return pl.DataFrame({
        "call_id": calls_frame["call_id"],
        "scorecard": pl.Series(scorecard, dtype=pl.Utf8),
        "scorecard_version": _constant(scorer.book.scorecards["default"].version, calls_frame.height),
        "scorable": scorable,
        "not_scorable_reason": reasons,
        "total": np.where(scorable, total, np.nan),
        "auto_failed": auto_failed,
    }).with_columns(pl.col("total").fill_nan(None))


def _metric_rows(call_id: pl.Series, metrics: dict[tuple[str, str], np.ndarray]) -> pl.DataFrame:
    """The chunk's ``call_metrics`` rows: one per call and (metric, role) that has a value."""
    names = list(metrics)
    values = np.column_stack([metrics[k] for k in names]).ravel()
    keep = ~np.isnan(values)
    rows = np.repeat(np.arange(call_id.len()), len(names))[keep]
    which = np.tile(np.arange(len(names)), call_id.len())[keep]
    return pl.DataFrame({
        "call_id": call_id.gather(rows),
        "name": _names([k[0] for k in names], which),
        "role": _names([k[1] for k in names], which),
        "value": values[keep],
    })
