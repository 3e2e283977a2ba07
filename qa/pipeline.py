"""The stages of a call composed: transcribe (ASR, speakers, roles), then analyze (detectors,
metrics, score): everything but the store.

Calls go through in groups that share one ASR pass; an error of one call comes back as that
call's ``Fault`` (qa/faults.py), never stopping the others. Models load once per process
(``qa.engine``); runs over many files, with the store, are in qa/batch.py.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from qa.audio import Audio, load_audio
from qa.compliance.categorize import categorize
from qa.config import Config
from qa.engine import Engine
from qa.errors import QAError
from qa.faults import Fault, outcome_of
from qa.ingest import identify
from qa.scoring.metrics import TEXT_METRICS, call_metrics, metrics_rows
from qa.scoring.scorer import score_call
from qa.scoring.sentiment import customer_sentiment
from qa.transcribe.base import AsrStream, Recognition
from qa.transcribe.bleed import Ownership
from qa.transcribe.channels import channel_speaker, channel_turns
from qa.transcribe.layout import mono_override, read_channels
from qa.transcribe.merge import assign_speakers, group_utterances, interleave
from qa.transcribe.roles import label_roles, mono_operator
from qa.transcribe.vad import SpeechActivity, asr_options
from qa.types import Call, CallResult, ChannelLayout, ScoringInput, SpeechTurn, Transcript

log = logging.getLogger("qa")


@dataclass(frozen=True)
class TranscribedCall:
    """A call with its transcript and where its language came from."""

    call: Call
    transcript: Transcript
    language_source: str
    layout: ChannelLayout | None = None


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


@dataclass(frozen=True, eq=False)
class Decoded:
    """A call's audio, decoded once, read as one or two parties (qa/transcribe/layout.py), with
    one VAD pass per channel of ``speech``; ASR, stereo turns and the detectors all work from
    these. ``audio`` is the file's (redacted copies are cut from it); ``speech`` is what is
    transcribed: the file's channels, or the one channel diarized."""

    call: Call
    audio: Audio
    activity: tuple[SpeechActivity, ...]
    layout: ChannelLayout
    speech: Audio
    ownership: Ownership | None = None  # two parties: which speech each channel owns


def with_vad(call: Call, audio: Audio, engine: Engine) -> Decoded:
    """Read the channels and run the VAD over each channel transcribed (safe on a background thread)."""
    with engine.timer.stage("vad"):
        reading = read_channels(audio, engine.config.roles.stereo)
    return Decoded(call, audio, reading.activity, reading.layout, reading.speech, reading.ownership)


@dataclass(frozen=True, eq=False)
class _Prepared:
    """A decoded call with its language and VAD done, waiting for the shared ASR pass."""

    call: Call
    audio: Audio  # the speech transcribed (Decoded.speech)
    language: str | None
    source: str
    probability: float
    streams: tuple[AsrStream, ...]
    turns: tuple[SpeechTurn, ...]  # stereo: speech per channel from the same VAD pass
    layout: ChannelLayout
    ownership: Ownership | None


def _prepare(decoded: Decoded, engine: Engine) -> _Prepared:
    """Language, and the ASR regions and (stereo) speech turns cut from one VAD pass."""
    call, audio = decoded.call, decoded.speech
    language, source = _language(call, engine.config)
    if language is not None:
        _check_language(language, call.path)
    probability, turns, streams = 1.0, [], []
    for channel, (samples, activity) in enumerate(zip(audio.channels, decoded.activity)):
        speech = activity.regions(asr_options()) if engine.config.asr.vad_filter else None
        if audio.is_stereo:
            turns.extend(channel_turns(activity, channel))
        streams.append(AsrStream(samples, language, speech))
    if audio.is_stereo and language is None:  # one language for both channels, from their mix
        with engine.timer.stage("asr"):
            language, probability = engine.transcriber.detect_language(streams)
        streams = [replace(stream, language=language) for stream in streams]
    return _Prepared(call, audio, language, source, probability, tuple(streams), tuple(turns), decoded.layout,
                     decoded.ownership)


