from pathlib import Path

from qa.ingest import call_metadata, content_hash, discover, identify, metadata_from_file_name


def test_file_name_convention():
    meta = metadata_from_file_name(Path("20261130T091500_op01_inbound_billing_en.wav"))
    assert (meta.operator_id, meta.direction, meta.campaign, meta.language) == ("op01", "inbound", "billing", "en")
    assert meta.started_at == "2026-11-30T09:15:00+00:00"
    assert metadata_from_file_name(Path("recording 17.wav")).operator_id is None


def test_manifest_overrides_file_name_field_by_field(tmp_path):
    audio = tmp_path / "20261130T091500_op01_inbound_billing_en.wav"
    audio.write_bytes(b"RIFF")
    (tmp_path / "manifest.csv").write_text(
        "file,operator_id,language,operator_speaker\n" f"{audio.name},op99,,second\n"
    )
    meta = call_metadata(audio)
    assert meta.operator_id == "op99"  # manifest
    assert meta.language == "en"  # empty in the manifest: from the file name
    assert meta.campaign == "billing"
    assert meta.operator_speaker == "second"


def test_call_id_is_content_hash_not_name(tmp_path):
    first, second = tmp_path / "a.wav", tmp_path / "b.wav"
    first.write_bytes(b"same bytes")
    second.write_bytes(b"same bytes")
    assert identify(first).call_id == identify(second).call_id == content_hash(first)
    assert len(identify(first).call_id) == 64


def test_discover_recurses_and_keeps_only_audio(tmp_path):
    (tmp_path / "day1").mkdir()
    for name in ("day1/a.wav", "b.MP3", "notes.txt", "manifest.csv", "a.rttm"):
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["b.MP3", "day1/a.wav"]
