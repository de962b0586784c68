"""The load benchmark: gunicorn with the production settings on a city-scale database, driven by wrk.

The server runs `gunicorn --config gunicorn.conf.py wsgi:app` on 127.0.0.1 over the cached seeded
database (bench/seeded.py: 4.12 M people, 450 k organisations, 1 M applications; `--scale small`:
10 k of each). Before the timed phase, in this process, each of 2,000 real-named residents gets a
session (access token), a tracking target (one of their applications), and ready-to-submit drafts
and spare sessions (refresh tokens) are made: the timed phase only reads what was prepared.

wrk (a second process, bench/load.lua) then sends the mix — catalogue browse 40 %, vault 10 % and
prefill (start a draft) 10 %, my applications 20 %, submit 5 %, tracking 10 %, refresh 5 % — at 32
connections, and each class alone for its own latency (wrk reports one latency distribution per
run). A bare Flask endpoint (bench/bare_app.py) under the same server settings is the yardstick.

    python -m bench load                  # full scale (seeds var/bench/ once: ~6 min)
    python -m bench load --scale small    # 10 k people: a quick run
    BENCH_CONNECTIONS=64 BENCH_DURATION=30 python -m bench load
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auth.seed_registry import FULL_PEOPLE  # noqa: E402
from bench.http_bench import free_port, wait_until_up  # noqa: E402
from bench.seeded import app_config, environment, resident_ids, working_copy  # noqa: E402

BIN = Path(sys.executable).parent
# A server in service is warm: every worker has its catalogue in memory and has verified the access tokens of
# the residents it serves. The warm-up reads only (nothing consumed, nothing written).
WARM_UP = ("catalogue", "vault", "my_applications", "tracking")
MIX_CEILING = 3000  # req/s the mix could reach here: enough drafts and refresh tokens for its 5 % each
# req/s a consumable class could reach alone for its 5 s: a class alone that runs out stops, and its req/s would
# then measure the supply, not the server (submit and refresh alone read 294 and 594 req/s = 1,500 and 3,000 / 5 s)
ALONE_CEILING = {"submit": 800, "refresh": 2000}
CONSUMABLE_SECONDS = 5  # how long submit and refresh run alone
LUA = Path(__file__).resolve().parent / "load.lua"
SCALES = {"full": FULL_PEOPLE, "small": 10_000}
CLASSES = ["catalogue", "vault", "prefill", "my_applications", "submit", "tracking", "refresh"]
CONSUMABLE = ("submit", "refresh")  # as in load.lua
LABELS = {
    "catalogue": "GET catalogue (items, bundles, guides)",
    "vault": "GET /me/vault",
    "prefill": "POST /applications (prefill)",
    "my_applications": "GET /applications (mine)",
    "submit": "POST /applications/{id}/submit",
    "tracking": "GET /applications/{id} (tracking)",
    "refresh": "POST /auth/refresh",
}
ITEM = "430200-SCJG-003"  # 企业设立登记: a resident's item with two declarations and registry data
FACTS = {
    "business.name": "株洲湘味餐饮有限公司", "business.registered_address": "湖南省株洲市天元区长江北路88号",
    "business.type": "有限责任公司", "business.business_scope": "餐饮服务", "business.registered_capital_wan": 50,
    "applicant.contact_address": "湖南省株洲市天元区嵩山路街道示例路12号3栋402",
}  # fmt: skip
CATALOGUE = [
    "/api/v1/catalog/items", "/api/v1/catalog/items?q=%E8%90%A5%E4%B8%9A", "/api/v1/catalog/items?for_whom=person",
    "/api/v1/catalog/bundles", "/api/v1/catalog/bundles/newborn", "/api/v1/catalog/bundles/open-restaurant",
    "/api/v1/catalog/items/430200-SCJG-002", "/api/v1/catalog/items/430200-GAJ-001", "/api/v1/catalog/departments",
]  # fmt: skip


def ready_draft(client, headers: dict) -> dict:
    response = client.post("/api/v1/applications", json={"item": ITEM}, headers=headers)
    assert response.status_code == 201, response.get_json()
    view = response.get_json()
    values = {name: FACTS[name] for name in view["missing_fields"]}
    body = {"values": values, "version": view["version"]}
    view = client.patch(f"/api/v1/applications/{view['id']}", json=body, headers=headers).get_json()
    for material in view["materials"]:
        if material["status"] == "missing" and material["source"] == "form":
            path = f"/api/v1/applications/{view['id']}/materials/{material['code']}/declaration"
            view = client.post(path, json={"version": view["version"]}, headers=headers).get_json()
    assert not view["missing_fields"], view
    return view


def prepare(directory: Path, path: Path, users: int, drafts: int, refreshes: int) -> dict:
    """Write the requests file for load.lua: one line per request, tab-separated."""
    from api import create_app
    from auth import sessions

    app = create_app({**app_config(directory), "ACCESS_TOKEN_SECONDS": 3600})
    store = app.extensions["store"]
    client = app.test_client()
    ids = resident_ids(store)[:users]
    accounts = [store["accounts"].find_one({"_id": account_id}) for account_id in ids]
    lines: list[str] = []

    def line(klass, method, url, bearer=None, cookie=None, body=None):
        text = json.dumps(body, ensure_ascii=False) if body else None
        lines.append("\t".join(value or "-" for value in (klass, method, url, bearer, cookie, text)))

    with app.app_context():
        tokens = [sessions.start_session(store, app, account, "bench load").access_token for account in accounts]
        for index, (account, token) in enumerate(zip(accounts, tokens, strict=True)):
            line("vault", "GET", "/api/v1/me/vault", token)
            line("prefill", "POST", "/api/v1/applications", token, body={"item": ITEM})
            line("my_applications", "GET", "/api/v1/applications", token)
            mine = store["applications"].find_one({"applicant_id": account["_id"], "acting_for": None, "state": "completed"})
            if mine:
                line("tracking", "GET", f"/api/v1/applications/{mine['_id']}", token)
            line("catalogue", "GET", CATALOGUE[index % len(CATALOGUE)])
        for index in range(refreshes):
            issued = sessions.start_session(store, app, accounts[index % len(accounts)], "bench load")
            line("refresh", "POST", "/api/v1/auth/refresh", cookie=issued.refresh_token, body={"acting_for": None})
    for index in range(drafts):
        token = tokens[index % len(tokens)]
        view = ready_draft(client, {"Authorization": "Bearer " + token})
        line("submit", "POST", f"/api/v1/applications/{view['id']}/submit", token, body={"version": view["version"]})
    store.close()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {klass: sum(1 for x in lines if x.startswith(klass + "\t")) for klass in CLASSES}


def split_consumables(path: Path, for_the_mix: int) -> tuple[Path, Path]:
    """Two request files: each wrk run starts from the first line, and a draft submits, a refresh token
    is spent, once: the mix gets the first `for_the_mix` of each consumable class, the runs alone the rest."""
    lines = path.read_text(encoding="utf-8").splitlines()
    taken: dict[str, int] = {}
    mix, alone = [], []
    for line in lines:
        klass = line.split("\t", 1)[0]
        if klass not in CONSUMABLE:
            mix.append(line)
            alone.append(line)
            continue
        taken[klass] = taken.get(klass, 0) + 1
        (mix if taken[klass] <= for_the_mix else alone).append(line)
    mix_path, alone_path = path.with_suffix(".mix.tsv"), path.with_suffix(".alone.tsv")
    mix_path.write_text("\n".join(mix) + "\n", encoding="utf-8")
    alone_path.write_text("\n".join(alone) + "\n", encoding="utf-8")
    return mix_path, alone_path


TICKS = os.sysconf("SC_CLK_TCK")
SERVERS: dict[str, int] = {}  # base URL -> gunicorn master's pid, for ServerCpu


def _cpu_seconds(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a live process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


class ServerCpu:
    """The CPU time the server's processes (gunicorn's master and workers) spend while it runs, sampled from
    /proc every 50 ms so that a worker replaced during the run is counted up to its last sample; and the
    machine's idle share over the same time."""

    def __init__(self, master: int):
        self.master = master
        self._start: dict[int, float] = {}
        self._used: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _processes(self) -> dict[int, float]:
        seen = {}
        for pid in (int(name) for name in os.listdir("/proc") if name.isdigit()):
            if (found := _cpu_seconds(pid)) and self.master in (pid, found[0]):
                seen[pid] = found[1]
        return seen

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            for pid, seconds in self._processes().items():
                self._used[pid] = seconds - self._start.get(pid, 0.0)

    @staticmethod
    def _machine() -> tuple[int, int]:
        with open("/proc/stat") as file:
            ticks = [int(x) for x in file.readline().split()[1:]]
        return sum(ticks), ticks[3]

    def __enter__(self):
        self._start = self._processes()
        self._machine_start = self._machine()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        total, idle = (now - then for now, then in zip(self._machine(), self._machine_start, strict=True))
        self.seconds = sum(self._used.values())
        self.idle = idle / total if total else 0.0


