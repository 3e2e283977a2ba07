"""Recordings as telephone systems store them: calls and real speech re-encoded in each codec
and rate callqa must read, transcribed, and their word error rate against a 16 kHz PCM copy.

    .venv/bin/python benchmarks/telephony.py [--samples sample_audio] [--shared ../shared/data]
                                             [--seconds N] [--codecs NAME ...] [--verbose]

Clips: the en/es sample calls (synthetic speech, their ground truth) and the real en/es speech
with references that benchmarks/languages.py reads (FLEURS es, the pyannote sample, the Azure
sales call). Each is mixed to mono and written as 16 kHz 16-bit PCM, the baseline; each codec
copy is made from that. Codecs: 8 kHz 16-bit PCM (the telephone band alone), 8 kHz mu-law and
A-law WAV, GSM 06.10 in WAV (made with sox: PyAV decodes GSM but cannot encode it), 8 kHz MP3
and Opus, 44.1 and 48 kHz MP3. Prints per group (synthetic, real, all) the WER of each copy over
all its clips (errors over reference words), its difference from the baseline's, and the worst
single clip's difference.
Floors (issue #16): delta <= 0.03 for mu-law and A-law, <= 0.10 for GSM, Opus and 8 kHz MP3.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# name -> (container format, codec, sample rate, file suffix); codec None: made by sox
CODECS = {
    "PCM 8 kHz": ("wav", "pcm_s16le", 8000, ".wav"),  # the band alone, no codec: what the rate costs
    "mu-law 8 kHz": ("wav", "pcm_mulaw", 8000, ".wav"),
    "A-law 8 kHz": ("wav", "pcm_alaw", 8000, ".wav"),
    "GSM 8 kHz": ("wav", None, 8000, ".wav"),
    "MP3 8 kHz": ("mp3", "libmp3lame", 8000, ".mp3"),
    "Opus 8 kHz": ("ogg", "libopus", 8000, ".opus"),
    "MP3 44.1 kHz": ("mp3", "libmp3lame", 44100, ".mp3"),
    "MP3 48 kHz": ("mp3", "libmp3lame", 48000, ".mp3"),
}
FLOORS = {"mu-law 8 kHz": 0.03, "A-law 8 kHz": 0.03, "GSM 8 kHz": 0.10, "MP3 8 kHz": 0.10, "Opus 8 kHz": 0.10}


def encode(source: Path, target: Path, name: str, seconds: float | None = None) -> Path:
    """``source`` (any PCM WAV) re-encoded as codec ``name`` of CODECS into ``target``
    (the first ``seconds`` only, if given); mono, as telephone recordings are."""
    container, codec, rate, _ = CODECS[name]
    if codec is None:
        if shutil.which("sox") is None:
            raise RuntimeError("sox is needed to make GSM files: apt-get install sox")
        trim = ["trim", "0", str(seconds)] if seconds else []
        subprocess.run(["sox", "-D", str(source), "-r", str(rate), "-c", "1", "-e", "gsm-full-rate", str(target), *trim],
                       check=True, capture_output=True)
        return target
    import av
    import numpy as np
    import soundfile

    samples, source_rate = soundfile.read(source, dtype="float32", always_2d=True)
    samples = samples.mean(axis=1)[: int(seconds * source_rate) if seconds else None]
    with av.open(str(target), "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout="mono")
        if codec == "libopus":
            stream.bit_rate = 16000
        elif codec == "libmp3lame":
            stream.bit_rate = 32000 if rate <= 16000 else 64000
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[None, :]), format="flt", layout="mono")
        frame.sample_rate = source_rate
        for piece in resampler.resample(frame) + resampler.resample(None):
            output.mux(stream.encode(piece))
        output.mux(stream.encode(None))
    return target


def encode_pcm(source: Path, target: Path, seconds: float | None = None) -> Path:
    """``source`` (the first ``seconds`` of it, if given) as 16 kHz 16-bit PCM, mixed to mono:
    the copy every codec is compared with."""
    import soundfile

    from qa.audio import load_audio

    samples = load_audio(source).mono()
    soundfile.write(target, samples[: int(seconds * 16000) if seconds else None], 16000, subtype="PCM_16")
    return target


@dataclass(frozen=True)
class Source:
    """One recording to re-encode and what was said in it."""

    group: str  # "synthetic" (sample_audio) or "real"
    name: str
    path: Path
    language: str
    reference: str


def sample_sources(samples: Path, seconds: float | None) -> list[Source]:
    """The en/es sample calls (synthetic speech) with their ground truth, unredacted: the ASR
    output compared with it is too."""
    from qa.evaluate import load_truth

    found = []
    for truth_path in sorted(samples.glob("*.json")):
        truth = load_truth(truth_path)
        if truth.raw["language"] not in ("en", "es"):
            continue
        if seconds:  # the reference of the utterances the clip holds whole
            truth = replace(truth, utterances=tuple(u for u in truth.utterances if u.end <= seconds))
        found.append(Source("synthetic", truth_path.stem, truth_path.with_suffix(".wav"), truth.raw["language"], truth.text))
    return found


def real_sources(shared: Path) -> list[Source]:
    """Real speech with a reference (benchmarks/languages.py's sets in en and es, at 16 kHz)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from languages import data_sets

    sets, _ = data_sets(shared) if shared.is_dir() else ([], [])
    return [Source("real", f"{data.name}/{clip.path.name}", clip.path, data.language, clip.reference)
            for data in sets if data.language in ("en", "es") and not data.telephone for clip in data.clips]


def hear(paths: list[Path], languages: list[str], transcriber) -> list[str]:
    """What callqa's ASR path (VAD, batched decoding, the language given) hears in each mono file."""
    from qa.audio import load_audio
    from qa.transcribe.base import AsrStream

    streams = [AsrStream(load_audio(path).mono(), language) for path, language in zip(paths, languages)]
    return [" ".join(w.text for w in heard.words) for heard in transcriber.transcribe_many(streams)]


def pooled(references: list[str], hypotheses: list[str]) -> float:
    """WER over all clips together: their errors over their reference words."""
    import jiwer

    from qa.evaluate import comparable_words

    return float(jiwer.wer([comparable_words(r) for r in references],
                           [comparable_words(h) or "<empty>" for h in hypotheses]))


def main() -> int:
    from qa.config import load_config
    from qa.engine import Engine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=REPO / "sample_audio")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--seconds", type=float, help="only the first N seconds of each sample call")
    parser.add_argument("--codecs", nargs="*", default=list(CODECS), help="codec names (default: all)")
    parser.add_argument("--verbose", action="store_true", help="print every clip's WER")
    args = parser.parse_args()
    transcriber = Engine(load_config(None)).transcriber
    sources = sample_sources(args.samples, args.seconds) + real_sources(args.shared)
    languages = [s.language for s in sources]
    results: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        baseline = [encode_pcm(s.path, Path(tmp) / f"{k}.pcm16.wav", args.seconds if s.group == "synthetic" else None)
                    for k, s in enumerate(sources)]
        started = time.perf_counter()
        results["PCM 16 kHz"] = hear(baseline, languages, transcriber)
        print(f"PCM 16 kHz (baseline): {len(sources)} clips heard in {time.perf_counter() - started:.0f} s")
        for name in args.codecs:
            copies = [encode(path, Path(tmp) / f"{k}{CODECS[name][3]}", name) for k, path in enumerate(baseline)]
            started = time.perf_counter()
            results[name] = hear(copies, languages, transcriber)
            print(f"{name}: heard in {time.perf_counter() - started:.0f} s")
    print("\nWER of each copy over all clips of a group, minus the 16 kHz PCM copy's "
          "(worst: the largest one-clip difference; clips of 20+ words)")
    for group in ("synthetic", "real", "all"):
        members = [k for k, s in enumerate(sources) if group in ("all", s.group)]
        if not members:
            continue
        references = [sources[k].reference for k in members]
        base = pooled(references, [results["PCM 16 kHz"][k] for k in members])
        words = sum(len(r.split()) for r in references)
        print(f"\n{group}: {len(members)} clips, {words} words; 16 kHz PCM WER {base:.3f}")
        print(f"{'codec':<14}{'WER':>7}{'delta':>8}{'worst':>8}{'floor':>7}")
        for name in args.codecs:
            wer = pooled(references, [results[name][k] for k in members])
            worst = max((pooled([sources[k].reference], [results[name][k]])
                         - pooled([sources[k].reference], [results["PCM 16 kHz"][k]])
                         for k in members if len(sources[k].reference.split()) >= 20), default=0.0)
            floor = FLOORS.get(name)
            print(f"{name:<14}{wer:>7.3f}{wer - base:>+8.3f}{worst:>+8.3f}{f'{floor:.2f}' if floor else '-':>7}")
    if args.verbose:
        for k, source in enumerate(sources):
            base = pooled([source.reference], [results["PCM 16 kHz"][k]])
            print(f"{source.name:<50}" + " ".join(f"{pooled([source.reference], [results[n][k]]) - base:+.2f}"
                                                    for n in args.codecs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
