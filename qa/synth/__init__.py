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

import math
import shutil
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import numpy as np

from qa.errors import QAError
from qa.scoring.scorecard import load_scorecards
from qa.compliance.registry import synthetic_rates
from qa.synth.flags import _Scripts
from qa.synth.frames import _chunk
from qa.synth.population import TEAM_SIZE, _operators, _start_times
from qa.synth.scores import _Scorer

__all__ = ["synthesize"]


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
    ops = _operators(rng, count, len(synthetic_rates()))
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
    for table in ("calls", "call_metrics", "call_summary", "dead_air", "flags", "scores", "call_categories",
                  "call_outcomes"):
        loaded.setdefault(table, 0)
    return {"db": str(store.path), "run": run, "calls": calls, "operators": count,
            "teams": math.ceil(count / TEAM_SIZE), "days": days, "first_day": str(today - timedelta(days=days)),
            "last_day": str(today - timedelta(days=1)), "rows": loaded, "seconds": round(seconds, 2),
            "calls_per_s": round(calls / seconds) if seconds > 0 else None}
