"""Script steps turn by turn: each matcher's per-step precision and recall on labelled operator
turns (benchmarks/labels/script_turns.yaml: real turns, by reference into ../shared/data;
benchmarks/labels/script_turns_written.yaml: turns written by the callqa developers).

    .venv/bin/python benchmarks/script_steps.py [--shared ../shared/data] [--db FILE] [--config F] [--verbose]

Real turns are read from the sources at run time (never copied); sources missing under
``--shared`` are skipped with a note. The recordings' operator utterances come from ``--db`` (a
database of a `callqa run` over the labelled recordings, as benchmarks/realcalls.py makes); without
it the pipeline is run on them into a temporary database first (minutes). A matcher is a factory
in MATCHERS returning ``said(step, text, language) -> bool``; each turn is asked about every step
of the default script of its language where the detector looks for it (real turns: opening
steps in the first half of their call, closing steps in the second; written turns, which are in
no call: everywhere), with no timing. Printed per
set and step: labelled positives, TP, FP, FN, precision, recall, and how many of the near misses
labelled for the step (``like``) were taken for it; ``--verbose`` lists each FP and FN turn.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import yaml  # noqa: E402

from qa.compliance.script_book import Step, load_scripts  # noqa: E402

LABELS = Path(__file__).with_name("labels")
REAL, WRITTEN = LABELS / "script_turns.yaml", LABELS / "script_turns_written.yaml"
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
Said = Callable[[Step, str, str, bool], bool]  # (step, text, language, the operator's first turn)


@dataclass(frozen=True)
class Turn:
    """One labelled operator turn: where it is, its text and the steps it says."""

    where: str
    text: str
    language: str
    steps: frozenset[str]
    like: frozenset[str] = frozenset()  # near misses: steps it resembles but does not say
    position: float | None = None  # where in its call, 0-1 (None: written, out of any call)
    first: bool = True  # the operator's first turn of its call (written turns: may be)


def json_path(document: object, path: str) -> object:
    """The value at ``path`` ("a.b[0].c": keys joined by ".", list items as [i])."""
    value = document
    for key, index in PATH_PART.findall(path):
        value = value[int(index)] if index else value[key]
    return value


def reference_text(shared: Path, entry: dict, cache: dict) -> tuple[str, float]:
    """The text an entry of script_turns.yaml refers to (abcd turn, JSON path, sentence) and
    where it is in its conversation (0-1: its list item, or sentence, over their count)."""
    file = entry["file"]
    if file not in cache:
        cache[file] = json.loads((shared / file).read_text(encoding="utf-8"))
    document = cache[file]
    if "convo_id" in entry:
        convo = next(c for c in document if str(c["convo_id"]) == str(entry["convo_id"]))
        speaker, text = convo["original"][entry["index"]]
        if speaker != "agent":
            raise ValueError(f"{file} {entry['convo_id']}[{entry['index']}] is said by {speaker}")
        return text, entry["index"] / len(convo["original"])
    text = json_path(document, entry["path"])
    if "sentence" in entry:
        sentences = SENTENCE_END.split(text.strip())
        return sentences[entry["sentence"]], entry["sentence"] / len(sentences)
    index = [i for _, i in PATH_PART.findall(entry["path"]) if i][-1]
    listing = json_path(document, entry["path"][:entry["path"].rindex(f"[{index}]")])
    return text, int(index) / len(listing)


def _turn(where: str, text: str, entry: dict, position: float | None = None) -> Turn:
    return Turn(where, text, entry.get("language", "en"), frozenset(entry["steps"]), frozenset(entry.get("like", ())),
                position)


def text_turns(entries: list[dict], shared: Path, notes: list[str]) -> list[Turn]:
    """The real turns held in text sources; entries of missing sources are skipped with a note."""
    turns, cache, missing = [], {}, set()
    for entry in entries:
        file = entry["file"]
        if not (shared / file).is_file():
            missing.add(file)
            continue
        where = f"{file} " + " ".join(f"{k}={entry[k]}" for k in ("convo_id", "index", "path", "sentence") if k in entry)
        text, position = reference_text(shared, entry, cache)
        turns.append(_turn(where, text, entry, position))
    notes += [f"skipped {file}: not under {shared}" for file in sorted(missing)]
    return _mark_first(turns, [e for e in entries if (shared / e["file"]).is_file()])


def _conversation(entry: dict) -> tuple:
    """Which conversation an entry's turn belongs to (abcd: the convo; else its list or text)."""
    if "convo_id" in entry:
        return entry["file"], entry["convo_id"]
    path = entry["path"] if "sentence" in entry else entry["path"][:entry["path"].rindex("[")]
    return entry["file"], path


