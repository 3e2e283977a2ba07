"""Dashboard users and roles from a TOML file, with scrypt-hashed passwords (hashlib, stdlib).

Format::

    [users.sam]
    role = "supervisor"          # supervisor | qa
    name = "Sam Sup"             # shown in the dashboard (reviews store the login)
    password = "scrypt$16384$8$1$<salt>$<hash>"   # `callqa hash-password` prints one

    [users."anna@example.com"]   # a user who signs in through OIDC (st.login) has no password
    role = "qa"

Supervisors see everything, QA specialists the review pages; both review flags.

Password sign-in (``sign_in``) runs exactly one scrypt whether or not the name is known (an
unknown name is checked against a fixed dummy hash), and backs off per login name,
process-wide (``SignInThrottle``): after ``FREE_FAILURES`` failures in a row each further
attempt must wait 2^(n - FREE_FAILURES) s after the last failure (at most ``MAX_WAIT_S``),
known and unknown names alike; an attempt inside the wait is refused unchecked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from qa.config import read_toml
from qa.errors import ConfigError

ROLES = ("supervisor", "qa")
DEMO_USERS = Path(__file__).resolve().parents[1] / "dashboards" / "demo_users.toml"
_N, _R, _P = 2**14, 8, 1
# hash_password of a random password nobody knows: unknown names are checked against it (one scrypt)
_DUMMY_HASH = "scrypt$16384$8$1$kmjGEXgC0RWe3vXpYRNagg==$vSLD+7hcmXzvHj+RpgbxWrdoS0J++gctgEzrVfPCRes="
FREE_FAILURES = 5
MAX_WAIT_S = 300.0
MAX_NAMES = 10_000  # failure records kept; the stalest go first


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
        verify_password(password, _DUMMY_HASH)  # the same single scrypt as for a known name
        return None
    return record.user if verify_password(password, record.password_hash) else None


def identity_user(users: dict[str, UserRecord], email: str | None) -> User | None:
    """The user an identity provider signed in (looked up by e-mail), if the file knows them."""
    record = users.get(email or "")
    return record.user if record is not None else None


@dataclass(frozen=True)
class SignIn:
    """A password sign-in's outcome: the user, or None; ``wait_s`` before this name may try
    again; ``checked`` False when the attempt was refused inside a wait, unchecked."""

    user: User | None
    wait_s: float = 0.0
    checked: bool = True

    @property
    def message(self) -> str:
        """What the sign-in form says on a refusal."""
        wait = f"Too many failed sign-ins for this name: try again in {math.ceil(self.wait_s)} s."
        if not self.checked:
            return wait
        return "Wrong user name or password." + (f" {wait}" if self.wait_s > 0 else "")


class SignInThrottle:
    """Failed sign-ins in a row per login name, shared by every session of the process (a lock
    guards them): after ``free`` failures, 2^(n - free) s must pass after the last one (at most
    ``cap``). ``clock`` (monotonic seconds) is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, free: int = FREE_FAILURES,
                 cap: float = MAX_WAIT_S, max_names: int = MAX_NAMES) -> None:
        self.clock, self.free, self.cap, self.max_names = clock, free, cap, max_names
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # name -> (failures in a row, time of the last)

    @staticmethod
    def _key(login: str) -> str:
        return login.strip().casefold()

    def wait_s(self, login: str) -> float:
        """Seconds before ``login`` may try again (0: now)."""
        with self._lock:
            count, last = self._failures.get(self._key(login), (0, 0.0))
        if count < self.free:
            return 0.0
        return max(0.0, last + min(self.cap, 2.0 ** (count - self.free)) - self.clock())

    def failed(self, login: str) -> None:
        """Count a failure for ``login`` (known to the users file or not)."""
        with self._lock:
            count, _ = self._failures.pop(self._key(login), (0, 0.0))
            if len(self._failures) >= self.max_names:
                del self._failures[next(iter(self._failures))]  # insertion order: the stalest
            self._failures[self._key(login)] = (count + 1, self.clock())

    def succeeded(self, login: str) -> None:
        """Forget ``login``'s failures."""
        with self._lock:
            self._failures.pop(self._key(login), None)


SIGN_INS = SignInThrottle()


def sign_in(users: dict[str, UserRecord], login: str, password: str,
            throttle: SignInThrottle | None = None) -> SignIn:
    """``authenticate`` behind the back-off of ``throttle`` (default: the process-wide SIGN_INS)."""
    throttle = throttle or SIGN_INS
    wait = throttle.wait_s(login)
    if wait > 0:
        return SignIn(None, wait, checked=False)
    user = authenticate(users, login, password)
    if user is None:
        throttle.failed(login)
        return SignIn(None, throttle.wait_s(login))
    throttle.succeeded(login)
    return SignIn(user)
