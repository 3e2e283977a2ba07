"""Typed configuration with documented defaults, read from a TOML file.

Example ``callqa.toml`` (every key optional)::

    [asr]
    model = "base"            # offline default; any faster-whisper name or local path
    device = "auto"           # auto | cpu | cuda
    compute_type = "auto"     # auto = float16 on cuda, int8 on cpu
    cpu_threads = 0           # 0 = all cores
    workers = 0               # batches decoded at once, sharing cpu_threads (0 = 2 on a CPU, 1 on a GPU)
    batch_size = 8            # windows decoded at once, split over the workers; 1 = sequential decoding
    beam_size = 5
    language = ""             # force a language for every call ("" = per call)

    [diarization]
    backend = "pyannote-offline"   # pyannote-offline | pyannote-hub
    pipeline = ""                  # hub name or local dir, for pyannote-hub
    num_speakers = 2               # 0 = unknown, then min/max apply
    min_speakers = 0
    max_speakers = 0
    cpu_threads = 1                # torch threads; it runs beside ASR, and 2 doubled its CPU time for no gain

    [roles]
    operator_channel = 0      # stereo: the channel that carries the operator
    stereo = "auto"           # how two-channel files are read: auto (identical channels or one silent
                              # channel: diarized as mono; else one party per channel) | channels | mono

    [compliance]
    detectors = ["pii", "profanity", "loudness", "script"]   # which detectors run
    redact = true             # store transcripts and flag evidence with personal data masked
    profanity_allow = []      # words never flagged in this deployment
    profanity_deny = []       # extra words/phrases flagged in this deployment
    scripts = ""              # YAML script book ("" = the shipped default, qa/compliance/scripts/)
    company = ""              # company name the greeting must contain ("" = any name)
    raised_lu = 6.0           # raised voice: LU above the speaker's own baseline in the call, with the
                              # pitch up too (raised_st, effort_min in [compliance.loudness])
    min_raised_s = 1.0        # ... sustained at least this long
    quiet_floor_lufs = -45.0  # quiet voice (stereo, own channels): operator's level below this, or
    quiet_relative_lu = 12.0  # ... more than this under the customer's
    leak_window_s = 120.0     # operator repeating data the customer gave this recently is no leak
    no_card_campaigns = []    # campaigns that must not take card data: any card data is a leak
    keep_original_audio = false  # false: only the redacted copy of a recording is served
    audio_redaction = "beep"     # beep | silence: what replaces personal data in that copy
    redacted_audio_dir = ""      # where the copies go ("" = redacted_audio/ beside the database)

    [compliance.loudness]     # a detector's settings as a table of its own (fields of its settings
    raised_lu = 6.0           # class, qa/compliance/registry.py); the flat keys above set the same
    raised_st = 2.0           # raised voice: pitch at least this many semitones over the speaker's
    effort_min = 15.5         # ... and LU + semitones + dB of high band over the baseline at least this
    quiet_drop_lu = 12.0      # quiet voice (any call): operator this far under their own baseline

    [scoring]
    scorecards = ""           # YAML scorecard book ("" = the shipped qa/scoring/scorecards/default.yaml)
    categories = ""           # YAML call category book ("" = the shipped qa/compliance/categories/default.yaml)
    timezone = "UTC"          # IANA zone that days and weeks of reports are counted in
    dead_air_s = 10.0         # no one speaking longer than this is a dead-air event
    hold_s = 30.0             # a silence at least this long is hold-like

    [batch]
    retries = 2               # extra attempts for a transient fault (file share hiccup, database busy)
    retry_backoff_s = 1.0     # first wait; doubled for each further attempt
    max_failed_runs = 3       # a file that failed in this many runs is reported and no longer tried
    max_duration_s = 14400.0  # longer recordings are refused (4 h)
    group_calls = 8           # calls analysed together: their ASR windows share batches
    group_audio_s = 1800.0    # ... and at most this much audio in a group (bounds memory)
    trim_heap_s = 5.0         # give freed heap memory back to the OS this often while a batch runs (0 = never; glibc)

    [dashboard]
    users = ""                # users file (TOML, see qa/auth.py; "" = the demo users, for the sample database only)
    auth = "password"         # password | oidc (Streamlit's st.login; configure the provider in .streamlit/secrets.toml)
    oidc_provider = ""        # the provider name given to st.login ("" = Streamlit's default)
    audio_dirs = []           # folders the player may serve audio from ([] = the redacted copies' folder)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from qa.errors import ConfigError


@dataclass(frozen=True)
class AsrConfig:
    """Speech recognition (faster-whisper)."""

    model: str = "base"
    device: str = "auto"
    compute_type: str = "auto"
    cpu_threads: int = 0
    workers: int = 0
    batch_size: int = 8
    beam_size: int = 5
    language: str = ""
    vad_filter: bool = True


@dataclass(frozen=True)
class DiarizationConfig:
    """Who spoke when on mono recordings (stereo uses the channels)."""

    backend: str = "pyannote-offline"
    pipeline: str = ""
    num_speakers: int = 2
    min_speakers: int = 0
    max_speakers: int = 0
    device: str = "auto"
    cpu_threads: int = 1


@dataclass(frozen=True)
class RolesConfig:
    """How speakers become operator and customer."""

    operator_channel: int = 0
    stereo: str = "auto"  # auto | channels | mono (qa/transcribe/layout.py)


@dataclass(frozen=True)
class ComplianceConfig:
    """Which detectors run, personal-data handling, and each detector's settings.

    A detector's settings are declared by the detector (qa/compliance/registry.py) and read
    from ``[compliance.<name>]``, or from the flat ``[compliance]`` keys documented above.
    """

    detectors: tuple[str, ...] = ("pii", "profanity", "loudness", "script")
    redact: bool = True
    keep_original_audio: bool = False
    audio_redaction: str = "beep"
    redacted_audio_dir: str = ""
    settings: tuple[tuple[str, Any], ...] = ()  # (detector, its settings) where any differ from the defaults

    def settings_for(self, name: str) -> Any:
        """A detector's settings: as configured, or its declared defaults."""
        from qa.compliance.registry import detector_spec

        return dict(self.settings).get(name) or detector_spec(name).settings()


