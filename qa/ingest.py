"""Find recordings, identify them by content, and collect their metadata.

Each metadata field comes from the first of these that gives it:

1. ``manifest.csv`` in the same folder as the recording, one row per file, columns
   ``file`` (file name) and any of ``operator_id, direction, campaign, language,
   started_at, operator_speaker, team``;
2. the file name, when it follows ``<YYYYMMDDTHHMMSS>_<operator>_<inbound|outbound>_<campaign>_<language>``
   (e.g. ``20261130T091500_op01_inbound_billing_en.wav``; the time is taken as UTC);
3. nothing (the field stays empty).

``operator_speaker`` overrides the role rule for one call: ``0``/``1`` name the operator's
channel on stereo recordings, ``first``/``second`` the operator's turn order on mono ones and
on stereo ones read as one conversation (identical channels, one silent: qa/transcribe/layout.py,
where ``0``/``1`` are read as first/second with a warning).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import asdict, fields, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from qa.errors import AudioError
from qa.types import Call, CallMetadata

AUDIO_SUFFIXES = frozenset(
    {".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".wma", ".amr", ".webm", ".mka", ".gsm"}
)
MANIFEST_NAME = "manifest.csv"
_METADATA_FIELDS = tuple(f.name for f in fields(CallMetadata))
_FILE_NAME = re.compile(
    r"^(?P<stamp>\d{8}T\d{6})_(?P<operator_id>[A-Za-z0-9-]+)_(?P<direction>inbound|outbound)"
    r"_(?P<campaign>[A-Za-z0-9-]+)_(?P<language>[a-z]{2,3})$"
)


def discover(paths: list[str | Path]) -> list[Path]:
    """Audio files named by ``paths`` (files, or folders searched recursively), sorted, unique."""
    found: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            # a broken link is kept, so that the batch reports it instead of passing over it
            found.update(p for p in path.rglob("*") if (p.is_file() or p.is_symlink())
                         and p.suffix.lower() in AUDIO_SUFFIXES)
        else:
            found.add(path)
    return sorted(p.resolve() if p.exists() else p for p in found)


def content_hash(path: Path, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of the file's bytes: the call id, stable across renames and moves."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _read_manifest(manifest: Path, modified: float) -> dict[str, CallMetadata]:
    rows: dict[str, CallMetadata] = {}
    with manifest.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("file") or "").strip()
            if name:
                values = {k: (row.get(k) or "").strip() or None for k in _METADATA_FIELDS}
                rows[Path(name).name] = CallMetadata(**values)
    return rows


def metadata_from_file_name(path: Path) -> CallMetadata:
    """Metadata encoded in the file name by the documented convention, else empty."""
    match = _FILE_NAME.match(path.stem)
    if not match:
        return CallMetadata()
    stamp = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
    return CallMetadata(
        operator_id=match["operator_id"],
        direction=match["direction"],
        campaign=match["campaign"],
        language=match["language"],
        started_at=stamp.isoformat(),
    )


def call_metadata(path: Path) -> CallMetadata:
    """Manifest row for ``path`` over the file-name convention, field by field."""
    from_name = metadata_from_file_name(path)
    manifest = path.parent / MANIFEST_NAME
    if not manifest.is_file():
        return from_name
    row = _read_manifest(manifest, manifest.stat().st_mtime).get(path.name)
    if row is None:
        return from_name
    given = {name: value for name, value in asdict(row).items() if value is not None}
    return replace(from_name, **given)


def identify(path: Path) -> Call:
    """The Call for one file: content hash and metadata (reads the whole file once)."""
    if not path.is_file():
        raise AudioError(path, "file not found (deleted, or a broken link)" if path.is_symlink() else "file not found")
    return Call(call_id=content_hash(path), path=str(path), metadata=call_metadata(path))
