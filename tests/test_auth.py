"""Dashboard users, password hashes and which audio may be served."""

from __future__ import annotations

import pytest

from qa.auth import DEMO_USERS, authenticate, hash_password, identity_user, load_users, verify_password
from qa.config import parse_config
from qa.errors import ConfigError
from qa.serving import audio_dirs, servable_audio


def test_password_hashes_verify_and_are_salted():
    first, second = hash_password("s3cret"), hash_password("s3cret")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("s3cret", first) and not verify_password("s3cret!", first)
    assert not verify_password("s3cret", "plain-text") and not verify_password("x", "scrypt$1$2$3$bad$bad")


def test_demo_users_sign_in_with_their_documented_passwords():
    users = load_users(DEMO_USERS)
    assert authenticate(users, "sam", "sam-demo").role == "supervisor"
    assert authenticate(users, "anna", "anna-demo").role == "qa"
    assert authenticate(users, "anna", "sam-demo") is None
    assert authenticate(users, "nobody", "anna-demo") is None


def test_identity_provider_users_are_looked_up_by_email(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users."anna@example.com"]\nrole = "qa"\nname = "Anna"\n')
    users = load_users(path)
    assert identity_user(users, "anna@example.com").name == "Anna"
    assert identity_user(users, "eve@example.com") is None
    assert authenticate(users, "anna@example.com", "") is None  # no password: only through OIDC


@pytest.mark.parametrize("text, message", [
    ('[users.x]\nrole = "admin"\n', "role must be one of"),
    ('[users.x]\nrole = "qa"\npassword = "hunter2"\n', "must be a hash"),
    ('title = "no users"\n', "no [users"),
    ("[users.x\n", "not valid TOML"),
])
def test_bad_users_files_are_refused(tmp_path, text, message):
    path = tmp_path / "users.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="users.toml") as error:
        load_users(path)
    assert message in str(error.value)


def test_only_audio_inside_the_configured_folders_is_served(tmp_path):
    served = tmp_path / "redacted_audio"
    served.mkdir()
    (served / "c1.wav").write_bytes(b"RIFF")
    secret = tmp_path / "originals" / "c1.wav"
    secret.parent.mkdir()
    secret.write_bytes(b"RIFF")
    (served / "link.wav").symlink_to(secret)
    allowed = audio_dirs(parse_config({}), tmp_path / "callqa.duckdb")
    assert allowed == (served.resolve(),)
    assert servable_audio(str(served / "c1.wav"), allowed) == (served / "c1.wav").resolve()
    for path in (str(secret), str(served / ".." / "originals" / "c1.wav"), str(served / "link.wav"),
                 str(served / "missing.wav"), str(served), "", None):
        assert servable_audio(path, allowed) is None, path
    # a relative path (a copy beside the database) is read from the database's folder
    assert servable_audio("redacted_audio/c1.wav", allowed, tmp_path / "callqa.duckdb") == (served / "c1.wav").resolve()
    assert servable_audio("../originals/c1.wav", allowed, served / "callqa.duckdb") is None
    custom = audio_dirs(parse_config({"dashboard": {"audio_dirs": [str(secret.parent)]}}), tmp_path / "x.duckdb")
    assert servable_audio(str(secret), custom) == secret.resolve()