@dataclass(frozen=True)
class ScoringConfig:
    """Scorecards, metrics thresholds and the reporting time zone."""

    scorecards: str = ""
    categories: str = ""
    timezone: str = "UTC"
    dead_air_s: float = 10.0
    hold_s: float = 30.0


@dataclass(frozen=True)
class BatchConfig:
    """How a batch groups calls and treats faults (see the module docstring)."""

    retries: int = 2
    retry_backoff_s: float = 1.0
    max_failed_runs: int = 3
    max_duration_s: float = 14400.0
    group_calls: int = 8
    group_audio_s: float = 1800.0
    trim_heap_s: float = 5.0


@dataclass(frozen=True)
class DashboardConfig:
    """Who may sign in to the dashboard and which audio it may serve."""

    users: str = ""
    auth: str = "password"
    oidc_provider: str = ""
    audio_dirs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """The whole configuration; ``load_config()`` builds it."""

    asr: AsrConfig = field(default_factory=AsrConfig)
    diarization: DiarizationConfig = field(default_factory=DiarizationConfig)
    roles: RolesConfig = field(default_factory=RolesConfig)
    compliance: ComplianceConfig = field(default_factory=ComplianceConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    batch: BatchConfig = field(default_factory=BatchConfig)
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)


_DIARIZATION_BACKENDS = ("pyannote-offline", "pyannote-hub")


def _section(cls: type, values: dict[str, Any], name: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    default = cls()
    updates = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"[{name}] has no setting {key!r} (known: {', '.join(known)})")
        expected = type(getattr(default, key))
        if expected is tuple:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"[{name}] {key} must be a list of strings, got {value!r}")
            value = tuple(value)
        elif expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif expected is int and isinstance(value, bool) or not isinstance(value, expected):
            raise ConfigError(f"[{name}] {key} must be {expected.__name__}, got {value!r}")
        updates[key] = value
    return replace(default, **updates)


def _compliance(values: dict[str, Any]) -> ComplianceConfig:
    """``[compliance]``: its own keys, each detector's flat keys, and ``[compliance.<name>]`` tables."""
    from qa.compliance.registry import detector_specs

    specs = detector_specs()
    own = {f.name for f in fields(ComplianceConfig)} - {"settings"}
    flat = {key: (spec.name, name) for spec in specs.values() for key, name in spec.flat_keys}
    general: dict[str, Any] = {}
    per_detector: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        if key in own:
            general[key] = value
        elif key in specs and isinstance(value, dict):
            per_detector.setdefault(key, {}).update(value)
        elif key in flat:
            per_detector.setdefault(flat[key][0], {})[flat[key][1]] = value
        else:
            known = [*sorted(own), *flat, *(f"[compliance.{name}]" for name in specs)]
            raise ConfigError(f"[compliance] has no setting {key!r} (known: {', '.join(known)})")
    config = _section(ComplianceConfig, general, "compliance")
    unknown = [name for name in config.detectors if name not in specs]
    if unknown:
        raise ConfigError(f"[compliance] detectors: unknown {', '.join(sorted(unknown))} (known: {', '.join(specs)})")
    settings = tuple((name, _section(specs[name].settings, items, f"compliance.{name}"))
                     for name, items in sorted(per_detector.items()))
    return replace(config, settings=settings)


