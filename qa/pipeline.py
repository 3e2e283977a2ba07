"""process_call and run_batch: the stages composed, with models loaded once per process."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

from qa.audio import Audio, load_audio
from qa.config import Config
from qa.errors import AudioError, BackendUnavailable, QAError
from qa.ingest import discover, identify
from qa.store import Store
from qa.transcribe.channels import channel_speaker, channel_turns
from qa.transcribe.merge import assign_speakers, group_utterances, interleave
from qa.transcribe.roles import label_roles, mono_operator
from qa.types import Call, Transcript

log = logging.getLogger("qa")


class Engine:
    """The loaded models for one configuration; build once per process and reuse."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def transcriber(self):
        from qa.transcribe.whisper import WhisperTranscriber

        return WhisperTranscriber(self.config.asr)

    @cached_property
    def diarizer(self):
        from qa.transcribe.diarize import build_diarizer

        return build_diarizer(self.config.diarization, cpu_threads=self.config.asr.cpu_threads)

    @property
    def diarization_name(self) -> str:
        return self.config.diarization.backend

    def models(self) -> dict:
        """What ``callqa models`` prints: resolved models, devices, threads."""
        from qa.transcribe.diarize import describe_diarization
        from qa.transcribe.whisper import describe_asr

        return {"asr": describe_asr(self.config.asr), "diarization": describe_diarization(self.config.diarization)}


@dataclass(frozen=True)
class ProcessedCall:
    """A call with its transcript and where its language came from."""

    call: Call
    transcript: Transcript
    language_source: str


def _language(call: Call, config: Config) -> tuple[str | None, str]:
    if call.metadata.language:
        return call.metadata.language, "metadata"
    if config.asr.language:
        return config.asr.language, "config"
    return None, "detected"


def _check_language(code: str, path: str) -> None:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    if code not in _LANGUAGE_CODES:
        raise QAError(f"{path}: unknown language code {code!r} (use a whisper code such as en, es, fi)")


def transcribe_audio(call: Call, audio: Audio, engine: Engine) -> ProcessedCall:
    """Transcribe, diarize and label roles for one decoded call."""
    config = engine.config
    language, source = _language(call, config)
    if language is not None:
        _check_language(language, call.path)
    probability = 1.0
    if audio.is_stereo:
        if language is None:
            language, probability = engine.transcriber.detect_language(audio.mono())
        per_channel, turns = [], []
        for channel, samples in enumerate(audio.channels):
            recognition = engine.transcriber.transcribe(samples, language)
            speaker = channel_speaker(channel)
            per_channel.append(group_utterances(recognition.words, [speaker] * len(recognition.words), channel))
            turns.extend(channel_turns(samples, channel))
        utterances = interleave(*per_channel)
        override = call.metadata.operator_speaker
        operator_channel = int(override) if override in ("0", "1") else config.roles.operator_channel
        operator = channel_speaker(operator_channel)
    else:
        recognition = engine.transcriber.transcribe(audio.channels[0], language)
        language, probability = recognition.language, recognition.language_probability
        turns = []
        if recognition.words:
            d = config.diarization
            turns = engine.diarizer.diarize(
                audio.channels[0],
                num_speakers=d.num_speakers or None,
                min_speakers=d.min_speakers or None,
                max_speakers=d.max_speakers or None,
            )
        utterances = group_utterances(recognition.words, assign_speakers(recognition.words, turns))
        operator = mono_operator(utterances, call.metadata.direction, call.metadata.operator_speaker)
    utterances = label_roles(utterances, operator)
    if not utterances:
        language, probability = (call.metadata.language or config.asr.language or None), 0.0
    transcript = Transcript(
        call_id=call.call_id,
        language=language,
        language_probability=round(float(probability), 4),
        duration=round(audio.duration, 3),
        channels=len(audio.channels),
        sample_rate=audio.source_sample_rate,
        utterances=tuple(utterances),
        turns=tuple(sorted(turns, key=lambda t: (t.start, t.speaker))),
    )
    return ProcessedCall(call, transcript, source)


def process_file(path: str | Path, engine: Engine) -> ProcessedCall:
    """Identify, decode and transcribe one recording (nothing is stored)."""
    path = Path(path)
    call = identify(path)
    return transcribe_audio(call, load_audio(path), engine)


@dataclass
class RunSummary:
    """What a batch did; ``failures`` holds (path, reason)."""

    run_id: str
    seen: int = 0
    processed: int = 0
    skipped: int = 0
    no_speech: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def line(self) -> str:
        return (f"{self.seen} files: {self.processed} processed ({self.no_speech} without speech), "
                f"{self.skipped} skipped as already done, {self.failed} failed")


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def process_and_store(path: Path, engine: Engine, store: Store, run_id: str | None) -> str:
    """Process one file into the store; return 'processed', 'no_speech' or 'skipped'.

    Raises QAError (or any error of a backend) for a file that cannot be processed; the
    call's rows are written in one transaction, so a failure leaves nothing behind.
    """
    call = identify(path)
    if store.has_call(call.call_id):
        return "skipped"
    processed = transcribe_audio(call, load_audio(path), engine)
    diarization = "channels" if processed.transcript.channels == 2 else engine.diarization_name
    store.save_call(call, processed.transcript, run_id, engine.config.asr.model, diarization,
                    processed.language_source)
    return "processed" if processed.transcript.has_speech else "no_speech"


def run_batch(
    paths: Iterable[str | Path],
    store: Store,
    engine: Engine,
    on_file: Callable[[Path, str], None] | None = None,
) -> RunSummary:
    """Process every recording under ``paths`` that the store does not hold yet.

    A file that fails is recorded in ``failures`` with its reason and the batch goes on;
    a missing backend (BackendUnavailable) stops the batch, since every call would fail.
    """
    files = discover(list(paths))
    run_id = store.start_run(engine.models())
    summary = RunSummary(run_id=run_id, seen=len(files))
    status = "aborted"
    try:
        for path in files:
            try:
                outcome = process_and_store(path, engine, store, run_id)
            except BackendUnavailable:
                raise
            except (QAError, OSError, RuntimeError, ValueError) as error:
                reason = _one_line(error)
                if isinstance(error, AudioError):
                    reason = error.reason
                log.warning("%s: %s", path, reason)
                store.record_failure(run_id, str(path), reason)
                summary.failures.append((str(path), reason))
                outcome = "failed"
            else:
                if outcome == "skipped":
                    summary.skipped += 1
                else:
                    summary.processed += 1
                    summary.no_speech += outcome == "no_speech"
            if on_file is not None:
                on_file(path, outcome)
        status = "completed"
    finally:
        store.finish_run(run_id, summary.seen, summary.processed, summary.skipped, summary.failed, status)
    return summary
