"""Filling the local registry: the synthetic population at any scale, and the fixed demo people.

- `seed_registry(store, cipher, people=N, orgs=M, seed=S)` streams N people and M organisations
  of auth.registry.synthetic into `registry_people` / `registry_orgs` in batches. A marker
  document (`registry_meta`, _id "synthetic") records the parameters: the same call again does
  nothing, an interrupted run resumes (generated documents have deterministic _ids `syn-…`,
  existing ones are skipped), and other parameters replace the synthetic population
  (`replace=True`) or are refused. Demo people and real records are never touched.
- `DEMO_PEOPLE`, `DEMO_ORGS`: the people of the README's demo, with sequences 901–999 and
  organisation codes "MD…" that the generator never produces.
- `seed_demo_registry(store, app)`: the demo people and a small synthetic population (seed-demo).
- `register_cli(app)`: `flask seed-registry --people N --orgs M [--seed S]`.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from queue import Empty
from typing import Any

from .crypto import FieldCipher
from .registry.local import ORGS, PEOPLE, ensure_registry_indexes, now_iso, org_document, person_document
from .registry.port import HouseholdMember, Org, Person
from .registry.synthetic import DEFAULT_SEED, SyntheticRegistry, credit_code
from .validators import id_check_char

META = "registry_meta"
MARKER = "synthetic"
FULL_PEOPLE = 4_120_000
FULL_ORGS = 450_000  # 100 k companies : 350 k sole traders
DEMO_SEED = 7
DEMO_RANDOM_PEOPLE = 2_000
PARALLEL_FROM = 100_000  # people; below that a second process costs more than it saves


# -- writing ---------------------------------------------------------------------------------


class RegistryAlreadySeeded(Exception):
    """The store holds a synthetic population made with other parameters (pass replace=True)."""


def _synthetic_ids() -> dict:
    return {"_id": {"$gte": "syn-", "$lt": "syn."}}


def remove_synthetic(store: Any) -> int:
    """Delete every generated document (demo people and real records stay)."""
    removed = store[PEOPLE].delete_many(_synthetic_ids()).deleted_count
    removed += store[ORGS].delete_many(_synthetic_ids()).deleted_count
    store[META].delete_one({"_id": MARKER})
    return removed


def document_batches(cipher: FieldCipher, people: int, orgs: int, seed: int, batch: int) -> Iterator[tuple[list, list, int]]:
    """(person documents, org documents, people so far), about `batch` people at a time, ready to insert."""
    generator = SyntheticRegistry(people, orgs, seed)
    now, person_index, org_index = now_iso(), 0, 0
    person_docs: list[dict] = []
    org_docs: list[dict] = []
    for number, household, represented in generator.households():
        sealed: dict[str, str] = {}
        household_id = f"syn-h{number:08d}"
        for person in household:
            _id = f"syn-p{person_index:08d}"
            person_docs.append(
                person_document(cipher, person, _id=_id, household_id=household_id, source="synthetic", sealed=sealed, now=now)
            )
            person_index += 1
        for org in represented:
            org_docs.append(org_document(cipher, org, _id=f"syn-o{org_index:08d}", source="synthetic", now=now))
            org_index += 1
        if len(person_docs) >= batch:
            yield person_docs, org_docs, person_index
            person_docs, org_docs = [], []
    if person_docs or org_docs:
        yield person_docs, org_docs, person_index


def _produce(queue: Any, cipher: FieldCipher, people: int, orgs: int, seed: int, batch: int) -> None:
    try:
        for item in document_batches(cipher, people, orgs, seed, batch):
            queue.put(item)
        queue.put(None)
    except BaseException as exc:  # the parent re-raises it
        queue.put(RuntimeError(f"the registry generator failed: {exc!r}"))


def _batches_from_a_second_process(cipher: FieldCipher, people: int, orgs: int, seed: int, batch: int) -> Iterator[tuple]:
    """document_batches() computed in a forked process while this one writes: both cores busy."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=4)  # bounds the memory held in flight
    producer = context.Process(target=_produce, args=(queue, cipher, people, orgs, seed, batch), daemon=True)
    producer.start()
    try:
        while True:
            try:
                item = queue.get(timeout=5)
            except Empty:
                if not producer.is_alive():
                    raise RuntimeError(f"the registry generator exited with code {producer.exitcode}") from None
                continue
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        if producer.is_alive():
            producer.terminate()
        producer.join()


def _insert(collection: Any, documents: list[dict], resuming: bool) -> int:
    if resuming:  # an interrupted run: some of these may be there already
        ids = [d["_id"] for d in documents]
        present = {d["_id"] for d in collection.find({"_id": {"$in": ids}}, {"_id": 1})}
        documents = [d for d in documents if d["_id"] not in present]
    if documents:
        collection.insert_many(documents)
    return len(documents)


