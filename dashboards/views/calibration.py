"""Calibration: how often reviewers uphold each detector, and how often reviewers agree."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import data
from views.common import table
from qa.scoring.calibration import detector_precision, reviewer_agreement

st.title("Calibration")
decisions = data.read("decisions")
st.caption(f"{len(decisions)} decisions (each reviewer's latest confirm/dismiss per flag) on "
           f"{len({d['flag_id'] for d in decisions})} flags by {len({d['reviewer'] for d in decisions})} reviewers")
if not decisions:
    st.info("No reviews yet: confirm or dismiss flags on the call page.")
    st.stop()

st.subheader("Detector precision")
precision = detector_precision(decisions)
left, right = st.columns([3, 2])
with left:
    table(precision, key="cal_precision")
chart = pd.DataFrame(precision).assign(name=lambda d: d["detector"] + " / " + d["kind"])
right.altair_chart(alt.Chart(chart).mark_bar().encode(
    x=alt.X("precision:Q", scale=alt.Scale(domain=[0, 1])), y=alt.Y("name:N", title=None, sort="x"),
    tooltip=["detector", "kind", "judgements", "confirmed", "dismissed", "precision"]), width="stretch")

st.subheader("Reviewer agreement")
agreement = reviewer_agreement(decisions)
if agreement:
    table(agreement, key="cal_agreement")
    st.caption("Over flags both reviewers judged; kappa is Cohen's (empty when undefined, e.g. one label only).")
else:
    st.info("No flag has been judged by two reviewers yet.")
