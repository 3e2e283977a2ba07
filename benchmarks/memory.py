"""Memory of the whole pipeline: one 60-minute recording, and RSS over a batch of 50 calls.

    .venv/bin/python benchmarks/memory.py [--minutes 60] [--calls 50] [--shared ../shared/data]

1. Builds a mono recording of ``--minutes`` from the real call in ../shared/data and the
   mono sample calls (end to end, 8 kHz, 16-bit), runs ``callqa run`` on it in a fresh
   process and prints that process's peak RSS and its real-time factor.
2. Builds ``--calls`` distinct calls (the sample calls, each copy with a different faint
   dither so that its content hash differs), runs them in this process and prints the RSS
   after the first call is stored and after the last, and the peak.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import soundfile  # noqa: E402

from qa.audio import load_audio  # noqa: E402

MIB = 1024 * 1024


def rss_mib() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def long_recording(folder: Path, minutes: float, shared: Path) -> Path:
    sources = sorted(p for p in (REPO / "sample_audio").glob("2026*.wav") if len(load_audio(p).channels) == 1)
    real = shared / "real-call" / "auto_dealer_mono.wav"
    if real.is_file():
        sources.insert(0, real)
    pieces, total, target = [], 0, int(minutes * 60 * 8000)
    while total < target:
        for source in sources:
            samples = load_audio(source).channels[0][::2]  # 16 kHz -> 8 kHz, as phone audio comes
            pieces.append(samples)
            total += samples.size
    path = folder / f"long_{minutes:g}min.wav"
    soundfile.write(path, np.concatenate(pieces)[:target], 8000, subtype="PCM_16")
    return path


def one_long_call(minutes: float, shared: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = long_recording(Path(tmp), minutes, shared)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "qa.cli", "run", str(path), "--db", str(Path(tmp) / "m.duckdb"),
                               "-q"], capture_output=True, text=True, cwd=REPO)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = json.loads(done.stdout) if done.returncode == 0 else done.stderr.strip().splitlines()[-1:]
        print(f"{minutes:g}-minute mono call: peak RSS {peak:.0f} MiB, {wall:.0f} s wall "
              f"(RTF {wall / (minutes * 60):.3f}, start-up included); {summary}")


def many_calls(count: int) -> None:
    from qa.batch import run_batch
    from qa.config import Config
    from qa.engine import Engine
    from qa.store import Store

    rng = np.random.default_rng(7)
    samples = sorted((REPO / "sample_audio").glob("2026*.wav"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "calls"
        folder.mkdir()
        for k in range(count):
            source = samples[k % len(samples)]
            data, rate = soundfile.read(source, dtype="float32", always_2d=True)
            data = data + rng.normal(0, 1e-4, data.shape).astype(np.float32)
            soundfile.write(folder / f"c{k:03d}_{source.name}", data, rate, subtype="PCM_16")
        engine = Engine(Config())
        readings: list[tuple[int, float]] = []

        def on_file(path: Path, outcome: str) -> None:
            readings.append((len(readings) + 1, rss_mib()[0]))

        started = time.perf_counter()
        summary = run_batch([folder], Store(Path(tmp) / "many.duckdb"), engine, on_file=on_file)
        wall = time.perf_counter() - started
        print(f"{count} calls ({summary.line()}), {wall:.0f} s")
        for n in sorted({1, 8, 9, 16, count // 2, count}):
            if 0 < n <= len(readings):
                print(f"  RSS after call {readings[n - 1][0]:>3}: {readings[n - 1][1]:7.0f} MiB")
        print(f"  peak RSS of the process: {rss_mib()[1]:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    if args.minutes > 0:
        one_long_call(args.minutes, args.shared)
    if args.calls > 0:
        many_calls(args.calls)


if __name__ == "__main__":
    main()
