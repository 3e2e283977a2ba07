"""Reviewers' corrections of call categories (a mixin of Store): confirm or dismiss a category
the book found, or add one it missed. Kept like flag reviews, beside the machine's rows:
``callqa recategorize`` replaces those and leaves the corrections; the latest one stands."""

from __future__ import annotations

from typing import Any

from qa.store.database import Database

CATEGORY_DECISIONS = ("confirm", "dismiss", "add")


class CategoryReviews(Database):
    """Store methods for category corrections and their calibration."""

    def save_category_review(self, call_id: str, category: str, reviewer: str, decision: str,
                             comment: str | None = None) -> int:
        """Store a correction of ``category`` on a call; return its review id."""
        if decision not in CATEGORY_DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(CATEGORY_DECISIONS)}, got {decision!r}")
        with self.transaction() as con:
            if not con.execute("SELECT count(*) FROM calls WHERE call_id = ?", [call_id]).fetchone()[0]:
                raise KeyError(call_id)
            return con.execute(
                "INSERT INTO category_reviews (call_id, category, decision, reviewer, comment) "
                "VALUES (?, ?, ?, ?, ?) RETURNING review_id", [call_id, category, decision, reviewer, comment]
            ).fetchone()[0]

    def category_reviews(self, call_id: str) -> list[dict[str, Any]]:
        """A call's category corrections, oldest first."""
        return self._rows("SELECT review_id, call_id, category, decision, reviewer, comment, reviewed_at "
                          "FROM category_reviews WHERE call_id = ? ORDER BY review_id", [call_id])

    def category_decisions(self) -> list[dict[str, Any]]:
        """Each reviewer's latest correction of each (call, category), with whether the book found
        that category on the call (``found``): confirms and dismisses of found ones measure
        precision, adds are categories the book missed."""
        return self._rows("""
            WITH latest AS (
                SELECT call_id, category, reviewer, arg_max(decision, review_id) AS decision
                FROM category_reviews GROUP BY call_id, category, reviewer),
            found AS (SELECT DISTINCT call_id, category FROM call_categories
                      WHERE call_id IN (SELECT call_id FROM latest))
            SELECT l.call_id, l.category, l.reviewer, l.decision, f.call_id IS NOT NULL AS found
            FROM latest l LEFT JOIN found f USING (call_id, category)
            ORDER BY l.category, l.call_id, l.reviewer""", [])
