"""process_call and run_batch: the stages composed, with models loaded once per process."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable, Iterable, TypeVar

import duckdb

from qa.audio import Audio, load_audio
from qa.config import Config
from qa.errors import AudioError, BackendUnavailable, QAError
from qa.faults import DiskFull, is_disk_full, is_transient
from qa.ingest import discover, identify
from qa.scoring.metrics import MetricsConfig, call_metrics, metrics_rows
from qa.scoring.scorer import ScoringInput, score_call
from qa.scoring.sentiment import customer_sentiment
from qa.store import Store
from qa.timing import StageTimer
from qa.transcribe.channels import channel_speaker, channel_turns
from qa.transcribe.merge import assign_speakers, group_utterances, interleave
from qa.transcribe.roles import label_roles, mono_operator
from qa.types import Call, Flag, PiiMention, Score, Transcript

log = logging.getLogger("qa")
T = TypeVar("T")


@lru_cache(maxsize=4)
def engine_for(config: Config) -> "Engine":
    """The process-wide Engine of a configuration: models load once per process."""
    return Engine(config)


class Engine:
    """The loaded models for one configuration; build once per process and reuse."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.timer = StageTimer()

    @cached_property
    def transcriber(self):
        from qa.transcribe.whisper import WhisperTranscriber

        return WhisperTranscriber(self.config.asr)

    @cached_property
    def diarizer(self):
        """The mono diarization backend named in the config, loaded on first use."""
        from qa.transcribe.whisper import resolve_threads

        d, threads = self.config.diarization, resolve_threads(self.config.asr.cpu_threads)
        if d.backend == "pyannote-hub":
            from qa.transcribe.diarize import HubPyannoteDiarizer

            return HubPyannoteDiarizer(d.pipeline, num_speakers=d.num_speakers or None,
                                       cpu_threads=threads, device=d.device)
        from qa.transcribe.diarize import DiarizationOptions, OfflinePyannoteDiarizer

        return OfflinePyannoteDiarizer(DiarizationOptions(
            num_speakers=d.num_speakers or None, min_speakers=d.min_speakers or None,
            max_speakers=d.max_speakers or None, cpu_threads=threads, device=d.device,
        ))

    @cached_property
    def compliance(self):
        """The configured detectors (each loads on first use)."""
        from qa.compliance.suite import Compliance

        return Compliance(self.config.compliance)

    @cached_property
    def scorecards(self):
        """The configured scorecard book."""
        from qa.scoring.scorecard import load_scorecards

        return load_scorecards(self.config.scoring.scorecards or None)

    @property
    def metrics_config(self) -> MetricsConfig:
        return MetricsConfig(dead_air_s=self.config.scoring.dead_air_s, hold_s=self.config.scoring.hold_s)

    @property
    def diarization_name(self) -> str:
        return self.config.diarization.backend

    def models(self, load: bool = False) -> dict:
        """Resolved models, devices and threads; ``load`` loads the diarizer to report it exactly."""
        from dataclasses import asdict

        from qa.transcribe.whisper import describe_asr

        diarization = self.diarizer.describe() if load else asdict(self.config.diarization)
        return {"asr": describe_asr(self.config.asr), "diarization": diarization,
                "detectors": self.compliance.versions() if load else list(self.config.compliance.detectors)}


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


def _stereo(call: Call, audio: Audio, engine: Engine, language: str | None):
    """One party per channel: each channel transcribed alone, the operator's channel by config."""
    timer, probability = engine.timer, 1.0
    if language is None:
        with timer.stage("asr"):
            language, probability = engine.transcriber.detect_language(audio.mono())
    per_channel, turns = [], []
    for channel, samples in enumerate(audio.channels):
        with timer.stage("asr"):
            recognition = engine.transcriber.transcribe(samples, language)
        speakers = [channel_speaker(channel)] * len(recognition.words)
        per_channel.append(group_utterances(recognition.words, speakers, channel))
        with timer.stage("diarization"):
            turns.extend(channel_turns(samples, channel))
    override = call.metadata.operator_speaker
    operator_channel = int(override) if override in ("0", "1") else engine.config.roles.operator_channel
    return interleave(*per_channel), turns, channel_speaker(operator_channel), language, probability