def _recognise(prepared: list[_Prepared], engine: Engine) -> list[list[Recognition] | Fault]:
    """One ASR pass over every channel of every call; if it fails, each call alone, so the
    fault lands on the call that caused it."""
    streams = [stream for p in prepared for stream in p.streams]
    with engine.timer.stage("asr"):
        found = outcome_of(lambda: engine.transcriber.transcribe_many(streams))
    if isinstance(found, Fault):
        if len(prepared) == 1 or found.fatal:
            return [found] * len(prepared)
        return [_recognise([p], engine)[0] for p in prepared]
    out, at = [], 0
    for p in prepared:
        out.append(found[at:at + len(p.streams)])
        at += len(p.streams)
    return out


def _diarize(p: _Prepared, engine: Engine) -> list[SpeechTurn]:
    """Who spoke when in a mono call; nothing when its VAD pass heard no speech."""
    if any(stream.speech is not None and not stream.speech for stream in p.streams):
        return []
    d = engine.config.diarization
    with engine.timer.stage("diarization"):
        return engine.diarizer.diarize(p.audio.channels[0], num_speakers=d.num_speakers or None,
                                       min_speakers=d.min_speakers or None, max_speakers=d.max_speakers or None)


def _finish(p: _Prepared, recognitions: list[Recognition], turns: Future | None, engine: Engine) -> TranscribedCall:
    """Speakers and roles of one recognised call: channels for stereo, diarization for mono."""
    call, audio, language, probability = p.call, p.audio, p.language, p.probability
    if audio.is_stereo:
        own = [p.ownership.own_words(r.words, c) if p.ownership else r.words for c, r in enumerate(recognitions)]
        per_channel = [group_utterances(words, [channel_speaker(c)] * len(words), c) for c, words in enumerate(own)]
        utterances, turns = interleave(*per_channel), list(p.turns)
        override = call.metadata.operator_speaker
        operator = channel_speaker(int(override) if override in ("0", "1") else engine.config.roles.operator_channel)
    else:
        recognition = recognitions[0]
        language, probability = recognition.language, recognition.language_probability
        turns = turns.result() if recognition.words else []
        utterances = group_utterances(recognition.words, assign_speakers(recognition.words, turns))
        override = mono_override(p.layout, call.metadata.operator_speaker, call.path)
        operator = mono_operator(utterances, call.metadata.direction, override)
    utterances = label_roles(utterances, operator)
    if not utterances:
        language, probability = (call.metadata.language or engine.config.asr.language or None), 0.0
    transcript = Transcript(
        call_id=call.call_id,
        language=language,
        language_probability=round(float(probability), 4),
        duration=round(audio.duration, 3),
        channels=p.layout.channels,
        sample_rate=audio.source_sample_rate,
        utterances=tuple(utterances),
        turns=tuple(sorted(turns, key=lambda t: (t.start, t.speaker))),
    )
    return TranscribedCall(call, transcript, p.source, p.layout)


def transcribe_calls(decoded: list[Decoded], engine: Engine) -> list[TranscribedCall | Fault]:
    """Transcribe, diarize and label roles for decoded calls, their ASR done in one shared pass.

    Returns, per call, its TranscribedCall or the Fault that stopped it: one bad call never
    stops the others.
    """
    prepared = [outcome_of(lambda d=d: _prepare(d, engine)) for d in decoded]
    ready = [p for p in prepared if isinstance(p, _Prepared)]
    # mono calls are diarized on a thread beside the ASR pass: both need only the audio
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="callqa-diarize") as side:
        turns = {id(p): side.submit(_diarize, p, engine) for p in ready if not p.audio.is_stereo}
        recognised = dict(zip(map(id, ready), _recognise(ready, engine) if ready else []))
        out: list[TranscribedCall | Fault] = []
        for p in prepared:
            if isinstance(p, Fault):
                out.append(p)
            elif isinstance(recognised[id(p)], Fault):
                out.append(recognised[id(p)])
            else:
                out.append(outcome_of(lambda p=p: _finish(p, recognised[id(p)], turns.get(id(p)), engine)))
    return out


def analyze_calls(decoded: list[Decoded], engine: Engine, db_path: Path) -> list[CallResult | Fault]:
    """Transcribe (one shared ASR pass), detect, measure and score decoded calls.

    Returns, per call, its CallResult or the Fault that stopped it; writes only the redacted
    audio copies (beside ``db_path`` unless configured elsewhere).
    """
    return [p if isinstance(p, Fault) else outcome_of(lambda p=p, d=d: _analyze(p, d, engine, db_path))
            for p, d in zip(transcribe_calls(decoded, engine), decoded)]


