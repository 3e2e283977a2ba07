"""The gate in front of the dashboard (dashboards/gate.py), with a fake Streamlit runtime."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

from helpers.paths import REPO

sys.path.insert(0, str(REPO / "dashboards"))
gate = pytest.importorskip("gate")


class FakeMediaManager:
    def __init__(self, files: dict[str, dict[str, str]]) -> None:
        self._lock = threading.Lock()
        self._files_by_session_and_coord = files


class FakeRuntime:
    def __init__(self, files, active) -> None:
        self.media_file_mgr = FakeMediaManager(files)
        self.active = set(active)

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.active


def test_media_go_only_to_the_browser_of_a_connected_signed_in_session_that_holds_them():
    runtime = FakeRuntime({"s1": {"audio": "f1"}, "s2": {"audio": "f2"}}, active={"s1"})
    gate.hold("s1", "anna", "browser-a")
    gate.hold("s2", "ben", "browser-b")
    try:
        assert gate.media_allowed("f1", "browser-a", runtime)
        assert not gate.media_allowed("f1", "browser-b", runtime)  # another browser
        assert not gate.media_allowed("f1", None, runtime)  # no cookie: a script, curl
        assert not gate.media_allowed("f2", "browser-b", runtime)  # ben's tab closed
        assert not gate.media_allowed("f9", "browser-a", runtime)  # a file anna's session never showed
        gate.release("s1")
        assert not gate.media_allowed("f1", "browser-a", runtime)  # signed out
    finally:
        gate.release("s1"), gate.release("s2")


def test_endpoints_the_app_does_not_use_are_refused():
    for path in ("/_stcore/metrics", "/_stcore/agent/mcp", "/_stcore/upload_file/a/b", "/component/x/y",
                 "/_stcore/bidi-components/x"):
        assert gate.refused(path), path
    for path in ("/", "/call", "/_stcore/health", "/_stcore/host-config", "/_stcore/stream", "/static/js/a.js",
                 "/media/f1.wav"):
        assert not gate.refused(path), path
    assert gate.refused("/qa/_stcore/metrics", "/qa") and not gate.refused("/qa/_stcore/health", "/qa")


def _get(path: str, cookie: bytes | None = None) -> tuple[int, dict, list]:
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": [(b"cookie", cookie)] if cookie else []}
    asyncio.run(gate.Gate(app)(scope, None, send))
    return sent[0]["status"], dict(sent[0]["headers"]), reached


def test_the_gate_sets_a_browser_cookie_once_and_answers_for_the_app():
    status, headers, reached = _get("/")
    assert status == 200 and reached == ["/"]
    assert headers[b"set-cookie"].startswith(b"callqa_browser=") and b"HttpOnly" in headers[b"set-cookie"]
    status, headers, _ = _get("/", b"callqa_browser=abc")
    assert b"set-cookie" not in headers
    status, _, reached = _get("/_stcore/metrics")
    assert status == 404 and reached == []
    status, _, reached = _get("/media/f1.wav", b"callqa_browser=abc")
    assert status == 403 and reached == []
