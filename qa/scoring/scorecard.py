"""Scorecards: the documented YAML format (``scorecards/default.yaml``) read into frozen types."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from qa.compliance.registry import flag_kinds
from qa.config import read_yaml
from qa.errors import ConfigError
from qa.languages import NOT_JUDGED, language_name, model_key
from qa.types import Flag, Role, Severity

DEFAULT_SCORECARDS = Path(__file__).with_name("scorecards") / "default.yaml"
_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}
_CRITERION_KEYS = {"id", "label", "weight", "flags", "per_flag", "metric", "per_unit", "auto_fail"}
_FLAG_KEYS = {"kinds", "roles", "min_severity", "details"}
_METRIC_KEYS = {"name", "role", "min", "max"}
_SCORABLE_KEYS = {"min_words", "min_mean_word_probability", "min_language_probability", "unreliable_languages"}


@dataclass(frozen=True)
class FlagRule:
    """Which flags a criterion counts."""

    kinds: tuple[str, ...]
    roles: tuple[Role, ...] = ()
    min_severity: Severity = Severity.LOW
    details: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def matches(self, flag: Flag) -> bool:
        if flag.kind not in self.kinds or (self.roles and flag.role not in self.roles):
            return False
        if _RANK[flag.severity] < _RANK[self.min_severity]:
            return False
        given = dict(flag.details)
        return all(given.get(key) in allowed for key, allowed in self.details)


@dataclass(frozen=True)
class MetricRule:
    """A band a call metric should stay within."""

    name: str
    role: str = "call"
    min: float | None = None
    max: float | None = None

    def band(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min:g} to {self.max:g}"
        return f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"

    def excess(self, value: float) -> float:
        """How far ``value`` lies outside the band (0 inside it)."""
        if self.min is not None and value < self.min:
            return self.min - value
        if self.max is not None and value > self.max:
            return value - self.max
        return 0.0


@dataclass(frozen=True)
class Criterion:
    """One line of a scorecard: points lost for flags or for a metric out of band."""

    id: str
    label: str
    weight: float = 0.0
    flags: FlagRule | None = None
    metric: MetricRule | None = None
    per_flag: float | None = None  # None: any matching flag loses the whole weight
    per_unit: float | None = None  # None: any excess loses the whole weight
    auto_fail: bool = False


@dataclass(frozen=True)
class LanguageRule:
    """A language an ASR model transcribes too badly to judge, and what was measured."""

    model: str  # model_key of the ASR model, or "*" for every model
    language: str
    evidence: str = ""  # e.g. "WER 0.94 on real speech"


@dataclass(frozen=True)
class Scorability:
    """When a call's transcript is too unreliable to judge."""

    min_words: int = 20
    min_mean_word_probability: float = 0.62
    min_language_probability: float = 0.5
    unreliable_languages: tuple[LanguageRule, ...] = ()

    def not_judged(self, model: str | None, language: str | None) -> str | None:
        """Why calls in ``language`` by ``model`` get no text verdict and no score, or None:
        "not judged: Persian with base: WER 0.94 on real speech"."""
        code, key = (language or "").casefold().split("-")[0], model_key(model)
        for rule in self.unreliable_languages:
            if code and rule.language == code and rule.model in ("*", key):
                evidence = f": {rule.evidence}" if rule.evidence else ""
                return f"{NOT_JUDGED}: {language_name(code)} with {key or model}{evidence}"
        return None

    def not_judged_languages(self, model: str | None) -> dict[str, str]:
        """Every language not judged with ``model``, with the reason."""
        return {rule.language: self.not_judged(model, rule.language) for rule in self.unreliable_languages
                if rule.model in ("*", model_key(model))}


@dataclass(frozen=True)
class Scorecard:
    """The criteria one campaign's calls are scored on."""

    name: str
    label: str
    criteria: tuple[Criterion, ...]
    version: str  # content hash of the scorecard file


@dataclass(frozen=True, eq=False)
class ScorecardBook:
    """All scorecards of a file; ``select`` picks a call's by campaign, else ``default``."""

    scorecards: Mapping[str, Scorecard] = field(default_factory=dict)
    scorable: Scorability = field(default_factory=Scorability)
    source: str = ""

    def select(self, campaign: str | None) -> Scorecard:
        return self.scorecards.get(campaign or "default") or self.scorecards["default"]


