"""The public availability endpoint of a hall with 20 windows over 14 days, in-process with the Flask test client,
against a bare Flask endpoint that returns a JSON body of the same size (the yardstick: what Flask alone costs).

The hall: one group of 20 无差别综合受理 windows (一窗受理), opening 09:00–12:00 and 13:00–17:00 on working days (14 slots of
30 min), one item handled by all 20 windows, and every slot of the horizon half booked (a counter document per
slot, as bookings leave them) — the worst case for the sum over windows. Prints requests/s, p50 and p99 of
`GET /api/v1/appointments/halls/<hall>/availability?item=…` (200 with the body), of the same request revalidated
with If-None-Match (304), and of the bare endpoint; all sequential from one thread.

    python -m bench appointments_bench          # BENCH_APPOINTMENTS_REQUESTS=2000 by default
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from api import create_app  # noqa: E402
from api.appointments.halls import create_hall  # noqa: E402
from api.appointments.opening import slots_on  # noqa: E402
from api.appointments.schemas import HallCreateSchema  # noqa: E402
from api.appointments.settings import AppointmentSettings  # noqa: E402
from api.appointments.slots import COUNTERS, counter_id, horizon  # noqa: E402
from api.catalog.service import load_catalog  # noqa: E402
from api.clock import utcnow  # noqa: E402
from bench.registry_bench import percentile  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_APPOINTMENTS_REQUESTS", "2000"))
WARM_UP = 100
ITEM = "430200-SCJG-002"
HALL = "bench-hall"


def bench_hall() -> dict:
    working = [["09:00", "12:00"], ["13:00", "17:00"]]
    windows = [{"code": f"A{n:02d}", "name": f"A{n:02d}窗口", "group": "A", "items": [ITEM]} for n in range(1, 21)]
    return {
        "code": HALL, "name": "基准测试政务服务大厅", "kind": "city", "district": "天元区",
        "address": "湖南省株洲市天元区示例路1号",
        "floors": [{"code": "1F", "name": "一楼"}], "groups": [{"code": "A", "name": "无差别综合受理", "floor": "1F"}],
        "windows": windows, "slot_minutes": 30, "places_per_window": 2,
        "opening_hours": {**{day: working for day in ("mon", "tue", "wed", "thu", "fri")}, "sat": [], "sun": []},
    }  # fmt: skip


def half_book(store, hall: dict) -> int:
    """A counter for every slot of the horizon, each window's places half taken at random."""
    rng = random.Random(8)
    counters = []
    for day in horizon(AppointmentSettings(), utcnow()):
        for starts_at, _ in slots_on(hall, day):
            taken = {w["code"]: rng.randint(0, hall["places_per_window"]) for w in hall["windows"]}
            counters.append({"_id": counter_id(HALL, starts_at), "hall": HALL, "starts_at": starts_at, "day": day.isoformat(),
                             "taken": taken})  # fmt: skip
    store[COUNTERS].insert_many(counters)
    return len(counters)


def measure(client, path: str, headers: dict | None = None, status: int = 200) -> dict:
    for _ in range(WARM_UP):
        client.get(path, headers=headers)
    latencies = []
    started = time.perf_counter()
    for _ in range(REQUESTS):
        begun = time.perf_counter_ns()
        response = client.get(path, headers=headers)
        latencies.append((time.perf_counter_ns() - begun) / 1e6)
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:200])
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": REQUESTS / elapsed, "p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
            "bytes": len(response.data)}  # fmt: skip


def bare_app(payload: bytes) -> Flask:
    """A bare Flask endpoint returning a JSON body of the same size (parsed and serialised again per request)."""
    import json

    document = json.loads(payload)
    bare = Flask("bare")
    bare.json.ensure_ascii = False

    @bare.get("/availability")
    def availability():
        return document

    return bare


def main() -> None:
    directory = tempfile.mkdtemp(prefix="appointments-bench-")
    try:
        app = create_app({"DATA_DIR": directory, "LOG_LEVEL": "WARNING"})
        store = app.extensions["store"]
        load_catalog(store)
        hall = create_hall(store, HallCreateSchema().load(bench_hall()))
        counters = half_book(store, hall)
        client = app.test_client()
        path = f"/api/v1/appointments/halls/{HALL}/availability?item={ITEM}"
        first = client.get(path)
        ours = measure(client, path)
        revalidated = measure(client, path, headers={"If-None-Match": first.headers["ETag"]}, status=304)
        bare = measure(bare_app(first.data).test_client(), "/availability")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    days = first.get_json()["days"]
    print(f"availability of a hall with {len(hall['windows'])} windows over {len(days)} days "
          f"({sum(len(d['slots']) for d in days)} slots, {counters} slot counters), in-process test client, "
          f"{REQUESTS} sequential requests each")  # fmt: skip
    rows = (("GET availability (200)", ours), ("GET availability (304)", revalidated), ("bare Flask, same JSON", bare))
    for name, r in rows:
        print(f"  {name:24s} {r['rps']:8.0f} req/s   p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms   body {r['bytes']:6d} B")
    print(f"  ratio ours/bare throughput: {ours['rps'] / bare['rps']:.2f}")


if __name__ == "__main__":
    main()
