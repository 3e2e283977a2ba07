"""Dashboard aggregates at scale: 1,000,000 synthetic calls, each query under 1 s.

    .venv/bin/python benchmarks/aggregates.py [--calls 1000000] [--db FILE [--reuse]] [--runs 5]
                                              [--threads N] [--explain NAME ...]

1. Builds a synthetic database with ``qa.synth.synthesize`` (the rows ``callqa synth`` makes)
   in a temporary folder, or at ``--db``; ``--reuse`` keeps an existing ``--db`` that already
   holds synthetic calls (no load). Prints the load time and rows per second.
2. Times each dashboard query as the dashboard runs it: a fresh ``Store`` (a new read-only
   connection per query), the median of ``--runs`` runs after one warm-up run that is not
   counted (the first read of a file from disk is the operating system's cost, not the
   query's): the operator leaderboard over the last 30 days, operator x week and team x week
   over the last 30 days, one operator's trend (all weeks), flag counts by operator over the
   last 30 days, the outcome KPIs by operator and week and the calls per reason over the last
   30 days. PASS when the median is under ``--limit`` (1 s).
3. ``--explain NAME`` (a query's name, or ``all``) prints DuckDB's EXPLAIN ANALYZE of the SQL
   that query sends, to see where the time goes.

The last line on stdout is one JSON object with every number; the exit status is 1 when a
query failed the limit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402

from qa.store import Store  # noqa: E402
from qa.synth import synthesize  # noqa: E402


def _synthetic_calls(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FILTER (WHERE synthetic) FROM calls").fetchone()[0]


def _queries(today: date, operator: str) -> dict:
    since = today - timedelta(days=30)
    return {
        "leaderboard_30d": lambda s: s.leaderboard(since=since, synthetic=True),
        "operator_week_30d": lambda s: s.weekly("operator_id", since=since, synthetic=True),
        "operator_trend": lambda s: s.operator_trend(operator, synthetic=True),
        "team_week_30d": lambda s: s.weekly("team", since=since, synthetic=True),
        "flag_counts_30d": lambda s: s.flag_counts("operator_id", since=since, synthetic=True),
        "outcome_kpis_30d": lambda s: s.outcome_kpis("operator_id", "week", since=since, synthetic=True),
        "reasons_30d": lambda s: s.reasons(since=since, synthetic=True),
    }


class _Recording(Store):
    """A Store that keeps the SQL and parameters of its last aggregate query."""

    last: tuple[str, list] | None = None
    threads: int | None = None

    @contextmanager
    def connect(self, read_only: bool = False):
        with super().connect(read_only) as con:
            if self.threads:
                con.execute(f"SET threads = {int(self.threads)}")
            yield con

    def _rows(self, query, params):
        self.last = (query, list(params))
        return super()._rows(query, params)


def _explain(store: _Recording, name: str, query) -> None:
    query(store)
    sql, params = store.last
    with store.connect(read_only=True) as con:
        plan = con.execute("EXPLAIN ANALYZE " + sql, params).fetchall()
    print(f"\n===== EXPLAIN ANALYZE {name}\n{sql.strip()}\n-- params: {params}", file=sys.stderr)
    for _, text in plan:
        print(text, file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one, deleted after)")
    parser.add_argument("--reuse", action="store_true", help="use --db as it is when it holds synthetic calls")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=1.0, help="seconds a query may take (default 1)")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's, one per core)")
    parser.add_argument("--explain", nargs="*", default=[], metavar="NAME", help="query names, or all")
    args = parser.parse_args()

    temp = None
    if args.db is None:
        temp = tempfile.TemporaryDirectory(prefix="callqa-bench-")
        args.db = Path(temp.name) / "synthetic.duckdb"
    result: dict = {"db": str(args.db), "cpus": os.cpu_count(), "duckdb": duckdb.__version__}
    try:
        if args.reuse and args.db.is_file() and _synthetic_calls(args.db) > 0:
            result["load"] = {"reused": True, "calls": _synthetic_calls(args.db)}
            print(f"reusing {args.db}: {result['load']['calls']:,} synthetic calls", file=sys.stderr)
        else:
            if args.db.exists():
                raise SystemExit(f"{args.db} exists: pass --reuse, or another --db")
            started = time.perf_counter()
            loaded = synthesize(Store(args.db), args.calls, seed=args.seed)
            seconds = time.perf_counter() - started
            rows = sum(loaded["rows"].values())
            result["load"] = {"reused": False, "calls": args.calls, "seconds": round(seconds, 2),
                              "calls_per_s": round(args.calls / seconds), "rows": loaded["rows"],
                              "rows_per_s": round(rows / seconds),
                              "db_mib": round(args.db.stat().st_size / 2**20, 1)}
            print(f"loaded {args.calls:,} calls ({rows:,} rows) in {seconds:.1f} s: "
                  f"{args.calls / seconds:,.0f} calls/s, {rows / seconds:,.0f} rows/s, "
                  f"{result['load']['db_mib']} MiB", file=sys.stderr)
        _Recording.threads = args.threads
        store = _Recording(args.db)
        with store.connect(read_only=True) as con:
            last_day = con.execute("SELECT max(started_at)::DATE FROM calls WHERE synthetic").fetchone()[0]
            busiest = con.execute("SELECT operator_id FROM calls WHERE synthetic GROUP BY 1 "
                                  "ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
            result["threads"] = con.execute("SELECT current_setting('threads')").fetchone()[0]
        today = last_day + timedelta(days=1)
        result["today"], result["operator"] = str(today), busiest
        queries = _queries(today, busiest)
        timings = {}
        failed = False
        for name, query in queries.items():
            rows = len(query(store))  # warm-up, not counted
            seconds = []
            for _ in range(args.runs):
                fresh = _Recording(args.db)
                started = time.perf_counter()
                query(fresh)
                seconds.append(time.perf_counter() - started)
            median = statistics.median(seconds)
            ok = median < args.limit
            failed |= not ok
            timings[name] = {"median_s": round(median, 3), "min_s": round(min(seconds), 3),
                             "max_s": round(max(seconds), 3), "rows": rows, "pass": ok}
            print(f"{name:20s} median {median:6.3f} s  (min {min(seconds):.3f}, max {max(seconds):.3f}) "
                  f"{rows:6d} rows  {'PASS' if ok else 'FAIL'} (< {args.limit:g} s)", file=sys.stderr)
        result["queries"] = timings
        for name in (queries if "all" in args.explain else args.explain):
            _explain(store, name, queries[name])
        print(json.dumps(result))
        return 1 if failed else 0
    finally:
        if temp is not None:
            temp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
