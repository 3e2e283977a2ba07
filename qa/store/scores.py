"""Scores, score items and reviews."""

from __future__ import annotations

import json
from typing import Iterable, Iterator, Sequence

import duckdb

from qa.store.database import Database
from qa.types import Flag, Role, Score, ScoreItem, ScoringInput, Severity

REVIEW_DECISIONS = ("confirm", "dismiss", "comment")
_CHUNK = 2000


def insert_score(con: duckdb.DuckDBPyConnection, score: Score, flag_ids: Sequence[int] | None = None) -> None:
    """Replace a call's score; with ``flag_ids`` the items' refs are indexes into it."""
    def ids(refs: tuple[int, ...]) -> list[int]:
        return [flag_ids[r] for r in refs] if flag_ids is not None else list(refs)

    con.execute("DELETE FROM score_items WHERE call_id = ?", [score.call_id])
    con.execute("DELETE FROM scores WHERE call_id = ?", [score.call_id])
    con.execute(
        "INSERT INTO scores (call_id, scorecard, scorecard_version, scorable, not_scorable_reason, total, "
        "auto_failed) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [score.call_id, score.scorecard, score.scorecard_version, score.scorable, score.not_scorable_reason,
         score.total, score.auto_failed],
    )
    if score.items:
        con.executemany(
            "INSERT INTO score_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[score.call_id, position, i.criterion, i.label, i.weight, i.points, i.lost, i.applicable,
              i.auto_fail, i.failed, i.reason, ids(i.flag_refs), ids(i.restored_refs), i.metric,
              i.metric_role, i.metric_value, i.start, i.end] for position, i in enumerate(score.items)],
        )


