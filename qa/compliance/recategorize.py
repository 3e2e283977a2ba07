"""Categorizing stored calls again (e.g. after editing the category book): stored transcripts,
flags and metrics only, no audio and no ASR model."""

from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

from qa.compliance.categorize import categorize
from qa.compliance.category_book import CategoryBook
from qa.compliance.matching import SentenceEncoder
from qa.scoring.scorecard import Scorability
from qa.store import Store


def recategorize(store: Store, book: CategoryBook, scorable: Scorability, encoder: SentenceEncoder | None = None,
                 call_ids: Sequence[str] | None = None, on_call: Callable[[], None] | None = None) -> Counter:
    """Categorize stored calls (all, or ``call_ids``) on ``book`` and replace their categories and
    outcome; a call in a language not judged with its ASR model gets none. Returns the calls per
    outcome ("not judged" for those)."""
    encoder = encoder or SentenceEncoder()
    calls = {call_id: (campaign, direction) for call_id, campaign, direction in store.category_inputs(call_ids)}
    outcomes: Counter = Counter()
    if not calls:
        return outcomes
    for facts in store.scoring_inputs(list(calls)):
        found = None
        if scorable.not_judged(facts.asr_model, facts.language) is None:
            campaign, direction = calls[facts.call_id]
            flags = [flag for ref, flag in facts.flags if ref not in facts.dismissed]
            metrics = [(name, role, value) for (name, role), value in facts.metrics.items()]
            found = categorize(store.transcript(facts.call_id), book, flags, metrics, campaign, direction, encoder)
        store.save_categorization(facts.call_id, found)
        outcomes[found.outcome if found else "not judged"] += 1
        if on_call is not None:
            on_call()
    return outcomes
