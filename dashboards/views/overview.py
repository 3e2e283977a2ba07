"""Supervisor overview: headline numbers, leaderboard, calls not judged for their language, reasons
and outcomes by week (views/reasons.py), team trends, flags by kind/language/campaign."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import data
from views.common import call_label, call_table, clock, date_window, picked, plain, table
from views.reasons import show_outcomes, show_reasons

st.title("Overview")
synthetic = None if st.toggle("Include synthetic calls", key="ov_synth", persist_state="session") else False
options = data.read("filter_options", synthetic=synthetic)
days = [day for day in (options["first_day"], options["last_day"]) if day is not None]
since, until = date_window("ov", days)
window = dict(since=since, until=until, synthetic=synthetic)

board = data.read("leaderboard", **window)
calls = sum(r["calls"] for r in board)
scored = [r for r in board if r["mean_score"] is not None]
mean = sum(r["mean_score"] * r["scored"] for r in scored) / max(1, sum(r["scored"] for r in scored))
handle = sum((r["mean_handle_time_s"] or 0) * r["calls"] for r in board) / max(1, calls)
metrics = st.columns(5)
metrics[0].metric("Calls", calls)
metrics[1].metric("Mean score", f"{mean:.1f}" if scored else "–")
metrics[2].metric("Flags", sum(r["flags"] or 0 for r in board))
metrics[3].metric("Mean handle time", clock(handle))
metrics[4].metric("Dead air", f"{sum(r['dead_air_s'] or 0 for r in board):.0f} s")

st.subheader("Leaderboard")
if board:
    st.caption("Pick an operator to list the calls behind the numbers.")
event = table(board, ["rank", "operator_id", "calls", "scored", "mean_score", "median_score", "trend", "flags",
                      "mean_handle_time_s", "dead_air_s", "mean_talk_listen_ratio", "mean_sentiment_end"],
              key="ov_board", on_select="rerun", selection_mode="single-row", empty="No calls in this period.")
if (index := picked(event)) is not None:
    operator = board[index]["operator_id"]
    st.markdown(f"**Calls of {plain(operator) if operator else 'no operator'}**")
    rows = [r for r in data.read("calls_list", operator_id=operator, **window) if r["operator_id"] == operator]
    call_table(rows, "ov_calls", ["call_time", "campaign", "language", "score", "auto_failed", "flags",
                                  "handle_time_s", "dead_air_s"],
               lambda r: call_label(r, "campaign"), back="views/overview.py")

not_judged = data.read("not_judged", **window)
if not_judged:
    st.subheader("Not judged")
    st.caption("Calls in a language the speech recogniser transcribes too badly to judge: stored and redacted "
               "like any call, audio-only flags kept, but no script, profanity or data-leak verdicts and no "
               "score. A larger ASR model judges them (README, Languages). Pick a row to list its calls.")
    event = table(not_judged, ["language", "calls", "reason"], key="ov_not_judged", on_select="rerun",
                  selection_mode="single-row")
    if (index := picked(event)) is not None:
        chosen = not_judged[index]
        rows = [r for r in data.read("calls_list", language=chosen["language"], **window)
                if r["not_scorable_reason"] == chosen["reason"]]
        call_table(rows, "ov_nj_calls", ["call_time", "operator_id", "campaign", "language", "flags",
                                         "handle_time_s"],
                   lambda r: call_label(r, "operator_id", "campaign"), back="views/overview.py")

show_reasons(window)
show_outcomes(window)

weeks = pd.DataFrame(data.read("weekly", "team", **window))
if not weeks.empty:
    st.subheader("Teams by week")
    weeks["team"] = weeks["team"].fillna("no team")
    cols = st.columns(3)
    for col, (measure, title, fmt) in zip(cols, [("mean_score", "Mean score", ".0f"),
                                                 ("mean_handle_time_s", "Handle time (s)", ".0f"),
                                                 ("dead_air_s", "Dead air (s)", ".0f")]):
        col.markdown(f"**{title}**")
        col.altair_chart(alt.Chart(weeks).mark_line(point=True).encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y(f"{measure}:Q", title=title, axis=alt.Axis(format=fmt, tickMinStep=1),
                    scale=alt.Scale(domainMin=0, nice=True)),
            color=alt.Color("team:N", title="Team"),
            tooltip=[alt.Tooltip("team", title="Team"), alt.Tooltip("iso_week", title="Week"),
                     alt.Tooltip(measure, title=title, format=".1f"), alt.Tooltip("calls", title="Calls")]),
            width="stretch")

st.subheader("Flags")
cols = st.columns(3)
for col, by in zip(cols, ["kind", "language", "campaign"]):
    breakdown = pd.DataFrame(data.read("flag_breakdown", by, "severity", since=since, until=until,
                                       synthetic=synthetic))
    col.markdown(f"**By {by}**")
    if breakdown.empty:
        col.caption("No flags.")
        continue
    breakdown[by] = breakdown[by].fillna(f"no {by}")
    col.altair_chart(alt.Chart(breakdown).mark_bar().encode(
        x=alt.X("flags:Q", title="Flags", axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y(f"{by}:N", sort="-x", title=by.capitalize()),
        color=alt.Color("severity:N", title="Severity", scale=alt.Scale(domain=["high", "medium", "low"],
                                                                        range=["#d62728", "#ff7f0e", "#bcbd22"])),
        tooltip=[alt.Tooltip(by, title=by.capitalize()), alt.Tooltip("severity", title="Severity"),
                 alt.Tooltip("flags", title="Flags")]), width="stretch")
