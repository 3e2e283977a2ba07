"""Judgments on real calls: the offline defaults against the hand-checked labels in
benchmarks/labels/ (one YAML file per recording in ../shared/data).

    .venv/bin/python benchmarks/realcalls.py [--shared ../shared/data] [--config F] [--db FILE]

Runs `callqa run`'s batch over the labelled recordings into a fresh database, then prints per
call and flag kind: flags raised, false flags (no labelled event behind them), missed events
(labelled, not flagged); then personal data left in clear (labelled mentions whose stored
words are not masked), mentions not found at all, points lost to false flags, and whether
the operator was found. A compliant call should show zeros everywhere but "raised".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import yaml  # noqa: E402

from qa.batch import run_batch  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.store import Store  # noqa: E402

LABELS = Path(__file__).with_name("labels")
SCRIPT_KINDS = {"script_missing": "missing", "script_late": "late", "script_early": "early", "script_order": "order"}
TOLERANCE_S = 1.0


@dataclass
class Verdict:
    """One call's flags and personal data judged against its labels."""

    raised: Counter = field(default_factory=Counter)
    false: Counter = field(default_factory=Counter)
    missed: Counter = field(default_factory=Counter)
    false_ids: set[int] = field(default_factory=set)
    pii_in_clear: int = 0
    pii_not_found: int = 0
    pii_unheard: int = 0
    points_lost_wrongly: float = 0.0
    operator_found: bool = False
    notes: list[str] = field(default_factory=list)
    outcomes: list[bool] = field(default_factory=list)  # all calls: stored outcome == labelled closing


def _overlaps(start: float, end: float, span) -> bool:
    return start <= span[1] + TOLERANCE_S and end >= span[0] - TOLERANCE_S


def _flag_is_right(flag: dict, label: dict) -> bool:
    kind, details = flag["kind"], flag["details"]
    script = label.get("script", {})
    if kind in SCRIPT_KINDS:
        step = script.get("steps", {}).get(details.get("step"), {})
        return bool(script.get("applies")) and SCRIPT_KINDS[kind] in step
    if kind == "pii_leak":
        return any(p.get("leak") and _overlaps(flag["start_s"], flag["end_s"], p["at"]) for p in label.get("pii", []))
    events = label.get(kind, [])  # raised_voice, quiet_voice, profanity, forbidden_phrase
    return any(_overlaps(flag["start_s"], flag["end_s"], event[:2]) for event in events)


def _missed(label: dict, flags: list[dict]) -> Counter:
    missed = Counter()
    script = label.get("script", {})
    for step, status in script.get("steps", {}).items() if script.get("applies") else ():
        for kind, word in SCRIPT_KINDS.items():
            if word in status and not any(f["kind"] == kind and f["details"].get("step") == step for f in flags):
                missed[kind] += 1
    for kind in ("raised_voice", "quiet_voice", "profanity", "forbidden_phrase"):
        for event in label.get(kind, []):
            missed[kind] += not any(f["kind"] == kind and _overlaps(f["start_s"], f["end_s"], event[:2]) for f in flags)
    for mention in label.get("pii", []):
        missed["pii_leak"] += bool(mention.get("leak")) and not any(
            f["kind"] == "pii_leak" and _overlaps(f["start_s"], f["end_s"], mention["at"]) for f in flags)
    return +missed


def judge(con: duckdb.DuckDBPyConnection, call_id: str, label: dict) -> Verdict:
    """Compare one stored call with its label."""
    verdict = Verdict()
    cursor = con.execute("SELECT flag_id, kind, start_s, end_s, details FROM flags WHERE call_id = ?", [call_id])
    flags = [dict(zip(("flag_id", "kind", "start_s", "end_s", "details"), row)) for row in cursor.fetchall()]
    for flag in flags:
        details = flag["details"] or {}
        flag["details"] = json.loads(details) if isinstance(details, str) else dict(details)
        verdict.raised[flag["kind"]] += 1
        if not _flag_is_right(flag, label):
            verdict.false[flag["kind"]] += 1
            verdict.false_ids.add(flag["flag_id"])
    verdict.missed = _missed(label, flags)
    for mention in label.get("pii", []):
        start, end = mention["at"]
        if mention.get("heard") is False:  # the recogniser dropped it: no stored text holds it
            verdict.pii_unheard += 1
            continue
        words = con.execute("SELECT text FROM words WHERE call_id = ? AND (start_s + end_s) / 2 BETWEEN ? AND ?",
                            [call_id, start, end]).fetchall()
        clear = sum(not text.strip(" .,?!-").startswith("[") for (text,) in words)
        verdict.pii_in_clear += clear > 0
        if clear:
            verdict.notes.append(f"{mention['type']} at {start:.1f}-{end:.1f} s: {clear} of {len(words)} words in clear")
        found = con.execute("SELECT count(*) FROM pii_spans WHERE call_id = ? AND start_s <= ? AND end_s >= ?",
                            [call_id, end + 0.1, start - 0.1]).fetchone()[0]
        verdict.pii_not_found += found == 0
    for lost, ids in con.execute("SELECT lost, flag_ids FROM score_items WHERE call_id = ? AND lost > 0",
                                 [call_id]).fetchall():
        if ids:
            verdict.points_lost_wrongly += lost * sum(i in verdict.false_ids for i in ids) / len(ids)
    role = con.execute("SELECT role FROM utterances WHERE call_id = ? AND start_s <= ? AND end_s >= ?",
                       [call_id, label["operator_at"] + 0.5, label["operator_at"] - 0.5]).fetchone()
    verdict.operator_found = role is not None and role[0] == "operator"
    return verdict


