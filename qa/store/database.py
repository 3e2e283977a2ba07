"""The database file: short connections, transactions, the schema and its migrations.

Every operation opens its own short connection, so a batch holds DuckDB's single-writer
lock per call, not per batch, and a reader (the dashboard, ``callqa report``) can get in
between calls; a connection refused because another process holds the lock is retried.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb

from qa.store.schema import MIGRATIONS

DEFAULT_DB = "callqa.duckdb"
LOCK_TIMEOUT_S = 60.0


class Database:
    """A DuckDB database file holding callqa's tables; creates and migrates the schema.

    Each repository of qa/store/ is a Database with the queries of one concern.

    ``timezone`` (an IANA name) is the zone days and weeks are counted in.
    """

    def __init__(self, path: str | Path = DEFAULT_DB, lock_timeout: float = LOCK_TIMEOUT_S,
                 timezone: str = "UTC") -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.timezone = timezone
        self.migrate()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection; waits while another process holds the database lock."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                connection = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.IOException as error:
                if "lock" not in str(error).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        try:
            connection.execute("SET TimeZone = ?", [self.timezone])
            yield connection
        finally:
            connection.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside BEGIN … COMMIT; rolled back on any error."""
        with self.connect() as connection:
            connection.execute("BEGIN TRANSACTION")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _rows(self, query: str, params: list) -> list[dict[str, Any]]:
        """A read-only query's rows as dicts."""
        with self.connect(read_only=True) as con:
            cursor = con.execute(query, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def migrate(self) -> int:
        """Apply the migrations this file lacks; return the schema version."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.transaction() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ DEFAULT current_timestamp)"
            )
            current = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
            for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
                con.execute(script)
                con.execute("INSERT INTO schema_migrations (version) VALUES (?)", [version])
        return len(MIGRATIONS)