def _alone(outcome, path: str):
    if isinstance(outcome, Fault):
        raise outcome.raised(path)
    return outcome


def transcribe_audio(call: Call, audio: Audio, engine: Engine) -> TranscribedCall:
    """Transcribe, diarize and label roles for one decoded call (nothing is stored)."""
    return _alone(transcribe_calls([with_vad(call, audio, engine)], engine)[0], call.path)


def transcribe_file(path: str | Path, engine: Engine) -> TranscribedCall:
    """Identify, decode and transcribe one recording (nothing is stored)."""
    path = Path(path)
    return transcribe_audio(identify(path), load_audio(path, engine.config.batch.max_duration_s), engine)


def _analyze(transcribed: TranscribedCall, decoded: Decoded, engine: Engine, db_path: Path) -> CallResult:
    call = transcribed.call
    # a language the model transcribes too badly to judge: redacted as any call, but no text
    # verdicts (flags, text metrics) and no score, which says why (qa/scoring/scorer.py)
    not_judged = engine.scorecards.scorable.not_judged(engine.config.asr.model, transcribed.transcript.language)
    judged = not_judged is None
    with engine.timer.stage("detectors"):
        analysis = engine.compliance.analyze(call, transcribed.transcript, decoded.speech, judge_text=judged)
    with engine.timer.stage("scoring"):
        metrics = call_metrics(analysis.transcript, transcribed.transcript.language, call.metadata.direction,
                               engine.metrics_config)
        rows = metrics_rows(metrics) + sentiment_rows(analysis.transcript, transcribed.transcript.language)
        rows = [row for row in rows if judged or row[0] not in TEXT_METRICS]
        facts = _scoring_input(transcribed, engine.config.asr.model, analysis.flags, rows, metrics.dead_air,
                               frozenset(engine.compliance.running(judged)))
        score = score_call(facts, engine.scorecards)
    with engine.timer.stage("categories"):
        categorization = (categorize(analysis.transcript, engine.categories, analysis.flags, rows,
                                     call.metadata.campaign, call.metadata.direction, engine.sentence_encoder)
                          if judged and analysis.transcript.has_speech else None)
    with engine.timer.stage("store"):
        served = served_audio(call, decoded.audio, analysis, engine.config.compliance, db_path)
    return CallResult(
        call=call, transcript=analysis.transcript, language_source=transcribed.language_source,
        asr_model=engine.config.asr.model,
        diarization="channels" if transcribed.layout and not transcribed.layout.diarized else engine.diarization_name,
        flags=tuple(analysis.flags), pii=tuple(analysis.pii), redacted=engine.config.compliance.redact,
        detectors=engine.compliance.versions(judged), audio_path=served, metrics=tuple(rows),
        dead_air=tuple(metrics.dead_air), score=score, layout=transcribed.layout, categorization=categorization,
    )


def sentiment_rows(transcript: Transcript, language: str | None) -> list[tuple[str, str, float]]:
    """The customer's sentiment at the start and end as metric rows (none for an uncovered language)."""
    mood = customer_sentiment(transcript, language)
    return [(name, "customer", value) for name, value in (("sentiment_start", mood.start), ("sentiment_end", mood.end))
            if value is not None]


def _scoring_input(transcribed: TranscribedCall, asr_model: str, flags, rows, dead_air,
                   detectors: frozenset[str]) -> ScoringInput:
    """A new call's scoring input; flags are referred to by their index (ids come on storing)."""
    transcript, words = transcribed.transcript, transcribed.transcript.words
    return ScoringInput(
        call_id=transcribed.call.call_id, campaign=transcribed.call.metadata.campaign, language=transcript.language,
        language_source=transcribed.language_source, language_probability=transcript.language_probability,
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
    written = write_redacted(audio, analysis.pii, folder / f"{call.call_id}.wav", config.audio_redaction,
                             analysis.transcript)
    return str(written.relative_to(base)) if written.is_relative_to(base) else str(written)
