"""Recordings as telephone systems store them: the sample calls re-encoded in each codec and
rate callqa must read, transcribed, and their word error rate against the 16 kHz PCM original.

    .venv/bin/python benchmarks/telephony.py [--samples sample_audio] [--seconds N]

Codecs: 8 kHz 16-bit PCM (the telephone band alone), 8 kHz mu-law and A-law WAV, GSM 06.10 in WAV (made with sox: PyAV decodes GSM but
cannot encode it), 8 kHz MP3 and Opus, 44.1 and 48 kHz MP3. Prints per codec the WER of the
original and of the copy against the ground truth, their difference, and the decode time.
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
from dataclasses import replace
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
        subprocess.run(["sox", str(source), "-r", str(rate), "-c", "1", "-e", "gsm-full-rate", str(target), *trim],
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


def encode_pcm(source: Path, target: Path, seconds: float) -> Path:
    """The first ``seconds`` of ``source`` as 16 kHz 16-bit PCM, mixed to mono."""
    import soundfile

    from qa.audio import load_audio

    soundfile.write(target, load_audio(source).mono()[: int(seconds * 16000)], 16000, subtype="PCM_16")
    return target


def transcript_words(path: Path, engine, language: str) -> str:
    """What callqa's transcriber hears in ``path``, all speakers, in time order."""
    from qa.audio import load_audio
    from qa.types import Call, CallMetadata
    from qa.pipeline import transcribe_audio

    call = Call(path.name, str(path), CallMetadata(language=language))
    transcript = transcribe_audio(call, load_audio(path), engine).transcript
    return " ".join(u.text for u in sorted(transcript.utterances, key=lambda u: u.start))


def main() -> int:
    from qa.config import load_config
    from qa.engine import Engine
    from qa.evaluate import load_truth, redacted_reference, word_error_rate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=REPO / "sample_audio")
    parser.add_argument("--seconds", type=float, help="only the first N seconds of each call")
    args = parser.parse_args()
    engine = Engine(load_config(None))
    truths = [p for p in sorted(args.samples.glob("*.json")) if load_truth(p).raw["language"] in ("en", "es")]
    deltas: dict[str, list[float]] = {name: [] for name in CODECS}
    with tempfile.TemporaryDirectory() as tmp:
        for truth_path in truths:
            truth = load_truth(truth_path)
            language, reference = truth.raw["language"], redacted_reference(truth)
            source = truth_path.with_suffix(".wav")
            if args.seconds:  # the clip, and the reference of the utterances it holds whole
                source = encode_pcm(source, Path(tmp) / f"{truth_path.stem}.clip.wav", args.seconds)
                reference = redacted_reference(replace(truth, utterances=tuple(
                    u for u in truth.utterances if u.end <= args.seconds)))
            original = word_error_rate(reference, transcript_words(source, engine, language))
            for name, (_, _, _, suffix) in CODECS.items():
                copy = encode(source, Path(tmp) / f"{truth_path.stem}{suffix}", name)
                started = time.perf_counter()
                wer = word_error_rate(reference, transcript_words(copy, engine, language))
                deltas[name].append(wer - original)
                print(f"{truth_path.stem:<46}{name:<14} WER {original:.3f} -> {wer:.3f} "
                      f"({wer - original:+.3f}; {time.perf_counter() - started:.1f} s)")
    print(f"\n{'codec':<14}{'mean delta':>11}{'worst':>8}{'floor':>7}")
    for name, values in deltas.items():
        floor = FLOORS.get(name)
        print(f"{name:<14}{sum(values) / len(values):>+11.3f}{max(values):>+8.3f}"
              f"{f'{floor:.2f}' if floor else '-':>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