@contextmanager
def _bulk_load(store: Any) -> Iterator[None]:
    """On SQLite: a page cache that holds the blind-index B-trees, and fewer WAL checkpoints, while
    millions of rows go in (this connection only, restored afterwards)."""
    if getattr(store, "engine", None) != "sqlite":
        yield
        return
    conn = store.connection()
    saved = {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "wal_autocheckpoint")}
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB
    conn.execute("PRAGMA wal_autocheckpoint=50000")  # pages: a checkpoint every ~200 MB of WAL
    try:
        yield
    finally:
        for name, value in saved.items():
            conn.execute(f"PRAGMA {name}={int(value)}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _check_parameters(store: Any, wanted: dict[str, int], replace: bool) -> str:
    """One of done, resume or fresh; removes another synthetic population first when allowed."""
    marker = store[META].find_one({"_id": MARKER})
    if marker is None:
        remove_synthetic(store)  # documents left by a run whose marker is gone
        return "fresh"
    if all(marker.get(k) == v for k, v in wanted.items()):
        return "done" if marker.get("complete") else "resume"
    if not replace:
        raise RegistryAlreadySeeded(
            f"the registry holds a synthetic population of {marker.get('people')} people and {marker.get('orgs')} "
            f"organisations (seed {marker.get('seed')}); replace it to seed another"
        )
    remove_synthetic(store)
    return "fresh"


def seed_registry(
    store: Any,
    cipher: FieldCipher,
    people: int = FULL_PEOPLE,
    orgs: int = FULL_ORGS,
    seed: int = DEFAULT_SEED,
    *,
    batch: int = 10_000,
    replace: bool = False,
    parallel: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the synthetic registry; returns {seed, people, orgs, inserted, skipped, seconds}.

    `parallel` (default: from 100 k people on) generates and encrypts in a second process.
    """
    if people < 1 and orgs > 0:
        raise ValueError("organisations need people to represent them")
    started = time.perf_counter()
    ensure_registry_indexes(store)
    wanted = {"seed": seed, "people": people, "orgs": orgs}
    state = _check_parameters(store, wanted, replace)
    if state == "done":
        return {**wanted, "inserted": 0, "skipped": True, "seconds": 0.0}
    store[META].update_one({"_id": MARKER}, {"$set": {**wanted, "complete": False, "started_at": now_iso()}}, upsert=True)

    parallel = people >= PARALLEL_FROM if parallel is None else parallel
    source = _batches_from_a_second_process if parallel else document_batches
    inserted, resuming = 0, state == "resume"
    with _bulk_load(store):
        for person_docs, org_docs, done in source(cipher, people, orgs, seed, batch):
            inserted += _insert(store[PEOPLE], person_docs, resuming) + _insert(store[ORGS], org_docs, resuming)
            if progress:
                progress(done, people)
    store[META].update_one({"_id": MARKER}, {"$set": {"complete": True, "finished_at": now_iso()}})
    return {**wanted, "inserted": inserted, "skipped": False, "seconds": round(time.perf_counter() - started, 1)}


# -- the demo people (README, "Demo accounts") ------------------------------------------------


def _demo_id(region: str, birth: str, sequence: int) -> str:
    """An ID number with a sequence of 901–999, which the generator never uses."""
    first17 = region + birth.replace("-", "") + f"{sequence:03d}"
    return first17 + id_check_char(first17)


def _demo_credit_code(org_type: str, region: str, serial: int) -> str:
    return credit_code(org_type, region, f"MD{serial:06d}")


_ZHANG_HOME = "湖南省株洲市天元区示例路88号3栋502室"
_LI_HOME = "湖南省株洲市芦淞区样例街16号1栋301室"
_CHEN_HOME = "湖南省株洲市荷塘区演示大道200号"
_WANG_HOME = "湖南省株洲市石峰区测试巷5号2栋101室"


def _demo(key, name, region, birth_date, sequence, sex, phone, household, relation, address) -> dict[str, str]:
    return {
        "key": key,
        "name": name,
        "id_number": _demo_id(region, birth_date, sequence),
        "sex": sex,
        "birth_date": birth_date,
        "phone": phone,
        "household": household,
        "relation": relation,
        "household_address": address,
    }


DEMO_PEOPLE: list[dict[str, str]] = [
    # 张晓明, his wife and their newborn son: the 新生儿出生 (a baby is born) bundle.
    _demo("zhang_xiaoming", "张晓明", "430211", "1990-05-12", 901, "M", "13800000001", "zhang", "户主", _ZHANG_HOME),
    _demo("liu_fang", "刘芳", "430211", "1992-08-20", 902, "F", "13800000002", "zhang", "配偶", _ZHANG_HOME),
    _demo("zhang_xiaobao", "张小宝", "430211", "2026-10-08", 903, "M", "", "zhang", "子女", _ZHANG_HOME),
    # 李娜: legal representative of a company that is about to open a restaurant (开餐馆).
    _demo("li_na", "李娜", "430203", "1988-03-15", 902, "F", "13800000003", "li", "户主", _LI_HOME),
    # 陈志强: a sole trader (个体工商户), a snack shop.
    _demo("chen_zhiqiang", "陈志强", "430202", "1979-11-02", 901, "M", "13800000004", "chen", "户主", _CHEN_HOME),
    # 王建国: born 1966, retiring (退休), and his wife.
    _demo("wang_jianguo", "王建国", "430204", "1966-07-01", 901, "M", "13800000005", "wang", "户主", _WANG_HOME),
    _demo("zhao_xiulan", "赵秀兰", "430204", "1967-03-15", 902, "F", "13800000006", "wang", "配偶", _WANG_HOME),
]

DEMO_ORGS: list[dict[str, str]] = [
    {"key": "restaurant_company", "name": "株洲示例餐饮管理有限公司", "credit_code": _demo_credit_code("company", "430203", 1),
     "type": "company", "legal_rep_id_number": DEMO_PEOPLE[3]["id_number"], "legal_rep_name": "李娜",
     "registered_address": "湖南省株洲市芦淞区样例街18号", "business_scope": "餐饮管理；餐饮服务；食品销售", "status": "active"},
    {"key": "chen_snack_shop", "name": "荷塘区陈记示例小吃店", "credit_code": _demo_credit_code("sole_trader", "430202", 2),
     "type": "sole_trader", "legal_rep_id_number": DEMO_PEOPLE[4]["id_number"], "legal_rep_name": "陈志强",
     "registered_address": "湖南省株洲市荷塘区演示大道202号", "business_scope": "餐饮服务（小吃）", "status": "active"},
]  # fmt: skip


def demo_persons() -> list[Person]:
    """DEMO_PEOPLE as registry Persons, each household's members linked both ways."""
    households: dict[str, list[dict[str, str]]] = {}
    for entry in DEMO_PEOPLE:
        households.setdefault(entry["household"], []).append(entry)
    persons = []
    for members in households.values():
        for entry in members:
            others = tuple(HouseholdMember(m["id_number"], m["name"], m["relation"]) for m in members if m is not entry)
            persons.append(
                Person(
                    entry["name"], entry["id_number"], entry["sex"], entry["birth_date"], "汉族",
                    entry["household_address"], entry["relation"], others,
                )
            )  # fmt: skip
    return persons


def seed_demo_people(store: Any, cipher: FieldCipher) -> int:
    """Insert DEMO_PEOPLE and DEMO_ORGS where missing; returns how many were inserted."""
    ensure_registry_indexes(store)
    inserted = 0
    entries = {entry["id_number"]: entry for entry in DEMO_PEOPLE}
    for person in demo_persons():
        entry = entries[person.id_number]
        _id = f"demo-p-{entry['key']}"
        if store[PEOPLE].find_one({"_id": _id}) is None:
            household_id = f"demo-h-{entry['household']}"
            store[PEOPLE].insert_one(person_document(cipher, person, _id=_id, household_id=household_id, source="demo"))
            inserted += 1
    for entry in DEMO_ORGS:
        _id = f"demo-o-{entry['key']}"
        if store[ORGS].find_one({"_id": _id}) is None:
            org = Org.from_dict(entry)
            store[ORGS].insert_one(org_document(cipher, org, _id=_id, source="demo"))
            inserted += 1
    return inserted


def seed_demo_registry(store: Any, app: Any) -> str:
    """For api.cli.DEMO_SEEDERS: the demo people and a small synthetic registry, unless one is there."""
    from .crypto import field_cipher

    cipher = field_cipher(app)
    demo = seed_demo_people(store, cipher)
    orgs = DEMO_RANDOM_PEOPLE * FULL_ORGS // FULL_PEOPLE
    try:
        result = seed_registry(store, cipher, DEMO_RANDOM_PEOPLE, orgs, DEMO_SEED)
    except RegistryAlreadySeeded:  # `flask seed-registry` made a bigger one: keep it
        return f"{demo} demo records added; the existing synthetic registry kept"
    return f"{demo} demo records added; synthetic: {result['inserted']} added ({result['people']} people, {result['orgs']} orgs)"


def register_cli(app: Any) -> None:
    """`flask seed-registry`: called by the app factory."""
    import click
    from flask import current_app

    @app.cli.command("seed-registry")
    @click.option("--people", default=FULL_PEOPLE, show_default=True, type=click.IntRange(1), help="residents (人口库)")
    @click.option("--orgs", default=FULL_ORGS, show_default=True, type=click.IntRange(0), help="companies, sole traders (法人库)")
    @click.option("--seed", default=DEFAULT_SEED, show_default=True, type=int, help="the same seed gives the same registry")
    @click.option("--batch", default=10_000, show_default=True, type=click.IntRange(100, 100_000), help="documents per insert")
    def seed_registry_command(people: int, orgs: int, seed: int, batch: int) -> None:
        """Fill the local registry with a synthetic population (replaces an earlier synthetic one; idempotent)."""
        from .crypto import field_cipher

        shown = [0]

        def progress(done: int, total: int) -> None:
            if done * 20 // total > shown[0]:
                shown[0] = done * 20 // total
                click.echo(f"  {done:,} / {total:,} people")

        store = current_app.extensions["store"]
        result = seed_registry(store, field_cipher(current_app), people, orgs, seed, batch=batch, replace=True, progress=progress)
        if result["skipped"]:
            click.echo(f"registry already seeded: {people:,} people, {orgs:,} organisations, seed {seed}")
        else:
            click.echo(f"registry seeded: {people:,} people, {orgs:,} organisations, seed {seed}, in {result['seconds']} s")
