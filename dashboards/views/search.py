"""Search the stored (redacted) transcripts; a hit opens the call at that second."""

from __future__ import annotations

import streamlit as st

import data
from views.common import call_table, clock

st.title("Search transcripts")
left, right = st.columns([3, 1])
text = left.text_input("Words (all must occur in one utterance)", key="search_text",
                       placeholder="e.g. refund router")
operators = sorted({r["operator_id"] for r in data.read("leaderboard") if r["operator_id"]})
operator = right.selectbox("Operator", operators, index=None, placeholder="All", key="search_operator")
if text.strip():
    hits = data.read("search_transcripts", text, operator_id=operator, limit=200)
    st.caption(f"{len(hits)} utterances" + (" (first 200)" if len(hits) == 200 else ""))
    for hit in hits:
        hit["at"] = clock(hit["start_s"])
    call_table(hits, "search_hits", ["day", "operator_id", "at", "role", "text", "file_name"],
               lambda r: f"{r['file_name']} at {r['at']}: {r['text'][:60]}", seek=lambda r: r["start_s"])
