"""The stages of one call composed: decode, transcribe, diarize, detect, measure, score, store.

Models load once per process (``engine_for``); batches of files are in qa/batch.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from qa.audio import Audio, load_audio
from qa.config import Config
from qa.errors import QAError
from qa.ingest import identify
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
