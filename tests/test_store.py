import duckdb
import pytest

from qa.store import MIGRATIONS, Store
from qa.types import Call, CallMetadata, Flag, PiiMention, Role, Severity, SpeechTurn, Transcript, Utterance, Word


def transcript(call_id, text="hello there", broken=False):
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, None if broken else t, 0.9) for i, t in enumerate(text.split()))
    utterance = Utterance("CHANNEL_0", Role.OPERATOR, 0, 0.0, 1.0, text, words)
    return Transcript(call_id, "en", 0.99, 12.5, 2, 8000, (utterance,), (SpeechTurn(0.0, 1.0, "CHANNEL_0"),))


def call(call_id="c1"):
    return Call(call_id, f"/calls/{call_id}.wav", CallMetadata(operator_id="op1", started_at="2026-11-30T09:15:00+00:00"))


def test_schema_is_created_and_migration_is_idempotent(tmp_path):
    store = Store(tmp_path / "qa.duckdb")
    assert store.migrate() == len(MIGRATIONS) == 12
    assert Store(tmp_path / "qa.duckdb").table_counts()["calls"] == 0


def test_call_round_trip(tmp_path):
    store = Store(tmp_path / "qa.duckdb")
    store.save_call(call(), transcript("c1"), None, "base", "channels", "metadata")
    assert store.has_call("c1") and not store.has_call("c2")
    stored = store.transcript("c1")
    assert stored.utterances[0].role is Role.OPERATOR
    assert [w.text for w in stored.words] == ["hello", "there"]
    assert store.table_counts() == {"calls": 1, "utterances": 1, "words": 2, "speaker_turns": 1,
                                    "flags": 0, "pii_spans": 0, "call_metrics": 0, "dead_air": 0,
                                    "call_summary": 1, "call_channels": 0, "scores": 0, "score_items": 0, "reviews": 0,
                                    "access_log": 0, "runs": 0, "failures": 0, "call_categories": 0, "call_outcomes": 0}


def test_failed_save_leaves_no_partial_call(tmp_path):
    store = Store(tmp_path / "qa.duckdb")
    with pytest.raises(duckdb.Error):
        store.save_call(call(), transcript("c1", broken=True), None, "base", "channels", "metadata")
    assert store.table_counts()["calls"] == 0
    assert store.table_counts()["utterances"] == 0


def test_saving_the_same_call_twice_is_refused_whole(tmp_path):
    store = Store(tmp_path / "qa.duckdb")
    store.save_call(call(), transcript("c1"), None, "base", "channels", "metadata")
    with pytest.raises(duckdb.ConstraintException):
        store.save_call(call(), transcript("c1", "other words here"), None, "base", "channels", "metadata")
    assert store.table_counts()["words"] == 2


def test_runs_and_failures(tmp_path):
    store = Store(tmp_path / "qa.duckdb")
    run_id = store.start_run({"asr": {"model": "base"}})
    store.record_failure(run_id, "/calls/bad.wav", "empty file (0 bytes)")
    store.finish_run(run_id, 3, 1, 1, 1)
    assert store.failures(run_id) == [("/calls/bad.wav", "empty file (0 bytes)")]


def test_writer_waits_for_another_process_lock(tmp_path):
    """A second writer retries while the lock is held, then fails with a clear error."""
    import subprocess
    import sys
    import time

    path = tmp_path / "qa.duckdb"
    Store(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(1.5)"],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    started = time.monotonic()
    store = Store(path, lock_timeout=10)
    store.save_call(call(), transcript("c1"), None, "base", "channels", "metadata")
    assert time.monotonic() - started > 0.5
    holder.wait()
    assert store.has_call("c1")


def test_flags_and_pii_are_stored_with_the_call(tmp_path):
    store = Store(tmp_path / "qa.duckdb")
    flag = Flag("profanity", Severity.MEDIUM, Role.OPERATOR, 0.0, 0.4, "hello [PERSON]", "profanity", "1",
                0.9, "CHANNEL_0", (("violation", "true"),))
    mention = PiiMention("PERSON", Role.OPERATOR, "CHANNEL_0", 0.5, 0.9, 0, 1, 1, 0.85, "spacy")
    store.save_call(call(), transcript("c1"), None, "base", "channels", "metadata", flags=(flag,),
                    pii=(mention,), redacted=True)
    assert store.flags("c1") == [flag]
    assert store.pii_mentions("c1") == [mention]


def test_schema_1_database_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ)")
    con.execute(MIGRATIONS[0])
    con.execute("INSERT INTO schema_migrations (version) VALUES (1)")
    con.close()
    store = Store(path)
    store.save_call(call(), transcript("c1"), None, "base", "channels", "metadata")
    assert store.table_counts()["calls"] == 1 and store.flags() == []


def test_metrics_are_stored_with_the_call(tmp_path):
    store = Store(tmp_path / "qa.duckdb")
    store.save_call(call(), transcript("c1"), None, "base", "channels", "metadata",
                    metrics=[("talk_s", "operator", 0.9), ("dead_air_count", "call", 1.0)], dead_air=((2.0, 13.0),))
    assert store.metrics("c1") == {("talk_s", "operator"): 0.9, ("dead_air_count", "call"): 1.0}
    assert store.table_counts()["dead_air"] == 1


def test_channel_layout_is_stored_with_its_measures(tmp_path):
    from qa.types import ChannelLayout

    store = Store(tmp_path / "qa.duckdb")
    layout = ChannelLayout(2, "channels", "two parties, one per channel", False, None, 0.0021, -0.1, 0.05,
                           (-25.8, -23.4), (33.2, 10.2), (-26.9, -26.6))
    store.save_call(call("c1"), transcript("c1"), None, "base", "channels", "metadata", layout=layout)
    store.save_call(call("c2"), transcript("c2"), None, "base", "channels", "metadata")
    mono = ChannelLayout(1, "mono", "one channel", level_db=(-23.5,), speech_s=(54.4,))
    store.save_call(call("c3"), transcript("c3"), None, "base", "pyannote", "metadata", layout=mono)
    assert store.channel_layout("c1") == layout
    assert store.channel_layout("c2") is None
    assert store.channel_layout("c3") == mono
    assert store.table_counts()["call_channels"] == 2
