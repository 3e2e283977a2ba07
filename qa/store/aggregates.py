"""Operator, team and campaign aggregates over the ``call_facts`` view (a mixin of Store).

Days and weeks are those of the store's time zone; weeks are ISO weeks (Monday first).
``mean_sentiment_end`` is the customer's mood at the end of the call, -1..1, over the calls
in a language sentiment covers (qa/scoring/sentiment.py). Not-scorable calls count as calls but never enter a mean or median score; flags a reviewer
dismissed are not counted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from qa.languages import NOT_JUDGED
from qa.store.database import Database
from qa.store.filters import calls_filter

GROUPS = ("operator_id", "team", "campaign")
_MEASURES = """
    count(*) AS calls, count(score) AS scored, count(*) - count(score) AS not_scorable,
    round(avg(score), 1) AS mean_score, round(median(score), 1) AS median_score,
    sum(flags)::BIGINT AS flags, round(avg(handle_time_s), 1) AS mean_handle_time_s,
    round(avg(talk_listen_ratio), 2) AS mean_talk_listen_ratio, round(sum(coalesce(dead_air_s, 0)), 1) AS dead_air_s,
    round(avg(sentiment_end), 2) AS mean_sentiment_end
"""


def group_window(since: date | None, until: date | None, synthetic: bool | None, column: str | None = None,
            value: str | None = None) -> tuple[str, list]:
    """WHERE text and parameters; ``column`` (one of GROUPS) = ``value`` when value is given."""
    if column is not None and column not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    where = calls_filter(since=since, until=until, synthetic=synthetic, prefix="",
                         **({column: value} if column is not None else {}))
    return where.sql, where.params


class AggregateQueries(Database):
    """Store methods for leaderboards, trends and rollups."""

    def leaderboard(self, since: date | None = None, until: date | None = None, operator_id: str | None = None,
                    synthetic: bool | None = None) -> list[dict[str, Any]]:
        """One row per operator over the window, ranked by mean score (best first).

        ``trend`` is the mean score of the operator's latest week in the window minus that of
        the week before it (None without two scored weeks).
        """
        where, params = group_window(since, until, synthetic, "operator_id", operator_id)
        return self._rows(f"""
            WITH facts AS (SELECT * FROM call_facts WHERE {where}),
            weekly AS (
                SELECT operator_id, avg(score) AS mean,
                       row_number() OVER (PARTITION BY operator_id ORDER BY week DESC) AS back
                FROM facts GROUP BY operator_id, week HAVING count(score) > 0),
            trend AS (
                SELECT operator_id,
                       round(max(mean) FILTER (WHERE back = 1) - max(mean) FILTER (WHERE back = 2), 1) AS trend
                FROM weekly GROUP BY operator_id),
            board AS (
                SELECT operator_id, {_MEASURES}, any_value(trend.trend) AS trend
                FROM facts LEFT JOIN trend USING (operator_id) GROUP BY operator_id)
            SELECT CASE WHEN mean_score IS NOT NULL THEN rank() OVER (ORDER BY mean_score DESC NULLS LAST) END AS rank, *
            FROM board ORDER BY rank NULLS LAST, operator_id""", params)

    def weekly(self, group: str = "operator_id", since: date | None = None, until: date | None = None,
               key: str | None = None, synthetic: bool | None = None) -> list[dict[str, Any]]:
        """``group`` (operator_id, team or campaign) x ISO week rows, with the rank in the week
        and the change of mean score from that group's previous week; ``key`` picks one group."""
        where, params = group_window(since, until, synthetic, group, key)
        return self._rows(f"""
            WITH rows AS (
                SELECT {group} AS key, week, any_value(iso_week) AS iso_week, {_MEASURES}
                FROM call_facts WHERE {where} GROUP BY {group}, week)
            SELECT key AS {group}, week, iso_week,
                   CASE WHEN mean_score IS NOT NULL
                        THEN rank() OVER (PARTITION BY week ORDER BY mean_score DESC NULLS LAST) END AS rank,
                   * EXCLUDE (key, week, iso_week),
                   round(mean_score - lag(mean_score) OVER (PARTITION BY key ORDER BY week), 1) AS change
            FROM rows ORDER BY week, rank NULLS LAST, key""", params)

    def operator_trend(self, operator_id: str, synthetic: bool | None = None) -> list[dict[str, Any]]:
        """One operator's weeks, oldest first (the dashboard's trend line)."""
        return self.weekly("operator_id", key=operator_id, synthetic=synthetic)

    def daily(self, since: date | None = None, until: date | None = None, operator_id: str | None = None,
              synthetic: bool | None = None) -> list[dict[str, Any]]:
        """Operator x day rows in the store's time zone."""
        where, params = group_window(since, until, synthetic, "operator_id", operator_id)
        return self._rows(f"SELECT operator_id, day, {_MEASURES} FROM call_facts WHERE {where} "
                          "GROUP BY operator_id, day ORDER BY day, operator_id", params)

    def flag_counts(self, group: str = "operator_id", since: date | None = None, until: date | None = None,
                    key: str | None = None, synthetic: bool | None = None) -> list[dict[str, Any]]:
        """Flags by kind per group over the window (dismissed flags left out)."""
        where, params = group_window(since, until, synthetic, group, key)
        return self._rows(f"""
            SELECT c.{group}, f.kind, count(*) AS flags
            FROM flag_status f JOIN (SELECT call_id, {group} FROM call_days WHERE {where}) c USING (call_id)
            WHERE NOT f.dismissed GROUP BY ALL ORDER BY c.{group}, flags DESC, f.kind""", params)

    def not_scorable(self, since: date | None = None, until: date | None = None, operator_id: str | None = None,
                     synthetic: bool | None = None) -> list[dict[str, Any]]:
        """Calls kept out of the averages, with why (no score yet counts as 'not scored')."""
        where, params = group_window(since, until, synthetic, "operator_id", operator_id)
        return self._rows(f"""
            SELECT call_id, operator_id, call_time, coalesce(not_scorable_reason, 'not scored') AS reason
            FROM call_facts WHERE {where} AND score IS NULL ORDER BY call_time, call_id""", params)

    def not_judged(self, since: date | None = None, until: date | None = None, synthetic: bool | None = None
                   ) -> list[dict[str, Any]]:
        """Calls not judged for their language (redacted, no text flags, no score), counted per
        language and reason ("not judged: Persian with base: WER 0.94 on real speech")."""
        where, params = group_window(since, until, synthetic)
        return self._rows(f"""
            SELECT language, not_scorable_reason AS reason, count(*) AS calls
            FROM call_facts WHERE {where} AND starts_with(not_scorable_reason, ?)
            GROUP BY ALL ORDER BY calls DESC, language, reason""", [*params, f"{NOT_JUDGED}:"])
