"""Commands over recordings: run, transcribe, detect, redact-audio, models."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qa import formats
from qa.cli.common import add_config, add_db, add_quiet, existing_file
from qa.config import load_config
from qa.errors import QAError


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.batch import run_batch
    from qa.engine import Engine
    from qa.ingest import discover
    from qa.store import Store

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise QAError(f"{missing[0]}: no such file or folder")
    config = load_config(args.config)
    store = Store(args.db)
    engine = Engine(config)
    engine.scorecards, engine.categories  # a bad book stops the run here, with its one-line reason
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
    for problem in summary.attempt_problems:
        print(f"attempts: {problem}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    print(json.dumps({"run_id": summary.run_id, "db": str(args.db), "seen": summary.seen,
                      "processed": summary.processed, "no_speech": summary.no_speech,
                      "skipped": summary.skipped, "failed": summary.failed,
                      "given_up": [path for path, _ in summary.given_up], "attempts": summary.attempts}))
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from qa.engine import Engine
    from qa.pipeline import transcribe_file

    existing_file(args.file)
    config = load_config(args.config)
    if args.clear:  # card data stays masked all the same (PCI DSS)
        config = replace(config, compliance=replace(config.compliance, redact=False))
    engine = Engine(config)
    transcribed = transcribe_file(args.file, engine)
    _, transcript = engine.compliance.redact(transcribed.call, transcribed.transcript)
    render = {"json": formats.to_json, "rttm": formats.to_rttm, "vtt": formats.to_vtt}[args.format]
    sys.stdout.write(render(transcript, Path(args.file).stem))
    return 0


def _models(args: argparse.Namespace) -> int:
    from qa.engine import Engine

    if args.fetch:
        from qa.transcribe.models import fetch_whisper_model

        folder = fetch_whisper_model(args.fetch)
        print(f"fetched and verified {args.fetch} in {folder}; put these lines in your config (--config), then "
              "measure it: python benchmarks/languages.py --config FILE --write", file=sys.stderr)
        print(f'[asr]\nmodel = "{folder}"')
        return 0
    print(json.dumps(Engine(load_config(args.config)).models(load=True), indent=2, ensure_ascii=False))
    return 0


def _detect(args: argparse.Namespace) -> int:
    from qa.compliance.suite import Compliance
    from qa.compliance.text import detect_record

    source = existing_file(args.input)
    from qa.compliance.category_book import load_categories
    from qa.compliance.matching import SentenceEncoder

    config = load_config(args.config)
    compliance = Compliance(config.compliance)
    compliance.load()
    categories = (load_categories(config.scoring.categories or None), SentenceEncoder())
    bad = 0
    with source.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = None
            try:
                record = json.loads(line)
                result = detect_record(record, compliance, categories)
            except (json.JSONDecodeError, QAError) as error:
                bad += 1
                reason = str(error).splitlines()[0]
                print(f"{source}:{number}: {reason}", file=sys.stderr)
                result = {"id": record.get("id") if isinstance(record, dict) else None, "error": reason}
            print(json.dumps(result, ensure_ascii=False), flush=True)
    return 1 if bad else 0


def _redact_audio(args: argparse.Namespace) -> int:
    from qa.audio import load_audio
    from qa.compliance.redact_audio import redaction_spans, write_redacted
    from qa.engine import Engine
    from qa.ingest import identify
    from qa.pipeline import transcribe_audio

    source, out = existing_file(args.file), Path(args.out)
    if out.resolve() == source.resolve():
        raise QAError(f"{out}: refusing to overwrite the original recording")
    config = load_config(args.config)
    engine = Engine(config)
    audio = load_audio(source)
    call = identify(source)
    transcript = transcribe_audio(call, audio, engine).transcript
    mentions, _ = engine.compliance.redact(call, transcript)
    write_redacted(audio, mentions, out, args.mode or config.compliance.audio_redaction, transcript)
    spans = redaction_spans(mentions, audio.duration, transcript=transcript)
    print(json.dumps({"file": str(source), "out": str(out), "mode": args.mode or config.compliance.audio_redaction,
                      "masked_seconds": round(sum(e - s for s, e in spans), 3),
                      "pii": [{"type": m.type, "role": m.role.value, "start": m.start, "end": m.end}
                              for m in mentions]}))
    return 0


def add_commands(commands) -> None:
    run = commands.add_parser("run", help="process recordings (files or folders) into the database")
    run.add_argument("paths", nargs="+", metavar="PATH", help="audio files or folders (searched recursively)")
    add_db(run)
    add_config(run, "TOML config file (default: built-in defaults)")
    add_quiet(run)
    run.set_defaults(handler=_run)

    transcribe = commands.add_parser("transcribe", help="print one call's diarized transcript")
    transcribe.add_argument("file", metavar="FILE")
    transcribe.add_argument("--format", choices=("json", "rttm", "vtt"), default="json")
    transcribe.add_argument("--clear", action="store_true",
                            help="do not mask personal data (card numbers and security codes stay masked)")
    add_config(transcribe)
    transcribe.set_defaults(handler=_transcribe)

    detect = commands.add_parser(
        "detect", help="text-level detectors on JSON lines: flags, personal-data spans, redacted text")
    detect.add_argument("--input", required=True, metavar="FILE.jsonl",
                        help='lines like {"id": "7", "text": "...", "role": "operator", "language": "en"}')
    add_config(detect)
    detect.set_defaults(handler=_detect)

    redact = commands.add_parser("redact-audio", help="copy a recording with personal data silenced or beeped")
    redact.add_argument("file", metavar="FILE")
    redact.add_argument("--out", required=True, metavar="FILE", help="where the redacted WAV goes")
    redact.add_argument("--mode", choices=("beep", "silence"), help="default: [compliance] audio_redaction")
    add_config(redact)
    redact.set_defaults(handler=_redact_audio)

    models = commands.add_parser("models", help="print the resolved models, devices, threads and the ASR "
                                                "quality per language as JSON; --fetch downloads a larger model")
    models.add_argument("--fetch", metavar="MODEL",
                        help="download large-v3 or large-v3-turbo (or a hub id) into the model cache, verify it "
                             "and print the config lines to use it (needs a network)")
    add_config(models)
    models.set_defaults(handler=_models)