def _mono(call: Call, audio: Audio, engine: Engine, language: str | None):
    """One channel: transcribed once, diarized, words assigned to speakers, operator by rule."""
    timer, samples = engine.timer, audio.channels[0]
    with timer.stage("asr"):
        recognition = engine.transcriber.transcribe(samples, language)
    turns = []
    if recognition.words:
        d = engine.config.diarization
        with timer.stage("diarization"):
            turns = engine.diarizer.diarize(
                samples,
                num_speakers=d.num_speakers or None,
                min_speakers=d.min_speakers or None,
                max_speakers=d.max_speakers or None,
            )
    utterances = group_utterances(recognition.words, assign_speakers(recognition.words, turns))
    operator = mono_operator(utterances, call.metadata.direction, call.metadata.operator_speaker)
    return utterances, turns, operator, recognition.language, recognition.language_probability


def transcribe_audio(call: Call, audio: Audio, engine: Engine) -> ProcessedCall:
    """Transcribe, diarize and label roles for one decoded call."""
    language, source = _language(call, engine.config)
    if language is not None:
        _check_language(language, call.path)
    stages = _stereo if audio.is_stereo else _mono
    utterances, turns, operator, language, probability = stages(call, audio, engine, language)
    utterances = label_roles(utterances, operator)
    if not utterances:
        language, probability = (call.metadata.language or engine.config.asr.language or None), 0.0
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
    given_up: list[tuple[str, str]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)

    def add(self, path: Path, outcome: str, reason: str | None) -> None:
        """Count one file's outcome."""
        self.outcomes.append(outcome)
        if outcome == "failed":
            self.failures.append((str(path), reason or "unknown error"))
        elif outcome == "given_up":
            self.given_up.append((str(path), reason or ""))
        elif outcome == "skipped":
            self.skipped += 1
        else:
            self.processed += 1
            self.no_speech += outcome == "no_speech"

    @property
    def failed(self) -> int:
        return len(self.failures)

    def line(self) -> str:
        given_up = f", {len(self.given_up)} given up after repeated failures" if self.given_up else ""
        return (f"{self.seen} files: {self.processed} processed ({self.no_speech} without speech), "
                f"{self.skipped} skipped as already done, {self.failed} failed{given_up}")


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


@dataclass(frozen=True)
class CallResult:
    """Everything stored for one call, computed without the database (picklable, so a worker
    process can compute it and the one writing process store it)."""

    call: Call
    transcript: Transcript  # as stored: redacted as configured
    language_source: str
    asr_model: str
    diarization: str
    flags: tuple[Flag, ...]
    pii: tuple[PiiMention, ...]
    redacted: bool
    detectors: dict[str, str]
    audio_path: str | None
    metrics: tuple[tuple[str, str, float], ...]
    dead_air: tuple[tuple[float, float], ...]
    score: Score

    @property
    def outcome(self) -> str:
        return "processed" if self.transcript.has_speech else "no_speech"