class ScoreRows(Database):
    """Scores, score items and reviews."""

    def save_scores(self, scores: Iterable[Score]) -> int:
        """Replace the scores of these calls (items name flag ids); one transaction per chunk."""
        count, chunk = 0, []
        for score in scores:
            chunk.append(score)
            if len(chunk) >= _CHUNK:
                count += self._save_chunk(chunk)
                chunk = []
        return count + (self._save_chunk(chunk) if chunk else 0)

    def _save_chunk(self, scores: list[Score]) -> int:
        with self.transaction() as con:
            for score in scores:
                insert_score(con, score)
        return len(scores)

    def call_ids(self, include_synthetic: bool = True) -> list[str]:
        """Every stored call id, in a stable order."""
        where = "" if include_synthetic else " WHERE NOT coalesce(synthetic, false)"
        with self.connect(read_only=True) as con:
            return [row[0] for row in con.execute(f"SELECT call_id FROM calls{where} ORDER BY call_id").fetchall()]

    def scoring_inputs(self, call_ids: Sequence[str] | None = None) -> Iterator[ScoringInput]:
        """What each stored call is scored on (flag refs are flag ids), in chunks."""
        ids = list(call_ids) if call_ids is not None else self.call_ids()
        for offset in range(0, len(ids), _CHUNK):
            yield from self._inputs_chunk(ids[offset:offset + _CHUNK])

    def _inputs_chunk(self, ids: list[str]) -> list[ScoringInput]:
        with self.connect(read_only=True) as con:
            con.execute("CREATE TEMP TABLE wanted AS SELECT unnest(?::VARCHAR[]) AS call_id", [ids])
            calls = con.execute(
                "SELECT call_id, campaign, language, language_source, language_probability, asr_model, has_speech, "
                "word_count, mean_word_probability, detectors FROM calls JOIN wanted USING (call_id)").fetchall()
            flags = con.execute(
                "SELECT call_id, flag_id, dismissed, kind, severity, role, start_s, end_s, evidence, detector, "
                "detector_version, confidence, speaker, details FROM flag_status JOIN wanted USING (call_id) "
                "ORDER BY call_id, start_s, flag_id").fetchall()
            metrics = con.execute(
                "SELECT call_id, name, role, value FROM call_metrics JOIN wanted USING (call_id)").fetchall()
            gaps = con.execute(
                "SELECT call_id, start_s, end_s FROM dead_air JOIN wanted USING (call_id) ORDER BY start_s").fetchall()
        by_call: dict[str, dict] = {row[0]: {"flags": [], "dismissed": set(), "metrics": {}, "gaps": []} for row in calls}
        for call_id, flag_id, dismissed, kind, severity, role, start, end, evidence, detector, version, \
                confidence, speaker, details in flags:
            by_call[call_id]["flags"].append((flag_id, Flag(
                kind, Severity(severity), Role(role), start, end, evidence, detector, version, confidence, speaker,
                tuple(json.loads(details or "{}").items()))))
            if dismissed:
                by_call[call_id]["dismissed"].add(flag_id)
        for call_id, name, role, value in metrics:
            by_call[call_id]["metrics"][(name, role)] = value
        for call_id, start, end in gaps:
            by_call[call_id]["gaps"].append((start, end))
        return [
            ScoringInput(
                call_id=call_id, campaign=campaign, language=language, language_source=source or "detected",
                language_probability=probability if probability is not None else 1.0, asr_model=model,
                has_speech=has_speech, word_count=words or 0, mean_word_probability=mean_probability,
                flags=tuple(by_call[call_id]["flags"]), metrics=by_call[call_id]["metrics"],
                dead_air=tuple(by_call[call_id]["gaps"]), dismissed=frozenset(by_call[call_id]["dismissed"]),
                detectors=frozenset(json.loads(detectors)) if detectors and json.loads(detectors) else None,
            )
            for call_id, campaign, language, source, probability, model, has_speech, words, mean_probability,
            detectors in calls
        ]

    def score(self, call_id: str) -> Score | None:
        """A stored call's score with its items (refs are flag ids); None if it has none."""
        with self.connect(read_only=True) as con:
            row = con.execute(
                "SELECT scorecard, scorecard_version, scorable, total, not_scorable_reason, auto_failed "
                "FROM scores WHERE call_id = ?", [call_id]).fetchone()
            items = con.execute(
                "SELECT criterion, label, weight, points, applicable, auto_fail, failed, reason, flag_ids, "
                "restored_flag_ids, metric, metric_role, metric_value, start_s, end_s FROM score_items "
                "WHERE call_id = ? ORDER BY position", [call_id]).fetchall()
        if row is None:
            return None
        scorecard, version, scorable, total, reason, auto_failed = row
        return Score(call_id, scorecard, version, scorable, total, tuple(
            ScoreItem(c, label, w, p, a, af, failed, why, tuple(f), tuple(r), *rest)
            for c, label, w, p, a, af, failed, why, f, r, *rest in items), reason, auto_failed)

    def flag_call(self, flag_id: int) -> str:
        """The call a flag belongs to; KeyError if there is no such flag."""
        with self.connect(read_only=True) as con:
            row = con.execute("SELECT call_id FROM flags WHERE flag_id = ?", [flag_id]).fetchone()
        if row is None:
            raise KeyError(flag_id)
        return row[0]

    def save_review(self, flag_id: int, reviewer: str, decision: str, comment: str | None,
                    score: Score | None) -> int:
        """Store a review of a flag and the call's new score together; return the review id."""
        if decision not in REVIEW_DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(REVIEW_DECISIONS)}, got {decision!r}")
        call_id = score.call_id if score is not None else self.flag_call(flag_id)
        with self.transaction() as con:
            review_id = con.execute(
                "INSERT INTO reviews (flag_id, call_id, reviewer, decision, comment) VALUES (?, ?, ?, ?, ?) "
                "RETURNING review_id", [flag_id, call_id, reviewer, decision, comment]).fetchone()[0]
            if score is not None:
                insert_score(con, score)
        return review_id

    def reviews(self, call_id: str | None = None) -> list[dict]:
        """Reviews, of one call or of all, oldest first."""
        query = "SELECT review_id, flag_id, call_id, reviewer, decision, comment, reviewed_at FROM reviews"
        params: list = []
        if call_id is not None:
            query += " WHERE call_id = ?"
            params.append(call_id)
        return self._rows(query + " ORDER BY review_id", params)
