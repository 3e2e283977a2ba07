"""Word and character error rate per language of the configured ASR model on real speech.

    .venv/bin/python benchmarks/languages.py [--shared ../shared/data] [--config F] [--write]

Real speech with a reference transcript in ../shared/data (read there, never copied):

* every ``fleurs-<lang>/`` folder: read sentences by real speakers, one ``.txt`` (human) per clip;
* ``pyannote-sample/``: a 30 s telephone conversation with its human transcript (``sample.stm``);
* ``real-calls/azure-sales/``: a real 2-minute sales call against Azure's recogniser output
  (a machine reference, said so in the table), as recorded and band-limited to 8 kHz.

Recordings without a reference are listed as skipped. Each set goes through the same ASR path
as ``callqa run`` (VAD, batched decoding, the language given). Text is compared case-folded,
with punctuation dropped; WER and CER are over all clips of a set (jiwer). ``--write`` puts
the rows of this model into ``qa/transcribe/language_quality.json``, which ``callqa models``
and the README show; rows measured elsewhere (``source``) are kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from qa.audio import load_audio  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.languages import QUALITY_FILE, language_name, model_key  # noqa: E402

AUDIO = (".ogg", ".opus", ".wav", ".flac", ".mp3")


@dataclass(frozen=True)
class Clip:
    """One recording and what was said in it."""

    path: Path
    reference: str


@dataclass(frozen=True)
class Set:
    """Clips of one language from one source."""

    name: str
    language: str
    clips: tuple[Clip, ...]
    reference: str = "human"
    telephone: bool = False  # band-limit to 8 kHz first


def normalise(text: str) -> str:
    """Case-folded words: letters, marks and digits; anything else separates."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in folded).split())


def _fleurs(folder: Path) -> Set | None:
    clips = tuple(Clip(p, p.with_suffix(".txt").read_text(encoding="utf-8"))
                  for p in sorted(folder.iterdir()) if p.suffix in AUDIO and p.with_suffix(".txt").is_file())
    return Set(folder.name, folder.name.split("-", 1)[1], clips) if clips else None


def _stm(path: Path) -> str:
    """The transcript of an STM file, in time order."""
    rows = [line.split(maxsplit=5) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return " ".join(row[5] for row in sorted(rows, key=lambda r: float(r[3])) if len(row) == 6)


def data_sets(shared: Path) -> tuple[list[Set], list[str]]:
    """The sets found under ``shared`` and a note for each recording left out."""
    sets, skipped = [], []
    for folder in sorted(shared.glob("fleurs-*")):
        if found := _fleurs(folder):
            sets.append(found)
    sample = shared / "pyannote-sample"
    if (sample / "sample.stm").is_file():
        sets.append(Set("pyannote-sample", "en", (Clip(sample / "sample.wav", _stm(sample / "sample.stm")),)))
    elif (sample / "sample.wav").is_file():
        skipped.append("pyannote-sample: no reference transcript (sample.stm)")
    sales = shared / "real-calls" / "azure-sales"
    if (sales / "azure_transcription.json").is_file():
        data = json.loads((sales / "azure_transcription.json").read_text(encoding="utf-8"))
        clip = Clip(sales / "test_call_audio.wav", " ".join(p["text"] for p in data["combinedPhrases"]))
        sets += [Set("azure-sales", "en", (clip,), "machine (Azure)"),
                 Set("azure-sales@8kHz", "en", (clip,), "machine (Azure)", telephone=True)]
    for name in ("real-call/auto_dealer_mono.wav", "real-calls/google-commercial/commercial_mono.wav"):
        if (shared / name).is_file():
            skipped.append(f"{name}: no reference transcript")
    if (shared / "faster-whisper-tests").is_dir():
        skipped.append("faster-whisper-tests: its expected texts are whisper tiny output, not human")
    return sets, skipped


def _telephone(samples: np.ndarray) -> np.ndarray:
    """The 16 kHz samples through an 8 kHz channel and back."""
    from scipy.signal import resample_poly

    return resample_poly(resample_poly(samples, 1, 2), 2, 1).astype(np.float32)


def measure(data: Set, transcriber) -> dict:
    """WER and CER of one set, with its size and how long recognition took."""
    import jiwer

    from qa.transcribe.base import AsrStream

    streams, seconds = [], 0.0
    for clip in data.clips:
        samples = load_audio(clip.path).channels[0]
        streams.append(AsrStream(_telephone(samples) if data.telephone else samples, data.language))
        seconds += len(samples) / 16000
    started = time.perf_counter()
    heard = transcriber.transcribe_many(streams)
    took = time.perf_counter() - started
    references = [normalise(c.reference) for c in data.clips]
    hypotheses = [normalise(" ".join(w.text for w in r.words)) for r in heard]
    words = jiwer.process_words(references, hypotheses)
    return {"language": data.language, "data": data.name, "clips": len(data.clips),
            "audio_s": round(seconds, 1), "reference": data.reference, "words": sum(len(r.split()) for r in references),
            "wer": round(words.wer, 3), "cer": round(jiwer.cer(references, hypotheses), 3),
            "rtf": round(took / seconds, 3)}


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table."""
    lines = ["| language | data | clips | audio s | reference | words | WER | CER |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {language_name(r['language'])} ({r['language']}) | {r['data']} | {r.get('clips', '')} | "
              f"{r.get('audio_s', '')} | {r.get('reference', '')} | {r.get('words', '')} | {r['wer']:.2f} | "
              f"{r['cer']:.2f} |" if r.get("cer") is not None else
              f"| {language_name(r['language'])} ({r['language']}) | {r['data']} | | | {r.get('reference', '')} | | "
              f"{r['wer']:.2f} | – |" for r in rows]
    return "\n".join(lines)


def write(rows: list[dict], model: str, path: Path = QUALITY_FILE) -> None:
    """Replace this model's rows measured here (same data names) in the shipped table."""
    old = json.loads(path.read_text(encoding="utf-8"))["rows"] if path.is_file() else []
    mine = {(model_key(model), r["data"]) for r in rows}
    kept = [r for r in old if (model_key(r.get("model")), r["data"]) not in mine]
    body = {"about": "ASR word/character error rates on real speech; benchmarks/languages.py --write",
            "rows": kept + rows}
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--config", help="callqa TOML config (its [asr] model is measured)")
    parser.add_argument("--only", nargs="*", default=(), help="data set names to run (default: all)")
    parser.add_argument("--write", action="store_true", help=f"store the rows in {QUALITY_FILE.relative_to(REPO)}")
    args = parser.parse_args()
    if not args.shared.is_dir():
        sys.exit(f"{args.shared}: no evaluation data (the shared data folder)")
    from qa.engine import Engine

    engine = Engine(load_config(args.config))
    asr, today = engine.transcriber.describe(), dt.date.today().isoformat()
    sets, skipped = data_sets(args.shared)
    rows = [measure(s, engine.transcriber) | {"model": asr["model"], "date": today,
                                              "compute_type": asr["compute_type"]}
            for s in sets if not args.only or s.name in args.only]
    print(f"model: {asr['model']} ({asr['model_path']}, {asr['device']} {asr['compute_type']}, "
          f"beam {asr['beam_size']}, batch {asr['batch_size']}); data: {args.shared}; date: {today}\n")
    print(table(rows))
    for note in skipped:
        print(f"skipped: {note}")
    if args.write:
        write(rows, asr["model"])
        print(f"written: {QUALITY_FILE}")


if __name__ == "__main__":
    main()
