"""Runs, failures, retention (a Store mixin): what a batch did, what it could not do, purging."""

from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import date
from typing import Any

from qa.store.database import Database

# Every table with a call_id column, children first: purge deletes from each.
CALL_TABLES = ("category_reviews", "call_categories", "call_outcomes",
               "score_items", "scores", "reviews", "access_log", "call_summary", "call_metrics", "dead_air",
               "pii_spans", "flags", "speaker_turns", "words", "utterances", "call_channels", "failures", "calls")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunRows(Database):
    """Store methods for batch runs, their failures, and purging calls."""

    def start_run(self, models: dict) -> str:
        """Record the start of a batch; return its run id.

        Runs of this host still marked running whose process is gone (killed, even with
        kill -9) are marked aborted first.
        """
        run_id, host = uuid.uuid4().hex, socket.gethostname()
        with self.connect() as con:
            running = con.execute("SELECT run_id, pid FROM runs WHERE status = 'running' AND host = ?",
                                  [host]).fetchall()
            gone = [r for r, pid in running if pid is not None and not _alive(pid)]
            if gone:
                con.execute("UPDATE runs SET status = 'aborted', finished_at = current_timestamp, "
                            "error = 'the process ended without finishing the run (killed?)' "
                            "WHERE list_contains(?, run_id)", [gone])
            con.execute("INSERT INTO runs (run_id, models, host, pid) VALUES (?, ?, ?, ?)",
                        [run_id, json.dumps(models), host, os.getpid()])
        return run_id

    def finish_run(self, run_id: str, files_seen: int, processed: int, skipped: int, failed: int,
                   status: str = "completed", given_up: int = 0, error: str | None = None) -> None:
        with self.connect() as con:
            con.execute(
                "UPDATE runs SET finished_at = current_timestamp, status = ?, files_seen = ?, "
                "processed = ?, skipped = ?, failed = ?, given_up = ?, error = ? WHERE run_id = ?",
                [status, files_seen, processed, skipped, failed, given_up, error, run_id],
            )

    def runs(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest runs, newest first."""
        return self._rows("SELECT * EXCLUDE (models), models FROM runs ORDER BY started_at DESC LIMIT ?", [limit])

    def failed_runs(self, path: str) -> int:
        """In how many runs ``path`` failed while it is still not stored (its failed nights)."""
        with self.connect(read_only=True) as con:
            return con.execute(
                "SELECT count(DISTINCT run_id) FROM failures WHERE path = ? "
                "AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.path = failures.path)", [path]).fetchone()[0]

    def record_failure(self, run_id: str | None, path: str, reason: str, call_id: str | None = None) -> None:
        """Keep a file that could not be processed, with its one-line reason."""
        with self.connect() as con:
            con.execute(
                "INSERT INTO failures (run_id, path, call_id, reason) VALUES (?, ?, ?, ?)",
                [run_id, path, call_id, reason],
            )

    def failures(self, run_id: str | None = None) -> list[tuple[str, str]]:
        """(path, reason) of failures, of one run or of all."""
        query = "SELECT path, reason FROM failures"
        params: list = []
        if run_id is not None:
            query += " WHERE run_id = ?"
            params.append(run_id)
        with self.connect(read_only=True) as con:
            return con.execute(query + " ORDER BY failed_at, path", params).fetchall()


    def purge(self, before: date | None = None, call_ids: list[str] | None = None) -> dict[str, Any]:
        """Delete calls that started before ``before`` (and/or the calls ``call_ids``) with every
        row that refers to them, in one transaction; failures older than ``before`` go too.

        Returns the call ids, the rows removed per table and the stored audio paths of those
        calls (the caller removes the redacted copies).
        """
        if before is None and not call_ids:
            raise ValueError("purge needs a date or call ids")
        with self.transaction() as con:
            con.execute(
                "CREATE TEMP TABLE doomed AS SELECT call_id, audio_path, path FROM calls "
                "WHERE (? IS NOT NULL AND CAST(coalesce(started_at, processed_at) AS DATE) < ?) "
                "OR list_contains(?, call_id)", [before, before, list(call_ids or [])])
            doomed = con.execute("SELECT call_id, audio_path, path FROM doomed ORDER BY call_id").fetchall()
            removed = {}
            for table in CALL_TABLES:
                removed[table] = con.execute(
                    f"DELETE FROM {table} WHERE call_id IN (SELECT call_id FROM doomed)").fetchone()[0]
            if before is not None:
                removed["failures"] += con.execute(
                    "DELETE FROM failures WHERE CAST(failed_at AS DATE) < ?", [before]).fetchone()[0]
            con.execute("DROP TABLE doomed")
        return {"call_ids": [c for c, _, _ in doomed], "rows": removed,
                "audio_paths": [a for _, a, p in doomed if a and a != p]}
