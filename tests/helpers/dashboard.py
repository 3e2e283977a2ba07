"""The dashboard tests' database copy and the sample call with a profanity flag to review."""

from __future__ import annotations

import shutil
from pathlib import Path

from qa.store import Store

PROFANITY_CALL = "20261130T103000_op02_inbound_support_en.wav"


def copy_database(store: Store, folder: Path) -> tuple[Path, Path]:
    """The batch's database and its redacted audio copied into ``folder``, plus a config file."""
    db = folder / "dashboard.duckdb"
    shutil.copy(store.path, db)
    audio = store.path.parent / "redacted_audio"
    if audio.is_dir():
        shutil.copytree(audio, folder / "redacted_audio")
    config = folder / "callqa.toml"
    config.write_text('[scoring]\ntimezone = "UTC"\n', encoding="utf-8")  # audio paths are relative to the db
    return db, config


def profanity_flag(store: Store) -> dict:
    call = next(c for c in store.calls() if c.file_name == PROFANITY_CALL)
    flag = next(f for f in store.call_flags(call.call_id) if f["kind"] == "profanity")
    return flag | {"call_id": call.call_id}
