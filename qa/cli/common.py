"""Options and helpers that several commands share."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from qa.errors import QAError
from qa.store import DEFAULT_DB


def add_db(parser: argparse.ArgumentParser, required: bool = False, help: str | None = None) -> None:
    if required:
        parser.add_argument("--db", required=True, help=help or "DuckDB file")
    else:
        parser.add_argument("--db", default=DEFAULT_DB, help=help or f"DuckDB file (default {DEFAULT_DB})")


def add_config(parser: argparse.ArgumentParser, help: str = "TOML config file") -> None:
    parser.add_argument("--config", help=help)


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def existing_store(db: str, config):
    """The store of a database that must exist already."""
    from qa.store import Store

    if not Path(db).is_file():
        raise QAError(f"{db}: no such database (run `callqa run ... --db {db}` first)")
    return Store(db, timezone=config.scoring.timezone)


def scorecards(path: str | None, config):
    """The scorecard book named on the command line, else the configured one."""
    from qa.scoring.scorecard import load_scorecards

    return load_scorecards(path or config.scoring.scorecards or None)


def day(text: str) -> date:
    """An argparse type: a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def existing_file(path: str) -> Path:
    """``path``, or a one-line error when there is no such file."""
    if not Path(path).is_file():
        raise QAError(f"{path}: no such file")
    return Path(path)
