"""In-process cost of one request per load-benchmark class, against GET /api/v1/health in the same run.

    python -m bench.request_cost                       # every class, 300 requests each, 10 k people
    python -m bench.request_cost tracking prefill --rounds 500
    python -m bench.request_cost --cprofile tracking   # cProfile of one class, by own time
    python -m bench.request_cost --cprofile mix        # cProfile of the mix in its proportions

No server and no network: the Flask test client over a cached seeded database (bench/seeded.py), so the
figures are the application's own work per request — what a profile-and-fix round changes — without
gunicorn, sockets or wrk. Compare ratios to health within one run; absolute figures move with the
machine's load.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_bench import CLASSES, prepare  # noqa: E402
from bench.seeded import app_config, working_copy  # noqa: E402

# the mix of bench/load.lua, in per cent
WEIGHTS = {"catalogue": 40, "vault": 10, "prefill": 10, "my_applications": 20, "submit": 5, "tracking": 10, "refresh": 5}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cost")
    parser.add_argument("classes", nargs="*", default=CLASSES)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--cprofile", action="store_true", help="profile the first class (or `mix`) by own time")
    args = parser.parse_args(argv)
    with working_copy(args.people) as directory:
        measure(args, directory)


def in_process(directory: Path, users: int, drafts: int, refreshes: int) -> tuple[list[list[str]], Callable, Any]:
    """The load benchmark's prepared requests (bench/load_bench.py `prepare`), a function that sends one through
    the Flask test client of an app over `directory` (failing on a 4xx/5xx), and that client."""
    from api import create_app

    with tempfile.NamedTemporaryFile(suffix=".tsv") as file:
        prepare(directory, Path(file.name), users=users, drafts=drafts, refreshes=refreshes)
        lines = [line.split("\t") for line in Path(file.name).read_text(encoding="utf-8").splitlines()]
    client = create_app(app_config(directory)).test_client()

    def send(line: list[str]) -> None:
        _, method, path, bearer, cookie, body = line
        headers = {"Authorization": "Bearer " + bearer} if bearer != "-" else {}
        if cookie != "-":
            client.set_cookie("onetrip_refresh", cookie)
        response = client.open(path, method=method, headers=headers, json=None if body == "-" else json.loads(body))
        assert response.status_code < 400, (line[0], response.status_code, response.get_json())

    return lines, send, client


def measure(args: argparse.Namespace, directory: Path) -> None:
    lines, send, client = in_process(directory, users=args.rounds, drafts=args.rounds, refreshes=args.rounds)
    started = time.perf_counter()
    for _ in range(args.rounds):
        client.get("/api/v1/health")
    health = (time.perf_counter() - started) / args.rounds * 1000
    print(f"GET /api/v1/health            {health:7.3f} ms")
    if args.cprofile:
        klass = args.classes[0]
        if klass == "mix":  # each class in its share of the mix: WEIGHTS per cent of `rounds` requests
            chosen = []
            for name, weight in WEIGHTS.items():
                chosen += [line for line in lines if line[0] == name][: args.rounds * weight // 100]
        else:
            chosen = [line for line in lines if line[0] == klass][: args.rounds]
        profile = cProfile.Profile()
        profile.enable()
        for line in chosen:
            send(line)
        profile.disable()
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("LINES", 40)))
        return
    weighted = 0.0
    for klass in args.classes:
        requests = [line for line in lines if line[0] == klass][: args.rounds]
        started = time.perf_counter()
        for line in requests:
            send(line)
        cost = (time.perf_counter() - started) / len(requests) * 1000
        weighted += WEIGHTS.get(klass, 0) / 100 * cost
        print(f"{klass:<28}  {cost:7.3f} ms  ×{cost / health:5.1f} health  ({len(requests)} requests)")
    if set(args.classes) == set(CLASSES):
        print(f"the mix, weighted              {weighted:7.3f} ms  ×{weighted / health:5.1f} health")


if __name__ == "__main__":
    main()
