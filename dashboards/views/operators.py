"""Supervisor: operator scores week by week, flags per operator, drill-down to the calls."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

import data
from views.common import call_label, call_table, date_window, picked, plain, table

st.title("Operators")
synthetic = None if st.toggle("Include synthetic calls", key="op_synth", persist_state="session") else False
options = data.read("filter_options", synthetic=synthetic)
days = [day for day in (options["first_day"], options["last_day"]) if day is not None]
since, until = date_window("op", days)
operators = sorted({r["operator_id"] for r in data.read("leaderboard", synthetic=synthetic) if r["operator_id"]})
chosen = st.multiselect("Operators", operators, key="op_pick", placeholder="All operators", persist_state="session")

weeks = [r for r in data.read("weekly", "operator_id", since=since, until=until, synthetic=synthetic)
         if not chosen or r["operator_id"] in chosen]
trend = pd.DataFrame(weeks)
if not trend.empty:
    left, right = st.columns(2)
    left.markdown("**Mean score by week**")
    left.altair_chart(alt.Chart(trend.dropna(subset=["mean_score"])).mark_line(point=True).encode(
        x=alt.X("week:T", title="Week"), y=alt.Y("mean_score:Q", title="Mean score", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("operator_id:N", title="Operator"),
        tooltip=[alt.Tooltip("operator_id", title="Operator"), alt.Tooltip("iso_week", title="Week"),
                 alt.Tooltip("mean_score", title="Mean score"), alt.Tooltip("calls", title="Calls"),
                 alt.Tooltip("rank", title="Rank")]), width="stretch")
    counts = pd.DataFrame([r for r in data.read("flag_counts", "operator_id", since=since, until=until,
                                                synthetic=synthetic) if not chosen or r["operator_id"] in chosen])
    right.markdown("**Flags by kind**")
    if counts.empty:
        right.caption("No flags.")
    else:
        right.altair_chart(alt.Chart(counts).mark_bar().encode(
            x=alt.X("flags:Q", title="Flags", axis=alt.Axis(format="d")), y=alt.Y("operator_id:N", title="Operator"),
            color=alt.Color("kind:N", title="Kind"),
            tooltip=[alt.Tooltip("operator_id", title="Operator"), alt.Tooltip("kind", title="Kind"),
                     alt.Tooltip("flags", title="Flags")]), width="stretch")

st.subheader("Operator weeks")
if weeks:
    st.caption("Pick a row to list that operator's calls in that week.")
event = table(weeks, ["iso_week", "operator_id", "rank", "calls", "scored", "mean_score", "change", "flags",
                      "mean_handle_time_s", "dead_air_s", "mean_talk_listen_ratio"],
              key="op_weeks", on_select="rerun", selection_mode="single-row",
              empty="No operator has calls in this period.")
if (index := picked(event)) is not None:
    row = weeks[index]
    start = max(row["week"], since) if since else row["week"]
    end = min(row["week"] + timedelta(days=6), until) if until else row["week"] + timedelta(days=6)
    st.markdown(f"**Calls of {plain(row['operator_id'])} in {plain(row['iso_week'])}**")
    calls = [r for r in data.read("calls_list", operator_id=row["operator_id"], since=start, until=end,
                                  synthetic=synthetic) if r["operator_id"] == row["operator_id"]]
    call_table(calls, "op_calls", ["call_time", "campaign", "language", "score", "auto_failed", "flags",
                                   "handle_time_s", "dead_air_s", "talk_listen_ratio"],
               lambda r: call_label(r, "campaign"), back="views/operators.py")
