"""Speed and accuracy of the whole pipeline against bare faster-whisper and ground truth.

    .venv/bin/python benchmarks/pipeline.py [--shared ../shared/data] [--skip-bare] [--repeat N] [--config F]

Prints, for the stereo sample calls and the mono ones (plus the real call in ../shared/data)
separately: wall time per stage and its real-time factor (seconds of processing per second
of audio; stages on background threads overlap the others, so they sum to more than the
wall time), the same files through bare faster-whisper BatchedInferencePipeline (same
model, device, cpu_threads, batch and beam size, VAD, word timestamps and language) and the
ratio; then WER, word attribution, roles and DER per sample call, and DER on the shared
evaluation data when present.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa.audio import load_audio  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.evaluate import (  # noqa: E402
    diarization_error_rate, load_rttm, load_truth, redacted_reference, role_assignment, word_attribution,
    word_error_rate,
)
from qa.ingest import content_hash  # noqa: E402
from qa.batch import run_batch  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.store import Store  # noqa: E402
from qa.types import Role  # noqa: E402


STAGES = ("ingest", "decode", "vad", "asr", "diarization", "detectors", "scoring", "store")


def bare_whisper(files: list[Path], engine: Engine) -> float:
    """Seconds for bare faster-whisper (batched) over ``files``, model loaded beforehand.

    Same model, device, threads, batch and beam size, VAD and word timestamps as callqa, and
    the language callqa is given (the manifest's; detected where there is none); each file
    decoded by faster-whisper itself, as a user of the library would.
    """
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    from qa.ingest import identify

    asr = engine.transcriber
    model = WhisperModel(asr.model_path, device=asr.device, compute_type=asr.compute_type,
                         cpu_threads=asr.cpu_threads)
    batched = BatchedInferencePipeline(model)
    languages = [identify(path).metadata.language or None for path in files]
    started = time.perf_counter()
    for path, language in zip(files, languages):
        segments, _ = batched.transcribe(str(path), batch_size=engine.config.asr.batch_size,
                                         beam_size=engine.config.asr.beam_size, language=language,
                                         word_timestamps=True, vad_filter=True)
        list(segments)
    return time.perf_counter() - started


def speed(label: str, files: list[Path], engine: Engine, skip_bare: bool, repeat: int = 1) -> Store:
    """Time callqa run (and bare faster-whisper) over ``files``; with ``repeat`` > 1 each side
    runs that many times, fresh database each time, and the fastest run counts (this machine
    is shared: the same work took 14-22 s from one run to the next)."""
    audio_seconds = sum(load_audio(p).duration for p in files)
    runs = []
    for _ in range(repeat):
        store = Store(Path(tempfile.mkdtemp()) / "bench.duckdb")
        engine.timer.reset()
        started = time.perf_counter()
        run_batch(files, store, engine)
        runs.append((time.perf_counter() - started, dict(engine.timer.seconds)))
    wall, seconds_by_stage = min(runs, key=lambda run: run[0])
    print(f"\n== {label}: {len(files)} calls, {audio_seconds:.0f} s of audio")
    print(f"{'stage':<14}{'seconds':>9}{'RTF':>9}   (decode runs on a background thread, beside the others)")
    for stage in STAGES:
        seconds = seconds_by_stage.get(stage, 0.0)
        print(f"{stage:<14}{seconds:>9.2f}{seconds / audio_seconds:>9.4f}")
    print(f"{'callqa run':<14}{wall:>9.2f}{wall / audio_seconds:>9.4f}   ({audio_seconds / wall:.1f}x real time)"
          + (f"; all runs: {', '.join(f'{w:.1f}' for w, _ in runs)} s" if repeat > 1 else ""))
    if not skip_bare:
        bares = [bare_whisper(files, engine) for _ in range(repeat)]
        bare = min(bares)
        print(f"{'bare whisper':<14}{bare:>9.2f}{bare / audio_seconds:>9.4f}"
              + (f"   all runs: {', '.join(f'{b:.1f}' for b in bares)} s" if repeat > 1 else ""))
        print(f"ratio callqa / bare faster-whisper: {wall / bare:.2f}")
    return store


def accuracy(truth_paths: list[Path], store: Store) -> None:
    print(f"\n{'call':<46}{'WER':>6}{'WER op':>8}{'WER cu':>8}{'attrib':>8}{'roles':>7}{'DER.25':>8}{'DER0':>7}")
    for path in truth_paths:
        truth = load_truth(path)
        transcript = store.transcript(content_hash(path.with_suffix(".wav")))
        hypothesis = {r: " ".join(u.text for u in transcript.utterances if u.role is r) for r in Role}
        all_text = " ".join(u.text for u in sorted(transcript.utterances, key=lambda u: u.start))
        correct, checked = word_attribution(truth, transcript)
        roles_ok = all(given is expected for given, expected in role_assignment(truth, transcript).values())
        reference = load_rttm(path.with_suffix(".rttm"))
        der = [diarization_error_rate(reference, list(transcript.turns), collar=c) for c in (0.25, 0.0)]
        reference = {role: redacted_reference(truth, role) for role in (Role.OPERATOR, Role.CUSTOMER)}
        print(f"{path.stem:<46}{word_error_rate(redacted_reference(truth), all_text):>6.3f}"
              f"{word_error_rate(reference[Role.OPERATOR], hypothesis[Role.OPERATOR]):>8.3f}"
              f"{word_error_rate(reference[Role.CUSTOMER], hypothesis[Role.CUSTOMER]):>8.3f}"
              f"{correct / max(checked, 1):>8.3f}{'ok' if roles_ok else 'WRONG':>7}{der[0]:>8.3f}{der[1]:>7.3f}")


def shared_data(shared: Path, engine: Engine) -> None:
    import numpy as np

    diarizer = engine.diarizer
    sample = shared / "pyannote-sample" / "sample.wav"
    if sample.is_file():
        audio = load_audio(sample)
        started = time.perf_counter()
        turns = diarizer.diarize(audio.channels[0], num_speakers=2)
        seconds = time.perf_counter() - started
        reference = load_rttm(shared / "pyannote-sample" / "sample.rttm")
        print(f"\npyannote sample.wav: DER collar 0 {diarization_error_rate(reference, turns):.3f}, "
              f"collar 0.25 {diarization_error_rate(reference, turns, 0.25):.3f}; "
              f"{seconds:.2f} s for {audio.duration:.0f} s (RTF {seconds / audio.duration:.3f})")
    stereo = shared / "faster-whisper-tests" / "stereo_diarization.wav"
    if stereo.is_file():
        from qa.transcribe.channels import channel_turns

        audio = load_audio(stereo)
        reference = [t for c in (0, 1) for t in channel_turns(audio.channels[c], c)]
        turns = diarizer.diarize(np.ascontiguousarray(audio.mono()), num_speakers=2)
        print(f"stereo_diarization.wav mixed to mono vs its channels: DER collar 0.25 "
              f"{diarization_error_rate(reference, turns, 0.25):.3f}")
    real = shared / "real-call" / "auto_dealer_mono.wav"
    if real.is_file():
        from qa.pipeline import transcribe_file

        started = time.perf_counter()
        transcript = transcribe_file(real, engine).transcript
        seconds = time.perf_counter() - started
        first_operator = next(u for u in transcript.utterances if u.role is Role.OPERATOR)
        print(f"real call ({transcript.duration:.0f} s, {seconds:.1f} s, RTF {seconds / transcript.duration:.3f}): "
              f"operator's first words: {first_operator.text[:80]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=REPO / "sample_audio")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--skip-bare", action="store_true", help="do not time bare faster-whisper")
    parser.add_argument("--config", type=Path, help="a callqa TOML config (default: the documented defaults)")
    parser.add_argument("--repeat", type=int, default=1, help="time each side this many times; the fastest counts")
    args = parser.parse_args()

    engine = Engine(load_config(args.config))
    engine.transcriber, engine.diarizer  # load models before timing, as a nightly batch does
    engine.compliance.load()
    truths = sorted(args.samples.glob("*.json"))
    stereo = [p for p in truths if load_truth(p).channels == 2]
    mono = [p for p in truths if load_truth(p).channels == 1]
    print(f"model {engine.config.asr.model} on {engine.transcriber.device}/{engine.transcriber.compute_type}, "
          f"{engine.transcriber.cpu_threads} threads, batch {engine.config.asr.batch_size}")
    real = args.shared / "real-call" / "auto_dealer_mono.wav"
    for label, group in (("stereo", stereo), ("mono", mono)):
        files = [p.with_suffix(".wav") for p in group]
        if label == "mono" and real.is_file():
            files.append(real)  # the one real call: no ground truth, timed with the others
        store = speed(label, files, engine, args.skip_bare, args.repeat)
        accuracy(group, store)
    if args.shared.is_dir():
        shared_data(args.shared, engine)


if __name__ == "__main__":
    main()
