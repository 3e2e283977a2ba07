"""One call: audio at the flagged second, role-labelled transcript with the evidence
highlighted, the scorecard with each lost point linked to its evidence, and flag reviews."""

from __future__ import annotations

import html

import streamlit as st

import data
from views.categories import show_categories
from views.common import PAGE_TITLES, call_label, call_table, clock, details_text, plain, table, user
from views.wording import reason_text

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
ROLE_COLOURS = {"operator": "#1f77b4", "customer": "#2ca02c", "unknown": "#7f7f7f"}
STATUS = {None: "unreviewed", "confirm": "confirmed", "dismiss": "dismissed"}


def focus_on(start: float | None, end: float | None, flag_ids: tuple[int, ...], label: str) -> None:
    """Move the player to ``start`` and highlight that evidence (a button callback)."""
    st.session_state["seek"] = start or 0.0
    st.session_state["seek_seq"] = st.session_state.get("seek_seq", 0) + 1  # a fresh player, even at the same second
    st.session_state["play"] = True
    st.session_state["focus"] = {"start": start, "end": end if end is not None else start,
                                 "flags": tuple(flag_ids), "label": label}


def save_review(flag_id: int, decision: str, before: float | None) -> None:
    """Store a decision or comment on a flag (a button callback); the call is rescored."""
    comment = st.session_state.get(f"comment_{flag_id}", "").strip()
    if decision == "comment" and not comment:
        st.session_state["review_note"] = ("warning", "Write a comment first.")
        return
    after = data.review(flag_id, user(), decision, comment)
    st.session_state[f"comment_{flag_id}"] = ""
    st.session_state["score_change"] = (st.session_state["call_id"], before, after)
    shown = ["–" if s is None else f"{s:g}" for s in (before, after)]
    st.session_state["review_note"] = ("success", f"Flag {flag_id}: {decision} saved. Score {shown[0]} → {shown[1]}.")


def default_focus(flags: list[dict]) -> None:
    """Start at the most severe undecided flag (else the first flag, else the beginning)."""
    if not flags:
        st.session_state["seek"] = 0.0
        return
    first = min(flags, key=lambda f: (f["review_decision"] is not None, SEVERITY_RANK.get(f["severity"], 3),
                                      f["start_s"]))
    focus_on(first["start_s"], first["end_s"], (first["flag_id"],), first["kind"])
    st.session_state["play"] = False


def overlaps(start: float, end: float, a: float | None, b: float | None) -> bool:
    return a is not None and start <= (b if b is not None else a) and a <= end


def transcript_html(transcript, flags: list[dict], focus: dict | None) -> str:
    """The utterances as escaped HTML rows, flagged ones tinted and the focused one marked."""
    rows = []
    for u in transcript.utterances:
        kinds = sorted({f["kind"] for f in flags if not f["dismissed"] and overlaps(u.start, u.end, f["start_s"],
                                                                                    f["end_s"])})
        focused = focus is not None and overlaps(u.start, u.end, focus["start"], focus["end"])
        style = "padding:4px 8px;margin:2px 0;border-radius:4px;"
        if focused:
            style += "background:#ffd54f;border-left:4px solid #e65100;"
        elif kinds:
            style += "background:#fff3cd;border-left:4px solid #ffb300;"
        role = u.role.value
        tags = "".join(f' <span style="font-size:0.75em;background:#e65100;color:white;border-radius:3px;'
                       f'padding:0 4px">{html.escape(k)}</span>' for k in kinds)
        rows.append(f'<div class="utterance{" focused" if focused else ""}" style="{style}">'
                    f'<span style="color:#888;font-family:monospace">{clock(u.start)}</span> '
                    f'<b style="color:{ROLE_COLOURS.get(role, "#7f7f7f")}">{html.escape(role.title())}</b> '
                    f'{html.escape(u.text)}{tags}</div>')
    return "".join(rows) or "<i>No speech.</i>"


DECIDED = {"confirm": "confirmed", "dismiss": "dismissed", "comment": "commented"}


