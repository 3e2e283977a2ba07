"""The ``callqa`` command line: thin over the library. Results on stdout, logs on stderr.

Each module adds its commands (``add_commands``): recordings.py works on audio files,
database.py on a stored database, dashboard.py serves the dashboard.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from qa.cli import dashboard, database, recordings
from qa.errors import DiskFull, QAError

COMMAND_MODULES = (recordings, database, dashboard)


def _offline_defaults() -> None:
    """Nothing phones home: telemetry off for every library that has it."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callqa", description="Offline quality assurance for call-centre recordings."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``callqa`` console script."""
    _offline_defaults()
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return args.handler(args)
    except DiskFull as error:
        print(f"callqa {args.command}: {error}", file=sys.stderr)
        return 3
    except QAError as error:
        print(f"callqa {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"callqa {args.command}: interrupted", file=sys.stderr)
        return 130
