"""What the dashboard reads and writes besides aggregates: the review queue, one call's
evidence, drill-down lists, transcript search, calibration and the access log (a Store mixin).

Every value from a user reaches DuckDB as a bound parameter; only column names chosen from
fixed lists are put into the SQL text.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from qa.store.database import Database
from qa.store.filters import Filters, calls_filter

_SEVERITY_RANK = "CASE severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END"
BREAKDOWNS = ("kind", "language", "campaign", "team", "operator_id", "severity", "detector")


class ReviewQueries(Database):
    """Store methods for the QA review workflow and the supervisor's drill-down."""

    def filter_options(self, synthetic: bool | None = None) -> dict[str, Any]:
        """The values the dashboard's filters offer: kinds, severities, operators, teams,
        campaigns and languages present, and the first and last day with calls."""
        calls = calls_filter(synthetic=synthetic)
        [row] = self._rows(f"""
            SELECT list(DISTINCT c.operator_id ORDER BY c.operator_id) FILTER (WHERE c.operator_id IS NOT NULL)
                       AS operators,
                   list(DISTINCT c.team ORDER BY c.team) FILTER (WHERE c.team IS NOT NULL) AS teams,
                   list(DISTINCT c.campaign ORDER BY c.campaign) FILTER (WHERE c.campaign IS NOT NULL) AS campaigns,
                   list(DISTINCT c.language ORDER BY c.language) FILTER (WHERE c.language IS NOT NULL) AS languages,
                   min(c.day) AS first_day, max(c.day) AS last_day,
                   (SELECT list(DISTINCT kind ORDER BY kind) FROM flags) AS kinds
            FROM call_days c WHERE {calls.sql}""", calls.params)
        return {key: (value or []) if key not in ("first_day", "last_day") else value for key, value in row.items()} | {
            "severities": ["high", "medium", "low"]}

    def review_queue(self, kinds: Sequence[str] = (), severities: Sequence[str] = (), operator_id: str | None = None,
                     campaign: str | None = None, since: date | None = None, until: date | None = None,
                     reviewed: bool | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Flagged calls, most urgent first: ``reviewed`` False keeps calls with a flag nobody
        has confirmed or dismissed yet, True calls whose every flag has been decided."""
        calls = calls_filter(operator_id=operator_id, campaign=campaign, since=since, until=until)
        flags = Filters().add("list_contains(?, f.kind)", kinds).add("list_contains(?, f.severity)", severities)
        having = {None: "TRUE", True: "count(*) FILTER (WHERE f.review_decision IS NULL) = 0",
                  False: "count(*) FILTER (WHERE f.review_decision IS NULL) > 0"}[reviewed]
        return self._rows(f"""
            SELECT c.call_id, c.day, c.operator_id, c.team, c.campaign, c.language, k.file_name,
                   count(*) AS flags, count(*) FILTER (WHERE f.review_decision IS NULL) AS unreviewed,
                   list(DISTINCT f.kind ORDER BY f.kind) AS kinds,
                   CASE max({_SEVERITY_RANK}) WHEN 3 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END AS severity,
                   any_value(s.total) AS score, any_value(s.scorable) AS scorable,
                   any_value(s.auto_failed) AS auto_failed
            FROM flag_status f JOIN call_days c USING (call_id) JOIN calls k USING (call_id)
            LEFT JOIN scores s USING (call_id)
            WHERE {calls.sql} AND {flags.sql}
            GROUP BY ALL HAVING {having}
            ORDER BY max({_SEVERITY_RANK}) DESC, c.day DESC, c.call_id LIMIT ?""",
            calls.params + flags.params + [limit])

    def call_header(self, call_id: str) -> dict[str, Any] | None:
        """One call's metadata and score summary (None if it is not stored)."""
        rows = self._rows("""
            SELECT c.call_id, c.file_name, c.operator_id, c.team, c.campaign, c.direction, c.language,
                   coalesce(c.started_at, c.processed_at) AS call_time, c.duration_s, c.channels, c.has_speech,
                   c.asr_model, c.diarization, c.redacted, c.audio_path, c.synthetic, s.scorecard, s.total AS score,
                   s.scorable, s.not_scorable_reason, s.auto_failed
            FROM calls c LEFT JOIN scores s USING (call_id) WHERE c.call_id = ?""", [call_id])
        return rows[0] if rows else None

    def call_flags(self, call_id: str) -> list[dict[str, Any]]:
        """A call's flags in time order, each with its latest decision and review count."""
        return self._rows("""
            SELECT f.flag_id, f.kind, f.severity, f.role, f.speaker, f.start_s, f.end_s, f.evidence, f.detector,
                   f.detector_version, f.confidence, f.details, f.dismissed, f.review_decision,
                   (SELECT count(*) FROM reviews r WHERE r.flag_id = f.flag_id) AS reviews
            FROM flag_status f WHERE f.call_id = ? ORDER BY f.start_s, f.flag_id""", [call_id])

    def calls_list(self, operator_id: str | None = None, team: str | None = None, campaign: str | None = None,
                   language: str | None = None, since: date | None = None, until: date | None = None,
                   synthetic: bool | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """The calls behind a number: newest first, with score and flag count."""
        calls = calls_filter(operator_id, team, campaign, language, since, until, synthetic)
        return self._rows(f"""
            SELECT c.call_id, f.call_time, c.day, c.operator_id, c.team, c.campaign, c.language,
                   f.handle_time_s, f.score, f.scorable, f.not_scorable_reason, f.auto_failed, f.flags,
                   f.dead_air_s, f.talk_listen_ratio
            FROM call_days c JOIN call_facts f USING (call_id)
            WHERE {calls.sql} ORDER BY f.call_time DESC, c.call_id LIMIT ?""", calls.params + [limit])

    def flag_breakdown(self, by: str = "kind", then: str | None = None, since: date | None = None,
                       until: date | None = None, synthetic: bool | None = None) -> list[dict[str, Any]]:
        """Flag counts (dismissed ones left out) by one or two of BREAKDOWNS."""
        keys = [k for k in (by, then) if k is not None]
        if any(k not in BREAKDOWNS for k in keys):
            raise ValueError(f"breakdowns: {', '.join(BREAKDOWNS)}")
        columns = ", ".join(f"f.{k}" if k in ("kind", "severity", "detector") else f"c.{k}" for k in keys)
        calls = calls_filter(since=since, until=until, synthetic=synthetic)
        return self._rows(f"""
            SELECT {columns}, count(*) AS flags
            FROM flag_status f JOIN call_days c USING (call_id)
            WHERE NOT f.dismissed AND {calls.sql} GROUP BY ALL ORDER BY flags DESC""", calls.params)

    def search_transcripts(self, text: str, operator_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Utterances containing every word of ``text`` (case-insensitive) in the stored, redacted
        transcripts, newest call first."""
        words = [w for w in text.split() if w.strip()]
        if not words:
            return []
        match = Filters()
        for word in words:
            match.add("u.text ILIKE ? ESCAPE '\\'", "%" + word.replace("\\", "\\\\").replace("%", "\\%")
                      .replace("_", "\\_") + "%")
        calls = calls_filter(operator_id=operator_id)
        return self._rows(f"""
            SELECT u.call_id, u.utterance_index, u.role, u.start_s, u.end_s, u.text, c.operator_id, c.day,
                   k.file_name
            FROM utterances u JOIN call_days c USING (call_id) JOIN calls k USING (call_id)
            WHERE {match.sql} AND {calls.sql}
            ORDER BY c.day DESC, u.call_id, u.utterance_index LIMIT ?""", match.params + calls.params + [limit])

    def decisions(self) -> list[dict[str, Any]]:
        """Each reviewer's latest confirm/dismiss decision on each flag, with the flag's detector."""
        return self._rows("""
            SELECT r.flag_id, r.reviewer, arg_max(r.decision, r.review_id) AS decision, f.detector, f.kind
            FROM reviews r JOIN flags f USING (flag_id)
            WHERE r.decision IN ('confirm', 'dismiss') GROUP BY r.flag_id, r.reviewer, f.detector, f.kind
            ORDER BY r.flag_id, r.reviewer""", [])

    def disputed_flags(self) -> list[dict[str, Any]]:
        """Flags whose reviewers disagree (one's latest decision a confirm, another's a dismiss),
        newest call first: where the flag is, who decided what, and which decision stands."""
        return self._rows("""
            WITH latest AS (
                SELECT flag_id, reviewer, arg_max(decision, review_id) AS decision
                FROM reviews WHERE decision IN ('confirm', 'dismiss') GROUP BY flag_id, reviewer)
            SELECT f.flag_id, f.call_id, k.file_name, c.day, c.operator_id, f.kind, f.severity, f.start_s, f.end_s,
                   list(l.reviewer ORDER BY l.reviewer) FILTER (WHERE l.decision = 'confirm') AS confirmed_by,
                   list(l.reviewer ORDER BY l.reviewer) FILTER (WHERE l.decision = 'dismiss') AS dismissed_by,
                   f.review_decision AS standing
            FROM latest l JOIN flag_status f USING (flag_id) JOIN calls k USING (call_id)
            JOIN call_days c USING (call_id)
            GROUP BY ALL HAVING count(DISTINCT l.decision) = 2
            ORDER BY c.day DESC, f.call_id, f.start_s, f.flag_id""", [])

    def log_access(self, user: str, role: str, call_id: str | None, action: str = "open call") -> None:
        """Record that ``user`` opened a call (or did another audited action)."""
        with self.connect() as con:
            con.execute("INSERT INTO access_log (user_name, role, call_id, action) VALUES (?, ?, ?, ?)",
                        [user, role, call_id, action])

    def log_search(self, user: str, role: str, query: str, call_ids: Sequence[str]) -> None:
        """Record a transcript search: its query (the caller redacts it) and the calls shown."""
        with self.connect() as con:
            con.execute("INSERT INTO access_log (user_name, role, action, query, call_ids) "
                        "VALUES (?, ?, 'search', ?, ?::VARCHAR[])", [user, role, query, list(call_ids)])

    def access_log(self, user: str | None = None, call_id: str | None = None, limit: int = 1000) -> list[dict]:
        """Who opened or found which call when, newest first (a search: its query and calls)."""
        where = Filters().add("user_name = ?", user).add(
            "list_contains(list_concat(call_ids, [call_id]), ?)", call_id)
        return self._rows(f"SELECT logged_at, user_name, role, call_id, action, query, call_ids FROM access_log "
                          f"WHERE {where.sql} ORDER BY logged_at DESC, entry_id DESC LIMIT ?", where.params + [limit])
