"""Prefill (starting a draft) and submission at city scale, through the HTTP API in-process.

Seeds a synthetic registry (the registry benchmark's child process), the catalogue, the demo people
and their companies' business licences, and M existing applications (with their sub-applications)
into one SQLite file; then, as 李娜 acting for her company, times `POST /api/v1/applications`
{bundle: open-restaurant} (prefill from registry, e-certificates, own data and the previous
application) and `POST /api/v1/applications/{id}/submit` (checks, sub-applications, fee order and
outbox, one transaction) on drafts filled beforehand. Prints p50/p99 of each at each size.

    python -m bench applications_bench                             # 4.12 M people, 1 M applications
    BENCH_APPLICATIONS_FULL=0 python -m bench applications_bench   # 100 k people, 100 k applications
"""

from __future__ import annotations

import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import create_app  # noqa: E402
from api.catalog.service import load_catalog  # noqa: E402
from api.store import new_id  # noqa: E402
from api.vault.demo import seed_demo_certificates  # noqa: E402
from auth.demo import seed_demo_accounts  # noqa: E402
from auth.seed_registry import DEMO_ORGS, FULL_PEOPLE, seed_demo_people  # noqa: E402
from bench.registry_bench import percentile, seed  # noqa: E402
from tests.applications.conftest import tiny_png  # noqa: E402

ROUNDS = 200
WARM_UP = 20
BATCH = 10_000
PNG = tiny_png()  # a real picture: an upload's image header is opened
FACTS = {
    "shop.name": "湘味小馆", "shop.address": "湖南省株洲市天元区长江北路88号101", "shop.area_sqm": 120.5,
    "shop.main_category": "餐饮服务经营者", "shop.business_items": "热食类食品制售", "shop.seats": 48,
    "shop.food_safety_officer": "王强", "shop.floor": 1, "signboard.text": "湘味小馆", "signboard.width_m": 6,
    "signboard.height_m": 1.2, "signboard.placement": "平行于建筑外墙", "signboard.lighting": True,
    "fire.safety_manager": "李娜", "fire.acceptance": "已完成消防验收备案",
    "applicant.contact_address": "湖南省株洲市天元区嵩山路街道示例路12号3栋402",
}  # fmt: skip


def existing_applications(store, count: int) -> None:
    """`count` completed applications of other people, each with two sub-applications, in batches."""
    rng = random.Random(7)
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        applications, subs = [], []
        for index in range(made, made + size):
            application_id = f"app_bench{index:08d}"
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T08:00:00.000Z"
            applications.append({
                "_id": application_id, "number": f"YC2025{index:012d}", "kind": "bundle", "target": "newborn",
                "name": "新生儿出生一件事", "items": ["430200-WJW-001", "430200-GAJ-001"],
                "applicant_id": f"acc_b{index % 400_000:07d}",
                "acting_for": None, "channel": "online", "hall": "zz-smzx", "state": "completed", "form": {}, "sources": {},
                "materials": {}, "created_at": day, "submitted_at": day, "updated_at": day, "version": 5,
            })  # fmt: skip
            for item, department in (("430200-WJW-001", "wjw"), ("430200-GAJ-001", "gaj")):
                subs.append({"_id": new_id("sub_"), "application_id": application_id, "item": item, "department": department,
                             "state": "issued", "deadline_on": day[:10], "created_at": day, "version": 3})  # fmt: skip
        store["applications"].insert_many(applications)
        store["sub_applications"].insert_many(subs)
        made += size


def login(client, store, phone: str) -> dict:
    from tests.auth.conftest import latest_code

    client.post("/api/v1/auth/sms-codes", json={"phone": phone}, environ_base={"REMOTE_ADDR": "127.0.0.9"})
    token = client.post("/api/v1/auth/login", json={"phone": phone, "code": latest_code(store, phone)}).get_json()
    return {"Authorization": "Bearer " + token["access_token"], "X-Acting-For": DEMO_ORGS[0]["credit_code"]}


