"""Make torchaudio importable beside a CPU build of torch (the one place this is handled).

The registry's torchaudio wheels are CUDA builds: next to a CPU torch, ``import torchaudio``
fails on ``libc10_cuda.so``. Without its compiled libraries torchaudio falls back to pure
Python, which is all pyannote.audio needs (resampling, kaldi fbank). With a CUDA torch this
script touches nothing.
"""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys


def _try_import(module: str) -> str | None:
    """Import ``module`` in a fresh interpreter; return its stderr, or None on success."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True
    )
    return None if result.returncode == 0 else result.stderr.strip() or "?"


def _last_line(text: str) -> str:
    return text.splitlines()[-1]


def main() -> int:
    if importlib.util.find_spec("torchaudio") is None:
        return 0
    error = _try_import("torchaudio")
    if error is None:
        return 0
    import torch

    if torch.version.cuda is not None or "libc10_cuda" not in error:
        print(f"torchaudio does not import and this script cannot fix it: {_last_line(error)}", file=sys.stderr)
        return 1
    spec = importlib.util.find_spec("torchaudio")
    lib_dir = pathlib.Path(spec.origin).parent / "lib"
    removed = sorted(lib_dir.glob("*.so"))
    for library in removed:
        library.unlink()
    print(
        f"CPU torch with a CUDA torchaudio: removed {len(removed)} compiled torchaudio "
        f"libraries from {lib_dir} (pure-Python fallback)",
        file=sys.stderr,
    )
    error = _try_import("pyannote.audio")
    if error is not None:
        print(f"pyannote.audio still does not import: {_last_line(error)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
