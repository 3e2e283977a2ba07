"""Commands over a stored database: rescore, report, review, synth, purge."""

from __future__ import annotations

import argparse
import json
import sys

from qa.cli.common import add_config, add_db, add_quiet, day, existing_store, scorecards
from qa.config import load_config
from qa.errors import QAError


def _rescore(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.scoring.rescore import rescore

    config = load_config(args.config)
    book = scorecards(args.scorecard, config)
    store = existing_store(args.db, config)
    calls = store.call_ids()
    with tqdm(total=len(calls), unit="call", file=sys.stderr, disable=args.quiet) as progress:
        summary = rescore(store, book, calls, on_call=lambda _: progress.update())
    print(json.dumps({"db": args.db, "scorecards": book.source, "calls": summary.calls,
                      "scorable": summary.scorable, "auto_failed": summary.auto_failed,
                      "mean_score": summary.mean_score}))
    return 0


def _recategorize(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.compliance.category_book import load_categories
    from qa.compliance.recategorize import recategorize

    config = load_config(args.config)
    book = load_categories(args.categories or config.scoring.categories or None)
    scorable = scorecards(None, config).scorable
    store = existing_store(args.db, config)
    calls = store.call_ids()
    with tqdm(total=len(calls), unit="call", file=sys.stderr, disable=args.quiet) as progress:
        outcomes = recategorize(store, book, scorable, call_ids=calls, on_call=progress.update)
    print(json.dumps({"db": args.db, "categories": book.source, "book_version": book.version,
                      "calls": sum(outcomes.values()), "outcomes": dict(sorted(outcomes.items()))}))
    return 0


def _report(args: argparse.Namespace) -> int:
    from qa.scoring.report import build_report, render

    config = load_config(args.config)
    store = existing_store(args.db, config)
    synthetic = {"exclude": False, "only": True, "include": None}[args.synthetic]
    sys.stdout.write(render(build_report(store, args.since, args.operator, synthetic), args.format))
    return 0


def _review(args: argparse.Namespace) -> int:
    from qa.scoring.rescore import review_flag

    config = load_config(args.config)
    store = existing_store(args.db, config)
    try:
        review_id, score = review_flag(store, scorecards(None, config), args.flag_id, args.reviewer,
                                       args.decision, args.comment)
    except KeyError:
        raise QAError(f"{args.db}: no flag with id {args.flag_id}") from None
    except ValueError as error:
        raise QAError(str(error)) from None
    print(json.dumps({"review_id": review_id, "flag_id": args.flag_id, "call_id": score.call_id,
                      "decision": args.decision, "score": score.total, "scorable": score.scorable}))
    return 0


def _synth(args: argparse.Namespace) -> int:
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


def _purge(args: argparse.Namespace) -> int:
    from qa.serving import audio_dirs, servable_audio

    if args.before is None and not args.call:
        raise QAError("say what to remove: --before DATE and/or --call ID")
    config = load_config(args.config)
    store = existing_store(args.db, config)
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


def _add_scoring(commands) -> None:
    rescore = commands.add_parser("rescore", help="score stored calls again (e.g. after changing the scorecard)")
    add_db(rescore)
    rescore.add_argument("--scorecard", metavar="FILE", help="YAML scorecard book (default: [scoring] scorecards)")
    add_config(rescore)
    add_quiet(rescore)
    rescore.set_defaults(handler=_rescore)

    report = commands.add_parser("report", help="the supervisor's summary: leaderboard, weeks, rollups, flags")
    add_db(report)
    report.add_argument("--since", type=day, metavar="DATE", help="only calls on or after this day (YYYY-MM-DD)")
    report.add_argument("--operator", metavar="ID", help="only this operator")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table (default), csv (operator x ISO week rows) or json (every section)")
    report.add_argument("--synthetic", choices=("exclude", "include", "only"), default="exclude",
                        help="rows made by `callqa synth` (default: exclude)")
    add_config(report, "TOML config file ([scoring] timezone)")
    report.set_defaults(handler=_report)

    again = commands.add_parser("recategorize",
                                help="categorize stored calls again (e.g. after editing the category book)")
    add_db(again)
    again.add_argument("--categories", metavar="FILE", help="YAML category book (default: [scoring] categories)")
    add_config(again)
    add_quiet(again)
    again.set_defaults(handler=_recategorize)

    review = commands.add_parser("review", help="confirm, dismiss or comment on a flag; the call is rescored")
    review.add_argument("flag_id", type=int, metavar="FLAG_ID")
    review.add_argument("decision", choices=("confirm", "dismiss", "comment"))
    review.add_argument("--reviewer", required=True, help="who reviews (stored with the review)")
    review.add_argument("--comment", help="free text kept with the review")
    add_db(review)
    add_config(review)
    review.set_defaults(handler=_review)


def _add_upkeep(commands) -> None:
    synth = commands.add_parser(
        "synth", help="fill a database of its own with generated calls (marked synthetic) for scale tests")
    synth.add_argument("--calls", type=int, required=True, metavar="N", help="how many calls to generate")
    add_db(synth, required=True, help="DuckDB file; refused if it holds any real call")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    synth.add_argument("--days", type=int, default=180, help="calls fall on this many days before today (default 180)")
    synth.add_argument("--operators", type=int, metavar="N", help="default: calls / 1000, at least 10")
    add_config(synth, "TOML config file ([scoring] timezone)")
    add_quiet(synth)
    synth.set_defaults(handler=_synth)

    purge = commands.add_parser("purge", help="remove calls, their rows and audio copies (retention, erasure)")
    purge.add_argument("--before", type=day, metavar="DATE", help="calls that started before this day")
    purge.add_argument("--call", action="append", metavar="ID", help="a call id (repeatable): an erasure request")
    add_db(purge)
    add_config(purge, "TOML config file (where audio copies are)")
    purge.set_defaults(handler=_purge)


def add_commands(commands) -> None:
    _add_scoring(commands)
    _add_upkeep(commands)