def _report(name: str, verdict: Verdict) -> None:
    kinds = sorted(set(verdict.raised) | set(verdict.missed))
    print(f"\n{name}: operator {'found' if verdict.operator_found else 'NOT found'}; "
          f"personal data in clear {verdict.pii_in_clear}, not found {verdict.pii_not_found}, "
          f"not heard by the recogniser {verdict.pii_unheard}; "
          f"points lost to false flags {verdict.points_lost_wrongly:.1f}")
    for note in verdict.notes:
        print(f"  {note}")
    print(f"  {'kind':<18} {'raised':>6} {'false':>6} {'missed':>6}")
    for kind in kinds or ["(none)"]:
        print(f"  {kind:<18} {verdict.raised[kind]:>6} {verdict.false[kind]:>6} {verdict.missed[kind]:>6}")


def _place(recording: Path, target: Path, cut_start_s: float) -> None:
    """Copy a recording for the run, without its first ``cut_start_s`` seconds if given."""
    if not cut_start_s:
        shutil.copy(recording, target)
        return
    import soundfile

    samples, rate = soundfile.read(recording, always_2d=True)
    soundfile.write(target, samples[int(cut_start_s * rate):], rate, subtype="PCM_16")


def _outcome(con, call_id: str, closing: dict) -> bool:
    """Print and judge the stored outcome of a call against its labelled closing."""
    row = con.execute("SELECT outcome FROM call_outcomes WHERE call_id = ?", [call_id]).fetchone()
    got = row[0] if row else "none (not judged)"
    print(f"  outcome: {got}, labelled {closing['outcome']} ({closing['direction']})")
    return got == closing["outcome"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--config", help="callqa TOML config (default: the offline defaults)")
    parser.add_argument("--db", type=Path, help="keep the database here (default: a temporary one)")
    args = parser.parse_args()
    loaded = {path.stem: yaml.safe_load(path.read_text()) for path in sorted(LABELS.glob("*.yaml"))}
    labels = {name: label for name, label in loaded.items() if "recording" in label}  # one per recording
    closings = {e["recording"]: e for e in loaded.get("closings_real", {}).get("exchanges", [])}
    present = {name: label for name, label in labels.items() if (args.shared / label["recording"]).is_file()}
    if not present:
        print(f"no labelled recording under {args.shared}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "calls"
        folder.mkdir()
        for name, label in present.items():
            _place(args.shared / label["recording"], folder / f"{name}{Path(label['recording']).suffix}",
                   label.get("cut_start_s", 0.0))
        db = args.db or Path(tmp) / "realcalls.duckdb"
        summary = run_batch([folder], Store(db), Engine(load_config(args.config)))
        print(summary.line())
        totals = Verdict()
        with duckdb.connect(str(db), read_only=True) as con:
            ids = dict(con.execute("SELECT file_name, call_id FROM calls").fetchall())
            for name, label in present.items():
                verdict = judge(con, ids[f"{name}{Path(label['recording']).suffix}"], label)
                _report(name, verdict)
                for counter in ("raised", "false", "missed"):
                    getattr(totals, counter).update(getattr(verdict, counter))
                totals.pii_in_clear += verdict.pii_in_clear
                totals.pii_not_found += verdict.pii_not_found
                totals.points_lost_wrongly += verdict.points_lost_wrongly
                if closing := closings.get(label["recording"]):
                    totals.outcomes.append(_outcome(con, ids[f"{name}{Path(label['recording']).suffix}"], closing))
        print(f"\nall {len(present)} calls: {sum(totals.raised.values())} flags, {sum(totals.false.values())} false, "
              f"{sum(totals.missed.values())} missed; personal data in clear {totals.pii_in_clear}, "
              f"not found {totals.pii_not_found}; points lost to false flags {totals.points_lost_wrongly:.1f}; "
              f"outcomes right {sum(totals.outcomes)} of {len(totals.outcomes)} (benchmarks/labels/closings_real.yaml)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
