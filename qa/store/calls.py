"""Calls and everything stored with them, written in one transaction per call."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from qa.store.categories import insert_categorization
from qa.store.database import Database
from qa.store.scores import insert_score
from qa.types import Call, CallResult, Categorization, ChannelLayout, Flag, PiiMention, Role, Score, Severity, SpeechTurn, Transcript, Utterance, Word

# call_metrics rows copied into call_summary (the columns the aggregates read)
SUMMARY_METRICS = {("talk_listen_ratio", "call"): "talk_listen_ratio", ("dead_air_s", "call"): "dead_air_s",
                   ("dead_air_count", "call"): "dead_air_count", ("sentiment_start", "customer"): "sentiment_start",
                   ("sentiment_end", "customer"): "sentiment_end"}


@dataclass(frozen=True)
class StoredCall:
    """A call row as stored (the columns a caller usually needs)."""

    call_id: str
    file_name: str
    operator_id: str | None
    direction: str | None
    campaign: str | None
    language: str | None
    duration_s: float
    channels: int
    has_speech: bool


class CallRows(Database):
    """Calls, transcripts, flags, personal-data spans and metrics."""

    def has_call(self, call_id: str) -> bool:
        with self.connect(read_only=True) as con:
            return con.execute("SELECT count(*) FROM calls WHERE call_id = ?", [call_id]).fetchone()[0] > 0

    def save(self, result: CallResult, run_id: str | None) -> str:
        """Store one analysed call in one transaction; return its outcome ('processed', 'no_speech')."""
        self.save_call(result.call, result.transcript, run_id, result.asr_model, result.diarization,
                       result.language_source, flags=result.flags, pii=result.pii, redacted=result.redacted,
                       detectors=result.detectors, audio_path=result.audio_path, metrics=list(result.metrics),
                       dead_air=result.dead_air, score=result.score, layout=result.layout,
                       categorization=result.categorization)
        return result.outcome

    def save_call(self, call: Call, transcript: Transcript, run_id: str | None, asr_model: str,
                  diarization: str, language_source: str, flags: tuple[Flag, ...] = (),
                  pii: tuple[PiiMention, ...] = (), redacted: bool = False,
                  detectors: dict | None = None, audio_path: str | None = None,
                  metrics: list[tuple[str, str, float]] = (), dead_air: tuple[tuple[float, float], ...] = (),
                  score: Score | None = None, layout: ChannelLayout | None = None,
                  categorization: Categorization | None = None) -> None:
        """Store a call and all its rows in one transaction: all or nothing.

        ``transcript`` is stored as given: the caller passes the redacted one. The ``score``
        items name flags by their index in ``flags``; they are stored with the flag ids.
        """
        row = self._call_row(call, transcript, run_id, asr_model, diarization, language_source, redacted,
                             detectors, audio_path)
        with self.transaction() as con:
            con.execute(
                "INSERT INTO calls (call_id, path, file_name, operator_id, direction, campaign, "
                "started_at, language, language_probability, language_source, duration_s, channels, "
                "source_sample_rate, has_speech, word_count, asr_model, diarization, run_id, redacted, "
                "detectors, audio_path, team, mean_word_probability) "
                "VALUES (?, ?, ?, ?, ?, ?, TRY_CAST(? AS TIMESTAMPTZ), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            flag_ids = self._insert_flags(con, call.call_id, flags)
            if score is not None:
                insert_score(con, score, flag_ids)
            self._insert_pii(con, call.call_id, pii)
            self._insert_metrics(con, call.call_id, metrics, dead_air)
            self._insert_transcript(con, call.call_id, transcript)
            if layout is not None:
                self._insert_layout(con, call.call_id, layout)
            if categorization is not None:
                insert_categorization(con, call.call_id, categorization)

    @staticmethod
    def _call_row(call: Call, transcript: Transcript, run_id: str | None, asr_model: str, diarization: str,
                  language_source: str, redacted: bool, detectors: dict | None, audio_path: str | None) -> list:
        """The ``calls`` row of a call, in the column order ``save_call`` inserts."""
        meta = call.metadata
        words_all = transcript.words
        mean_probability = sum(w.probability for w in words_all) / len(words_all) if words_all else None
        return [call.call_id, call.path, Path(call.path).name, meta.operator_id, meta.direction,
                meta.campaign, meta.started_at, transcript.language, transcript.language_probability,
                language_source, transcript.duration, transcript.channels, transcript.sample_rate,
                transcript.has_speech, len(words_all), asr_model, diarization, run_id,
                redacted, json.dumps(detectors or {}), audio_path, meta.team, mean_probability]

    @staticmethod
    def _insert_metrics(con: duckdb.DuckDBPyConnection, call_id: str, metrics: list[tuple[str, str, float]],
                        dead_air: tuple[tuple[float, float], ...]) -> None:
        """Insert a call's metrics, its ``call_summary`` row and its dead-air gaps."""
        if metrics:
            con.executemany("INSERT INTO call_metrics VALUES (?, ?, ?, ?)",
                            [[call_id, name, role, value] for name, role, value in metrics])
        summary = {SUMMARY_METRICS[(n, r)]: v for n, r, v in metrics if (n, r) in SUMMARY_METRICS}
        con.execute(f"INSERT INTO call_summary (call_id{''.join(', ' + c for c in summary)}) "
                    f"VALUES (?{', ?' * len(summary)})", [call_id, *summary.values()])
        if dead_air:
            con.executemany("INSERT INTO dead_air VALUES (?, ?, ?)",
                            [[call_id, start, end] for start, end in dead_air])

    @staticmethod
    def _insert_transcript(con: duckdb.DuckDBPyConnection, call_id: str, transcript: Transcript) -> None:
        """Insert a transcript's utterances, words and speaker turns."""
        utterances = transcript.utterances
        if utterances:
            con.execute(
                "INSERT INTO utterances SELECT ?, unnest(?::INTEGER[]), unnest(?::VARCHAR[]), "
                "unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::DOUBLE[]), "
                "unnest(?::DOUBLE[]), unnest(?::VARCHAR[])",
                [call_id, list(range(len(utterances))), [u.speaker for u in utterances],
                 [u.role.value for u in utterances], [u.channel for u in utterances],
                 [u.start for u in utterances], [u.end for u in utterances],
                 [u.text for u in utterances]],
            )
        words = [(i, j, w) for i, u in enumerate(utterances) for j, w in enumerate(u.words)]
        if words:
            con.execute(
                "INSERT INTO words SELECT ?, unnest(?::INTEGER[]), unnest(?::INTEGER[]), "
                "unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[])",
                [call_id, [i for i, _, _ in words], [j for _, j, _ in words],
                 [w.start for *_, w in words], [w.end for *_, w in words],
                 [w.text for *_, w in words], [w.probability for *_, w in words]],
            )
        turns = transcript.turns
        if turns:
            con.execute(
                "INSERT INTO speaker_turns SELECT ?, unnest(?::VARCHAR[]), unnest(?::DOUBLE[]), "
                "unnest(?::DOUBLE[])",
                [call_id, [t.speaker for t in turns], [t.start for t in turns],
                 [t.end for t in turns]],
            )

    @staticmethod
    def _insert_layout(con: duckdb.DuckDBPyConnection, call_id: str, layout: ChannelLayout) -> None:
        def pair(values: tuple) -> list:
            return [*values, None, None][:2]

        con.execute("INSERT INTO call_channels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [call_id, layout.channels, layout.mode, layout.reason, layout.forced, layout.live_channel,
                     layout.correlation, layout.difference_db, layout.envelope_correlation, *pair(layout.level_db), *pair(layout.speech_s),
                     *pair(layout.bleed_db)])

    def channel_layout(self, call_id: str) -> ChannelLayout | None:
        """How a stored call's channels were read (None for calls stored before it was kept)."""
        with self.connect(read_only=True) as con:
            row = con.execute("SELECT * EXCLUDE (call_id) FROM call_channels WHERE call_id = ?", [call_id]).fetchone()
        if row is None:
            return None
        channels, mode, reason, forced, live, correlation, difference, envelope, *pairs = row
        kept = [tuple(pairs[i:i + channels]) if any(v is not None for v in pairs[i:i + 2]) else ()
                for i in range(0, 6, 2)]
        return ChannelLayout(channels, mode, reason, forced, live, correlation, difference, envelope, *kept)

    @staticmethod
    def _insert_flags(con: duckdb.DuckDBPyConnection, call_id: str, flags: tuple[Flag, ...]) -> list[int]:
        """Insert flags; return their ids, in order."""
        if not flags:
            return []
        ids = [row[0] for row in con.execute("SELECT nextval('flag_ids') FROM range(?)", [len(flags)]).fetchall()]
        con.executemany(
            "INSERT INTO flags (flag_id, call_id, kind, severity, role, speaker, start_s, end_s, evidence, detector, "
            "detector_version, confidence, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[flag_id, call_id, f.kind, f.severity.value, f.role.value, f.speaker, f.start, f.end, f.evidence,
              f.detector, f.detector_version, f.confidence, json.dumps(dict(f.details))]
             for flag_id, f in zip(ids, flags)],
        )
        return ids

    @staticmethod
    def _insert_pii(con: duckdb.DuckDBPyConnection, call_id: str, mentions: tuple[PiiMention, ...]) -> None:
        if not mentions:
            return
        con.executemany(
            "INSERT INTO pii_spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[call_id, m.utterance_index, m.first_word, m.last_word, m.type, m.role.value, m.speaker,
              m.start, m.end, m.score, m.recognizer] for m in mentions],
        )

    def flags(self, call_id: str | None = None) -> list[Flag]:
        """Stored flags, of one call or of all, in time order."""
        query = ("SELECT kind, severity, role, start_s, end_s, evidence, detector, detector_version, "
                 "confidence, speaker, details FROM flags")
        params: list = []
        if call_id is not None:
            query += " WHERE call_id = ?"
            params.append(call_id)
        with self.connect(read_only=True) as con:
            rows = con.execute(query + " ORDER BY call_id, start_s, kind", params).fetchall()
        return [
            Flag(kind, Severity(severity), Role(role), start, end, evidence, detector, version, confidence,
                 speaker, tuple(json.loads(details or "{}").items()))
            for kind, severity, role, start, end, evidence, detector, version, confidence, speaker, details in rows
        ]

    def pii_mentions(self, call_id: str) -> list[PiiMention]:
        """Stored personal-data mentions of one call (types and times)."""
        with self.connect(read_only=True) as con:
            rows = con.execute(
                "SELECT type, role, speaker, start_s, end_s, utterance_index, first_word, last_word, score, "
                "recognizer FROM pii_spans WHERE call_id = ? ORDER BY start_s", [call_id]
            ).fetchall()
        return [PiiMention(t, Role(r), *rest) for t, r, *rest in rows]

    def metrics(self, call_id: str) -> dict[tuple[str, str], float]:
        """A stored call's metrics: (name, role) -> value; role is 'call', 'operator' or 'customer'."""
        with self.connect(read_only=True) as con:
            rows = con.execute("SELECT name, role, value FROM call_metrics WHERE call_id = ?", [call_id]).fetchall()
        return {(name, role): value for name, role, value in rows}

    def calls(self) -> list[StoredCall]:
        """All stored calls, oldest file name first."""
        with self.connect(read_only=True) as con:
            rows = con.execute(
                "SELECT call_id, file_name, operator_id, direction, campaign, language, duration_s, "
                "channels, has_speech FROM calls ORDER BY file_name"
            ).fetchall()
        return [StoredCall(*row) for row in rows]

    def transcript(self, call_id: str) -> Transcript:
        """A stored call's transcript, rebuilt from its rows."""
        with self.connect(read_only=True) as con:
            call = con.execute(
                "SELECT language, language_probability, duration_s, channels, source_sample_rate "
                "FROM calls WHERE call_id = ?", [call_id]
            ).fetchone()
            if call is None:
                raise KeyError(call_id)
            utterance_rows = con.execute(
                "SELECT utterance_index, speaker, role, channel, start_s, end_s, text FROM utterances "
                "WHERE call_id = ? ORDER BY utterance_index", [call_id]
            ).fetchall()
            word_rows = con.execute(
                "SELECT utterance_index, start_s, end_s, text, probability FROM words "
                "WHERE call_id = ? ORDER BY utterance_index, word_index", [call_id]
            ).fetchall()
            turn_rows = con.execute(
                "SELECT start_s, end_s, speaker FROM speaker_turns WHERE call_id = ? ORDER BY start_s",
                [call_id],
            ).fetchall()
        words_by_utterance: dict[int, list[Word]] = {}
        for index, *word in word_rows:
            words_by_utterance.setdefault(index, []).append(Word(*word))
        utterances = tuple(
            Utterance(speaker, Role(role), channel, start, end, text, tuple(words_by_utterance.get(i, ())))
            for i, speaker, role, channel, start, end, text in utterance_rows
        )
        language, probability, duration, channels, rate = call
        return Transcript(call_id, language, probability, duration, channels, rate, utterances,
                          tuple(SpeechTurn(*t) for t in turn_rows))

    def bulk_load(self, files: dict[str, list[str | Path]]) -> dict[str, int]:
        """Append Parquet files to tables by column name, all in one transaction (scale tests).

        ``files`` maps a callqa table to its files; columns a file lacks get their defaults.
        """
        known = set(self.table_counts())
        if unknown := set(files) - known:
            raise ValueError(f"not callqa tables: {', '.join(sorted(unknown))}")
        loaded = {}
        with self.transaction() as con:
            for table, paths in files.items():
                before = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)", [[str(p) for p in paths]])
                loaded[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] - before
        return loaded

    def table_counts(self) -> dict[str, int]:
        """Row count of each callqa table."""
        tables = ("calls", "utterances", "words", "speaker_turns", "flags", "pii_spans", "call_metrics", "dead_air",
                  "call_summary", "call_channels", "scores", "score_items", "reviews", "access_log", "runs", "failures",
                  "call_categories", "call_outcomes")
        with self.connect(read_only=True) as con:
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
