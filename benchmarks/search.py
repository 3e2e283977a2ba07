"""Transcript search at scale: ``Store.search_transcripts`` over generated utterances.

    .venv/bin/python benchmarks/search.py [--calls 100000] [--utterances 30]

Builds a temporary database of synthetic calls (``callqa synth``) with ``--utterances``
generated utterances each (12 words from a 20,000-word vocabulary), then times one-word and
two-word searches (median of 5, a fresh Store each time, as the dashboard opens it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.store import Store  # noqa: E402
from qa.synth import synthesize  # noqa: E402

VOCABULARY = 20_000
WORDS_PER_UTTERANCE = 12


def utterances(call_ids: list[str], per_call: int, folder: Path, seed: int = 0) -> list[Path]:
    """Parquet files of generated utterances for ``call_ids`` (one per 20,000 calls)."""
    rng, files = np.random.default_rng(seed), []
    vocabulary = np.array([f"word{i}" for i in range(VOCABULARY)])
    for start in range(0, len(call_ids), 20_000):
        ids = call_ids[start:start + 20_000]
        n = len(ids) * per_call
        words = vocabulary[rng.integers(0, VOCABULARY, size=(n, WORDS_PER_UTTERANCE))]
        text = [" ".join(row) for row in words]
        index = np.tile(np.arange(per_call), len(ids))
        frame = pl.DataFrame({
            "call_id": np.repeat(np.array(ids), per_call), "utterance_index": index.astype(np.int32),
            "speaker": "synthetic", "role": np.where(index % 2 == 0, "operator", "customer"),
            "channel": pl.Series([None] * n, dtype=pl.Int32), "start_s": index * 6.0, "end_s": index * 6.0 + 5.0,
            "text": text,
        })
        files.append(folder / f"utterances-{start:08d}.parquet")
        frame.write_parquet(files[-1])
    return files


def timed(store_path: Path, text: str, runs: int = 5) -> tuple[float, int]:
    times, hits = [], 0
    for _ in range(runs):
        store = Store(store_path)
        started = time.perf_counter()
        hits = len(store.search_transcripts(text))
        times.append(time.perf_counter() - started)
    return statistics.median(times), hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--utterances", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="callqa-search-") as folder:
        db = Path(folder) / "search.duckdb"
        store = Store(db)
        synthesize(store, args.calls)
        started = time.perf_counter()
        files = utterances(store.call_ids(), args.utterances, Path(folder))
        store.bulk_load({"utterances": files})
        total = args.calls * args.utterances
        print(f"{total:,} utterances loaded in {time.perf_counter() - started:.1f} s")
        for text in ("word1234", "word1234 word99", "nothing-matches-this"):
            seconds, hits = timed(db, text)
            print(f"search {text!r:26} median {seconds:.3f} s  {hits} hits (at most 200 returned)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
