"""The ``callqa`` command line: thin over the library. Results on stdout, logs on stderr."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path

from qa import formats
from qa.config import load_config
from qa.errors import QAError
from qa.errors import DiskFull
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
    from qa.batch import run_batch
    from qa.engine import Engine
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
    for path, reason in summary.given_up:
        print(f"given up: {path}: {reason}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    print(json.dumps({"run_id": summary.run_id, "db": str(args.db), "seen": summary.seen,
                      "processed": summary.processed, "no_speech": summary.no_speech,
                      "skipped": summary.skipped, "failed": summary.failed,
                      "given_up": [path for path, _ in summary.given_up]}))
    return 0


def _cmd_transcribe(args: argparse.Namespace) -> int:
    from qa.engine import Engine
    from qa.pipeline import transcribe_file

    if not Path(args.file).is_file():
        raise QAError(f"{args.file}: no such file")
    from dataclasses import replace

    config = load_config(args.config)
    if args.clear:  # card data stays masked all the same (PCI DSS)
        config = replace(config, compliance=replace(config.compliance, redact=False))
    engine = Engine(config)
    processed = transcribe_file(args.file, engine)
    _, transcript = engine.compliance.redact(processed.call, processed.transcript)
    render = {"json": formats.to_json, "rttm": formats.to_rttm, "vtt": formats.to_vtt}[args.format]
    sys.stdout.write(render(transcript, Path(args.file).stem))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from qa.engine import Engine

    print(json.dumps(Engine(load_config(args.config)).models(load=True), indent=2))
    return 0


def _cmd_detect(args: argparse.Namespace) -> int:
    from qa.compliance.suite import Compliance
    from qa.compliance.text import detect_record

    source = Path(args.input)
    if not source.is_file():
        raise QAError(f"{source}: no such file")
    compliance = Compliance(load_config(args.config).compliance)
    compliance.load()
    bad = 0
    with source.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = None
            try:
                record = json.loads(line)
                result = detect_record(record, compliance)
            except (json.JSONDecodeError, QAError) as error:
                bad += 1
                reason = str(error).splitlines()[0]
                print(f"{source}:{number}: {reason}", file=sys.stderr)
                result = {"id": record.get("id") if isinstance(record, dict) else None, "error": reason}
            print(json.dumps(result, ensure_ascii=False), flush=True)
    return 1 if bad else 0


def _cmd_redact_audio(args: argparse.Namespace) -> int:
    from qa.audio import load_audio
    from qa.compliance.redact_audio import redaction_spans, write_redacted
    from qa.ingest import identify
    from qa.engine import Engine
    from qa.pipeline import transcribe_audio

    source, out = Path(args.file), Path(args.out)
    if not source.is_file():
        raise QAError(f"{source}: no such file")
    if out.resolve() == source.resolve():
        raise QAError(f"{out}: refusing to overwrite the original recording")
    config = load_config(args.config)
    engine = Engine(config)
    audio = load_audio(source)
    call = identify(source)
    mentions, _ = engine.compliance.redact(call, transcribe_audio(call, audio, engine).transcript)
    write_redacted(audio, mentions, out, args.mode or config.compliance.audio_redaction)
    spans = redaction_spans(mentions, audio.duration)
    print(json.dumps({"file": str(source), "out": str(out), "mode": args.mode or config.compliance.audio_redaction,
                      "masked_seconds": round(sum(e - s for s, e in spans), 3),
                      "pii": [{"type": m.type, "role": m.role.value, "start": m.start, "end": m.end}
                              for m in mentions]}))
    return 0


def _existing_store(db: str, config):
    from qa.store import Store

    if not Path(db).is_file():
        raise QAError(f"{db}: no such database (run `callqa run ... --db {db}` first)")
    return Store(db, timezone=config.scoring.timezone)


def _scorecards(path: str | None, config):
    from qa.scoring.scorecard import load_scorecards

    return load_scorecards(path or config.scoring.scorecards or None)


def _cmd_rescore(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.scoring.rescore import rescore

    config = load_config(args.config)
    book = _scorecards(args.scorecard, config)
    store = _existing_store(args.db, config)
    calls = store.call_ids()
    with tqdm(total=len(calls), unit="call", file=sys.stderr, disable=args.quiet) as progress:
        summary = rescore(store, book, calls, on_call=lambda _: progress.update())
    print(json.dumps({"db": args.db, "scorecards": book.source, "calls": summary.calls,
                      "scorable": summary.scorable, "auto_failed": summary.auto_failed,
                      "mean_score": summary.mean_score}))
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cmd_report(args: argparse.Namespace) -> int:
    from qa.scoring.report import build_report, render

    config = load_config(args.config)
    store = _existing_store(args.db, config)
    synthetic = {"exclude": False, "only": True, "include": None}[args.synthetic]
    sys.stdout.write(render(build_report(store, args.since, args.operator, synthetic), args.format))
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    from qa.scoring.rescore import review_flag

    config = load_config(args.config)
    store = _existing_store(args.db, config)
    try:
        review_id, score = review_flag(store, _scorecards(None, config), args.flag_id, args.reviewer,
                                       args.decision, args.comment)
    except KeyError:
        raise QAError(f"{args.db}: no flag with id {args.flag_id}") from None
    except ValueError as error:
        raise QAError(str(error)) from None
    print(json.dumps({"review_id": review_id, "flag_id": args.flag_id, "call_id": score.call_id,
                      "decision": args.decision, "score": score.total, "scorable": score.scorable}))
    return 0


def _cmd_synth(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.store import Store
    from qa.synth import synthesize

    if args.calls < 0 or args.days < 1:
        raise QAError("--calls must be >= 0 and --days >= 1")
    config = load_config(args.config)
    store = Store(args.db, timezone=config.scoring.timezone)
    with tqdm(total=args.calls, unit="call", file=sys.stderr, disable=args.quiet) as progress:
        summary = synthesize(store, args.calls, seed=args.seed, operators=args.operators, days=args.days,
                             on_chunk=progress.update)
    print(json.dumps(summary))
    return 0


def _cmd_purge(args: argparse.Namespace) -> int:
    from qa.serving import audio_dirs, servable_audio

    if args.before is None and not args.call:
        raise QAError("say what to remove: --before DATE and/or --call ID")
    config = load_config(args.config)
    store = _existing_store(args.db, config)
    removed = store.purge(args.before, args.call)
    allowed, files = audio_dirs(config, store.path), []
    for stored in removed["audio_paths"]:
        path = servable_audio(stored, allowed, store.path)  # only copies inside the audio folders
        if path is not None:
            path.unlink(missing_ok=True)
            files.append(str(path))
    rows = {table: n for table, n in removed["rows"].items() if n}
    print(f"purged {len(removed['call_ids'])} calls, {sum(rows.values())} rows and {len(files)} audio copies",
          file=sys.stderr)
    print(json.dumps({"db": args.db, "before": args.before.isoformat() if args.before else None,
                      "calls": removed["call_ids"], "rows": rows, "audio_files": files}))
    return 0


def _cmd_dashboard(args: argparse.Namespace) -> int:
    import importlib.util

    load_config(args.config)  # a bad config fails here, with its one-line reason
    if importlib.util.find_spec("streamlit") is None:
        raise QAError("the dashboard needs Streamlit: pip install 'callqa[dashboard]'")
    if not Path(args.db).is_file():
        raise QAError(f"{args.db}: no such database (run `callqa run ... --db {args.db}` first)")
    app = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
    env = os.environ | {"CALLQA_DB": str(Path(args.db).resolve())}
    if args.config:
        env["CALLQA_CONFIG"] = str(Path(args.config).resolve())
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
               "--server.address", args.address, "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
               "--server.fileWatcherType", "none"]
    print(f"callqa dashboard: http://{args.address}:{args.port} (Ctrl+C stops it)", file=sys.stderr)
    sys.stderr.flush()
    os.execve(sys.executable, command, env)  # the server replaces this process: signals reach it directly


def _cmd_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from qa.auth import hash_password

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("password: ")
    if not password:
        raise QAError("empty password")
    print(hash_password(password))
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
    transcribe.add_argument("--clear", action="store_true",
                            help="do not mask personal data (card numbers and security codes stay masked)")
    transcribe.add_argument("--config", help="TOML config file")
    transcribe.set_defaults(handler=_cmd_transcribe)

    detect = commands.add_parser(
        "detect", help="text-level detectors on JSON lines: flags, personal-data spans, redacted text")
    detect.add_argument("--input", required=True, metavar="FILE.jsonl",
                        help='lines like {"id": "7", "text": "...", "role": "operator", "language": "en"}')
    detect.add_argument("--config", help="TOML config file")
    detect.set_defaults(handler=_cmd_detect)

    redact = commands.add_parser("redact-audio", help="copy a recording with personal data silenced or beeped")
    redact.add_argument("file", metavar="FILE")
    redact.add_argument("--out", required=True, metavar="FILE", help="where the redacted WAV goes")
    redact.add_argument("--mode", choices=("beep", "silence"), help="default: [compliance] audio_redaction")
    redact.add_argument("--config", help="TOML config file")
    redact.set_defaults(handler=_cmd_redact_audio)

    rescore = commands.add_parser("rescore", help="score stored calls again (e.g. after changing the scorecard)")
    rescore.add_argument("--db", default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    rescore.add_argument("--scorecard", metavar="FILE", help="YAML scorecard book (default: [scoring] scorecards)")
    rescore.add_argument("--config", help="TOML config file")
    rescore.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rescore.set_defaults(handler=_cmd_rescore)

    report = commands.add_parser("report", help="the supervisor's summary: leaderboard, weeks, rollups, flags")
    report.add_argument("--db", default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    report.add_argument("--since", type=_day, metavar="DATE", help="only calls on or after this day (YYYY-MM-DD)")
    report.add_argument("--operator", metavar="ID", help="only this operator")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table (default), csv (operator x ISO week rows) or json (every section)")
    report.add_argument("--synthetic", choices=("exclude", "include", "only"), default="exclude",
                        help="rows made by `callqa synth` (default: exclude)")
    report.add_argument("--config", help="TOML config file ([scoring] timezone)")
    report.set_defaults(handler=_cmd_report)

    review = commands.add_parser("review", help="confirm, dismiss or comment on a flag; the call is rescored")
    review.add_argument("flag_id", type=int, metavar="FLAG_ID")
    review.add_argument("decision", choices=("confirm", "dismiss", "comment"))
    review.add_argument("--reviewer", required=True, help="who reviews (stored with the review)")
    review.add_argument("--comment", help="free text kept with the review")
    review.add_argument("--db", default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    review.add_argument("--config", help="TOML config file")
    review.set_defaults(handler=_cmd_review)

    synth = commands.add_parser(
        "synth", help="fill a database of its own with generated calls (marked synthetic) for scale tests")
    synth.add_argument("--calls", type=int, required=True, metavar="N", help="how many calls to generate")
    synth.add_argument("--db", required=True, help="DuckDB file; refused if it holds any real call")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    synth.add_argument("--days", type=int, default=180, help="calls fall on this many days before today (default 180)")
    synth.add_argument("--operators", type=int, metavar="N", help="default: calls / 1000, at least 10")
    synth.add_argument("--config", help="TOML config file ([scoring] timezone)")
    synth.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    synth.set_defaults(handler=_cmd_synth)

    purge = commands.add_parser("purge", help="remove calls, their rows and audio copies (retention, erasure)")
    purge.add_argument("--before", type=_day, metavar="DATE", help="calls that started before this day")
    purge.add_argument("--call", action="append", metavar="ID", help="a call id (repeatable): an erasure request")
    purge.add_argument("--db", default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    purge.add_argument("--config", help="TOML config file (where audio copies are)")
    purge.set_defaults(handler=_cmd_purge)

    dashboard = commands.add_parser("dashboard", help="open the Streamlit dashboard (supervisors, QA review)")
    dashboard.add_argument("--db", default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    dashboard.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    dashboard.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dashboard.add_argument("--config", help="TOML config file ([dashboard] users, audio_dirs)")
    dashboard.set_defaults(handler=_cmd_dashboard)

    hashing = commands.add_parser("hash-password", help="print a password hash for a dashboard users file")
    hashing.set_defaults(handler=_cmd_hash_password)

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
    except DiskFull as error:
        print(f"callqa {args.command}: {error}", file=sys.stderr)
        return 3
    except QAError as error:
        print(f"callqa {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"callqa {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
