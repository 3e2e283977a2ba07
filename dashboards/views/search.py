"""Search the stored (redacted) transcripts; a hit opens the call at that second.

Every search is written to the access log: who, when, the query (its personal data masked)
and the calls whose text was shown.
"""

from __future__ import annotations

import streamlit as st

import data
from views.common import call_table, clock, plural, user

MIN_CHARS = 3
LIMIT = 200

st.title("Search transcripts")
st.caption(f"At most {LIMIT} utterances are shown, newest calls first. Every search is logged "
           "(the query with card, phone and other numbers masked, and the calls shown).")
left, right = st.columns([3, 1])
text = left.text_input("Words (all must occur in one utterance)", key="search_text",
                       placeholder="e.g. refund router", persist_state="session").strip()
operators = sorted({r["operator_id"] for r in data.read("leaderboard") if r["operator_id"]})
operator = right.selectbox("Operator", operators, index=None, placeholder="All", key="search_operator",
                           persist_state="session")
if text and len(text) < MIN_CHARS:
    st.warning(f"Type at least {MIN_CHARS} characters to search.")
elif text:
    hits = data.read("search_transcripts", text, operator_id=operator, limit=LIMIT)
    shown = list(dict.fromkeys(hit["call_id"] for hit in hits))
    search = (text, operator, tuple(shown))
    if st.session_state.get("logged_search") != search:  # once per search, not per rerun
        data.log_search(user(), text, shown)
        st.session_state["logged_search"] = search
    st.caption(f"{plural(len(hits), 'utterance')} in {plural(len(shown), 'call')}"
               + (f" (the first {LIMIT})" if len(hits) == LIMIT else ""))
    for hit in hits:
        hit["at"] = clock(hit["start_s"])
    call_table(hits, "search_hits", ["day", "operator_id", "at", "role", "text", "file_name"],
               lambda r: f"{r['file_name']} at {r['at']}: {r['text'][:60]}", seek=lambda r: r["start_s"],
               back="views/search.py", empty="No utterance contains all these words.")
