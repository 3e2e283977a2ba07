"""The real-call labels (benchmarks/labels/) name real script steps, flag kinds and times, and
the benchmark's judge counts a flag as false unless a label stands behind it."""

from __future__ import annotations


import yaml

from helpers.paths import REPO, benchmark
from qa.compliance.registry import flag_kinds
from qa.compliance.script_book import load_scripts

# one file per real recording (others there: script turns, closings, the NATCS reason map)
LABELS = sorted(p for p in (REPO / "benchmarks" / "labels").glob("*.yaml") if "recording" in yaml.safe_load(p.read_text()))


def _realcalls():
    return benchmark("realcalls")


def test_every_label_names_real_steps_kinds_and_ordered_times():
    steps = {s.id for s in load_scripts().scripts[("default", "en")].steps}
    assert len(LABELS) >= 3
    for path in LABELS:
        label = yaml.safe_load(path.read_text())
        assert label["recording"] and label["sources"] and label["operator_at"] >= 0, path.name
        script = label["script"]
        assert set(script.get("steps", {})) <= steps, path.name
        for status in script.get("steps", {}).values():
            assert len(status) == 1 and set(status) <= {"said", "missing", "late", "early", "order", "not_applicable"}
        assert script["applies"] or script.get("why"), path.name
        for key in ("raised_voice", "profanity", "forbidden_phrase"):
            assert key in flag_kinds() and all(e[0] < e[1] for e in label.get(key, []))
        assert all(p["at"][0] < p["at"][1] and "leak" in p for p in label.get("pii", [])), path.name


def test_a_flag_is_false_unless_a_label_stands_behind_it():
    realcalls = _realcalls()
    label = {"script": {"applies": True, "steps": {"greeting": {"said": [0.5, 2.0]},
                                                   "closing_question": {"missing": "not asked"},
                                                   "farewell": {"not_applicable": "cut off"}}},
             "raised_voice": [[40.0, 44.0, "customer"]],
             "pii": [{"type": "CREDIT_CARD", "role": "operator", "at": [60.0, 64.0], "leak": True}]}

    def flag(kind, start, **details):
        return {"kind": kind, "start_s": start, "end_s": start + 1.0, "details": details}

    assert realcalls._flag_is_right(flag("script_missing", 100.0, step="closing_question"), label)
    assert not realcalls._flag_is_right(flag("script_missing", 0.0, step="greeting"), label)
    assert not realcalls._flag_is_right(flag("script_missing", 100.0, step="farewell"), label)
    assert not realcalls._flag_is_right(flag("script_late", 1.0, step="greeting"), label)
    assert realcalls._flag_is_right(flag("raised_voice", 42.0), label)
    assert not realcalls._flag_is_right(flag("raised_voice", 10.0), label)
    assert realcalls._flag_is_right(flag("pii_leak", 61.0), label)
    assert not realcalls._flag_is_right(flag("profanity", 5.0), label)
    no_script = {"script": {"applies": False, "why": "opens mid-call"}}
    assert not realcalls._flag_is_right(flag("script_missing", 100.0, step="closing_question"), no_script)
    missed = realcalls._missed(label, [flag("raised_voice", 42.0)])
    assert missed == {"script_missing": 1, "pii_leak": 1}
