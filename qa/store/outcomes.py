"""Call outcome KPIs by operator, team or campaign, per day or ISO week (a mixin of Store):
complaints, resolution, callback and escalation rates on inbound calls, conversion, refusals by
reason and do-not-call requests on outbound calls, call completion (the operator closed the call,
category ``call_closed``, rather than the line dropping) and mean handle time. Calls not judged for
their language have no outcome: they are counted apart (``not_judged``) and in no rate. A
complaint is justified when the latest reviewer correction of the call's ``complaint`` category
confirms it (``justified_complaints``). Also the calls behind a reason or an outcome, for the
dashboard's drill-down."""

from __future__ import annotations

from datetime import date
from typing import Any

from qa.store.aggregates import GROUPS, group_window
from qa.store.database import Database

PERIODS = ("day", "week")
REFUSAL_REASONS = ("price", "already_has", "not_interested", "call_later")


def _calls_behind(hits: str, extra: str) -> str:
    """The newest ``limit`` calls of the ``hits`` CTE (call_id and ``extra`` columns) with the
    columns ``calls_list`` returns, so the dashboard's call tables show them alike; the flag
    counts and scores are read for those calls only, not through ``call_facts``."""
    return f"""
        WITH hits AS ({hits}),
        top AS (
            SELECT h.*, coalesce(c.started_at, c.processed_at) AS call_time FROM hits h JOIN calls c USING (call_id)
            ORDER BY call_time DESC, call_id LIMIT ?),
        flagged AS (
            SELECT call_id, count(*) AS flags FROM flag_status
            WHERE NOT dismissed AND call_id IN (SELECT call_id FROM top) GROUP BY call_id)
        SELECT c.call_id, t.call_time, CAST(t.call_time AS DATE) AS day, c.operator_id, c.team, c.campaign,
               c.language, c.duration_s AS handle_time_s, CASE WHEN s.scorable THEN s.total END AS score, s.scorable,
               s.not_scorable_reason, s.auto_failed, coalesce(g.flags, 0) AS flags, m.dead_air_s,
               m.talk_listen_ratio, {extra}
        FROM top t JOIN calls c USING (call_id) LEFT JOIN scores s USING (call_id)
        LEFT JOIN call_summary m USING (call_id) LEFT JOIN flagged g USING (call_id)
        ORDER BY t.call_time DESC, c.call_id"""


def _rate(part: str, whole: str) -> str:
    return f"round(count(*) FILTER (WHERE {part}) / nullif(count(*) FILTER (WHERE {whole}), 0), 3)"


_KPIS = f"""
    count(*) AS calls, count(*) FILTER (WHERE NOT categorized) AS not_judged,
    count(*) FILTER (WHERE complaint) AS complaints, count(*) FILTER (WHERE justified) AS justified_complaints,
    count(*) FILTER (WHERE categorized AND direction = 'inbound') AS inbound,
    {_rate("outcome = 'resolved'", "categorized AND direction = 'inbound'")} AS resolution_rate,
    {_rate("outcome = 'callback'", "categorized AND direction = 'inbound'")} AS callback_rate,
    {_rate("outcome = 'escalated'", "categorized AND direction = 'inbound'")} AS escalation_rate,
    count(*) FILTER (WHERE categorized AND direction = 'outbound') AS outbound,
    {_rate("outcome = 'agreed'", "categorized AND direction = 'outbound'")} AS conversion_rate,
    count(*) FILTER (WHERE outcome = 'refused') AS refused,
    {", ".join(f"count(*) FILTER (WHERE refusal_reason = '{r}') AS refused_{r}" for r in REFUSAL_REASONS)},
    count(*) FILTER (WHERE do_not_call) AS do_not_call,
    {_rate("closed", "categorized")} AS completion_rate,
    round(avg(handle_time_s), 1) AS mean_handle_time_s
"""


def _facts(where: str) -> str:
    """The calls in the window with their outcome (the ``call_outcome_facts`` view's columns, made
    from ``call_days`` so the window is applied before any join)."""
    return f"""
        in_window AS (
            SELECT d.call_id, d.operator_id, d.team, d.campaign, d.day,
                   CAST(date_trunc('week', d.day) AS DATE) AS week, strftime(d.day, '%G-W%V') AS iso_week,
                   c.duration_s AS handle_time_s, c.direction AS given_direction
            FROM (SELECT * FROM call_days WHERE {where}) d JOIN calls c USING (call_id)),
        said AS (
            SELECT call_id, bool_or(category = 'complaint') AS complaint, bool_or(category = 'call_closed') AS closed
            FROM call_categories
            WHERE category IN ('complaint', 'call_closed') AND call_id IN (SELECT call_id FROM in_window)
            GROUP BY call_id),
        justified AS (
            SELECT call_id FROM category_reviews
            WHERE category = 'complaint' AND call_id IN (SELECT call_id FROM in_window)
            GROUP BY call_id HAVING arg_max(decision, review_id) = 'confirm'),
        facts AS (
            SELECT w.*, o.call_id IS NOT NULL AS categorized,
                   coalesce(o.direction, CASE WHEN w.given_direction = 'outbound' THEN 'outbound' ELSE 'inbound' END)
                       AS direction,
                   o.outcome, o.refusal_reason, coalesce(o.do_not_call, false) AS do_not_call,
                   coalesce(k.complaint, false) AS complaint, coalesce(k.closed, false) AS closed,
                   j.call_id IS NOT NULL AS justified
            FROM in_window w LEFT JOIN call_outcomes o USING (call_id) LEFT JOIN said k USING (call_id)
            LEFT JOIN justified j USING (call_id))"""


