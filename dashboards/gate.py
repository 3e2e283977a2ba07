"""What the dashboard serves over plain HTTP, and to whom.

Sign-in lives in a Streamlit session, which only the websocket carries: a ``/media`` GET (the
call audio, a search's CSV) carries nothing that ties it to a session, and Streamlit serves
``/_stcore/metrics`` and its agent API to anyone. So the dashboard runs as an ``st.App``
(dashboards/server.py) with this middleware in front:

* every browser gets a random HttpOnly cookie on its first response; the app records, for
  each signed-in session, that cookie (the websocket handshake carries it);
* ``/media/<id>`` is served only to the browser of a signed-in session that is connected now
  and holds that file: not to another client, not after sign-out, not after the tab closed;
* endpoints the app does not use answer 404.
"""

from __future__ import annotations

import secrets
import threading
from http.cookies import SimpleCookie

BROWSER_COOKIE = "callqa_browser"
# Streamlit's own endpoints the app needs; any other /_stcore/ path is refused
CORE_ALLOWED = frozenset({"health", "host-config", "stream"})
REFUSED_PREFIXES = ("/component/", "/app/static/")

_lock = threading.Lock()
_signed_in: dict[str, tuple[str, str | None]] = {}  # session id -> (login, browser cookie)


def hold(session_id: str, login: str, browser: str | None) -> None:
    """Record that ``session_id`` is signed in as ``login`` in the browser with that cookie (on
    every run of the app; sessions no longer connected are forgotten here)."""
    runtime = _runtime()
    with _lock:
        if runtime is not None:
            for gone in [sid for sid in _signed_in if sid != session_id and not runtime.is_active_session(sid)]:
                del _signed_in[gone]
        _signed_in[session_id] = (login, browser)


def release(session_id: str) -> None:
    """Sign-out: the session's media are refused from now on, and Streamlit forgets them."""
    with _lock:
        _signed_in.pop(session_id, None)
    runtime = _runtime()
    if runtime is not None:
        runtime.media_file_mgr.clear_session_refs(session_id)
        runtime.media_file_mgr.remove_orphaned_files()


def media_allowed(file_id: str, browser: str | None, runtime=None) -> bool:
    """Whether a signed-in, connected session of this browser holds media file ``file_id``."""
    runtime = runtime or _runtime()
    if not browser or runtime is None:
        return False
    with _lock:
        sessions = [sid for sid, (_, cookie) in _signed_in.items() if cookie == browser]
    manager = runtime.media_file_mgr
    with manager._lock:  # Streamlit 1.67 (pinned): file ids per session and element
        holders = [sid for sid in sessions if file_id in manager._files_by_session_and_coord.get(sid, {}).values()]
    return any(runtime.is_active_session(sid) for sid in holders)


def refused(path: str, base: str = "") -> bool:
    """Whether ``path`` is an endpoint the dashboard does not serve at all."""
    path = path[len(base):] if base and path.startswith(base) else path
    if path.startswith("/_stcore/"):
        return path.split("/")[2] not in CORE_ALLOWED
    return path.startswith(REFUSED_PREFIXES)


class Gate:
    """ASGI middleware: the browser cookie, the media check and the refused endpoints."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        from streamlit import config

        base = "/" + config.get_option("server.baseUrlPath").strip("/") if config.get_option("server.baseUrlPath") else ""
        path = scope["path"]
        browser = _cookie(scope, BROWSER_COOKIE)
        if scope["type"] == "http" and refused(path, base):
            return await _answer(send, 404, b"Not found")
        media = f"{base}/media/"
        if scope["type"] == "http" and path.startswith(media):
            file_id = path[len(media):].split(".", 1)[0]
            if not media_allowed(file_id, browser):
                return await _answer(send, 403, b"Sign in to the dashboard to play this")
        if scope["type"] == "http" and browser is None:
            send = _setting_cookie(send, secrets.token_urlsafe(32))
        await self.app(scope, receive, send)


def _runtime():
    from streamlit import runtime

    return runtime.get_instance() if runtime.exists() else None


def _cookie(scope, name: str) -> str | None:
    header = b"; ".join(value for key, value in scope.get("headers", ()) if key == b"cookie")
    cookie = SimpleCookie()
    try:
        cookie.load(header.decode("latin-1"))
    except Exception:  # a malformed Cookie header: as if none
        return None
    return cookie[name].value if name in cookie else None


def _setting_cookie(send, value: str):
    async def send_with_cookie(message) -> None:
        if message["type"] == "http.response.start":
            cookie = f"{BROWSER_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict"
            message = message | {"headers": [*message.get("headers", ()), (b"set-cookie", cookie.encode())]}
        await send(message)

    return send_with_cookie


async def _answer(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
