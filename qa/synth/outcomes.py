"""Synthetic call categories and outcomes: a reason per inbound call (by campaign), an outcome
that better operators resolve more often, outbound decisions with refusal reasons. Calls with no
speech or in a language not judged with the offline model get none, as real ones do."""

from __future__ import annotations

import numpy as np
import polars as pl

from qa.synth.population import LANGUAGES

REASONS = ("billing_question", "technical_fault", "order_application", "cancellation_request", "complaint")
# per campaign (billing, support, sales, collections): how often each reason is the call's
REASON_P = np.array([(0.70, 0.05, 0.05, 0.10, 0.10), (0.10, 0.65, 0.05, 0.10, 0.10),
                     (0.10, 0.05, 0.70, 0.10, 0.05), (0.60, 0.02, 0.03, 0.15, 0.20)])
INBOUND = ("resolved", "callback", "escalated", "unresolved")
INBOUND_CATEGORY = {"resolved": "resolved_on_call", "callback": "callback_promised", "escalated": "transferred"}
OUTBOUND = ("agreed", "refused", "no_decision")
REFUSALS = ("price", "already_has", "not_interested", "call_later")
NOT_JUDGED = ("fi", "hi", "fa", "sw")  # with base (qa/scoring/scorecards/default.yaml scorable)
VERSION = "synthetic"


def outcome_frames(rng: np.random.Generator, call_id: pl.Series, campaign: np.ndarray, language: np.ndarray,
                   outbound: np.ndarray, skill: np.ndarray, duration: np.ndarray,
                   no_speech: np.ndarray) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(call_categories rows, call_outcomes rows) of one chunk of calls."""
    n = call_id.len()
    judged = ~no_speech & ~np.isin(np.array(LANGUAGES)[language], NOT_JUDGED)
    good = np.clip(0.5 + 0.3 * skill, 0.05, 0.95)  # skill is centred on 0
    inbound_p = np.stack([good * 0.8, (1 - good) * 0.4, (1 - good) * 0.25, (1 - good) * 0.35], axis=1)
    inbound = _pick(rng, inbound_p / inbound_p.sum(axis=1, keepdims=True))
    decision = _pick(rng, np.stack([0.15 + 0.2 * good, 0.55 - 0.2 * good, np.full(n, 0.30)], axis=1))
    outcome = np.where(outbound, np.array(OUTBOUND)[decision], np.array(INBOUND)[inbound])
    refusal = np.where(outcome == "refused", np.array(REFUSALS)[rng.integers(0, len(REFUSALS), n)], None)
    do_not_call = outbound & (rng.random(n) < 0.03)
    reason = np.array(REASONS)[_pick(rng, REASON_P[campaign])]
    keep = np.flatnonzero(judged)
    outcomes = pl.DataFrame({"call_id": call_id.gather(keep), "direction": np.where(outbound, "outbound", "inbound")[keep],
                             "outcome": outcome[keep], "refusal_reason": pl.Series(refusal[keep].tolist(), dtype=pl.Utf8),
                             "do_not_call": do_not_call[keep], "book_version": VERSION})
    said = rng.random(n) * np.maximum(duration - 20.0, 1.0)
    reasons = keep[~outbound[keep]]
    decided = keep[np.isin(outcome[keep], list(INBOUND_CATEGORY) + ["agreed", "refused"])]
    closed = keep[rng.random(keep.size) < 0.9]  # the operator said goodbye: the line did not drop
    decided = np.concatenate([decided, closed])
    closing = [INBOUND_CATEGORY.get(o, o) for o in outcome[decided[:decided.size - closed.size]]]
    closing += ["call_closed"] * closed.size
    categories = pl.DataFrame({
        "call_id": pl.concat([call_id.gather(reasons), call_id.gather(decided)]),
        "category": np.concatenate([reason[reasons], np.array(closing, dtype=object)]).astype(str),
        "grp": ["reason"] * len(reasons) + ["resolution" if c in (*INBOUND_CATEGORY.values(), "call_closed")
                                            else "outbound" for c in closing],
        "role": ["customer"] * len(reasons) + ["customer" if c in ("agreed", "refused") else "operator"
                                               for c in closing],
        "start_s": np.round(np.concatenate([np.minimum(said[reasons], 15.0), duration[decided] - 8.0]), 3),
        "evidence": "(synthetic)", "confidence": 1.0, "book_version": VERSION})
    return categories.with_columns(end_s=pl.col("start_s") + 3.0), outcomes


def _pick(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One index per row of ``p`` (rows of probabilities)."""
    return (rng.random((p.shape[0], 1)) < np.cumsum(p, axis=1)).argmax(axis=1)