def parse_config(data: dict[str, Any]) -> Config:
    """Build a validated Config from a parsed TOML document."""
    sections = {f.name: f.type for f in fields(Config)}
    unknown = set(data) - set(sections)
    if unknown:
        raise ConfigError(f"unknown config section(s): {', '.join(sorted(unknown))}")
    config = Config(
        asr=_section(AsrConfig, data.get("asr", {}), "asr"),
        diarization=_section(DiarizationConfig, data.get("diarization", {}), "diarization"),
        roles=_section(RolesConfig, data.get("roles", {}), "roles"),
        compliance=_compliance(data.get("compliance", {})),
        scoring=_section(ScoringConfig, data.get("scoring", {}), "scoring"),
        batch=_section(BatchConfig, data.get("batch", {}), "batch"),
        dashboard=_section(DashboardConfig, data.get("dashboard", {}), "dashboard"),
    )
    if config.batch.retries < 0 or config.batch.max_failed_runs < 1 or config.batch.max_duration_s <= 0:
        raise ConfigError("[batch] needs retries >= 0, max_failed_runs >= 1 and max_duration_s > 0")
    if config.batch.group_calls < 1 or config.batch.group_audio_s <= 0 or config.batch.trim_heap_s < 0:
        raise ConfigError("[batch] needs group_calls >= 1, group_audio_s > 0 and trim_heap_s >= 0")
    if config.dashboard.auth not in ("password", "oidc"):
        raise ConfigError("[dashboard] auth must be 'password' or 'oidc'")
    _check_timezone(config.scoring.timezone)
    if not 0 < config.scoring.dead_air_s <= config.scoring.hold_s:
        raise ConfigError("[scoring] needs 0 < dead_air_s <= hold_s")
    if config.compliance.audio_redaction not in ("beep", "silence"):
        raise ConfigError("[compliance] audio_redaction must be 'beep' or 'silence'")
    if config.diarization.backend not in _DIARIZATION_BACKENDS:
        raise ConfigError(
            f"[diarization] backend must be one of {', '.join(_DIARIZATION_BACKENDS)}, "
            f"got {config.diarization.backend!r}"
        )
    if config.diarization.backend == "pyannote-hub" and not config.diarization.pipeline:
        raise ConfigError("[diarization] backend pyannote-hub needs pipeline = <name or dir>")
    if config.roles.operator_channel not in (0, 1):
        raise ConfigError("[roles] operator_channel must be 0 or 1")
    if config.roles.stereo not in ("auto", "channels", "mono"):
        raise ConfigError(f"[roles] stereo must be auto, channels or mono, got {config.roles.stereo!r}")
    if config.asr.batch_size < 1:
        raise ConfigError("[asr] batch_size must be at least 1")
    if config.diarization.cpu_threads < 1:
        raise ConfigError("[diarization] cpu_threads must be at least 1")
    if config.asr.workers < 0:
        raise ConfigError("[asr] workers must be 0 (auto) or more")
    return config


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"[scoring] timezone {name!r} is not an IANA time zone (e.g. UTC, Europe/Helsinki)") from None


def read_toml(path: str | Path, what: str = "config file") -> dict[str, Any]:
    """A TOML file's contents; ConfigError naming the file when it is missing or invalid."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None


def read_yaml(path: Path) -> tuple[str, Any]:
    """A YAML book's text and contents; ConfigError naming the file when it cannot be read or parsed
    (with the line, where YAML says it)."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        return text, yaml.safe_load(text)
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ConfigError(f"{path}: {where}invalid YAML: {getattr(error, 'problem', None) or error}") from None


def load_config(path: str | Path | None = None) -> Config:
    """Read a TOML config file; ``None`` gives the documented defaults."""
    if path is None:
        return Config()
    path = Path(path)
    data = read_toml(path)
    try:
        return parse_config(data)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
