"""The detector registry: each detector declares itself once, and everything else reads it.

A ``DetectorSpec`` says a detector's name, the flag kinds it raises, its settings (a frozen
dataclass whose fields are its config keys with their defaults), its version, how to build it,
and how often generated calls get each of its flags. Config validation, the flag-kind table,
the compliance suite's dispatch, the scorecard's known kinds and ``callqa synth`` all read it.

Adding a detector: write a module with a class that has ``detect(context) -> list[Flag]``
(``qa.compliance.base.Detector``; ``text_findings(text, language, role)`` as well, if it
works on plain text for ``callqa detect``), and call ``register(DetectorSpec(...))`` at its
end. Name it and its module in ``BUILTIN_MODULES`` to ship it; list its name in ``[compliance]
detectors`` to run it; its settings go under ``[compliance.<name>]``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

from qa.compliance.base import Detector

# The shipped detectors and their modules, imported on first use of the registry (each
# registers its detector at import). Their order is the order of ``detector_specs()``.
BUILTIN_MODULES = {"script": "qa.compliance.script", "profanity": "qa.compliance.profanity",
                   "loudness": "qa.compliance.loudness", "pii": "qa.compliance.personal"}


@dataclass(frozen=True)
class NoSettings:
    """A detector without settings of its own."""


@dataclass(frozen=True)
class SyntheticRate:
    """How often ``callqa synth`` gives a generated call one flag kind, on one role: a base rate
    per 5-minute call, how much operator skill lowers it, and the low/medium/high odds."""

    kind: str
    role: str
    rate: float
    skill: float
    severity_p: tuple[float, float, float]
    at_most_one: bool = False


@dataclass(frozen=True)
class DetectorSpec:
    """What a detector declares, once.

    ``build(settings)`` makes the detector (heavy imports inside it). ``flat_keys`` maps keys
    that are also accepted flat in ``[compliance]`` (the documented ``profanity_allow``, …) to
    fields of ``settings``. ``reads_text``: its verdicts rest on the recognised words (False:
    on the audio only), so it does not run on a call whose language is not judged.
    """

    name: str
    version: str
    kinds: tuple[str, ...]
    build: Callable[[Any], Detector]
    settings: type = NoSettings
    flat_keys: tuple[tuple[str, str], ...] = ()
    synthetic: tuple[SyntheticRate, ...] = ()
    reads_text: bool = True


_REGISTRY: dict[str, DetectorSpec] = {}
_loaded = False
_kinds: dict[str, str] | None = None  # flag_kinds(), kept until the registry changes (the scorer asks per call)


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True  # first: the modules call register() while they are imported
        for module in BUILTIN_MODULES.values():
            importlib.import_module(module)


def register(spec: DetectorSpec) -> DetectorSpec:
    """Add (or replace) a detector; a flag kind belongs to one detector only."""
    _load_builtins()
    taken = {kind: other.name for other in _REGISTRY.values() if other.name != spec.name for kind in other.kinds}
    clash = [kind for kind in spec.kinds if kind in taken]
    if clash:
        raise ValueError(f"detector {spec.name!r}: flag kind {clash[0]!r} belongs to {taken[clash[0]]!r}")
    _REGISTRY[spec.name] = spec
    _forget_kinds()
    return spec


def unregister(name: str) -> None:
    """Remove a detector (tests that register their own)."""
    _REGISTRY.pop(name, None)
    _forget_kinds()


def _forget_kinds() -> None:
    global _kinds
    _kinds = None


def detector_specs() -> dict[str, DetectorSpec]:
    """Every registered detector by name: the shipped ones first, in ``BUILTIN_MODULES`` order."""
    _load_builtins()
    shipped = [name for name in BUILTIN_MODULES if name in _REGISTRY]
    return {name: _REGISTRY[name] for name in [*shipped, *(n for n in _REGISTRY if n not in BUILTIN_MODULES)]}


def detector_spec(name: str) -> DetectorSpec:
    """One detector's spec; KeyError names the known ones."""
    specs = detector_specs()
    if name not in specs:
        raise KeyError(f"no detector {name!r} (known: {', '.join(specs)})")
    return specs[name]


def flag_kinds() -> dict[str, str]:
    """Every flag kind and the detector that raises it (shared: do not change it)."""
    global _kinds
    if _kinds is None:
        _kinds = {kind: spec.name for spec in detector_specs().values() for kind in spec.kinds}
    return _kinds


def synthetic_rates() -> tuple[SyntheticRate, ...]:
    """The flag rates of generated calls, detector by detector."""
    return tuple(rate for spec in detector_specs().values() for rate in spec.synthetic)