def analyze_call(call: Call, audio: Audio, engine: Engine, db_path: Path) -> CallResult:
    """Transcribe, detect, measure and score one decoded call; writes only its redacted audio copy."""
    processed = transcribe_audio(call, audio, engine)
    with engine.timer.stage("detectors"):
        analysis = engine.compliance.analyze(call, processed.transcript, audio)
    with engine.timer.stage("scoring"):
        metrics = call_metrics(analysis.transcript, processed.transcript.language, call.metadata.direction,
                               engine.metrics_config)
        rows = metrics_rows(metrics) + sentiment_rows(analysis.transcript, processed.transcript.language)
        facts = _scoring_input(processed, engine.config.asr.model, analysis.flags, rows, metrics.dead_air,
                               frozenset(engine.config.compliance.detectors))
        score = score_call(facts, engine.scorecards)
    with engine.timer.stage("store"):
        served = served_audio(call, audio, analysis, engine.config.compliance, db_path)
    return CallResult(
        call=call, transcript=analysis.transcript, language_source=processed.language_source,
        asr_model=engine.config.asr.model,
        diarization="channels" if processed.transcript.channels == 2 else engine.diarization_name,
        flags=tuple(analysis.flags), pii=tuple(analysis.pii), redacted=engine.config.compliance.redact,
        detectors=engine.compliance.versions(), audio_path=served, metrics=tuple(rows),
        dead_air=tuple(metrics.dead_air), score=score,
    )


def analyze_file(path: str | Path, engine: Engine, db_path: Path) -> CallResult:
    """Identify, decode and analyze one recording (nothing is stored but its audio copy)."""
    path = Path(path)
    with engine.timer.stage("ingest"):
        call = identify(path)
    with engine.timer.stage("decode"):
        audio = load_audio(path, engine.config.batch.max_duration_s)
    return analyze_call(call, audio, engine, db_path)


def store_result(result: CallResult, store: Store, run_id: str | None) -> str:
    """Write one analyzed call in one transaction; return 'processed' or 'no_speech'."""
    store.save_call(result.call, result.transcript, run_id, result.asr_model, result.diarization,
                    result.language_source, flags=result.flags, pii=result.pii, redacted=result.redacted,
                    detectors=result.detectors, audio_path=result.audio_path, metrics=list(result.metrics),
                    dead_air=result.dead_air, score=result.score)
    return result.outcome


def process_and_store(path: Path, engine: Engine, store: Store, run_id: str | None) -> str:
    """Process one file into the store; return 'processed', 'no_speech' or 'skipped'.

    Raises QAError (or any error of a backend) for a file that cannot be processed; the
    call's rows are written in one transaction, so a failure leaves nothing behind.
    """
    with engine.timer.stage("ingest"):
        call = identify(path)
        known = store.has_call(call.call_id)
    if known:
        return "skipped"
    with engine.timer.stage("decode"):
        audio = load_audio(path, engine.config.batch.max_duration_s)
    result = analyze_call(call, audio, engine, store.path)
    with engine.timer.stage("store"):
        return store_result(result, store, run_id)


def sentiment_rows(transcript: Transcript, language: str | None) -> list[tuple[str, str, float]]:
    """The customer's sentiment at the start and end as metric rows (none for an uncovered language)."""
    mood = customer_sentiment(transcript, language)
    return [(name, "customer", value) for name, value in (("sentiment_start", mood.start), ("sentiment_end", mood.end))
            if value is not None]


def _scoring_input(processed: ProcessedCall, asr_model: str, flags, rows, dead_air,
                   detectors: frozenset[str]) -> ScoringInput:
    """A new call's scoring input; flags are referred to by their index (ids come on storing)."""
    transcript, words = processed.transcript, processed.transcript.words
    return ScoringInput(
        call_id=processed.call.call_id, campaign=processed.call.metadata.campaign, language=transcript.language,
        language_source=processed.language_source, language_probability=transcript.language_probability,
        asr_model=asr_model, has_speech=transcript.has_speech, word_count=len(words),
        mean_word_probability=sum(w.probability for w in words) / len(words) if words else None,
        flags=tuple(enumerate(flags)), metrics={(name, role): value for name, role, value in rows},
        dead_air=tuple(dead_air), detectors=detectors,
    )


def served_audio(call: Call, audio: Audio, analysis, config, db_path: Path) -> str:
    """The recording reviewers will hear: a redacted copy (written now) unless originals are kept.

    A copy beside the database is stored relative to the database's folder, so the database
    and its ``redacted_audio/`` can be moved together.
    """
    from qa.compliance.redact_audio import write_redacted

    if config.keep_original_audio:
        return call.path
    base = db_path.resolve().parent
    folder = Path(config.redacted_audio_dir).resolve() if config.redacted_audio_dir else base / "redacted_audio"
    written = write_redacted(audio, analysis.pii, folder / f"{call.call_id}.wav", config.audio_redaction)
    return str(written.relative_to(base)) if written.is_relative_to(base) else str(written)


