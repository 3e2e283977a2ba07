"""Dial attempts and the connection rate (a mixin of Store; rows from qa/attempts.py)."""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from qa.store.database import Database

ATTEMPT_GROUPS = ("operator_id", "campaign")
PERIODS = ("day", "week")


class AttemptRows(Database):
    """Dial attempts of outbound campaigns."""

    def save_attempts(self, attempts: Sequence, source: str) -> int:
        """Store ``attempts`` (qa.attempts.Attempt) from file ``source``; return how many were new."""
        if not attempts:
            return 0
        with self.transaction() as con:
            before = con.execute("SELECT count(*) FROM dial_attempts").fetchone()[0]
            con.executemany(
                "INSERT INTO dial_attempts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [[a.key, a.operator_id, a.campaign, a.attempted_at, a.disposition, a.connected, source]
                 for a in attempts])
            return con.execute("SELECT count(*) FROM dial_attempts").fetchone()[0] - before

    def connection_rates(self, group: str = "operator_id", period: str = "week", since: date | None = None,
                         until: date | None = None, key: str | None = None) -> list[dict[str, Any]]:
        """``group`` (operator_id or campaign) x ``period`` (day or ISO week in the store's time
        zone) rows: attempts, connected, connection_rate; ``key`` picks one group."""
        if group not in ATTEMPT_GROUPS or period not in PERIODS:
            raise ValueError(f"group must be one of {', '.join(ATTEMPT_GROUPS)}, period one of {', '.join(PERIODS)}")
        bucket = "CAST(attempted_at AS DATE)" if period == "day" else "CAST(date_trunc('week', attempted_at) AS DATE)"
        return self._rows(f"""
            SELECT {group}, {bucket} AS {period},
                   {"any_value(strftime(attempted_at, '%G-W%V')) AS iso_week, " if period == "week" else ""}
                   count(*) AS attempts, count(*) FILTER (WHERE connected) AS connected,
                   round(count(*) FILTER (WHERE connected) / count(*), 3) AS connection_rate
            FROM dial_attempts
            WHERE (? IS NULL OR CAST(attempted_at AS DATE) >= ?) AND (? IS NULL OR CAST(attempted_at AS DATE) <= ?)
              AND (? IS NULL OR {group} = ?)
            GROUP BY ALL ORDER BY {period}, {group}""", [since, since, until, until, key, key])