@contextmanager
def serve(app_spec: str, env: dict, probe: str):
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}", app_spec],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + probe, 60)
        SERVERS[base] = server.pid
        yield base
    finally:
        SERVERS.pop(base, None)
        server.terminate()
        server.wait(timeout=30)


def wrk(url: str, requests_file: Path, klass: str, seconds: float, connections: int, threads: int = 2) -> dict:
    """One wrk run; load.lua chooses the requests of the file (klass "" = the mix)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(LUA), url]
    env = {**os.environ, "LOAD_REQUESTS": str(requests_file), "LOAD_CLASS": klass, "LOAD_THREADS": str(threads)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ServerCpu(SERVERS[url]) as server:
        out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(re.search(r"^LOADRESULT (.*)$", out, re.M).group(1))
    result["rps"] = result["requests"] / result["seconds"]
    # CPU per request: the server's processes, and wrk (this process's only child that ended during the run)
    result["server_cpu_ms"] = server.seconds / max(result["requests"], 1) * 1000
    wrk_seconds = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    result["wrk_cpu_ms"] = wrk_seconds / max(result["requests"], 1) * 1000
    result["idle"] = server.idle
    result["errors"] = result["status_errors"] + result["socket_errors"] + result["timeouts"]
    return result


def bare(seconds: float, connections: int) -> dict:
    """The bare Flask endpoint through load.lua too (its `done` prints the same figures)."""
    requests_file = Path(tempfile.mkstemp(suffix=".tsv")[1])
    requests_file.write_text("\t".join(["catalogue", "GET", "/hello", "-", "-", "-"]) + "\n")
    try:
        with serve("bench.bare_app:app", {}, "/hello") as base:
            wrk(base, requests_file, "catalogue", 2, 4)  # warm-up
            return wrk(base, requests_file, "catalogue", seconds, connections)
    finally:
        requests_file.unlink()


def row(name: str, r: dict) -> str:
    return (
        f"  {name:38s} {r['rps']:8.0f} req/s  p50 {r['p50_us'] / 1000:7.1f} ms  p95 {r['p95_us'] / 1000:7.1f} ms  "
        f"p99 {r['p99_us'] / 1000:7.1f} ms  errors {r['errors']}" + (f" ({r['statuses']})" if r["statuses"] else "") + "\n"
        f"{'':40s} CPU a request: server {r['server_cpu_ms']:.3f} ms, wrk {r['wrk_cpu_ms']:.3f} ms; machine idle {r['idle']:.0%}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 32)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_DURATION", 20)))
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--mix-only", action="store_true", help="bare Flask and the mix, no class alone (quicker)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `apt-get install -y wrk` (make bench installs it)")
    people = SCALES[args.scale]
    started = time.perf_counter()
    with working_copy(people, log=lambda text: print(text, flush=True)) as directory:
        print(f"database for this run: {directory} ({time.perf_counter() - started:.0f} s)", flush=True)
        run(args, people, directory)


def run(args: argparse.Namespace, people: int, directory: Path) -> None:
    per_class = max(5.0, args.seconds / 2)
    for_the_mix = int(0.05 * MIX_CEILING * args.seconds)  # each consumable class is 5 % of the mix
    drafts = ALONE_CEILING["submit"] * CONSUMABLE_SECONDS + for_the_mix
    refreshes = ALONE_CEILING["refresh"] * CONSUMABLE_SECONDS + for_the_mix
    requests_file = directory.parent / f"load-requests-{os.getpid()}.tsv"
    started = time.perf_counter()
    counts = prepare(directory, requests_file, args.users, drafts, refreshes)
    print(f"prepared in {time.perf_counter() - started:.0f} s: {counts}", flush=True)
    mix_file, alone_file = split_consumables(requests_file, for_the_mix)
    try:
        yardstick = bare(args.seconds, args.connections)
        with serve("wsgi:app", environment(directory), "/api/v1/health") as base:
            for klass in WARM_UP:  # each worker has started, read the catalogue and seen the residents' tokens
                wrk(base, mix_file, klass, 2, args.connections)
            mix = wrk(base, mix_file, "", args.seconds, args.connections)
            alone = {
                klass: wrk(base, alone_file, klass, CONSUMABLE_SECONDS if klass in CONSUMABLE else per_class, args.connections)
                for klass in ([] if args.mix_only else CLASSES)
            }
    finally:
        for path in (requests_file, mix_file, alone_file):
            path.unlink(missing_ok=True)
    workers = os.environ.get("ONETRIP_WORKERS", "default")
    threads = os.environ.get("ONETRIP_THREADS", "default")
    print(
        f"\nload benchmark: {people:,} people, gunicorn.conf.py ({workers} workers, {threads} threads), "
        f"wrk -c{args.connections}, {os.cpu_count()} cores shared with wrk; "
        f"mix {args.seconds:.0f} s, alone {per_class:.0f} s (submit, refresh {CONSUMABLE_SECONDS} s)"
    )
    print(row("bare Flask /hello", yardstick))
    print(row("the mix (weights of the issue)", mix))
    for klass in alone:
        print(row(LABELS[klass] + " alone", alone[klass]))
    ratio = mix["rps"] / yardstick["rps"]
    errors = mix["errors"] + sum(r["errors"] for r in alone.values())
    used_up = mix["exhausted"] + sum(r["exhausted"] for r in alone.values())
    print(f"  ratio mix/bare throughput: {ratio:.2f} (target ≥ 0.5); mix p99 {mix['p99_us'] / 1000:.1f} ms (target < 100 ms)")
    print(f"  server CPU a request, mix / bare: {mix['server_cpu_ms'] / yardstick['server_cpu_ms']:.2f}")
    ran_out = f"; {used_up}× a thread ran out of drafts or refresh tokens (the mix then sends tracking, a class alone stops)"
    print(f"  errors: {errors}" + (ran_out if used_up else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