def _weeks(where: str) -> str:
    """The calls in the window with their ISO week (a CTE named ``in_window``)."""
    return f"""in_window AS (
                SELECT call_id, CAST(date_trunc('week', day) AS DATE) AS week, strftime(day, '%G-W%V') AS iso_week
                FROM call_days WHERE {where})"""


class OutcomeQueries(Database):
    """Store methods for the outcome KPIs."""

    def outcome_kpis(self, group: str | None = "operator_id", period: str = "week", since: date | None = None,
                     until: date | None = None, key: str | None = None,
                     synthetic: bool | None = None) -> list[dict[str, Any]]:
        """``group`` x ``period`` (day or week) rows of the outcome KPIs; ``key`` picks one group;
        ``group`` None: one row per period over all calls."""
        if (group is not None and group not in GROUPS) or period not in PERIODS:
            raise ValueError(f"group must be one of {', '.join(GROUPS)}, period one of {', '.join(PERIODS)}")
        where, params = group_window(since, until, synthetic, group, key)
        label = ", any_value(iso_week) AS iso_week" if period == "week" else ""
        keys = f"{group}, {period}" if group else period
        return self._rows(f"""
            WITH {_facts(where)}
            SELECT {keys}{label}, {_KPIS}
            FROM facts GROUP BY {keys} ORDER BY {period}{f", {group}" if group else ""}""", params)

    def reasons(self, since: date | None = None, until: date | None = None,
                synthetic: bool | None = None) -> list[dict[str, Any]]:
        """Calls per reason category and ISO week (a call stating two reasons counts in both)."""
        where, params = group_window(since, until, synthetic)
        return self._rows(f"""
            WITH {_weeks(where)}
            SELECT week, any_value(iso_week) AS iso_week, k.category AS reason, count(DISTINCT call_id) AS calls
            FROM in_window JOIN call_categories k USING (call_id) WHERE k.grp = 'reason'
            GROUP BY week, k.category ORDER BY week, calls DESC, reason""", params)

    def outcome_weeks(self, since: date | None = None, until: date | None = None,
                      synthetic: bool | None = None) -> list[dict[str, Any]]:
        """Judged calls per outcome and ISO week (calls not judged have no outcome)."""
        where, params = group_window(since, until, synthetic)
        return self._rows(f"""
            WITH {_weeks(where)}
            SELECT week, any_value(iso_week) AS iso_week, o.outcome, count(*) AS calls
            FROM in_window JOIN call_outcomes o USING (call_id)
            GROUP BY week, o.outcome ORDER BY week, calls DESC, o.outcome""", params)

    def calls_with_category(self, category: str, since: date | None = None, until: date | None = None,
                            synthetic: bool | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """The calls the book put in ``category`` (newest first, the columns of ``calls_list``), each
        with its first evidence (``start_s``, ``end_s``) and the latest reviewer correction."""
        where, params = group_window(since, until, synthetic)
        return self._rows(_calls_behind(f"""
            SELECT call_id, min(start_s) AS start_s, arg_min(end_s, coalesce(start_s, 0)) AS end_s,
                   (SELECT arg_max(r.decision, r.review_id) FROM category_reviews r
                    WHERE r.call_id = k.call_id AND r.category = ?) AS correction
            FROM call_categories k
            WHERE category = ? AND call_id IN (SELECT call_id FROM call_days WHERE {where}) GROUP BY call_id""",
            "t.start_s, t.end_s, t.correction"), [category, category, *params, limit])

    def calls_with_outcome(self, outcome: str, since: date | None = None, until: date | None = None,
                           synthetic: bool | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """The calls with ``outcome`` (newest first, the columns of ``calls_list``), with the refusal
        reason and whether the customer asked not to be called."""
        where, params = group_window(since, until, synthetic)
        return self._rows(_calls_behind(f"""
            SELECT call_id, refusal_reason, do_not_call FROM call_outcomes
            WHERE outcome = ? AND call_id IN (SELECT call_id FROM call_days WHERE {where})""",
            "t.refusal_reason, t.do_not_call"), [outcome, *params, limit])
