"""Supervisors only: who opened which call, who searched for what (and which calls it showed), and when."""

from __future__ import annotations

import streamlit as st

import data
from views.common import plural, table, user

st.title("Access log")
if not user().is_supervisor:  # navigation already hides this page; refuse anyway
    st.error("Supervisors only.")
    st.stop()
names = {c.call_id: c.file_name for c in data.read("calls")}
left, right = st.columns(2)
who = left.text_input("User", key="log_user").strip() or None
call = right.selectbox("Call", sorted(names, key=names.get), index=None, format_func=names.get,
                       placeholder="All calls", key="log_call")
rows = data.access_log(user=who, call_id=call)
for row in rows:
    row["file_name"] = names.get(row["call_id"])
    row["calls_shown"] = len(row["call_ids"]) if row["call_ids"] is not None else None
st.caption(f"{plural(len(rows), 'entry', 'entries')} (newest first, at most 1000); a search lists its query "
           "(personal data masked) and the calls whose text it showed")
empty = "No entries for this user or call." if who or call else "Nobody has opened or searched for a call yet."
table(rows, ["logged_at", "user_name", "role", "action", "file_name", "call_id", "query", "calls_shown", "call_ids"],
      key="log_table", empty=empty)
