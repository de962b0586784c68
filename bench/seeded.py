"""Seeded databases for the benchmarks, cached under var/bench/ (git-ignored, never committed).

`seeded(people)` returns a DATA_DIR (keys included) whose `onetrip.sqlite3` holds, in stages:

1. the synthetic registry: `people` residents and organisations in the city's proportion
   (4.12 M : 450 k), deterministic (auth/seed_registry.py);
2. the catalogue, the demo people, accounts and certificates (as `make demo` has them);
3. RESIDENTS real-named citizen accounts of random adult residents (phones 166xxxxxxxx), the
   accounts the load benchmark logs in as;
4. min(people, 1 M) completed applications with two sub-applications each, 2.5 per applicant
   whatever the scale: the residents of stage 3 own the first ones, synthetic ids the rest.

Each stage records itself in the `bench_meta` collection: an interrupted seeding resumes and a
second run costs nothing. VERSION is part of the directory name; raise it when a stage changes.

The cached database is never written by a measurement: `working_copy(people)` copies it (the online
backup of `flask backup create`, keys included) to `var/bench/run-p<people>-<pid>/` for one run and
removes the copy afterwards, so every run starts from the same seeded state. (Before this, each run's
drafts, submissions and sessions stayed in the cache and "my applications" grew from run to run.)

    python -m bench.seeded 10000 100000 1000000 4120000    # seed (or check) these scales
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.store import SQLiteStore  # noqa: E402
from api.store.backup import create_backup  # noqa: E402
from auth.seed_registry import FULL_ORGS, FULL_PEOPLE  # noqa: E402

CACHE = ROOT / "var" / "bench"
VERSION = 1
RESIDENTS = 2_000
FULL_APPLICATIONS = 1_000_000
PER_APPLICANT = 2.5
META = "bench_meta"
BATCH = 10_000


def applications_for(people: int) -> int:
    return min(people, FULL_APPLICATIONS)


def directory_for(people: int) -> Path:
    return CACHE / f"p{people}-v{VERSION}"


def app_config(directory: Path) -> dict:
    return {"DATA_DIR": str(directory), "LOG_LEVEL": "WARNING"}


def environment(directory: Path) -> dict:
    """The environment a server process needs to open this seeded database."""
    return {"ONETRIP_DATA_DIR": str(directory), "ONETRIP_LOG_LEVEL": "WARNING"}


def _stage(store, name: str, work, log) -> None:
    if store[META].find_one({"_id": name, "done": True}):
        return
    started = time.perf_counter()
    details = work() or {}
    store[META].update_one({"_id": name}, {"$set": {"done": True, **details}}, upsert=True)
    log(f"  stage {name}: {time.perf_counter() - started:.0f} s")


def resident_ids(store) -> list[str]:
    return store[META].find_one({"_id": "residents"})["account_ids"]


def seeded(people: int, log=print) -> Path:
    """The seeded DATA_DIR for `people` residents, seeding whatever stage is missing."""
    from api import create_app
    from api.catalog.service import load_catalog
    from api.vault.demo import seed_demo_certificates
    from auth.crypto import field_cipher
    from auth.demo import seed_demo_accounts
    from auth.seed_registry import seed_demo_people, seed_registry

    directory = directory_for(people)
    directory.mkdir(parents=True, exist_ok=True)
    app = create_app(app_config(directory))
    store = app.extensions["store"]
    with app.app_context():
        cipher = field_cipher(app)

        def registry():
            return seed_registry(store, cipher, people, people * FULL_ORGS // FULL_PEOPLE)

        def demo():
            seed_demo_people(store, cipher)
            seed_demo_accounts(store, app)
            load_catalog(store)
            seed_demo_certificates(store, app)

        _stage(store, "registry", registry, log)
        _stage(store, "demo", demo, log)
        _stage(store, "residents", lambda: {"account_ids": _residents(app, store, cipher, people)}, log)
        _stage(store, "applications", lambda: _applications(store, applications_for(people)), log)
    store.close()
    return directory


def _residents(app, store, cipher, people: int) -> list[str]:
    from auth.accounts import login_or_register, real_name_upgrade
    from auth.registry import registry_for
    from auth.registry.local import ID_NUMBER, PEOPLE

    registry = registry_for(app)
    rng = random.Random(11)
    ids: list[str] = []
    for index in rng.sample(range(people), min(people, RESIDENTS * 3)):
        if len(ids) == RESIDENTS:
            break
        person = store[PEOPLE].find_one({"_id": f"syn-p{index:08d}"})
        if person is None or person["birth_date"] > "2004-01-01":
            continue
        account, _ = login_or_register(store, cipher, f"166{len(ids):08d}")
        if account["acr"] < 2:  # (a resumed stage finds the first ones done)
            real_name_upgrade(
                store, cipher, registry, account["_id"], person["name"], cipher.decrypt(person["id_number"], ID_NUMBER)
            )
        ids.append(account["_id"])
    return ids


def _applications(store, count: int) -> dict:
    """`count` completed newborn applications, each with two sub-applications, in batches."""
    from api.store import new_id

    residents = resident_ids(store)
    applicants = max(1, int(count / PER_APPLICANT))
    rng = random.Random(7)
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        applications, subs = [], []
        for index in range(made, made + size):
            application_id = f"app_bench{index:08d}"
            owner = index % applicants
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T08:00:00.000Z"
            applications.append({
                "_id": application_id, "number": f"YC2025{index:012d}", "kind": "bundle", "target": "newborn",
                "name": "新生儿出生一件事", "items": ["430200-WJW-001", "430200-GAJ-001"],
                "applicant_id": residents[owner] if owner < len(residents) else f"acc_b{owner:07d}",
                "acting_for": None, "channel": "online", "hall": "zz-smzx", "state": "completed", "form": {}, "sources": {},
                "materials": {}, "created_at": day, "submitted_at": day, "updated_at": day, "version": 5,
            })  # fmt: skip
            for item, department in (("430200-WJW-001", "wjw"), ("430200-GAJ-001", "gaj")):
                subs.append({"_id": new_id("sub_"), "application_id": application_id, "item": item, "department": department,
                             "state": "issued", "deadline_on": day[:10], "created_at": day, "version": 3})  # fmt: skip
        store["applications"].insert_many(applications)
        store["sub_applications"].insert_many(subs)
        made += size
    return {"applications": count}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def working_copy(people: int, log=print) -> Iterator[Path]:
    """A DATA_DIR for one run: a copy of the seeded cache (seeding what is missing), removed afterwards."""
    pristine = seeded(people, log=log)
    for stale in CACHE.glob(f"run-p{people}-*"):  # runs killed before their cleanup
        if not _alive(int(stale.name.rsplit("-", 1)[1])):
            shutil.rmtree(stale, ignore_errors=True)
    copy = CACHE / f"run-p{people}-{os.getpid()}"
    started = time.perf_counter()
    shutil.copytree(pristine / "keys", copy / "keys")
    source = SQLiteStore(str(pristine / "onetrip.sqlite3"))
    try:
        create_backup(source, str(copy / "onetrip.sqlite3"))  # `flask backup create`'s online backup
    finally:
        source.close()
    log(f"working copy of {pristine.name}: {copy} ({time.perf_counter() - started:.0f} s)")
    try:
        yield copy
    finally:
        shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    for n in sys.argv[1:] or [str(FULL_PEOPLE)]:
        started = time.perf_counter()
        print(f"{int(n):,} people: {seeded(int(n))} ({time.perf_counter() - started:.0f} s)", flush=True)
