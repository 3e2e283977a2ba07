"""The script-step turn labels (benchmarks/labels/script_turns*.yaml) name real steps of their
language's default script, have enough positives and near misses per step, and refer to every
agent turn of their sources (checked where ../shared/data is present)."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache

import yaml

from helpers.paths import REPO, benchmark
from qa.compliance.script_book import load_scripts

LABELS = REPO / "benchmarks" / "labels"
SIX = ("greeting", "operator_name", "offer_help", "identity_verification", "closing_question", "farewell")


def _turns(name: str) -> list[dict]:
    return yaml.safe_load((LABELS / name).read_text(encoding="utf-8"))["turns"]


def _benchmark():
    return benchmark("script_steps")


@cache
def _step_ids(language: str) -> frozenset[str]:
    return frozenset(step.id for step in load_scripts().select(None, language).steps)


def _check_labels(entry: dict, language: str) -> None:
    ids = _step_ids(language)
    steps, like = set(entry["steps"]), set(entry.get("like", ()))
    assert steps <= ids and like <= ids, entry
    assert not steps & like and entry.get("hard", False) is bool(like), entry


def test_written_turns_name_real_steps_with_enough_positives_and_near_misses():
    turns = _turns("script_turns_written.yaml")
    for entry in turns:
        assert set(entry) <= {"text", "language", "steps", "hard", "like"} and entry["text"].strip(), entry
        _check_labels(entry, entry["language"])
    assert len({e["text"] for e in turns}) == len(turns), "a written turn is there twice"
    english = [e for e in turns if e["language"] == "en"]
    positives = Counter(s for e in english for s in e["steps"])
    near = Counter(s for e in english for s in e.get("like", ()))
    assert len(english) >= 240
    assert all(positives[s] >= 20 and near[s] >= 20 for s in SIX), (positives, near)
    languages = Counter(e["language"] for e in turns)
    assert languages["es"] >= 40 and languages["fi"] >= 40


def test_real_turns_are_references_without_text():
    turns = _turns("script_turns.yaml")
    assert len(turns) >= 80
    for entry in turns:
        assert "text" not in entry and ("file" in entry) != ("recording" in entry), entry
        _check_labels(entry, "en")
    assert all(Counter(s for e in turns for s in e["steps"])[s] for s in SIX)


def _agent_turns(shared) -> set[tuple]:
    """Every agent turn of the text sources, as (file, reference) keys like _key's."""
    keys = set()
    abcd = "abcd/abcd_sample.json"
    for convo in json.loads((shared / abcd).read_text()):
        keys |= {(abcd, convo["convo_id"], i) for i, (who, _) in enumerate(convo["original"]) if who == "agent"}
    chat = "azure-call-center-text/Json_input_customer_support.json"
    items = json.loads((shared / chat).read_text())["analysisInput"]["conversations"][0]["conversationItems"]
    keys |= {(chat, f"analysisInput.conversations[0].conversationItems[{i}].text", None)
             for i, item in enumerate(items) if item["participantId"] == "Agent"}
    call1 = "azure-call-center-text/call1_health_insurance_transcript.json"
    agent = json.loads((shared / call1).read_text())["channels"][0]
    assert agent["role"] == "agent"
    keys |= {(call1, "channels[0].text", i) for i in range(len(_benchmark().SENTENCE_END.split(agent["text"].strip())))}
    summary = "azure-call-center-text/summarizationInputSample.json"
    phrases = json.loads((shared / summary).read_text())["recognizedPhrases"]
    keys |= {(summary, f"recognizedPhrases[{i}].nBest[0].display", None) for i, p in enumerate(phrases) if p["speaker"] == 2}
    return keys


def _key(entry: dict) -> tuple:
    if "convo_id" in entry:
        return entry["file"], entry["convo_id"], entry["index"]
    return entry["file"], entry["path"], entry.get("sentence")


def test_real_references_resolve_to_every_agent_turn(shared_data):
    benchmark, cache = _benchmark(), {}
    turns = _turns("script_turns.yaml")
    texts = [e for e in turns if "file" in e]
    for entry in texts:
        assert (shared_data / entry["file"]).is_file(), entry
        assert benchmark.reference_text(shared_data, entry, cache)[0].strip(), entry
    keys = [_key(e) for e in texts]
    assert len(set(keys)) == len(keys), "a turn is labelled twice"
    assert set(keys) == _agent_turns(shared_data)
    names = benchmark.recording_names()
    times = Counter((e["recording"], e["at"]) for e in turns if "recording" in e)
    assert max(times.values()) == 1
    for recording, _ in times:
        assert (shared_data / recording).is_file() and recording in names, recording


def test_json_paths_reach_keys_and_list_items():
    document = {"a": {"b": [0, {"c": 3}]}}
    json_path = _benchmark().json_path
    assert json_path(document, "a.b[1].c") == 3 and json_path([document], "[0].a.b[0]") == 0
