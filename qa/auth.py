"""Dashboard users and roles from a TOML file, with scrypt-hashed passwords (hashlib, stdlib).

Format::

    [users.sam]
    role = "supervisor"          # supervisor | qa
    name = "Sam Sup"             # shown in the dashboard (reviews store the login)
    password = "scrypt$16384$8$1$<salt>$<hash>"   # `callqa hash-password` prints one

    [users."anna@example.com"]   # a user who signs in through OIDC (st.login) has no password
    role = "qa"

Supervisors see everything, QA specialists the review pages; both review flags.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from qa.config import read_toml
from qa.errors import ConfigError

ROLES = ("supervisor", "qa")
DEMO_USERS = Path(__file__).resolve().parents[1] / "dashboards" / "demo_users.toml"
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    """Someone signed in to the dashboard."""

    login: str
    role: str
    name: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclass(frozen=True)
class UserRecord:
    """A line of the users file."""

    user: User
    password_hash: str | None


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash of ``password``."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a ``hash_password`` string (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def load_users(path: str | Path) -> dict[str, UserRecord]:
    """Read a users file; ConfigError naming the file and the problem."""
    path = Path(path)
    data = read_toml(path, "users file")
    users = data.get("users")
    if not isinstance(users, dict) or not users:
        raise ConfigError(f"{path}: no [users.<login>] tables")
    records = {}
    for login, entry in users.items():
        if not isinstance(entry, dict) or entry.get("role") not in ROLES:
            raise ConfigError(f"{path}: users.{login}: role must be one of {', '.join(ROLES)}")
        password = entry.get("password")
        if password is not None and not str(password).startswith("scrypt$"):
            raise ConfigError(f"{path}: users.{login}: password must be a hash from `callqa hash-password`")
        records[login] = UserRecord(User(login, entry["role"], str(entry.get("name") or login)), password)
    return records


def authenticate(users: dict[str, UserRecord], login: str, password: str) -> User | None:
    """The user when ``login`` has a password and it matches, else None."""
    record = users.get(login.strip())
    if record is None or record.password_hash is None:
        verify_password(password, hash_password("timing"))  # same work for unknown users
        return None
    return record.user if verify_password(password, record.password_hash) else None


def identity_user(users: dict[str, UserRecord], email: str | None) -> User | None:
    """The user an identity provider signed in (looked up by e-mail), if the file knows them."""
    record = users.get(email or "")
    return record.user if record is not None else None
