"""Dashboard users, password hashes and which audio may be served."""

from __future__ import annotations

import hashlib

import pytest

from qa.auth import (DEMO_USERS, SignIn, SignInThrottle, authenticate, hash_password, identity_user, load_users, sign_in,
                     verify_password)
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


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("name", ["anna", "nobody"])  # a known and an unknown name: the same answers
def test_sign_in_backs_off_exponentially_after_five_failures(name):
    users, clock = load_users(DEMO_USERS), FakeClock()
    throttle = SignInThrottle(clock=clock)
    for _ in range(4):
        assert sign_in(users, name, "wrong", throttle) == SignIn(None, 0.0)
    fifth = sign_in(users, name, "wrong", throttle)
    assert fifth == SignIn(None, 1.0) and fifth.message == ("Wrong user name or password. Too many failed "
                                                            "sign-ins for this name: try again in 1 s.")
    refused = sign_in(users, name, "anna-demo", throttle)  # unchecked inside the wait, even a right password
    assert refused == SignIn(None, 1.0, checked=False)
    assert refused.message == "Too many failed sign-ins for this name: try again in 1 s."
    assert sign_in(users, f" {name.upper()} ", "wrong", throttle).wait_s == 1.0  # one name however typed
    clock.now += 1.0
    assert sign_in(users, name, "wrong", throttle) == SignIn(None, 2.0)  # the 6th failure: 2 s
    clock.now += 2.0
    assert sign_in(users, name, "wrong", throttle).wait_s == 4.0
    assert throttle.wait_s("ben") == 0.0  # other names are not held back
    for _ in range(20):
        clock.now += throttle.wait_s(name)
        sign_in(users, name, "wrong", throttle)
    assert throttle.wait_s(name) == 300.0  # capped at 5 minutes
    clock.now += 300.0
    outcome = sign_in(users, name, "anna-demo", throttle)
    assert (outcome.user is not None) == (name == "anna")
    if name == "anna":
        assert throttle.wait_s("anna") == 0.0  # a success forgets the failures


def test_the_throttle_keeps_a_bounded_number_of_names():
    throttle = SignInThrottle(clock=FakeClock(), free=1, max_names=3)
    for name in ("a", "b", "c", "d"):
        throttle.failed(name)
    assert throttle.wait_s("a") == 0.0 and throttle.wait_s("d") == 1.0


def test_known_and_unknown_names_cost_one_scrypt_each(monkeypatch, tmp_path):
    users = load_users(DEMO_USERS)
    calls = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    for name, password in [("anna", "wrong"), ("nobody", "wrong"), ("anna", "anna-demo")]:
        calls.clear()
        authenticate(users, name, password)
        assert len(calls) == 1, name
    calls.clear()
    (tmp_path / "users.toml").write_text('[users."e@x.org"]\nrole = "qa"\n')
    authenticate(load_users(tmp_path / "users.toml"), "e@x.org", "x")  # OIDC-only: no password, one scrypt too
    assert len(calls) == 1
