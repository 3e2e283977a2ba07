"""Helpers the pages share (not a page itself): the signed-in user, opening a call, tables."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Callable

import pandas as pd
import streamlit as st

from qa.auth import User

CALL_PAGE = "views/call.py"
PAGE_TITLES = {"views/review_queue.py": "Review queue", "views/search.py": "Search", "views/overview.py": "Overview",
               "views/operators.py": "Operators", "views/calibration.py": "Calibration"}  # pages a call opens from
MISSING = "—"  # a table cell with no value
TIME_FORMAT = "YYYY-MM-DD HH:mm"  # table timestamps, in the dashboard's time zone without its offset
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation: CommonMark escapes every one


def user() -> User:
    """The signed-in user (app.py only runs a page once there is one)."""
    return st.session_state["user"]


def plain(value: Any) -> str:
    """A stored value (file name, operator, team, campaign, ...) for a Markdown string: every
    punctuation character backslash-escaped and line breaks made spaces, so it shows as typed
    and can make no link, image, HTML, heading, colour or formula."""
    text = "" if value is None else str(value)
    return _MARKDOWN.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))


def clock(seconds: float | None) -> str:
    """Seconds as m:ss."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def details_text(details: Any) -> str:
    """A flag's details as a reviewer reads them, one "name value" pair after another
    ("step greeting · expected first 20 s · closest at 95.1 · ...")."""
    if isinstance(details, str):
        details = json.loads(details or "{}")
    return " · ".join(f"{key.replace('_', ' ')} {value}" for key, value in (details or {}).items())


def plural(count: int, word: str, words: str | None = None) -> str:
    """``count`` and ``word`` agreeing: 1 reviewer, 2 reviewers, 0 entries (``words``)."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def known(*values: Any) -> str:
    """The values that are there (not None, NaN or empty), joined by spaces: a label never reads "None"."""
    return " ".join(str(v) for v in values if v is not None and v == v and str(v).strip())


def score_text(row: dict[str, Any]) -> str:
    """A call's score as words: "score 82.5", "score 0 (auto-fail)", "not scored"."""
    if row.get("score") is None or row.get("score") != row.get("score"):
        return "not scored"
    return f"score {row['score']:g}" + (" (auto-fail)" if row.get("auto_failed") else "")


def call_label(row: dict[str, Any], *fields: str) -> str:
    """A call for a picker: its time and the ``fields`` that are set, then its score."""
    when = f"{row['call_time']:%Y-%m-%d %H:%M}" if row.get("call_time") is not None else None
    return f"{known(when, *(row.get(f) for f in fields))} – {score_text(row)}"


def open_call(call_id: str, seek: float | None = None, focus: dict | None = None, back: str | None = None) -> None:
    """Go to the call page for ``call_id`` (audio at ``seek`` seconds; None: its first flag), with
    ``focus`` (the evidence to highlight) and ``back`` (the page to return to) when given."""
    st.session_state["call_id"] = call_id
    st.session_state["seek"] = seek
    st.session_state["focus"] = focus
    st.session_state["back_to"] = back
    st.session_state["open_seq"] = st.session_state.get("open_seq", 0) + 1
    st.switch_page(CALL_PAGE)


def frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    """Rows as a DataFrame (list values joined), optionally only ``columns``."""
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=columns or [])
    for name in df.columns:
        if df[name].map(lambda v: isinstance(v, (list, tuple))).any():
            df[name] = df[name].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return df[columns] if columns else df


HEADINGS = {"auto_failed": "Auto-fail", "iso_week": "Week"}


def heading(column: str) -> str:
    """A column name as a table heading: handle_time_s -> Handle time (s)."""
    if column in HEADINGS:
        return HEADINGS[column]
    text = column[:-2] + " (s)" if column.endswith("_s") else column
    return text.removesuffix("_id").replace("_", " ").capitalize()


def column(name: str, values: pd.Series, widths: dict[str, Any]) -> Any:
    """A column's config: its heading, width, and timestamps as minutes."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return st.column_config.DatetimeColumn(heading(name), format=TIME_FORMAT, width=widths.get(name))
    return st.column_config.Column(heading(name), width=widths.get(name))


def table(rows: list[dict[str, Any]], columns: list[str] | None = None, empty: str = "Nothing to show.",
          widths: dict[str, Any] | None = None, **dataframe_args: Any) -> Any:
    """``st.dataframe`` of ``rows`` with readable headings, local minutes for timestamps and a dash for a
    missing value; returns its selection event. No rows: the sentence ``empty`` instead, and None."""
    if not rows:
        st.info(empty)
        return None
    df = frame(rows, columns)
    for name in df.columns:
        if isinstance(df[name].dtype, pd.DatetimeTZDtype):
            df[name] = df[name].dt.tz_localize(None)  # already in the dashboard's zone: drop the "+00:00"
    config = {c: column(c, df[c], widths or {}) for c in df.columns}
    return st.dataframe(df, hide_index=True, column_config=config, placeholder=MISSING, **dataframe_args)


def picked(event: Any) -> int | None:
    """The row a table's selection event picked, if any."""
    return event.selection.rows[0] if event is not None and event.selection.rows else None


def call_table(rows: list[dict[str, Any]], key: str, columns: list[str], label: Callable[[dict], str],
               seek: Callable[[dict], float | None] = lambda row: None, back: str | None = None,
               focus: Callable[[dict], dict | None] = lambda row: None, empty: str = "No calls match.",
               **dataframe_args: Any) -> None:
    """A table of calls: picking a row (or the select box below it) opens that call (at ``seek``,
    highlighting ``focus``), with a way ``back`` to this page (its path) when given."""
    event = table(rows, columns, empty=empty, key=key, on_select="rerun", selection_mode="single-row",
                  **dataframe_args)
    if event is None:
        return
    if (chosen := picked(event)) is not None:
        del st.session_state[key]  # coming back to this page must not reopen the call
        open_call(rows[chosen]["call_id"], seek(rows[chosen]), focus(rows[chosen]), back)
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    index = left.selectbox("Open a call", range(len(rows)), format_func=lambda i: label(rows[i]), index=None,
                           placeholder="Pick a row above, or choose a call here", key=f"{key}_pick")
    if right.button("Open call", key=f"{key}_open", disabled=index is None, type="primary"):
        open_call(rows[index]["call_id"], seek(rows[index]), focus(rows[index]), back)


def date_window(key: str, days: list[date]) -> tuple[date | None, date | None]:
    """From/to date inputs spanning ``days`` (None: open ended)."""
    first, last = (min(days), max(days)) if days else (None, None)
    left, right = st.columns(2)
    since = left.date_input("From", value=first, min_value=first, max_value=last, key=f"{key}_since",
                            persist_state="session")  # still set when the user comes back from a call
    until = right.date_input("To", value=last, min_value=first, max_value=last, key=f"{key}_until",
                             persist_state="session")
    return since, until