def _mark_first(turns: list[Turn], entries: list[dict]) -> list[Turn]:
    """Each turn with ``first`` set: the earliest labelled turn of its conversation (every agent
    turn of a source is labelled, so that is the operator's first)."""
    earliest: dict[tuple, float] = {}
    for turn, entry in zip(turns, entries):
        key = _conversation(entry) if "file" in entry else (entry["recording"],)
        earliest[key] = min(earliest.get(key, turn.position), turn.position)
    return [replace(turn, first=turn.position == earliest[_conversation(e) if "file" in e else (e["recording"],)])
            for turn, e in zip(turns, entries)]


def recording_names() -> dict[str, str]:
    """Recording path -> the file name benchmarks/realcalls.py gives its copy (label stem + suffix)."""
    names = {}
    for path in sorted(LABELS.glob("*.yaml")):
        label = yaml.safe_load(path.read_text())
        if isinstance(label, dict) and "recording" in label:
            names[label["recording"]] = f"{path.stem}{Path(label['recording']).suffix}"
    return names


def transcribe_recordings(shared: Path, recordings: list[str], db: Path, config: str | None) -> None:
    """`callqa run`'s batch over the recordings into ``db``, named as benchmarks/realcalls.py names them."""
    from qa.batch import run_batch
    from qa.config import load_config
    from qa.engine import Engine
    from qa.store import Store

    names = recording_names()
    folder = db.parent / "calls"
    folder.mkdir()
    for recording in recordings:
        shutil.copy(shared / recording, folder / names.get(recording, Path(recording).name))
    print(run_batch([folder], Store(db), Engine(load_config(config))).line())


def recording_turns(entries: list[dict], db: Path, notes: list[str]) -> list[Turn]:
    """The operator utterances holding each entry's ``at`` in the database's transcripts."""
    names, turns, resolved = recording_names(), [], []
    with duckdb.connect(str(db), read_only=True) as con:
        ids = dict(con.execute("SELECT file_name, call_id FROM calls").fetchall())
        durations = dict(con.execute("SELECT call_id, duration_s FROM calls").fetchall())
        for entry in entries:
            recording, at = entry["recording"], entry["at"]
            call_id = ids.get(names.get(recording, "")) or ids.get(Path(recording).name)
            row = call_id and con.execute(
                "SELECT text FROM utterances WHERE call_id = ? AND role = 'operator' AND start_s <= ? AND end_s >= ?",
                [call_id, at, at]).fetchone()
            if row:
                turns.append(_turn(f"{recording} at={at}", row[0], entry, at / durations[call_id]))
                resolved.append(entry)
            else:
                notes.append(f"no operator utterance at {at} s of {recording} in {db}")
    return _mark_first(turns, resolved)


def real_turns(entries: list[dict], shared: Path, db: Path | None, config: str | None,
               notes: list[str]) -> list[Turn]:
    """All real turns that resolve: text sources, then the recordings (transcribed when no ``db``)."""
    turns = text_turns([e for e in entries if "file" in e], shared, notes)
    heard = [e for e in entries if "recording" in e]
    present = sorted({e["recording"] for e in heard if (shared / e["recording"]).is_file()})
    notes += [f"skipped {r}: not under {shared}" for r in sorted({e["recording"] for e in heard} - set(present))]
    heard = [e for e in heard if e["recording"] in present]
    if not heard:
        return turns
    if db is not None:
        return turns + recording_turns(heard, db, notes)
    with tempfile.TemporaryDirectory() as tmp:
        transcribe_recordings(shared, present, Path(tmp) / "turns.duckdb", config)
        return turns + recording_turns(heard, Path(tmp) / "turns.duckdb", notes)


BEFORE = "8da75d2"  # the last commit before #15 changed the matcher and the phrasings


