"""One chunk of synthetic calls: every table's rows for a run of consecutive calls, as polars DataFrames."""

from __future__ import annotations

import numpy as np
import polars as pl

from qa.scoring.sentiment import SENTIMENT_LANGUAGES
from qa.store import SUMMARY_METRICS
from qa.synth.flags import _flags, _Scripts
from qa.synth.population import (CAMPAIGNS, DETECTORS_JSON, DURATION_FACTOR, LANGUAGE_P, LANGUAGES, OUTBOUND_P,
                                 WORD_PROBABILITY, _constant, _names, _Operators, _quantize, _two_decimals)
from qa.synth.scores import _Scorer


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
