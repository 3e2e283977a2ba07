"""Paths the tests read: the repository, its sample calls and the shared evaluation data."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE_AUDIO = REPO / "sample_audio"
SHARED_DATA = REPO.parent / "shared" / "data"


def benchmark(name: str):
    """The module ``benchmarks/<name>.py``, imported (benchmarks are scripts, not a package)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module
