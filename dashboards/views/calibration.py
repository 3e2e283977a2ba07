"""Calibration: how often reviewers uphold each detector and each call category, how often
reviewers agree, and the flags they disagree on (each opens its call at that flag)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import data
from views.categories import category_label
from views.common import call_table, clock, plural, table
from qa.scoring.calibration import category_precision, detector_precision, reviewer_agreement

STANDS = {"confirm": "confirmed", "dismiss": "dismissed"}


def show_category_precision() -> None:
    """Per call category: how often reviewers confirm what the book found, and what they added."""
    st.subheader("Category precision")
    rows = category_precision(data.read("category_decisions"))
    if not rows:
        st.info("No category reviews yet: confirm, dismiss or add categories on the call page.")
        return
    for row in rows:
        row["category"] = category_label(row["category"])
    st.caption("Each reviewer's latest confirm or dismiss of a category the book found on a call; "
               "added: categories reviewers added where the book found none (missed by the book).")
    table(rows, ["category", "judgements", "confirmed", "dismissed", "precision", "added"], key="cal_categories")


st.title("Calibration")
decisions = data.read("decisions")
st.caption(f"{plural(len(decisions), 'decision')} (each reviewer's latest confirm/dismiss per flag) on "
           f"{plural(len({d['flag_id'] for d in decisions}), 'flag')} by "
           f"{plural(len({d['reviewer'] for d in decisions}), 'reviewer')}")
if not decisions:
    st.info("No reviews yet: confirm or dismiss flags on the call page.")
    show_category_precision()
    st.stop()

st.subheader("Detector precision")
precision = detector_precision(decisions)
table(precision, key="cal_precision")
chart = pd.DataFrame(precision).assign(name=lambda d: d["detector"] + " / " + d["kind"].str.replace("_", " "))
st.altair_chart(alt.Chart(chart, height=max(160, 32 * len(chart))).mark_bar().encode(
    x=alt.X("precision:Q", title="Precision (share of judgements confirmed)", scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%", tickCount=5)),
    y=alt.Y("name:N", title="Detector / kind", sort="x", axis=alt.Axis(labelLimit=400)),
    tooltip=[alt.Tooltip("detector", title="Detector"), alt.Tooltip("kind", title="Kind"),
             alt.Tooltip("judgements", title="Judgements"), alt.Tooltip("confirmed", title="Confirmed"),
             alt.Tooltip("dismissed", title="Dismissed"), alt.Tooltip("precision", title="Precision", format=".0%")]),
    width="stretch")

show_category_precision()

st.subheader("Reviewer agreement")
agreement = reviewer_agreement(decisions)
if agreement:
    table(agreement, key="cal_agreement")
    st.caption("Over flags both reviewers judged; kappa is Cohen's (a dash when undefined, e.g. one label only).")
else:
    st.info("No flag has been judged by two reviewers yet.")

st.subheader("Disputed flags")
disputed = data.read("disputed_flags")
if not disputed:
    st.info("No disputed flags: no flag has both a confirm and a dismiss.")
else:
    st.caption("Flags one reviewer confirmed and another dismissed; the latest decision stands. "
               "Pick one to open its call at that flag.")
    for row in disputed:
        row["at"] = clock(row["start_s"])
        row["stands"] = STANDS.get(row["standing"], "undecided")
    call_table(disputed, "cal_disputed", ["day", "file_name", "kind", "at", "confirmed_by", "dismissed_by", "stands"],
               lambda r: f"{r['file_name']} – {r['kind'].replace('_', ' ')} at {r['at']}",
               seek=lambda r: r["start_s"], back="views/calibration.py",
               focus=lambda r: {"start": r["start_s"], "end": r["end_s"] if r["end_s"] is not None else r["start_s"],
                                "flags": (r["flag_id"],), "label": r["kind"]})
