"""Score one call on its campaign's scorecard: pure, from stored facts (flags, metrics).

Nothing here needs the audio or the models, so stored calls are rescored with a changed
scorecard (``callqa rescore``) without transcribing them again.
"""

from __future__ import annotations

from dataclasses import replace

from qa.compliance.registry import flag_kinds
from qa.scoring.scorecard import Criterion, Scorability, ScorecardBook
from qa.types import Score, ScoreItem, ScoringInput

_DEAD_AIR_METRICS = {"dead_air_count", "dead_air_s", "hold_count", "hold_s"}


def not_scorable_reason(call: ScoringInput, rules: Scorability) -> str | None:
    """Why a call's transcript is too unreliable to judge, or None when it can be scored."""
    if not call.has_speech:
        return "no speech"
    if withheld := rules.not_judged(call.asr_model, call.language):
        return withheld
    if call.word_count < rules.min_words:
        return f"too little speech ({call.word_count} words < {rules.min_words})"
    if call.language_source == "detected" and call.language_probability < rules.min_language_probability:
        return (f"language uncertain ({call.language} detected with probability "
                f"{call.language_probability:.2f} < {rules.min_language_probability:.2f})")
    if call.mean_word_probability is not None and call.mean_word_probability < rules.min_mean_word_probability:
        return (f"low ASR confidence (mean word probability {call.mean_word_probability:.2f} "
                f"< {rules.min_mean_word_probability:.2f})")
    return None


def _flag_item(criterion: Criterion, call: ScoringInput) -> ScoreItem:
    kinds = flag_kinds()
    needed = {kinds.get(kind) for kind in criterion.flags.kinds}
    if call.detectors is not None and None not in needed and not needed & call.detectors:
        return ScoreItem(criterion.id, criterion.label, criterion.weight, criterion.weight, applicable=False,
                         auto_fail=criterion.auto_fail,
                         reason=f"not checked: detector {', '.join(sorted(needed))} did not run")
    matching = [(ref, flag) for ref, flag in call.flags if criterion.flags.matches(flag)]
    active = [(ref, flag) for ref, flag in matching if ref not in call.dismissed]
    restored = tuple(ref for ref, _ in matching if ref in call.dismissed)
    base = ScoreItem(criterion.id, criterion.label, criterion.weight, criterion.weight,
                     auto_fail=criterion.auto_fail, restored_refs=restored)
    note = f"; {len(restored)} dismissed by review" if restored else ""
    if not active:
        return replace(base, reason=("no matching flag" + note))
    lost = criterion.weight if criterion.per_flag is None else min(criterion.weight, criterion.per_flag * len(active))
    where = ", ".join(f"{flag.kind} at {flag.start:.1f} s" for _, flag in active[:3])
    more = f" and {len(active) - 3} more" if len(active) > 3 else ""
    return replace(
        base, points=round(criterion.weight - lost, 3), failed=criterion.auto_fail,
        reason=("auto-fail: " if criterion.auto_fail else "") + where + more + note,
        flag_refs=tuple(ref for ref, _ in active),
        start=min(flag.start for _, flag in active), end=max(flag.end for _, flag in active),
    )


def _metric_item(criterion: Criterion, call: ScoringInput) -> ScoreItem:
    rule = criterion.metric
    value = call.metrics.get((rule.name, rule.role))
    base = ScoreItem(criterion.id, criterion.label, criterion.weight, criterion.weight,
                     metric=rule.name, metric_role=rule.role, metric_value=value)
    if value is None:
        return replace(base, applicable=False, reason=f"{rule.name} not measured")
    excess = rule.excess(value)
    band = rule.band()
    if excess <= 0:
        return replace(base, reason=f"{rule.name} {value:.3g} within {band}")
    lost = criterion.weight if criterion.per_unit is None else min(criterion.weight, criterion.per_unit * excess)
    start = end = None
    if rule.name in _DEAD_AIR_METRICS and call.dead_air:
        start, end = max(call.dead_air, key=lambda gap: gap[1] - gap[0])
    return replace(base, points=round(criterion.weight - lost, 3), start=start, end=end,
                    reason=f"{rule.name} {value:.3g} outside {band}")


def score_call(call: ScoringInput, book: ScorecardBook) -> Score:
    """The call's score on its campaign's scorecard, with one item per criterion."""
    scorecard = book.select(call.campaign)
    items = tuple(_flag_item(c, call) if c.flags is not None else _metric_item(c, call) for c in scorecard.criteria)
    reason = not_scorable_reason(call, book.scorable)
    auto_failed = any(item.failed for item in items)
    applicable = [item for item in items if item.applicable and not item.auto_fail]
    weight = sum(item.weight for item in applicable)
    total = 100.0 * sum(item.points for item in applicable) / weight if weight else 100.0
    if auto_failed:
        total = 0.0
    return Score(
        call_id=call.call_id, scorecard=scorecard.name, scorecard_version=scorecard.version,
        scorable=reason is None, total=None if reason else round(total, 1), items=items,
        not_scorable_reason=reason, auto_failed=auto_failed,
    )
