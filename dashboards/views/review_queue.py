"""QA review queue: flagged calls, most urgent first, with filters; a row opens the call, whose
page leads back here with the filters as they were (they persist for the session)."""

from __future__ import annotations

import streamlit as st

import data
from views.common import call_table, date_window, plural

STATUS = {"Unreviewed": False, "Reviewed": True, "All": None}

st.title("Review queue")
options = data.read("filter_options")
days = [day for day in (options["first_day"], options["last_day"]) if day is not None]

KEEP = dict(persist_state="session")  # the filters are as they were when the user comes back from a call
with st.container(border=True):
    top = st.columns([2, 2, 1, 1])
    kind = top[0].multiselect("Kind", options["kinds"], key="rq_kind", placeholder="All kinds", **KEEP)
    severity = top[1].multiselect("Severity", options["severities"], key="rq_severity",
                                  placeholder="All severities", **KEEP)
    operator = top[2].selectbox("Operator", options["operators"], index=None, key="rq_operator", placeholder="All",
                                **KEEP)
    campaign = top[3].selectbox("Campaign", options["campaigns"], index=None, key="rq_campaign", placeholder="All",
                                **KEEP)
    bottom = st.columns([2, 1])
    with bottom[0]:
        since, until = date_window("rq", days)
    status = bottom[1].radio("Status", list(STATUS), horizontal=True, key="rq_status", **KEEP)

queue = data.read("review_queue", kinds=kind, severities=severity, operator_id=operator, campaign=campaign,
                  since=since, until=until, reviewed=STATUS[status])
st.caption(plural(len(queue), "call"))
call_table(queue, "rq_table", ["severity", "kinds", "flags", "unreviewed", "day", "operator_id", "campaign",
                               "language", "score", "auto_failed", "file_name"],
           lambda r: f"{r['file_name']} – {r['severity']}: {', '.join(r['kinds'])} ({r['unreviewed']} open)",
           back="views/review_queue.py")
