"""The ``callqa`` command line: thin over the library. Results on stdout, logs on stderr."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from qa import formats
from qa.config import load_config
from qa.errors import QAError
from qa.store import DEFAULT_DB

log = logging.getLogger("qa")


def _offline_defaults() -> None:
    """Nothing phones home: telemetry off for every library that has it."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def _cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.ingest import discover
    from qa.pipeline import Engine, run_batch
    from qa.store import Store

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise QAError(f"{missing[0]}: no such file or folder")
    config = load_config(args.config)
    store = Store(args.db)
    engine = Engine(config)
    total = len(discover(args.paths))
    with tqdm(total=total, unit="call", file=sys.stderr, disable=args.quiet) as progress:
        def on_file(path: Path, outcome: str) -> None:
            progress.set_postfix_str(f"{path.name}: {outcome}", refresh=False)
            progress.update()

        summary = run_batch(args.paths, store, engine, on_file=on_file)
    for path, reason in summary.failures:
        print(f"failed: {path}: {reason}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    print(json.dumps({"run_id": summary.run_id, "db": str(args.db), "seen": summary.seen,
                      "processed": summary.processed, "no_speech": summary.no_speech,
                      "skipped": summary.skipped, "failed": summary.failed}))
    return 0


def _cmd_transcribe(args: argparse.Namespace) -> int:
    from qa.pipeline import Engine, process_file

    if not Path(args.file).is_file():
        raise QAError(f"{args.file}: no such file")
    processed = process_file(args.file, Engine(load_config(args.config)))
    render = {"json": formats.to_json, "rttm": formats.to_rttm, "vtt": formats.to_vtt}[args.format]
    sys.stdout.write(render(processed.transcript, Path(args.file).stem))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from qa.pipeline import Engine

    print(json.dumps(Engine(load_config(args.config)).models(load=True), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callqa", description="Offline quality assurance for call-centre recordings."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="process recordings (files or folders) into the database")
    run.add_argument("paths", nargs="+", metavar="PATH", help="audio files or folders (searched recursively)")
    run.add_argument("--db", default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    run.add_argument("--config", help="TOML config file (default: built-in defaults)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_cmd_run)

    transcribe = commands.add_parser("transcribe", help="print one call's diarized transcript")
    transcribe.add_argument("file", metavar="FILE")
    transcribe.add_argument("--format", choices=("json", "rttm", "vtt"), default="json")
    transcribe.add_argument("--config", help="TOML config file")
    transcribe.set_defaults(handler=_cmd_transcribe)

    models = commands.add_parser("models", help="print the resolved models, devices and threads as JSON")
    models.add_argument("--config", help="TOML config file")
    models.set_defaults(handler=_cmd_models)
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
    except QAError as error:
        print(f"callqa {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"callqa {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
