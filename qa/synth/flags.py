"""Flags of synthetic calls: the kinds and their rates, the real scripts' steps, the vectorised flag draw."""

from __future__ import annotations


import numpy as np
import polars as pl

from qa.compliance.registry import SyntheticRate, synthetic_rates
from qa.synth.population import (CAMPAIGNS, CARD_TYPES, EVIDENCE, LANGUAGES, PII_P, PII_TYPES, SEVERITIES,
                                 _constant, _names, _Operators)


class _Scripts:
    """Step tables of the real scripts per (campaign, language), for flag details."""

    def __init__(self) -> None:
        from qa.compliance.script_book import load_scripts

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


_DETAIL_KEYS = ("step", "phase", "within_s", "from_end_s", "expected_after", "phrase", "type", "reason", "script")
_SCRIPT_TABLE = {"script_missing": "missing", "script_late": "late", "script_early": "early", "script_order": "order"}
_DURATION_SCALED = {"profanity", "raised_voice", "pii_leak", "forbidden_phrase"}


def _flags(rng: np.random.Generator, ops: _Operators, scripts: _Scripts, n: int, op: np.ndarray,
           combo: np.ndarray, skill: np.ndarray, duration: np.ndarray, no_speech: np.ndarray) -> pl.DataFrame:
    """The chunk's flags, one row each, in (call, start) order; ``i`` is the call's row in the chunk
    and the ``d_*`` columns are the details (also as the ``details`` JSON)."""
    frames = []
    for k, spec in enumerate(synthetic_rates()):
        count = _flag_count(rng, spec, ops.propensity[op, k], skill, duration, no_speech)
        frames.append(_kind_flags(rng, spec, scripts, np.repeat(np.arange(n), count), combo, duration))
    flags = pl.concat(frames).sort("i", "start_s")
    parts = [pl.when(pl.col(f"d_{key}").is_not_null()).then(pl.format('"{}": "{}"', pl.lit(key), pl.col(f"d_{key}")))
             for key in _DETAIL_KEYS]
    return flags.with_columns(
        evidence=pl.lit(EVIDENCE), detector=pl.lit("synthetic"), detector_version=pl.lit("synthetic"),
        details=pl.lit("{") + pl.concat_str(parts, separator=", ", ignore_nulls=True) + pl.lit("}"),
    )


def _flag_count(rng: np.random.Generator, spec: SyntheticRate, propensity: np.ndarray, skill: np.ndarray,
                duration: np.ndarray, no_speech: np.ndarray) -> np.ndarray:
    """How many flags of ``spec`` each call gets (a call without speech none)."""
    rate = spec.rate * propensity * np.exp(-spec.skill * skill)
    if spec.kind in _DURATION_SCALED:
        rate = rate * np.sqrt(duration / 300.0)
    rate = np.where(no_speech, 0.0, rate)
    if spec.at_most_one or spec.kind in ("script_late", "script_early", "script_order"):
        return (rng.random(no_speech.size) < np.minimum(rate, 1.0)).astype(np.int64)
    return rng.poisson(rate)


def _kind_flags(rng: np.random.Generator, spec: SyntheticRate, scripts: _Scripts, i: np.ndarray, combo: np.ndarray,
                duration: np.ndarray) -> pl.DataFrame:
    """The flags of ``spec``, one per entry of ``i`` (the call's row in the chunk), less the script
    flags of calls whose script has no step for them."""
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
        start, details = _script_details(rng, spec.kind, scripts, combo[i], step, position, d, start)
    elif spec.kind == "forbidden_phrase":
        details["phrase"] = _constant(EVIDENCE, m)
        details["script"] = _names(scripts.keys, combo[i])
    elif spec.kind == "pii_leak":
        severity, details = _pii_details(rng, m)
    start = np.round(np.clip(start, 0.0, np.maximum(d - 0.5, 0.0)), 3)
    end = np.round(np.minimum(d, start + rng.uniform(1, 5, m)), 3)
    return pl.DataFrame({
        "i": pl.Series(i, dtype=pl.Int64), "kind": _constant(spec.kind, m),
        "severity": _names(SEVERITIES, severity), "role": _constant(spec.role, m),
        "speaker": _constant("CHANNEL_0" if spec.role == "operator" else "CHANNEL_1", m),
        "start_s": start, "end_s": end, "confidence": np.round(rng.uniform(0.6, 1.0, m), 3),
        **{f"d_{key}": details.get(key, pl.repeat(None, m, dtype=pl.Utf8, eager=True)) for key in _DETAIL_KEYS},
    })


def _script_details(rng: np.random.Generator, kind: str, scripts: _Scripts, combo: np.ndarray, step: np.ndarray,
                    position: np.ndarray, d: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, dict[str, pl.Series]]:
    """Start times and details of ``kind`` flags, each on its ``step`` (at ``position`` in the kind's
    table) of the script ``combo``, in a call of duration ``d``."""
    m = step.size
    safe = np.where(step >= 0, step, len(scripts.steps))
    details = {"step": _names(scripts.steps, step)}
    if kind == "script_missing":
        phase = np.array([scripts.phase[s] for s in scripts.steps] + [""], dtype=object)[safe]
        start = np.where(phase == "opening", rng.uniform(0, 8, m),
                         np.where(phase == "closing", d - rng.uniform(3, 15, m), start))
        details["phase"] = pl.Series(phase.tolist() if m else [], dtype=pl.Utf8)
    elif kind == "script_late":
        within = np.array([scripts.within.get(s, 0.0) for s in scripts.steps] + [0.0])
        start = within[safe] + rng.uniform(1, 30, m)
        details["within_s"] = _names([f"{within[c]:g}" for c in range(len(scripts.steps))], step)
    elif kind == "script_early":
        from_end = np.array([scripts.from_end.get(s, 0.0) for s in scripts.steps] + [0.0])
        start = d - from_end[safe] - rng.uniform(5, 60, m)
        details["from_end_s"] = _names([f"{from_end[c]:g}" for c in range(len(scripts.steps))], step)
    else:
        details["expected_after"] = _names(scripts.steps, scripts.table["after"][combo, position])
    details["script"] = _names(scripts.keys, combo)
    return start, details


def _pii_details(rng: np.random.Generator, m: int) -> tuple[np.ndarray, dict[str, pl.Series]]:
    """Severities and details of ``m`` personal-data leaks: card data is high, the rest medium."""
    pii = rng.choice(len(PII_TYPES), size=m, p=PII_P)
    card = np.isin(pii, [PII_TYPES.index(t) for t in CARD_TYPES])
    details = {"type": _names(PII_TYPES, pii),
               "reason": _names(("operator disclosed personal data (synthetic)",
                                 "operator read card data aloud"), card.astype(np.int64))}
    return np.where(card, 2, 1), details
