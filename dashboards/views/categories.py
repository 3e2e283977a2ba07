"""The call page's reason and outcome (not a page itself): each category playable at its evidence,
confirmed or dismissed by a reviewer, and categories the book missed added from the book. A
correction is kept beside the machine's rows; the latest one stands."""

from __future__ import annotations

from typing import Callable

import streamlit as st

import data
from views.common import clock, plain, user

OUTCOMES = {"resolved": "resolved on the call", "callback": "callback promised", "escalated": "transferred or escalated",
            "unresolved": "not resolved", "agreed": "the customer agreed", "refused": "the customer refused",
            "no_decision": "no decision"}
CORRECTED = {"confirm": "confirmed", "dismiss": "dismissed", "add": "added"}


def category_label(category: str) -> str:
    """A category id as people read it: the book's label, else the id in words."""
    return data.category_labels().get(category, category.replace("_", " ").capitalize())


def correct(call_id: str, category: str | None, decision: str) -> None:
    """Store a correction of ``category`` on the call (a button callback); ``add`` takes the picked one."""
    if decision == "add":
        category = st.session_state.get("cat_add_pick")
        if category is None:
            st.session_state["review_note"] = ("warning", "Pick a category to add first.")
            return
    data.review_category(call_id, category, user(), decision, st.session_state.get("cat_comment", "").strip())
    st.session_state["cat_comment"] = ""
    st.session_state["review_note"] = ("success", f"{category_label(category)}: {CORRECTED[decision]}.")


def standing(corrections: list[dict]) -> dict[str, dict]:
    """Each corrected category's latest correction (the one that stands)."""
    return {r["category"]: r for r in corrections}  # oldest first: the last one wins


def show_category(call_id: str, category: str, matches: list[dict], latest: dict | None,
                  focus_on: Callable) -> None:
    """One category: a ▶ button per place it was heard, its correction, Confirm and Dismiss."""
    label = category_label(category)
    with st.container(border=True, key=f"cat_{category}"):
        left, confirm, dismiss = st.columns([3, 1, 1], vertical_alignment="center")
        with left:
            for k, found in matches:
                if found["start_s"] is None:
                    st.markdown(f"**{plain(label)}** (whole call)")
                    continue
                st.button(f"▶ {clock(found['start_s'])}  {label}", key=f"category_{k}", on_click=focus_on,
                          args=(found["start_s"], found["end_s"], (), label), help=plain(found["evidence"]))
            if not matches:
                st.markdown(f"**{plain(label)}**")
            st.caption(f"{CORRECTED[latest['decision']]} by {plain(latest['reviewer'])}"
                       + (f" – “{plain(latest['comment'])}”" if latest["comment"] else "")
                       if latest else "not reviewed")
        decided = latest["decision"] if latest else None
        confirm.button("Confirm", key=f"cat_confirm_{category}", on_click=correct, args=(call_id, category, "confirm"),
                       disabled=decided in ("confirm", "add"), width="stretch", icon=":material/check:")
        dismiss.button("Dismiss", key=f"cat_dismiss_{category}", on_click=correct, args=(call_id, category, "dismiss"),
                       disabled=decided == "dismiss", width="stretch", icon=":material/close:")


def show_categories(call_id: str, focus_on: Callable) -> None:
    """Why the customer called and how the call ended, with the reviewers' corrections."""
    outcome = data.read("call_outcome", call_id)
    latest = standing(data.read("category_reviews", call_id))
    if outcome is None:
        st.caption("No categories: the call was not judged, or not categorized yet.")
    else:
        reason = f" ({outcome['refusal_reason'].replace('_', ' ')})" if outcome["refusal_reason"] else ""
        st.markdown(f"Outcome: **{OUTCOMES.get(outcome['outcome'], outcome['outcome'])}**{reason}"
                    + (" · asked not to be called again" if outcome["do_not_call"] else ""))
    by_category: dict[str, list] = {}
    for k, found in enumerate(data.read("call_categories", call_id)):
        by_category.setdefault(found["category"], []).append((k, found))
    for category in [c for c, r in latest.items() if r["decision"] == "add" and c not in by_category]:
        by_category[category] = []  # added by a reviewer where the book found nothing
    for category, matches in by_category.items():
        show_category(call_id, category, matches, latest.get(category), focus_on)
    missing = [c for c in data.category_labels() if c not in by_category]
    pick, add = st.columns([3, 1], vertical_alignment="bottom")
    pick.selectbox("Add a category the book missed", missing, format_func=category_label, index=None,
                   placeholder="Pick a category", key="cat_add_pick")
    add.button("Add category", key="cat_add", on_click=correct, args=(call_id, None, "add"), width="stretch")
    st.text_input("Comment", key="cat_comment", label_visibility="collapsed",
                  placeholder="Comment (kept with a category's confirm, dismiss or add)")