def ready_draft(client, headers) -> dict:
    view = client.post("/api/v1/applications", json={"bundle": "open-restaurant"}, headers=headers).get_json()
    facts = {name: value for name, value in FACTS.items() if name in view["missing_fields"]}
    view = client.patch(
        f"/api/v1/applications/{view['id']}", json={"values": facts, "version": view["version"]}, headers=headers
    ).get_json()
    for material in view["materials"]:
        if material["status"] != "missing":
            continue
        path = f"/api/v1/applications/{view['id']}/materials/{material['code']}"
        if material["source"] == "form":
            view = client.post(path + "/declaration", json={"version": view["version"]}, headers=headers).get_json()
        else:
            data = {"version": str(view["version"]), "file": (io.BytesIO(PNG), "plan.png")}
            view = client.post(path + "/upload", data=data, headers=headers, content_type="multipart/form-data").get_json()
    assert not view["missing_fields"], view["missing_fields"]
    return view


def timed(call) -> float:
    started = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - started) / 1e6


def run(people: int, applications: int) -> dict:
    directory = tempfile.mkdtemp(prefix="applications-bench-")
    try:
        seeded = seed(directory, people)
        app = create_app(
            {"DATA_DIR": directory, "SQLITE_PATH": os.path.join(directory, "registry.sqlite3"), "LOG_LEVEL": "WARNING"}
        )
        store = app.extensions["store"]
        started = time.perf_counter()
        existing_applications(store, applications)
        filled = time.perf_counter() - started
        from auth.crypto import field_cipher

        seed_demo_people(store, field_cipher(app))
        seed_demo_accounts(store, app)
        load_catalog(store)
        seed_demo_certificates(store, app)
        client = app.test_client()
        headers = login(client, store, "13800000003")
        for _ in range(WARM_UP):
            client.post("/api/v1/applications", json={"bundle": "open-restaurant"}, headers=headers)
        starts = sorted(timed(lambda: client.post("/api/v1/applications", json={"bundle": "open-restaurant"}, headers=headers))
                        for _ in range(ROUNDS))  # fmt: skip
        drafts = [ready_draft(client, headers) for _ in range(ROUNDS // 4)]
        submits = []
        for view in drafts:
            url = f"/api/v1/applications/{view['id']}/submit"
            submits.append(
                timed(lambda url=url, version=view["version"]: _ok(client.post(url, json={"version": version}, headers=headers)))
            )
        submits.sort()
        rss = seeded["writer_rss_mb"] + seeded["generator_rss_mb"]
        return {"seed_s": seeded["seconds"], "seed_rss_mb": rss, "fill_s": filled, "start": starts, "submit": submits}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _ok(response):
    assert response.status_code == 200, response.get_json()


def main() -> None:
    full = os.environ.get("BENCH_APPLICATIONS_FULL", "1") != "0"
    sizes = [(10_000, 10_000), (FULL_PEOPLE, 1_000_000)] if full else [(10_000, 10_000), (100_000, 100_000)]
    sizes = [(int(n), int(n)) for n in os.environ["BENCH_SIZES"].split(",")] if os.environ.get("BENCH_SIZES") else sizes
    print(
        f"draft start (prefill) and submit of 开办餐饮店 through the API in-process: "
        f"{ROUNDS} starts, {ROUNDS // 4} submits per size"
    )
    results = {}
    for people, applications in sizes:
        result = run(people, applications)
        results[people] = result
        print(
            f"  {people:>9,} people (seeded in {result['seed_s']:.0f} s, peak {result['seed_rss_mb']:.0f} MB), "
            f"{applications:>9,} applications (in {result['fill_s']:.0f} s): "
            f"start p50 {percentile(result['start'], 0.5):6.1f} ms p99 {percentile(result['start'], 0.99):6.1f} ms; "
            f"submit p50 {percentile(result['submit'], 0.5):6.1f} ms p99 {percentile(result['submit'], 0.99):6.1f} ms",
            flush=True,
        )
    small, large = results[sizes[0][0]], results[sizes[-1][0]]
    for name in ("start", "submit"):
        ratio = percentile(large[name], 0.5) / percentile(small[name], 0.5)
        print(f"  {name}: p50 at the largest size ×{ratio:.2f} of the smallest")


if __name__ == "__main__":
    main()
