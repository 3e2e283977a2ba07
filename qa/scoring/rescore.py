"""Rescoring stored calls and reviewing flags: no audio, no models, only stored facts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

from qa.scoring.scorecard import ScorecardBook
from qa.scoring.scorer import score_call
from qa.store import Store
from qa.types import Score


@dataclass(frozen=True)
class RescoreSummary:
    """What a rescore did."""

    calls: int
    scorable: int
    auto_failed: int
    mean_score: float | None


def rescore(store: Store, book: ScorecardBook, call_ids: Sequence[str] | None = None,
            on_call: Callable[[Score], None] | None = None) -> RescoreSummary:
    """Score stored calls again on ``book`` (all calls, or ``call_ids``) and replace their scores."""
    totals: list[float] = []
    counts = {"calls": 0, "auto_failed": 0}

    def scores():
        for facts in store.scoring_inputs(call_ids):
            score = score_call(facts, book)
            counts["calls"] += 1
            counts["auto_failed"] += score.auto_failed
            if score.total is not None:
                totals.append(score.total)
            if on_call is not None:
                on_call(score)
            yield score

    store.save_scores(scores())
    return RescoreSummary(counts["calls"], len(totals), counts["auto_failed"],
                          round(sum(totals) / len(totals), 1) if totals else None)


def review_flag(store: Store, book: ScorecardBook, flag_id: int, reviewer: str, decision: str,
                comment: str | None = None) -> tuple[int, Score]:
    """Record a reviewer's decision on a flag and rescore its call; return (review id, new score).

    ``dismiss`` gives back the points the flag cost; ``confirm`` takes them again after an
    earlier dismissal; ``comment`` changes nothing but is kept.
    """
    if not reviewer.strip():
        raise ValueError("a review needs the reviewer's name")
    call_id = store.flag_call(flag_id)
    [facts] = store.scoring_inputs([call_id])
    dismissed = set(facts.dismissed)
    if decision == "dismiss":
        dismissed.add(flag_id)
    elif decision == "confirm":
        dismissed.discard(flag_id)
    score = score_call(replace(facts, dismissed=frozenset(dismissed)), book)
    return store.save_review(flag_id, reviewer.strip(), decision, comment, score), score
