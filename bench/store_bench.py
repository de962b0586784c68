"""The embedded engine's indexed find_one vs the same lookup in raw sqlite3, at 10k and 1M documents.

"Raw" is what a caller would write by hand against the same table and index: one SELECT on the
indexed expression, then json.loads of the row. Each dataset is built with insert_many in batches
of 10,000 into a fresh file under a temporary directory. Prints per-lookup µs (p50, p99) for both
and the ratio ours/raw. Sizes can be changed with BENCH_STORE_SIZES=10000,1000000.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.store import SQLiteStore  # noqa: E402 (the repository root is put on the path first)
from api.store.sqlite_sql import path_expression  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_STORE_SIZES", "10000,1000000").split(",")]
LOOKUPS = int(os.environ.get("BENCH_STORE_LOOKUPS", "20000"))
BATCH = 10_000
KEY = "id_number"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
DISTRICTS = [("杭州市", "西湖区"), ("杭州市", "上城区"), ("宁波市", "鄞州区"), ("温州市", "鹿城区"), ("绍兴市", "越城区")]


def person(i: int, rng: random.Random) -> dict:
    """A citizen account about 300 bytes long as stored; `id_number` is unique (an 18-character ID number)."""
    city, district = rng.choice(DISTRICTS)
    born = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return {
        "_id": f"acc-{i:012d}{rng.getrandbits(40):010x}",
        KEY: f"3301{rng.randint(0, 99):02d}{born}{i % 10_000:04d}",
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        "phone": f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
        "address": {"province": "浙江省", "city": city, "district": district, "street": f"文三路{rng.randint(1, 999)}号"},
        "roles": ["citizen"],
        "verified": rng.random() < 0.8,
        "created_at": "2024-05-01T08:00:00Z",
        "updated_at": "2024-05-01T08:00:00Z",
        "version": 1,
    }


def unique_people(count: int, rng: random.Random):
    """People in batches; a key that repeats (rare) is given the row number instead."""
    seen: set[str] = set()
    for start in range(0, count, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, count)):
            document = person(i, rng)
            if document[KEY] in seen:
                document[KEY] = f"33{i:016d}"
            seen.add(document[KEY])
            batch.append(document)
        yield batch


def build(path: str, count: int) -> tuple[SQLiteStore, list[str], float, float]:
    rng = random.Random(count)
    store = SQLiteStore(path)
    people = store["people"]
    keys: list[str] = []
    started = time.perf_counter()
    for batch in unique_people(count, rng):
        keys.extend(document[KEY] for document in batch)
        people.insert_many(batch)
    people.create_index(KEY, unique=True)
    elapsed = time.perf_counter() - started
    size = store.connection().execute(f"SELECT avg(length(CAST(doc AS BLOB))) FROM {people.table}").fetchone()[0]
    return store, keys, elapsed, size


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def time_lookups(lookups: dict, samples: dict) -> dict[str, list[float]]:
    """Per-lookup µs for each lookup function, interleaved so that both meet the same machine.

    Each function gets its own random keys, so neither reads pages the other just brought in.
    """
    for name, lookup in lookups.items():  # warm the caches and any prepared statements
        for key in samples[name][:1000]:
            lookup(key)
    clock = time.perf_counter_ns
    timings: dict[str, list[float]] = {name: [] for name in lookups}
    for i in range(LOOKUPS):
        for name, lookup in lookups.items():
            key = samples[name][i]
            began = clock()
            document = lookup(key)
            timings[name].append((clock() - began) / 1000)
            if document is None or document[KEY] != key:
                raise AssertionError(f"lookup of {key} returned {document!r}")
    return timings


def measure(count: int, directory: str) -> dict:
    path = os.path.join(directory, f"people-{count}.sqlite3")
    store, keys, build_seconds, doc_bytes = build(path, count)
    people = store["people"]
    raw = sqlite3.connect(path, isolation_level=None)
    raw_sql = f"SELECT doc FROM {people.table} WHERE {path_expression(KEY)} = ? LIMIT 1"

    def ours(key: str):
        return people.find_one({KEY: key})

    def by_hand(key: str):
        row = raw.execute(raw_sql, (key,)).fetchone()
        return json.loads(row[0]) if row else None

    rng = random.Random(7)
    samples = {name: [rng.choice(keys) for _ in range(LOOKUPS)] for name in ("ours", "raw")}
    plan = people.explain_query_plan({KEY: samples["ours"][0]})
    timings = time_lookups({"ours": ours, "raw": by_hand}, samples)
    raw.close()
    store.close()
    result = {"documents": count, "build_s": build_seconds, "doc_bytes": doc_bytes, "plan": plan}
    for name, values in timings.items():
        result[f"{name}_p50"] = statistics.median(values)
        result[f"{name}_p99"] = percentile(values, 0.99)
    result["file_mb"] = os.path.getsize(path) / 1e6
    return result


def main() -> None:
    print(f"find_one({{{KEY!r}: value}}) on a unique index, {LOOKUPS} random lookups per size, SQLite {sqlite3.sqlite_version}")
    header = (
        f"{'documents':>10} {'build s':>8} {'file MB':>8} {'doc B':>6} "
        f"{'ours p50':>9} {'ours p99':>9} {'raw p50':>8} {'raw p99':>8} {'ratio p50':>10} {'ratio p99':>10}"
    )
    with tempfile.TemporaryDirectory(prefix="onetrip-store-bench-") as directory:
        results = []
        for count in SIZES:
            r = measure(count, directory)
            results.append(r)
            if len(results) == 1:
                print(f"plan: {' | '.join(r['plan'])}")
                print(header + "   (times in µs per lookup)")
            print(
                f"{r['documents']:>10,} {r['build_s']:>8.1f} {r['file_mb']:>8.0f} {r['doc_bytes']:>6.0f} "
                f"{r['ours_p50']:>9.1f} {r['ours_p99']:>9.1f} {r['raw_p50']:>8.1f} {r['raw_p99']:>8.1f} "
                f"{r['ours_p50'] / r['raw_p50']:>10.2f} {r['ours_p99'] / r['raw_p99']:>10.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
