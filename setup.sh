#!/usr/bin/env bash
# Set up callqa in .venv/ at the repository root, then (unless --no-run) process sample_audio/.
#   bash setup.sh            install + run the pipeline on the bundled sample calls
#   bash setup.sh --no-run   install only (what CI does before the tests)
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# torch first: on this workplace pip finds a CPU build on disk; elsewhere PyPI serves the
# default (CUDA on Linux) build. Asking for it later would let pyannote pull whatever it likes.
.venv/bin/pip install --quiet "torch==2.13.0"
.venv/bin/pip install --quiet -e ".[all,dev]"
.venv/bin/python scripts/fix_torchaudio.py

if [ "${1:-}" != "--no-run" ]; then
    .venv/bin/callqa run sample_audio/ --db callqa.duckdb
    echo "sample calls stored in callqa.duckdb" >&2
fi
