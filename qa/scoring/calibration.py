"""Calibration: how often reviewers uphold each detector's flags, and how often reviewers agree.

Input rows are ``Store.decisions()``: each reviewer's latest confirm/dismiss per flag (for call
categories, ``Store.category_decisions()``: each reviewer's latest correction per call and category).
Precision counts judgements, so a flag two reviewers judged counts twice. Cohen's kappa is
written out here (four lines) rather than pulling in scikit-learn for it.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any, Iterable


def detector_precision(decisions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per detector and flag kind: judgements, confirmed, dismissed, precision (confirmed share)."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in decisions:
        counts[(row["detector"], row["kind"])][row["decision"] == "dismiss"] += 1
    return [{"detector": detector, "kind": kind, "judgements": confirmed + dismissed, "confirmed": confirmed,
             "dismissed": dismissed, "precision": round(confirmed / (confirmed + dismissed), 3)}
            for (detector, kind), (confirmed, dismissed) in sorted(counts.items())]


def category_precision(decisions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per call category, from ``Store.category_decisions()``: judgements of the book's categories,
    confirmed, dismissed, precision (confirmed share; None with no judgement) and ``added``, the
    categories reviewers added where the book had missed them."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in decisions:
        if row["decision"] == "add":
            counts[row["category"]][2] += not row["found"]
        elif row["found"]:
            counts[row["category"]][row["decision"] == "dismiss"] += 1
    return [{"category": category, "judgements": confirmed + dismissed, "confirmed": confirmed, "dismissed": dismissed,
             "precision": round(confirmed / (confirmed + dismissed), 3) if confirmed + dismissed else None,
             "added": added}
            for category, (confirmed, dismissed, added) in sorted(counts.items())]


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' labels; None when undefined (no pairs, or one label only)."""
    if not pairs:
        return None
    observed = sum(a == b for a, b in pairs) / len(pairs)
    labels = {label for pair in pairs for label in pair}
    expected = sum((sum(a == k for a, _ in pairs) / len(pairs)) * (sum(b == k for _, b in pairs) / len(pairs))
                   for k in labels)
    return None if expected == 1 else round((observed - expected) / (1 - expected), 3)


def reviewer_agreement(decisions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each pair of reviewers with flags in common: flags, agreement share and Cohen's kappa."""
    by_flag: dict[int, dict[str, str]] = defaultdict(dict)
    for row in decisions:
        by_flag[row["flag_id"]][row["reviewer"]] = row["decision"]
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for judged in by_flag.values():
        for first, second in combinations(sorted(judged), 2):
            pairs[(first, second)].append((judged[first], judged[second]))
    return [{"reviewer_a": a, "reviewer_b": b, "flags": len(labels),
             "agreement": round(sum(x == y for x, y in labels) / len(labels), 3), "kappa": cohen_kappa(labels)}
            for (a, b), labels in sorted(pairs.items())]