def failure_reason(error: BaseException) -> str:
    """The one-line reason stored in ``failures`` for an error of one file."""
    return error.reason if isinstance(error, AudioError) else _one_line(error)


def given_up(store: Store, path: Path | str, engine: Engine) -> str | None:
    """Why ``path`` is no longer tried (it failed in ``[batch] max_failed_runs`` runs), or None."""
    nights = store.failed_runs(str(path))
    if nights >= engine.config.batch.max_failed_runs:
        return f"failed in {nights} runs, no longer tried (fix or remove the file)"
    return None


def with_retries(work: Callable[[], T], path: Path | str, engine: Engine,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """``work()``, tried again with back-off after a transient fault (qa/faults.py).

    A full disk becomes DiskFull; any other error is raised as it is.
    """
    batch = engine.config.batch
    for attempt in range(batch.retries + 1):
        try:
            return work()
        except BackendUnavailable:
            raise
        except Exception as error:
            if is_disk_full(error):
                raise DiskFull(f"{path}: no space left on device; the run stopped and every call stored "
                               "before this one is kept") from error
            if not is_transient(error) or attempt == batch.retries:
                raise
            wait = batch.retry_backoff_s * 2 ** attempt
            log.warning("%s: %s (transient, retrying in %.1f s)", path, _one_line(error), wait)
            sleep(wait)
    raise AssertionError("unreachable")


def handle_file(path: Path, engine: Engine, store: Store, run_id: str | None,
                sleep: Callable[[float], None] = time.sleep) -> tuple[str, str | None]:
    """Process one file; a failure is recorded in ``failures`` instead of raised.

    Returns (outcome, reason): outcome is 'processed', 'no_speech', 'skipped', 'failed' or
    'given_up' (see ``given_up``). A transient fault is retried (``with_retries``); any other
    error of this file is recorded, so one bad recording never stops a batch. A missing
    backend (BackendUnavailable) and a full disk (DiskFull) are raised: every later call would
    fail alike.
    """
    reason = given_up(store, path, engine)
    if reason is not None:
        return "given_up", reason
    try:
        return with_retries(lambda: process_and_store(path, engine, store, run_id), path, engine, sleep), None
    except (BackendUnavailable, DiskFull):
        raise
    except Exception as error:
        reason = failure_reason(error)
        log.warning("%s: %s", path, reason)
        store.record_failure(run_id, str(path), reason)
        return "failed", reason


def run_batch(
    paths: Iterable[str | Path],
    store: Store,
    engine: Engine,
    on_file: Callable[[Path, str], None] | None = None,
) -> RunSummary:
    """Process every recording under ``paths`` that the store does not hold yet.

    A file that fails is recorded in ``failures`` with its reason and the batch goes on; a
    full disk stops the batch (DiskFull is raised after the run is marked aborted).
    """
    files = discover(list(paths))
    summary = RunSummary(run_id=store.start_run(engine.models()), seen=len(files))
    status, error = "aborted", None
    try:
        for path in files:
            summary.add(path, *handle_file(path, engine, store, summary.run_id))
            if on_file is not None:
                on_file(path, summary.outcomes[-1])
        status = "completed"
    except DiskFull as full:
        error = str(full)
        raise
    finally:
        try:
            store.finish_run(summary.run_id, summary.seen, summary.processed, summary.skipped,
                             summary.failed, status, len(summary.given_up), error)
        except duckdb.Error as problem:  # a full disk may refuse this too; the run stays 'running'
            log.error("could not record the end of run %s: %s", summary.run_id, _one_line(problem))
    return summary
