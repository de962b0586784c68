"""Registry lookups at city scale: `find_person` through the local adapter, decryption included.

Seeds a synthetic registry into a temporary SQLite file at each size (in a child process, whose
wall time and peak RSS are reported), then times lookups of random residents by ID number and
prints p50/p99 and how the largest size compares with the smallest (the target: within 2×).

    python -m bench registry_bench                         # 10 k and 4.12 M people (the seeds' scale)
    BENCH_REGISTRY_FULL=0 python -m bench registry_bench   # 10 k and 100 k people: a quick run
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.store import SQLiteStore  # noqa: E402
from auth.crypto import FieldCipher  # noqa: E402
from auth.registry.local import ID_NUMBER, PEOPLE, LocalRegistry  # noqa: E402
from auth.seed_registry import FULL_ORGS, FULL_PEOPLE, seed_registry  # noqa: E402

LOOKUPS = 5_000
ROUNDS = 3
WARM_UP = 500


def seed_into(directory: str, people: int) -> dict:
    """Run in a child process: seed, then report wall time and this process's peak RSS."""
    store = SQLiteStore(os.path.join(directory, "registry.sqlite3"))
    cipher = FieldCipher.from_config({"DATA_DIR": directory})
    started = time.perf_counter()
    seed_registry(store, cipher, people, people * FULL_ORGS // FULL_PEOPLE)
    seconds = time.perf_counter() - started
    writer = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    generator = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the forked generator, if any
    return {"seconds": seconds, "writer_rss_mb": writer, "generator_rss_mb": generator}


def seed(directory: str, people: int) -> dict:
    child = subprocess.run(
        [sys.executable, __file__, "--seed-into", directory, str(people)], check=True, capture_output=True, text=True
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def time_lookups(directory: str, people: int) -> dict:
    store = SQLiteStore(os.path.join(directory, "registry.sqlite3"))
    cipher = FieldCipher.from_config({"DATA_DIR": directory})
    registry = LocalRegistry(store, cipher)
    rng = random.Random(42)
    ids = []
    for index in rng.sample(range(people), WARM_UP + LOOKUPS):
        document = store[PEOPLE].find_one({"_id": f"syn-p{index:08d}"})
        ids.append(cipher.decrypt(document["id_number"], ID_NUMBER))
    for id_number in ids[:WARM_UP]:
        registry.find_person(id_number)
    rounds = []
    for _ in range(ROUNDS):
        timings = []
        for id_number in ids[WARM_UP:]:
            started = time.perf_counter_ns()
            person = registry.find_person(id_number)
            timings.append((time.perf_counter_ns() - started) / 1000)
            assert person is not None and person.id_number == id_number
        timings.sort()
        rounds.append((percentile(timings, 0.50), percentile(timings, 0.99)))
    size_mb = os.path.getsize(os.path.join(directory, "registry.sqlite3")) / 1e6
    # Other processes on the machine only ever add time: the least disturbed round is the figure.
    return {"p50_us": min(r[0] for r in rounds), "p99_us": min(r[1] for r in rounds), "file_mb": size_mb}


def main() -> None:
    full = os.environ.get("BENCH_REGISTRY_FULL", "1") != "0"
    sizes = [10_000, FULL_PEOPLE] if full else [10_000, 100_000]
    print(
        f"registry lookups (find_person, local adapter, decryption included): {LOOKUPS} random residents, "
        f"best of {ROUNDS} rounds per size"
    )
    results = {}
    for people in sizes:
        directory = tempfile.mkdtemp(prefix="registry-bench-")
        try:
            seeded = seed(directory, people)
            timed = time_lookups(directory, people)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        results[people] = timed
        print(
            f"  {people:>9,} people: seeded in {seeded['seconds']:6.1f} s, peak RSS {seeded['writer_rss_mb']:4.0f} MB writer"
            f" + {seeded['generator_rss_mb']:4.0f} MB generator, "
            f"file {timed['file_mb']:6.0f} MB; lookup p50 {timed['p50_us']:6.0f} µs, p99 {timed['p99_us']:6.0f} µs",
            flush=True,
        )
    small, large = results[sizes[0]], results[sizes[-1]]
    ratio50, ratio99 = large["p50_us"] / small["p50_us"], large["p99_us"] / small["p99_us"]
    verdict = "within 2×" if max(ratio50, ratio99) <= 2 else "NOT within 2×"
    print(f"  {sizes[-1]:,} / {sizes[0]:,}: p50 ×{ratio50:.2f}, p99 ×{ratio99:.2f} ({verdict})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed-into"]:
        print(json.dumps(seed_into(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
