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


def servable_audio(path: str | None, allowed: tuple[Path, ...]) -> Path | None:
    """``path`` resolved (links followed) when it is a file inside one of ``allowed``, else None."""
    if not path:
        return None
    try:
        resolved = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_file():
        return None
    return resolved if any(resolved.is_relative_to(folder) for folder in allowed) else None
