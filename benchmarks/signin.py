"""Sign-in refusal timing: a known name with a wrong password against an unknown name.

    .venv/bin/python benchmarks/signin.py [--runs 50]

Both must cost one scrypt (``qa.auth.authenticate``), so the ratio of their medians should be
close to 1; before #17 an unknown name cost two (a ratio near 2 told names apart).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.auth import DEMO_USERS, authenticate, load_users  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    users = load_users(DEMO_USERS)
    times: dict[str, list[float]] = {"known name, wrong password": [], "unknown name": []}
    for _ in range(args.runs):  # interleaved, so drift in the machine's load hits both alike
        for (label, samples), name in zip(times.items(), ("anna", "nobody-like-this")):
            start = time.perf_counter()
            assert authenticate(users, name, "wrong password") is None
            samples.append(time.perf_counter() - start)
    medians = {label: statistics.median(samples) for label, samples in times.items()}
    for label, median in medians.items():
        print(f"{label:28s} median {median * 1000:7.2f} ms over {args.runs}")
    known, unknown = medians.values()
    print(f"ratio unknown / known: {unknown / known:.3f}")


if __name__ == "__main__":
    main()