def before_issue_15() -> Said:
    """The matcher before #15: fuzzy windows only, any word in a {name} slot, the phrasings
    shipped at BEFORE (read from git), said at a score >= 80."""
    from qa.compliance.matching import compile_phrase, fuzzy_match
    from qa.compliance.script_book import load_scripts as load_book
    from qa.compliance.words import tokenize

    shipped = subprocess.run(["git", "-C", str(REPO), "show", f"{BEFORE}:qa/compliance/scripts/default.yaml"],
                             capture_output=True, text=True, check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as file:
        file.write(shipped)
    book = load_book(file.name)
    os.unlink(file.name)

    def said(step: Step, text: str, language: str, first: bool) -> bool:
        old = {s.id: s for s in book.select(None, language).steps}.get(step.id)
        words = [t.text for t in tokenize(text, loose=True)]
        return old is not None and any(fuzzy_match(compile_phrase(p), words)[0] >= 80 for p in old.phrases)

    return said


def detector_matcher(**options) -> Callable[[], Said]:
    """ScriptDetector's own decision (``said``) on one turn, built with ``options``."""

    def factory() -> Said:
        from qa.compliance.script import ScriptDetector, phrasings
        from qa.types import Role, Utterance

        detector = ScriptDetector(**options)

        def said(step: Step, text: str, language: str, first: bool) -> bool:
            utterance = Utterance("operator", Role.OPERATOR, None, 0.0, 1.0, text, ())
            lines = detector.lines([utterance], language)
            return detector.said(detector._hit(phrasings(step, first), utterance, lines))

        return said

    return factory


MATCHERS: dict[str, Callable[[], Said]] = {
    "before #15 (fuzzy, old phrasings)": before_issue_15,
    "fuzzy (new phrasings, name slots)": detector_matcher(semantic=False),
    "fuzzy + semantic (default)": detector_matcher(),
}


@dataclass
class Tally:
    """One step's counts over a set of turns."""

    positives: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    near: int = 0  # labelled near misses of the step
    near_fp: int = 0  # ... taken for it
    wrong: list[str] = field(default_factory=list)  # "FP/FN where: text"

    def line(self, step: str) -> str:
        precision = f"{self.tp / (self.tp + self.fp):.2f}" if self.tp + self.fp else "  - "
        recall = f"{self.tp / self.positives:.2f}" if self.positives else "  - "
        return (f"  {step:<22} {self.positives:>4} {self.tp:>4} {self.fp:>4} {self.fn:>4} {precision:>6} {recall:>6}"
                f" {self.near_fp:>4}/{self.near:<4}")


def steps_of(language: str) -> tuple[Step, ...]:
    """The steps of the default script of ``language`` (with the script book's fallbacks)."""
    script = load_scripts().select(None, language)
    return script.steps if script else ()


def in_phase(step: Step, turn: Turn) -> bool:
    """Whether the detector looks for ``step`` where ``turn`` is: opening steps in the first half
    of a call, closing steps in the second (written turns are in no call: everywhere)."""
    if turn.position is None:
        return True
    return {"opening": turn.position < 0.5, "closing": turn.position > 0.5}.get(step.phase, True)


def evaluate(turns: list[Turn], said: Said) -> dict[str, Tally]:
    """Per step id: the matcher's verdict on every turn against its labels."""
    tallies: dict[str, Tally] = {}
    steps = {language: steps_of(language) for language in {t.language for t in turns}}
    for turn in turns:
        for step in steps[turn.language]:
            tally = tallies.setdefault(step.id, Tally())
            truth, found = step.id in turn.steps, in_phase(step, turn) and said(step, turn.text, turn.language,
                                                                                turn.first)
            tally.positives += truth
            tally.tp += truth and found
            tally.near += step.id in turn.like and not truth
            tally.near_fp += step.id in turn.like and found and not truth
            tally.fp += found and not truth
            tally.fn += truth and not found
            if truth != found:
                kind = "FN" if truth else "FP"
                short = turn.text if len(turn.text) <= 90 else turn.text[:87] + "..."
                tally.wrong.append(f"{kind} {turn.where}: {short}")
    return tallies


def report(name: str, turns: list[Turn], tallies: dict[str, Tally], verbose: bool) -> None:
    total = Tally()
    print(f"\n{name}: {len(turns)} turns")
    print(f"  {'step':<22} {'pos':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6} near-miss FP")
    for step, tally in tallies.items():
        print(tally.line(step))
        for key in ("positives", "tp", "fp", "fn", "near", "near_fp"):
            setattr(total, key, getattr(total, key) + getattr(tally, key))
    print(total.line("all steps"))
    for step, tally in tallies.items() if verbose else ():
        for wrong in tally.wrong:
            print(f"    {step}: {wrong}")


def load_sets(args: argparse.Namespace, notes: list[str]) -> dict[str, list[Turn]]:
    """The turn sets by name: real, written (all languages) and written per language."""
    real = yaml.safe_load(REAL.read_text(encoding="utf-8"))["turns"]
    written = [_turn(f"written #{i}", e["text"], e) for i, e in
               enumerate(yaml.safe_load(WRITTEN.read_text(encoding="utf-8"))["turns"])]
    sets = {"real": real_turns(real, args.shared, args.db, args.config, notes), "written": written}
    for language in sorted({t.language for t in written}):
        sets[f"written {language}"] = [t for t in written if t.language == language]
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--db", type=Path, help="database with the recordings' transcripts "
                        "(default: run the pipeline on them into a temporary one)")
    parser.add_argument("--config", help="callqa TOML config for that run (default: the offline defaults)")
    parser.add_argument("--verbose", action="store_true", help="list each false positive and false negative")
    args = parser.parse_args()
    if args.db is not None and not args.db.is_file():
        parser.error(f"no database at {args.db}")
    notes: list[str] = []
    sets = load_sets(args, notes)
    for note in notes:
        print(f"note: {note}")
    for matcher, factory in MATCHERS.items():
        said = factory()
        print(f"\n=== {matcher}")
        for name, turns in sets.items():
            report(name, turns, evaluate(turns, said), args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
