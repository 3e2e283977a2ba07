"""The loaded models of one configuration: built once per process and reused by every call."""

from __future__ import annotations

from functools import cached_property, lru_cache

from qa.config import Config
from qa.scoring.metrics import MetricsConfig
from qa.timing import StageTimer


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
        d, threads = self.config.diarization, self.config.diarization.cpu_threads
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

    @cached_property
    def categories(self):
        """The configured call category book."""
        from qa.compliance.category_book import load_categories

        return load_categories(self.config.scoring.categories or None)

    @cached_property
    def sentence_encoder(self):
        """The multilingual sentence encoder the category matcher uses (loads on first use)."""
        from qa.compliance.matching import SentenceEncoder

        return SentenceEncoder()

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
                "detectors": self.compliance.versions() if load else list(self.config.compliance.detectors),
                "languages": self.languages()}

    def languages(self) -> dict:
        """The ASR model's measured quality per language and the languages it is not judged in."""
        from qa.languages import measured_quality, model_key

        model = self.config.asr.model
        keep = ("language", "data", "reference", "wer", "cer", "date", "source", "note")
        return {"model": model_key(model),
                "measured": [{k: row[k] for k in keep if row.get(k) is not None} for row in measured_quality(model)],
                "not_judged": self.scorecards.scorable.not_judged_languages(model),
                "measure": "python benchmarks/languages.py --config YOUR.toml --write (README, Languages)"}
