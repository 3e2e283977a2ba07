"""Which stored audio the dashboard may play: only files inside the configured folders."""

from __future__ import annotations

from pathlib import Path

from qa.config import Config


def audio_dirs(config: Config, db_path: str | Path) -> tuple[Path, ...]:
    """The folders audio may be served from: ``[dashboard] audio_dirs``, else the redacted copies'."""
    if config.dashboard.audio_dirs:
        return tuple(Path(d).resolve() for d in config.dashboard.audio_dirs)
    folder = config.compliance.redacted_audio_dir or Path(db_path).resolve().parent / "redacted_audio"
    return (Path(folder).resolve(),)


def servable_audio(path: str | None, allowed: tuple[Path, ...], db_path: str | Path | None = None) -> Path | None:
    """``path`` resolved (links followed) when it is a file inside one of ``allowed``, else None.

    A relative ``path`` (as stored for copies beside the database) is taken from the folder of
    ``db_path``.
    """
    if not path:
        return None
    candidate = Path(path)
    if not candidate.is_absolute() and db_path is not None:
        candidate = Path(db_path).resolve().parent / candidate
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_file():
        return None
    return resolved if any(resolved.is_relative_to(folder) for folder in allowed) else None
