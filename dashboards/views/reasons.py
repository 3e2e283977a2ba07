"""The overview's reasons and outcomes (not a page itself): calls per reason and outcome KPIs by
ISO week, and the calls behind any reason or outcome (a bar clicked, or the select box)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

import data
from views.categories import CORRECTED, OUTCOMES, category_label
from views.common import call_label, call_table, plural, table

BACK = "views/overview.py"
RATES = {"resolution_rate": "Resolution", "callback_rate": "Callback", "escalation_rate": "Escalation",
         "conversion_rate": "Outbound conversion"}
KPI_COLUMNS = ["iso_week", "calls", "not_judged", "inbound", "resolution_rate", "callback_rate", "escalation_rate",
               "outbound", "conversion_rate", "refused", "refused_price", "refused_already_has",
               "refused_not_interested", "refused_call_later", "do_not_call", "complaints", "justified_complaints"]
CALL_COLUMNS = ["call_time", "operator_id", "campaign", "language", "score", "auto_failed", "flags", "handle_time_s"]


def weekly_bars(rows: pd.DataFrame, field: str, title: str, key: str) -> Any:
    """Stacked bars of calls per ISO week by ``field`` (its words in ``label``); a click picks a bar."""
    pick = alt.selection_point(name="pick", fields=[field])
    return st.altair_chart(alt.Chart(rows).mark_bar().encode(
        x=alt.X("iso_week:O", title="Week", sort="ascending"),
        y=alt.Y("calls:Q", title="Calls", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("label:N", title=title),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.4)),
        tooltip=[alt.Tooltip("iso_week", title="Week"), alt.Tooltip("label", title=title),
                 alt.Tooltip("calls", title="Calls")]).add_params(pick),
        width="stretch", on_select="rerun", key=key)


def chosen(event: Any, field: str, options: list[str], label, key: str, prompt: str) -> str | None:
    """The value of ``field`` a clicked bar picked, else the one chosen in a select box."""
    clicked = [p.get(field) for p in (event.selection.get("pick") or [])] if event is not None else []
    picked = st.selectbox(prompt, options, format_func=label, index=None, key=key, persist_state="session",
                          placeholder="Click a bar above, or choose here")
    return clicked[0] if clicked and clicked[0] in options else picked


def show_reasons(window: dict) -> None:
    """Calls per reason per ISO week; a reason's calls, each opening at its evidence."""
    reasons = pd.DataFrame(data.read("reasons", **window))
    st.subheader("Reasons for calling")
    if reasons.empty:
        st.info("No reasons found in this period: no call was categorized.")
        return
    reasons["label"] = reasons["reason"].map(category_label)
    event = weekly_bars(reasons, "reason", "Reason", "ov_reason_chart")
    totals = reasons.groupby("reason")["calls"].sum().sort_values(ascending=False)
    reason = chosen(event, "reason", list(totals.index),
                    lambda r: f"{category_label(r)} ({plural(int(totals[r]), 'call')})", "ov_reason",
                    "List the calls with a reason")
    if reason is None:
        return
    rows = data.read("calls_with_category", reason, **window)
    for row in rows:
        row["review"] = CORRECTED.get(row["correction"], "not reviewed")
    call_table(rows, "ov_reason_calls", CALL_COLUMNS + ["review"], lambda r: call_label(r, "operator_id", "campaign"),
               seek=lambda r: r["start_s"], back=BACK,
               focus=lambda r: None if r["start_s"] is None else {
                   "start": r["start_s"], "end": r["end_s"] if r["end_s"] is not None else r["start_s"],
                   "flags": (), "label": category_label(reason)})


def show_outcomes(window: dict) -> None:
    """Outcome KPIs by ISO week (rates, refusals by reason, do-not-call, not judged apart) and an
    outcome's calls."""
    kpis = data.read("outcome_kpis", None, "week", **window)
    st.subheader("Outcomes by week")
    if not kpis:
        st.info("No calls in this period.")
        return
    st.caption("Rates are shares of the judged inbound (resolution, callback, escalation) or outbound "
               "(conversion) calls; calls not judged for their language have no outcome and are counted "
               "apart. A complaint is justified once a reviewer confirms it on the call page.")
    rates = pd.DataFrame(kpis).melt(id_vars=["week", "iso_week"], value_vars=list(RATES), var_name="rate",
                                    value_name="share").dropna(subset=["share"])
    if not rates.empty:
        rates["label"] = rates["rate"].map(RATES)
        st.altair_chart(alt.Chart(rates).mark_line(point=True).encode(
            x=alt.X("iso_week:O", title="Week", sort="ascending"),
            y=alt.Y("share:Q", title="Share of judged calls", scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%")),
            color=alt.Color("label:N", title="Rate"),
            tooltip=[alt.Tooltip("iso_week", title="Week"), alt.Tooltip("label", title="Rate"),
                     alt.Tooltip("share", title="Share", format=".0%")]), width="stretch")
    table(kpis, KPI_COLUMNS, key="ov_outcome_kpis")
    weeks = pd.DataFrame(data.read("outcome_weeks", **window))
    if weeks.empty:
        return
    weeks["label"] = weeks["outcome"].map(lambda o: OUTCOMES.get(o, o))
    event = weekly_bars(weeks, "outcome", "Outcome", "ov_outcome_chart")
    totals = weeks.groupby("outcome")["calls"].sum().sort_values(ascending=False)
    outcome = chosen(event, "outcome", list(totals.index),
                     lambda o: f"{OUTCOMES.get(o, o)} ({plural(int(totals[o]), 'call')})", "ov_outcome",
                     "List the calls with an outcome")
    if outcome is not None:
        rows = data.read("calls_with_outcome", outcome, **window)
        for row in rows:
            row["refusal"] = (row["refusal_reason"] or "").replace("_", " ") or None
            row["do_not_call"] = "yes" if row["do_not_call"] else "no"
        call_table(rows, "ov_outcome_calls", CALL_COLUMNS + ["refusal", "do_not_call"],
                   lambda r: call_label(r, "operator_id", "campaign"), back=BACK)
