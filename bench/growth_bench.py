"""The growth curve: the key endpoints' latency at 10 k / 100 k / 1 M / 4.12 M people (bench/seeded.py).

At each scale (min(people, 1 M) applications) the app runs under gunicorn with the production
settings, and wrk sends each endpoint class alone on ONE connection for a few seconds: latency
without queueing, so that what grows is the work per request. Prints p50/p99 per class and scale and
the ratio to the 10 k figures (the target: within 2×). The seeded databases are cached under var/bench/.

    python -m bench growth                                   # all four scales
    python -m bench growth --scales 10000,100000 --seconds 3   # a quick run
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auth.seed_registry import FULL_PEOPLE  # noqa: E402
from bench.load_bench import LABELS, prepare, serve, wrk  # noqa: E402
from bench.seeded import applications_for, environment, working_copy  # noqa: E402

SCALES = [10_000, 100_000, 1_000_000, FULL_PEOPLE]
CLASSES = ["catalogue", "vault", "prefill", "my_applications", "tracking", "submit"]


def measure(people: int, seconds: float) -> dict:
    with working_copy(people, log=lambda text: print(text, flush=True)) as directory:
        requests_file = directory.parent / f"growth-requests-{os.getpid()}.tsv"
        try:
            prepare(directory, requests_file, users=200, drafts=int(250 * seconds), refreshes=0)  # one connection: ~4 ms a submit
            with serve("wsgi:app", environment(directory), "/api/v1/health") as base:
                for klass in CLASSES:  # warm-up: every worker's connections and caches
                    wrk(base, requests_file, "catalogue" if klass == "submit" else klass, 1, 4)
                return {klass: wrk(base, requests_file, klass, seconds, 1, threads=1) for klass in CLASSES}
        finally:
            requests_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench growth", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=",".join(str(s) for s in SCALES))
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    results = {}
    for people in scales:
        started = time.perf_counter()
        results[people] = measure(people, args.seconds)
        print(f"{people:,} people measured in {time.perf_counter() - started:.0f} s", flush=True)
    base = results[scales[0]]
    print(f"\ngrowth curve: one connection, {args.seconds:.0f} s per endpoint and scale; ×: p50 / p50 at {scales[0]:,}")
    print("  " + f"{'':38s}" + "".join(f"{f'{p:,} people, {applications_for(p):,} appl.':>32s}" for p in scales))
    worst = 0.0
    for klass in CLASSES:
        cells = []
        for people in scales:
            r = results[people][klass]
            ratio = r["p50_us"] / max(1, base[klass]["p50_us"])
            worst = max(worst, ratio) if people != scales[0] else worst
            cells.append(f"{r['p50_us'] / 1000:6.1f}/{r['p99_us'] / 1000:6.1f} ms ×{ratio:4.2f}")
        errors = sum(results[p][klass]["errors"] for p in scales)
        used_up = sum(results[p][klass]["exhausted"] for p in scales)
        notes = (f"  errors {errors}" if errors else "") + (f"  (drafts ran out: stopped {used_up}×)" if used_up else "")
        print(f"  {LABELS[klass] + ' p50/p99':38s}" + "".join(f"{c:>32s}" for c in cells) + notes)
    print(f"  largest p50 ratio to {scales[0]:,}: ×{worst:.2f} ({'within' if worst <= 2 else 'NOT within'} 2×)")


if __name__ == "__main__":
    main(sys.argv[1:])