def show_history(flag: dict, reviews: list[dict]) -> None:
    """Who decided what on the flag, why and when; a disagreement, with the decision that stands."""
    decisions = {r["decision"] for r in reviews if r["decision"] != "comment"}
    if len(decisions) > 1:
        st.warning(f"Reviewers disagree: {STATUS[flag['review_decision']]} stands (the latest decision).",
                   icon=":material/forum:")
    for review in reviews:
        comment = f" – “{review['comment']}”" if review["comment"] else ""
        st.text(f"{review['reviewed_at']:%Y-%m-%d %H:%M}  {review['reviewer']} {DECIDED[review['decision']]}{comment}")


def show_flag(flag: dict, before: float | None, focus: dict | None, reviews: list[dict]) -> None:
    fid = flag["flag_id"]
    focused = focus is not None and fid in focus["flags"]
    with st.container(border=True, key=f"flag_{fid}"):
        st.markdown(f"{'**▶** ' if focused else ''}**{plain(flag['kind'])}** · {plain(flag['severity'])} · {plain(flag['role'])} · "
                    f"{clock(flag['start_s'])}–{clock(flag['end_s'])} · {STATUS[flag['review_decision']]}"
                    f"{' · ' + str(flag['reviews']) + (' reviews' if flag['reviews'] > 1 else ' review') if flag['reviews'] else ''}")
        st.markdown(f'<div style="color:#555">“{html.escape(flag["evidence"] or "")}”</div>', unsafe_allow_html=True)
        st.caption(f"detector {plain(flag['detector'])} {plain(flag['detector_version'])}, confidence {flag['confidence']:.2f}")
        if described := details_text(flag["details"]):
            st.caption(plain(described))
        show_history(flag, reviews)
        cols = st.columns(3)
        cols[0].button(f"▶ {clock(flag['start_s'])}", key=f"play_{fid}", on_click=focus_on,
                       args=(flag["start_s"], flag["end_s"], (fid,), flag["kind"]), width="stretch",
                       help="Play from here and highlight the evidence")
        cols[1].button("Confirm", key=f"confirm_{fid}", on_click=save_review, args=(fid, "confirm", before),
                       disabled=flag["review_decision"] == "confirm", width="stretch", icon=":material/check:")
        cols[2].button("Dismiss", key=f"dismiss_{fid}", on_click=save_review, args=(fid, "dismiss", before),
                       disabled=flag["review_decision"] == "dismiss", width="stretch", icon=":material/close:")
        text, button = st.columns([3, 1], vertical_alignment="bottom")
        text.text_input("Comment", key=f"comment_{fid}", label_visibility="collapsed",
                        placeholder="Comment (kept with a confirm or dismiss)")
        button.button("Comment", key=f"note_{fid}", on_click=save_review, args=(fid, "comment", before),
                      width="stretch")


def why(item) -> str:
    """A score item's reason as a sentence."""
    return reason_text(item.reason, item.metric, item.metric_value)


def show_lost(score, flags_by_id: dict[int, dict]) -> None:
    """The verdict in short: why there is no score, or each lost point with a button to its evidence."""
    if score is None:
        st.info("Not scored yet.")
        return
    if not score.scorable:  # no points to show: the reason is the whole verdict
        st.warning(f"Not scorable: {plain(score.not_scorable_reason)}")
        return
    lost = [i for i in score.items if i.applicable and (i.lost > 0 or i.failed)]
    st.markdown("**Lost points – evidence**" if lost else "No points lost.")
    for item in lost:
        refs = [flags_by_id[r] for r in item.flag_refs if r in flags_by_id]
        start = item.start if item.start is not None else (refs[0]["start_s"] if refs else None)
        end = item.end if item.end is not None else (refs[0]["end_s"] if refs else None)
        text = f"Auto-fail: {plain(item.label)}" if item.failed else f"−{item.lost:g} {plain(item.label)}"
        if start is None:
            st.caption(f"{text}: whole call – {plain(why(item))}")
            continue
        st.button(f"▶ {clock(start)}  {text}", key=f"lost_{item.criterion}", on_click=focus_on,
                  args=(start, end, tuple(item.flag_refs), item.label), help=plain(why(item)))


