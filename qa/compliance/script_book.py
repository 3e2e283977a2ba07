"""Script books: the YAML file of scripts per campaign and language, read into frozen types
(format documented at the top of ``scripts/default.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path


from qa.config import read_yaml
from qa.errors import ConfigError
from qa.types import Role, Severity

DEFAULT_SCRIPTS = Path(__file__).with_name("scripts") / "default.yaml"
_STEP_KEYS = {"id", "role", "phrases", "within_s", "from_end_s", "phase", "required", "severity"}


@dataclass(frozen=True)
class Step:
    """One thing the script requires to be said."""

    id: str
    phrases: tuple[str, ...]
    role: Role = Role.OPERATOR
    within_s: float | None = None
    from_end_s: float | None = None
    phase: str = "body"  # opening | body | closing
    required: bool = True
    severity: Severity = Severity.MEDIUM


@dataclass(frozen=True)
class Script:
    """The ordered steps and forbidden phrases of one campaign in one language."""

    campaign: str
    language: str
    steps: tuple[Step, ...]
    forbidden: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class ScriptBook:
    """All scripts of a file, keyed by (campaign, language)."""

    scripts: Mapping[tuple[str, str], Script] = field(default_factory=dict)
    company: str | None = None
    source: str = ""

    def select(self, campaign: str | None, language: str | None) -> Script | None:
        """The script for a call, with the documented fallbacks; None if there is none."""
        lang = language.replace("_", "-").split("-")[0].lower() if language else "default"
        for key in ((campaign, lang), (campaign, "default"), ("default", lang), ("default", "en")):
            if key in self.scripts:
                return self.scripts[key]
        return None

    def with_company(self, company: str | None) -> "ScriptBook":
        """The same scripts with ``{company}`` bound to ``company`` (None: any name)."""
        return replace(self, company=company)


def _fail(path: object, where: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


def _strings(value: object, path: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, where, "must be a non-empty list of strings")
    return tuple(value)


def _step(raw: object, path: object, where: str) -> Step:
    if not isinstance(raw, dict):
        raise _fail(path, where, "a step must be a mapping")
    if unknown := set(raw) - _STEP_KEYS:
        raise _fail(path, where, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    for key in ("id", "phrases"):
        if key not in raw:
            raise _fail(path, where, f"missing key '{key}'")
    where = f"{where} ({raw['id']})"
    times = {}
    for key in ("within_s", "from_end_s"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
            raise _fail(path, where, f"{key} must be a positive number of seconds")
        times[key] = None if value is None else float(value)
    default_phase = "opening" if times["within_s"] else "closing" if times["from_end_s"] else "body"
    checks = {"role": ("operator", "customer"), "phase": ("opening", "body", "closing"),
              "severity": ("low", "medium", "high"), "required": (True, False)}
    values = {"role": "operator", "phase": default_phase, "severity": "medium", "required": True} | {
        k: raw[k] for k in checks if k in raw}
    for key, allowed in checks.items():
        if values[key] not in allowed:
            raise _fail(path, where, f"{key} must be one of {', '.join(map(str, allowed))}")
    return Step(id=str(raw["id"]), phrases=_strings(raw["phrases"], path, f"{where}.phrases"),
                role=Role(values["role"]), phase=values["phase"], required=values["required"],
                severity=Severity(values["severity"]), **times)


def load_scripts(path: str | Path | None = None, company: str | None = None) -> ScriptBook:
    """Read a script file (None: the shipped ``scripts/default.yaml``); ConfigError if invalid.

    ``company`` overrides the file's ``company`` (the name ``{company}`` stands for).
    """
    path = Path(path) if path is not None else DEFAULT_SCRIPTS
    _, data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("scripts"), dict) or not data["scripts"]:
        raise _fail(path, "", "missing key 'scripts' (a mapping of campaign -> language -> script)")
    if data.get("company") is not None and not isinstance(data["company"], str):
        raise _fail(path, "company", "must be a string or null")
    company = company or data.get("company")
    scripts = {}
    for campaign, languages in data["scripts"].items():
        if not isinstance(languages, dict) or not languages:
            raise _fail(path, f"scripts.{campaign}", "must map languages to scripts")
        for language, raw in languages.items():
            where = f"scripts.{campaign}.{language}"
            if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list) or not raw["steps"]:
                raise _fail(path, where, "missing key 'steps' (a non-empty list)")
            steps = tuple(_step(s, path, f"{where}.steps[{i}]") for i, s in enumerate(raw["steps"]))
            if len({s.id for s in steps}) != len(steps):
                raise _fail(path, where, "step ids must be unique")
            forbidden = _strings(raw["forbidden"], path, f"{where}.forbidden") if raw.get("forbidden") else ()
            scripts[(str(campaign), str(language))] = Script(str(campaign), str(language), steps, forbidden)
    return ScriptBook(scripts, company, str(path))
