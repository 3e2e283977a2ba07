"""Scores of synthetic calls, computed vectorised with the real scorecard book."""

from __future__ import annotations

import numpy as np
import polars as pl

from qa.compliance.registry import flag_kinds
from qa.scoring.scorecard import ScorecardBook
from qa.synth.population import CAMPAIGNS, LANGUAGES, synthetic_detectors


class _Scorer:
    """The scorecard book applied to whole columns; mirrors ``qa.scoring.scorer.score_call``."""

    RANK = {"low": 0, "medium": 1, "high": 2}

    def __init__(self, book: ScorecardBook) -> None:
        self.book = book
        self.names = [book.select(c).name for c in CAMPAIGNS]  # scorecard of each campaign

    def reasons(self, calls: pl.DataFrame) -> pl.Series:
        rules = self.book.scorable
        col = pl.col
        withheld = {lang: reason for lang in LANGUAGES
                    if (reason := rules.not_judged("synthetic", lang)) is not None}
        probability_text = f"{rules.min_mean_word_probability:.2f}"
        language_text = f"{rules.min_language_probability:.2f}"
        return calls.select(
            pl.when(~col("has_speech")).then(pl.lit("no speech"))
            .when(col("language").is_in(list(withheld))).then(
                col("language").replace_strict(withheld, default=None, return_dtype=pl.String))
            .when(col("word_count") < rules.min_words).then(
                pl.format("too little speech ({} words < {})", col("word_count"), pl.lit(rules.min_words)))
            .when((col("language_source") == "detected")
                  & (col("language_probability") < rules.min_language_probability)).then(
                pl.format("language uncertain ({} detected with probability {} < {})", col("language"),
                          col("_lp_text"), pl.lit(language_text)))
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
        kinds, ran = flag_kinds(), set(synthetic_detectors())
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
                needed = {kinds.get(k) for k in criterion.flags.kinds} if criterion.flags else set()
                if criterion.flags is not None and None not in needed and not needed & ran:
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
