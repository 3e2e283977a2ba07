"""Category books: the YAML file of call categories, read into frozen types (format documented
at the top of ``categories/default.yaml``). Its version is a hash of its content."""

from __future__ import annotations

import hashlib
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

from qa.config import read_yaml
from qa.errors import ConfigError
from qa.types import Role

DEFAULT_CATEGORIES = Path(__file__).with_name("categories") / "default.yaml"
GROUPS = ("reason", "resolution", "outbound")
SEMANTIC = 0.7
_KEYS = {"group", "label", "role", "enabled", "campaigns", "direction", "first_s", "last_s", "semantic",
         "phrases", "unless", "not_after", "unreviewed", "flags", "metrics", "outcome", "refusal_reason"}
INBOUND_OUTCOMES = ("escalated", "callback", "resolved")  # in precedence order, within one utterance
OUTBOUND_OUTCOMES = ("refused", "agreed")
_CONDITION = re.compile(r"^\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)\s*$")
_OPERATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}


@dataclass(frozen=True)
class MetricCondition:
    """``name`` (``name.role`` in the book) compared with ``value``."""

    name: str
    role: str | None
    op: str
    value: float

    def holds(self, metrics: dict[tuple[str, str], float]) -> bool:
        """Whether the call's metrics ((name, "call" | role) -> value) meet the condition."""
        measured = metrics.get((self.name, self.role or "call"))
        return measured is not None and _OPERATORS[self.op](measured, self.value)


@dataclass(frozen=True)
class Category:
    """One category: what must be said (per language), by whom, where, and with what flags."""

    id: str
    group: str
    label: str
    phrases: dict[str, tuple[str, ...]]
    role: Role | None = None  # None: anyone
    unless: dict[str, tuple[str, ...]] = field(default_factory=dict)  # what looks like it but is not
    not_after: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the other party's line that voids it
    enabled: bool = True
    campaigns: tuple[str, ...] = ()
    direction: str | None = None
    first_s: float | None = None
    last_s: float | None = None
    semantic: float = SEMANTIC
    unreviewed: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    metrics: tuple[MetricCondition, ...] = ()
    outcome: str | None = None  # the call outcome this category decides
    refusal_reason: str | None = None  # with outcome "refused"

    def __hash__(self) -> int:
        return hash(self.id)

    def phrasings(self, language: str | None, kind: str = "phrases") -> tuple[str, ...]:
        """The phrasings of a call's language (none for a language the book lacks); ``kind``
        ``unless``: what only looks like the category; ``not_after``: the lines it does not answer."""
        return getattr(self, kind).get(_base(language), ())

    def applies(self, campaign: str | None, direction: str | None) -> bool:
        """Whether a call of this campaign and direction is looked at for this category."""
        return (self.enabled and (not self.campaigns or campaign in self.campaigns)
                and (self.direction is None or self.direction == direction))


@dataclass(frozen=True)
class CategoryBook:
    """The categories of a file, in file order, and the file's content hash."""

    categories: tuple[Category, ...]
    version: str
    source: str = ""

    def get(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)


def _base(language: str | None) -> str:
    return (language or "en").replace("_", "-").split("-")[0].lower()


def _fail(path: object, where: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: {where + ': ' if where else ''}{problem}")


def _condition(name: str, text: object, path: object, where: str) -> MetricCondition:
    found = _CONDITION.match(str(text))
    if not found:
        raise _fail(path, where, f"metric {name}: expected a comparison like '>= 5', got {text!r}")
    metric, _, role = name.partition(".")
    return MetricCondition(metric, role or None, found.group(1), float(found.group(2)))


def _category(key: str, raw: object, path: object) -> Category:
    where = f"categories.{key}"
    if not isinstance(raw, dict):
        raise _fail(path, where, "must be a mapping")
    if unknown := set(raw) - _KEYS:
        raise _fail(path, where, f"unknown key(s): {', '.join(sorted(unknown))}")
    if raw.get("group") not in GROUPS:
        raise _fail(path, where, f"group must be one of {', '.join(GROUPS)}")
    phrases, unless, not_after = raw.get("phrases") or {}, raw.get("unless") or {}, raw.get("not_after") or {}
    for name, value in (("phrases", phrases), ("unless", unless), ("not_after", not_after)):
        if not isinstance(value, dict) or not all(isinstance(v, list) and all(isinstance(s, str) for s in v)
                                                  for v in value.values()):
            raise _fail(path, f"{where}.{name}", "must map languages to lists of strings")
    metrics = raw.get("metrics") or {}
    if not isinstance(metrics, dict):
        raise _fail(path, f"{where}.metrics", "must map metric names to comparisons")
    if not phrases and not raw.get("flags") and not metrics:
        raise _fail(path, where, "needs phrases, flags or metrics")
    role = raw.get("role", "any")
    if role not in ("operator", "customer", "any"):
        raise _fail(path, where, "role must be operator, customer or any")
    if raw.get("direction") not in (None, "inbound", "outbound"):
        raise _fail(path, where, "direction must be inbound or outbound")
    if raw.get("outcome") not in (None, *INBOUND_OUTCOMES, *OUTBOUND_OUTCOMES):
        raise _fail(path, where, f"outcome must be one of {', '.join(INBOUND_OUTCOMES + OUTBOUND_OUTCOMES)}")
    if raw.get("refusal_reason") is not None and raw.get("outcome") != "refused":
        raise _fail(path, where, "refusal_reason needs outcome: refused")
    return Category(
        id=key, group=raw["group"], label=str(raw.get("label") or key.replace("_", " ").capitalize()),
        phrases={str(lang): tuple(v) for lang, v in phrases.items()},
        unless={str(lang): tuple(v) for lang, v in unless.items()},
        not_after={str(lang): tuple(v) for lang, v in not_after.items()},
        role=None if role == "any" else Role(role), enabled=bool(raw.get("enabled", True)),
        campaigns=tuple(map(str, raw.get("campaigns") or ())), direction=raw.get("direction"),
        first_s=raw.get("first_s"), last_s=raw.get("last_s"), semantic=float(raw.get("semantic", SEMANTIC)),
        unreviewed=tuple(map(str, raw.get("unreviewed") or ())), flags=tuple(map(str, raw.get("flags") or ())),
        metrics=tuple(_condition(str(n), v, path, f"{where}.metrics") for n, v in metrics.items()),
        outcome=raw.get("outcome"), refusal_reason=raw.get("refusal_reason"))


def load_categories(path: str | Path | None = None) -> CategoryBook:
    """Read a category book (None: the shipped ``categories/default.yaml``); ConfigError if invalid."""
    path = Path(path) if path is not None else DEFAULT_CATEGORIES
    text, data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict) or not data["categories"]:
        raise _fail(path, "", "missing key 'categories' (a mapping of id -> category)")
    categories = tuple(_category(str(key), raw, path) for key, raw in data["categories"].items())
    return CategoryBook(categories, hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], str(path))
