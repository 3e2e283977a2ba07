"""Call categories and outcomes: stored with a call, replaced by ``callqa recategorize``."""

from __future__ import annotations

import duckdb

from qa.store.database import Database
from qa.types import Categorization


def insert_categorization(con: duckdb.DuckDBPyConnection, call_id: str, found: Categorization) -> None:
    """A call's category rows and outcome row, replacing any it had (inside the caller's transaction)."""
    con.execute("DELETE FROM call_categories WHERE call_id = ?", [call_id])
    con.execute("DELETE FROM call_outcomes WHERE call_id = ?", [call_id])
    if found.matches:
        con.executemany(
            "INSERT INTO call_categories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[call_id, m.category, m.group, m.role.value if m.role else None, m.start, m.end, m.evidence,
              m.confidence, found.book_version] for m in found.matches])
    con.execute("INSERT INTO call_outcomes VALUES (?, ?, ?, ?, ?, ?)",
                [call_id, found.direction, found.outcome, found.refusal_reason, found.do_not_call,
                 found.book_version])


class CategoryRows(Database):
    """Categories and outcomes of calls."""

    def save_categorization(self, call_id: str, found: Categorization | None) -> None:
        """Replace a call's categories and outcome (None: it has none, e.g. not judged)."""
        with self.transaction() as con:
            if found is None:
                con.execute("DELETE FROM call_categories WHERE call_id = ?", [call_id])
                con.execute("DELETE FROM call_outcomes WHERE call_id = ?", [call_id])
            else:
                insert_categorization(con, call_id, found)

    def call_categories(self, call_id: str) -> list[dict]:
        """A call's category matches in time order."""
        with self.connect(read_only=True) as con:
            cursor = con.execute(
                "SELECT category, grp AS \"group\", role, start_s, end_s, evidence, confidence, book_version "
                "FROM call_categories WHERE call_id = ? ORDER BY start_s NULLS FIRST, category", [call_id])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def call_outcome(self, call_id: str) -> dict | None:
        """A call's outcome row, or None (not categorized)."""
        with self.connect(read_only=True) as con:
            cursor = con.execute("SELECT direction, outcome, refusal_reason, do_not_call, book_version "
                                 "FROM call_outcomes WHERE call_id = ?", [call_id])
            row = cursor.fetchone()
            return dict(zip([d[0] for d in cursor.description], row)) if row else None

    def category_inputs(self, call_ids: list[str] | None = None):
        """(call_id, campaign, direction) of the stored calls with speech, for recategorize."""
        with self.connect(read_only=True) as con:
            return con.execute(
                "SELECT call_id, campaign, direction FROM calls WHERE has_speech "
                "AND (? IS NULL OR list_contains(?, call_id)) ORDER BY call_id",
                [call_ids, call_ids]).fetchall()