def _fail(path: object, where: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


def _number(value: Any, path: object, where: str, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise _fail(path, where, f"must be a number >= {minimum:g}, got {value!r}")
    return float(value)


def _names(value: Any, path: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _fail(path, where, "must be a non-empty list of strings")
    return tuple(value)


def _keys(raw: Any, allowed: set[str], path: object, where: str) -> dict:
    if not isinstance(raw, dict):
        raise _fail(path, where, "must be a mapping")
    if unknown := set(raw) - allowed:
        raise _fail(path, where, f"unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                                 f"(known: {', '.join(sorted(allowed))})")
    return raw


def _flag_rule(raw: Any, path: object, where: str) -> FlagRule:
    raw = _keys(raw, _FLAG_KEYS, path, where)
    if "kinds" not in raw:
        raise _fail(path, where, "missing key 'kinds'")
    roles = _names(raw["roles"], path, f"{where}.roles") if "roles" in raw else ()
    if bad := [r for r in roles if r not in {r.value for r in Role}]:
        raise _fail(path, f"{where}.roles", f"unknown role {bad[0]!r} (operator, customer, unknown)")
    severity = raw.get("min_severity", "low")
    if severity not in {s.value for s in Severity}:
        raise _fail(path, f"{where}.min_severity", "must be low, medium or high")
    details = _keys(raw.get("details", {}), set(map(str, raw.get("details", {}))), path, f"{where}.details")
    kinds, known = _names(raw["kinds"], path, f"{where}.kinds"), flag_kinds()
    if bad := [k for k in kinds if k not in known]:
        raise _fail(path, f"{where}.kinds", f"unknown flag kind {bad[0]!r} (known: {', '.join(known)})")
    return FlagRule(kinds, tuple(Role(r) for r in roles), Severity(severity),
                    tuple((str(k), _names(v, path, f"{where}.details.{k}")) for k, v in details.items()))


def _metric_rule(raw: Any, path: object, where: str) -> MetricRule:
    raw = _keys(raw, _METRIC_KEYS, path, where)
    if not isinstance(raw.get("name"), str):
        raise _fail(path, where, "missing key 'name' (a call_metrics name)")
    role = raw.get("role", "call")
    if role not in ("call", "operator", "customer"):
        raise _fail(path, f"{where}.role", "must be call, operator or customer")
    bounds = {k: _number(raw[k], path, f"{where}.{k}", float("-inf")) for k in ("min", "max") if k in raw}
    if not bounds:
        raise _fail(path, where, "needs min and/or max")
    return MetricRule(raw["name"], role, bounds.get("min"), bounds.get("max"))


def _criterion(raw: Any, path: object, where: str) -> Criterion:
    raw = _keys(raw, _CRITERION_KEYS, path, where)
    if not isinstance(raw.get("id"), str):
        raise _fail(path, where, "missing key 'id'")
    where = f"{where} ({raw['id']})"
    if ("flags" in raw) == ("metric" in raw):
        raise _fail(path, where, "needs exactly one of 'flags' or 'metric'")
    auto_fail = raw.get("auto_fail", False) is True
    weight = _number(raw.get("weight", 0), path, f"{where}.weight")
    if auto_fail and weight:
        raise _fail(path, where, "an auto_fail criterion has no weight")
    if not auto_fail and not weight:
        raise _fail(path, where, "needs a weight > 0 (or auto_fail: true)")
    optional = {k: _number(raw[k], path, f"{where}.{k}") for k in ("per_flag", "per_unit") if k in raw}
    return Criterion(
        id=raw["id"], label=str(raw.get("label", raw["id"])), weight=weight,
        flags=_flag_rule(raw["flags"], path, f"{where}.flags") if "flags" in raw else None,
        metric=_metric_rule(raw["metric"], path, f"{where}.metric") if "metric" in raw else None,
        auto_fail=auto_fail, **optional,
    )


def _scorecard(name: str, raw: Any, books: dict, path: object, version: str, seen: tuple = ()) -> Scorecard:
    where = f"scorecards.{name}"
    raw = _keys(raw, {"label", "extends", "criteria", "remove"}, path, where)
    criteria: dict[str, Criterion] = {}
    if parent := raw.get("extends"):
        if parent not in books or parent in seen:
            raise _fail(path, f"{where}.extends", f"no scorecard {parent!r} to extend (or a cycle)")
        criteria = {c.id: c for c in _scorecard(parent, books[parent], books, path, version, seen + (name,)).criteria}
    if not isinstance(raw.get("criteria", []), list) or not (raw.get("criteria") or criteria):
        raise _fail(path, where, "missing key 'criteria' (a non-empty list)")
    for index, item in enumerate(raw.get("criteria") or []):
        criterion = _criterion(item, path, f"{where}.criteria[{index}]")
        criteria[criterion.id] = criterion
    for removed in raw.get("remove") or []:
        criteria.pop(removed, None)
    total = sum(c.weight for c in criteria.values())
    if abs(total - 100.0) > 1e-6:
        raise _fail(path, where, f"weights sum to {total:g}, not 100")
    return Scorecard(name, str(raw.get("label", name)), tuple(criteria.values()), version)


def _language_rules(raw: Any, path: object) -> tuple[LanguageRule, ...]:
    """``{model: [languages]}`` or ``{model: {language: evidence}}`` read into rules."""
    where = "scorable.unreliable_languages"
    if not isinstance(raw, dict):
        raise _fail(path, where, "must map an ASR model (or '*') to languages")
    rules = []
    for model, languages in raw.items():
        key = "*" if model == "*" else model_key(str(model))
        if isinstance(languages, dict):
            for language, evidence in languages.items():
                if not isinstance(evidence, str):
                    raise _fail(path, f"{where}.{model}.{language}", "must be a string (what was measured)")
                rules.append(LanguageRule(key, str(language).casefold(), evidence.strip()))
        else:
            rules += [LanguageRule(key, language.casefold()) for language in _names(languages, path, f"{where}.{model}")]
    return tuple(rules)


def _scorability(raw: Any, path: object) -> Scorability:
    raw = _keys(raw or {}, _SCORABLE_KEYS, path, "scorable")
    default = Scorability()
    if "unreliable_languages" in raw:
        languages = _language_rules(raw["unreliable_languages"] or {}, path)
    else:  # a book that does not say: the shipped, measured defaults
        languages = shipped_language_rules()
    return Scorability(
        min_words=int(_number(raw.get("min_words", default.min_words), path, "scorable.min_words")),
        min_mean_word_probability=_number(raw.get("min_mean_word_probability", default.min_mean_word_probability),
                                          path, "scorable.min_mean_word_probability"),
        min_language_probability=_number(raw.get("min_language_probability", default.min_language_probability),
                                         path, "scorable.min_language_probability"),
        unreliable_languages=languages,
    )


@lru_cache(maxsize=1)
def shipped_language_rules() -> tuple[LanguageRule, ...]:
    """The measured defaults: ``scorable.unreliable_languages`` of the shipped scorecard file."""
    raw = yaml.safe_load(DEFAULT_SCORECARDS.read_text(encoding="utf-8"))["scorable"]["unreliable_languages"]
    return _language_rules(raw, DEFAULT_SCORECARDS)


def load_scorecards(path: str | Path | None = None) -> ScorecardBook:
    """Read a scorecard file (None: the shipped ``scorecards/default.yaml``); ConfigError if invalid."""
    path = Path(path) if path is not None else DEFAULT_SCORECARDS
    text, data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("scorecards"), dict):
        raise _fail(path, "", "missing key 'scorecards' (a mapping of campaign -> scorecard)")
    if "default" not in data["scorecards"]:
        raise _fail(path, "scorecards", "needs a 'default' scorecard")
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    books = data["scorecards"]
    scorecards = {str(name): _scorecard(str(name), raw, books, path, version) for name, raw in books.items()}
    return ScorecardBook(scorecards, _scorability(data.get("scorable"), path), str(path))
