"""callqa dashboard: sign-in, then the pages the user's role may see (st.navigation).

Run it with ``callqa dashboard --db FILE``: $CALLQA_DB names the database, $CALLQA_CONFIG
the TOML config ([dashboard] users, auth, oidc_provider, audio_dirs).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import data
import gate
from qa.auth import identity_user, sign_in
from views.common import plain

# A bundled icon: an emoji or ":material/…" favicon is an image URL on a public host (twemoji,
# fonts.gstatic.com), which would tell an outside host the dashboard is in use.
st.set_page_config(page_title="callqa", page_icon=str(Path(__file__).with_name("icon.png")), layout="wide")

SUPERVISOR_PAGES = [
    st.Page("views/overview.py", title="Overview", default=True),
    st.Page("views/operators.py", title="Operators"),
    st.Page("views/access_log.py", title="Access log"),
]
REVIEW_PAGES = [
    st.Page("views/review_queue.py", title="Review queue"),
    st.Page("views/call.py", title="Call"),
    st.Page("views/search.py", title="Search"),
    st.Page("views/calibration.py", title="Calibration"),
]


def password_login() -> None:
    """The sign-in form (password auth)."""
    st.title("callqa")
    _, demo = data.users()
    if demo:
        st.warning("Using the demo users (sam, anna, ben): for the sample database only. "
                   "Set [dashboard] users in the config for real accounts.")
    with st.form("login"):
        login = st.text_input("User name")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Log in", type="primary"):
            outcome = sign_in(data.users()[0], login, password)  # backs off per name, process-wide
            if outcome.user is None:
                st.error(outcome.message)
            else:
                st.session_state["user"] = outcome.user
                st.rerun()


def login_page(url_path: str | None) -> st.Page:
    """The sign-in form at ``url_path`` (None: the root), remembering the page and call a link
    asked for so they open after sign-in: a link to a call can be sent to a colleague."""

    def login_here() -> None:
        st.session_state.setdefault("wanted", (url_path, st.query_params.get("call_id")))
        password_login()

    return st.Page(login_here, title="Log in", url_path=url_path or "login", default=url_path is None)


def open_wanted() -> None:
    """After sign-in, go to the page (and call) the first link asked for, if the user may see it."""
    wanted = st.session_state.pop("wanted", None)
    if not wanted or not wanted[0]:
        return
    page, call_id = wanted
    allowed = [p.url_path for group in pages.values() for p in group]
    if page not in allowed:
        return
    if call_id:
        st.session_state.update(call_id=call_id, seek=None, focus=None,
                                open_seq=st.session_state.get("open_seq", 0) + 1)
    st.switch_page(next(p for group in pages.values() for p in group if p.url_path == page))


def oidc_user():
    """The signed-in identity's user, or None after showing why there is none."""
    if not st.user.is_logged_in:
        st.title("callqa")
        if st.button("Log in", type="primary"):
            st.login(data.config().dashboard.oidc_provider or None)
        return None
    user = identity_user(data.users()[0], st.user.email)
    if user is None:
        st.error(f"{plain(st.user.email)} may not use this dashboard.")
        if st.button("Log out"):
            st.logout()
    return user


def session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    return context.session_id if context else None


def logout() -> None:
    """Forget the session's user (a button callback, so it runs before the page)."""
    if session_id():
        gate.release(session_id())  # its audio links stop working now
    st.session_state.clear()  # filters, comments and search text go too
    st.session_state["logged_out"] = True


oidc = data.config().dashboard.auth == "oidc"
if st.session_state.pop("logged_out", False) and oidc:
    st.logout()  # leave the identity provider's session too
user = oidc_user() if oidc else st.session_state.get("user")
if oidc:
    st.session_state["user"] = user
if user is None:
    if not oidc:
        paths = [None] + [p.url_path for p in SUPERVISOR_PAGES + REVIEW_PAGES if p.url_path]
        st.navigation([login_page(path) for path in paths], position="hidden").run()
    st.stop()

if session_id():  # this browser, signed in, may fetch the media this session shows
    gate.hold(session_id(), user.login, st.context.cookies.get(gate.BROWSER_COOKIE))
pages = {"Review": REVIEW_PAGES}
if user.is_supervisor:
    pages = {"Supervisor": SUPERVISOR_PAGES, "Review": REVIEW_PAGES}
with st.sidebar:
    st.caption(f"Signed in as **{plain(user.name)}** · {plain(user.login)}")
    if data.users()[1]:
        st.caption(":orange[demo users]")
    st.button("Log out", key="logout", icon=":material/logout:", on_click=logout)
navigation = st.navigation(pages)
open_wanted()
navigation.run()