def show_criteria(score) -> None:
    """Every criterion with its points and why, the width of the page so no column is cut off."""
    if score is None or not score.scorable:
        return
    st.markdown("#### Scorecard by criterion")
    table([{"criterion": i.label, "points": i.points, "of": i.weight, "lost": i.lost, "at": clock(i.start),
            "why": why(i) + (" (points restored after review)" if i.restored_refs else "")}
           for i in score.items if i.applicable], key="scorecard", height="content",
          widths={"criterion": 320, "points": "small", "of": "small", "lost": "small", "at": "small", "why": "large"})


st.title("Call")
linked = st.query_params.get("call_id")  # a link: /call?call_id=...
if linked and linked != st.session_state.get("call_id"):
    st.session_state.update(call_id=linked, seek=None, focus=None, back_to=None,
                            open_seq=st.session_state.get("open_seq", 0) + 1)
if (back := st.session_state.get("back_to")) and st.button(f"← Back to {PAGE_TITLES[back].lower()}", key="back"):
    st.switch_page(back)  # that page's filters persist for the session
call_id = st.session_state.get("call_id")
if not call_id:
    st.info("Open a call from the review queue, a drill-down or search – or pick a recent one.")
    recent = data.read("calls_list", synthetic=False, limit=200)
    call_table(recent, "call_recent", ["call_time", "operator_id", "campaign", "language", "score",
                                      "auto_failed", "flags"],
               lambda r: call_label(r, "operator_id", "campaign"), empty="No calls are stored yet.")
    st.stop()
header = data.read("call_header", call_id)
if header is None:
    st.error("This call is not in the database.")
    st.stop()
st.query_params["call_id"] = call_id  # the address bar is a link to this call
opening = (call_id, st.session_state.get("open_seq", 0))
if st.session_state.get("logged_opening") != opening:  # once per opening, not per rerun
    data.log_open(user(), call_id)
    st.session_state["logged_opening"] = opening

flags = data.read("call_flags", call_id)
score = data.read("score", call_id)
if st.session_state.get("seek") is None:
    default_focus(flags)
focus, seek = st.session_state.get("focus"), st.session_state.get("seek") or 0.0

st.subheader(plain(header["file_name"]))
st.caption(" · ".join(plain(v) for v in [header["operator_id"], header["team"], header["campaign"], header["direction"],
                                       header["language"], f"{header['call_time']:%Y-%m-%d %H:%M}",
                                       clock(header["duration_s"])] if v))
change = st.session_state.get("score_change")
delta = change[2] - change[1] if change and change[0] == call_id and None not in change[1:] else None
top = st.columns(4)
top[0].metric("Score", "–" if header["score"] is None or not header["scorable"] else f"{header['score']:g}",
              delta=f"{delta:+g}" if delta else None)
top[1].metric("Flags", len(flags))
top[2].metric("Unreviewed", sum(f["review_decision"] is None for f in flags))
top[3].metric("Auto-failed", "yes" if header["auto_failed"] else "no")
if note := st.session_state.pop("review_note", None):
    (st.success if note[0] == "success" else st.warning)(note[1])

left, right = st.columns([1, 1], gap="medium")
with left:
    audio = data.audio_file(header["audio_path"])
    if audio is None:
        st.info("No audio available for this call.")
    else:
        with st.container(key=f"player_{st.session_state.get('seek_seq', 0)}"):
            st.audio(audio, start_time=int(seek), autoplay=st.session_state.pop("play", False))
    st.caption(f"Player at {clock(seek)}" + (f" – {plain(focus['label'])}" if focus else ""))
    with st.container(height=560, key="transcript"):
        st.markdown(transcript_html(data.read("transcript", call_id), flags, focus), unsafe_allow_html=True)
with right:
    st.markdown("#### Scorecard")
    show_lost(score, {f["flag_id"]: f for f in flags})
    st.markdown("#### Reason and outcome")
    show_categories(call_id, focus_on)
    st.markdown("#### Flags")
    if not flags:
        st.caption("No flags on this call.")
    reviews = data.read("reviews", call_id)
    for flag in flags:
        show_flag(flag, header["score"], focus, [r for r in reviews if r["flag_id"] == flag["flag_id"]])
show_criteria(score)
