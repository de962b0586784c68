"""Profile one endpoint in-process on a cached seeded database with pyinstrument (docs/performance.md).

    python -m bench.profile_endpoint --people 4120000 tracking       # GET /applications/{id}
    python -m bench.profile_endpoint --people 10000 my_applications --rounds 200

Classes as in the load benchmark: catalogue, vault, prefill, my_applications, tracking, submit, refresh.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.request_cost import in_process  # noqa: E402
from bench.seeded import working_copy  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_endpoint")
    parser.add_argument("klass")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args(argv)
    with working_copy(args.people) as directory:
        profile(args, directory)


def profile(args: argparse.Namespace, directory: Path) -> None:
    from pyinstrument import Profiler

    drafts = args.rounds if args.klass == "submit" else 0
    refreshes = args.rounds if args.klass == "refresh" else 0
    lines, send, _ = in_process(directory, users=args.rounds, drafts=drafts, refreshes=refreshes)
    requests = [line for line in lines if line[0] == args.klass][: args.rounds]

    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for line in requests:
            send(line)
    seconds = time.perf_counter() - started
    print(f"{args.klass}: {len(requests)} requests, {seconds / len(requests) * 1000:.1f} ms each (profiled)")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main(sys.argv[1:])
