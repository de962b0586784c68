"""The catalogue's rules and store calls: reading items and bundles, searching them, admin edits, loading the seed.

Collections: `catalog_items` and `catalog_bundles` (keyed by code), `departments`, `certificate_types`.
A bundle stores its merged form, materials and guide, computed from its items whenever the bundle or
one of its items changes, so that reading a bundle is one lookup. An item edit that would make a
bundle's form conflict (or leave a bundle holding a retired item, or one for someone else) is refused,
naming the bundle. Reading the catalogue files is `loading`'s; storing them is `load_catalog`'s.

The reads answer from the in-memory copy of the catalogue (cache.py), reloaded when the catalogue's
generation moves: every write here bumps it in its transaction, and code that writes the collections
directly calls `catalogue_changed`. What the reads return is read-only; the writes read the store.
"""

from __future__ import annotations

from pathlib import Path

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.clock import now_iso
from api.errors import Conflict, Invalid, NotFound

from . import cache
from .cache import BUNDLES, CERTIFICATE_TYPES, DEPARTMENTS, ITEMS, without_id
from .forms import FormConflict, bundle_guide, merge_form, merge_materials
from .rules import References, bundle_errors, held_item_errors, item_errors

DATA_DIR = Path(__file__).parent / "data"


# -- reading (from the in-memory copy, cache.py: documents are read-only) --------------------------------


def departments(store) -> dict[str, dict]:
    return dict(cache.catalogue(store).departments)


def _item_found(item: dict | None) -> dict:
    if item is None:
        raise NotFound("没有这个事项", code="item_not_found")
    return item


def _bundle_found(bundle: dict | None) -> dict:
    if bundle is None:
        raise NotFound("没有这件事", code="bundle_not_found")
    return bundle


def get_item(store, code: str) -> dict:
    return _item_found(cache.catalogue(store).items.get(code))


def get_bundle(store, code: str) -> dict:
    return _bundle_found(cache.catalogue(store).bundles.get(code))


def get_certificate_type(store, certificate_type: str) -> dict:
    found = cache.catalogue(store).certificate_types.get(certificate_type)
    if found is None:
        raise NotFound("没有这种证照", code="certificate_type_not_found")
    return found


def certificate_types(store) -> list[dict]:
    catalogue = cache.catalogue(store)
    names = catalogue.departments
    return [
        {**c, "issuer_name": (names.get(c["issuer"]) or {}).get("name", c["issuer"])}
        for c in catalogue.certificate_types.values()
    ]


def _query(department: str | None, tag: str | None, for_whom: str | None, department_key: str) -> dict:
    query: dict = {"status": "active"}
    if department:
        query[department_key] = department
    if tag:
        query["tags"] = tag
    if for_whom:
        query["for_whom"] = for_whom
    return query


def search_items(store, q: str | None = None, department: str | None = None, tag: str | None = None,
                 for_whom: str | None = None) -> list[dict]:  # fmt: skip
    """Active items matching every keyword (in code, name, summary or department) and the filters, by code.

    A city's catalogue is about 1,200 items: searched in memory, each distinct search once per generation.
    """
    return cache.catalogue(store).search(ITEMS, (q or "").split(), _query(department, tag, for_whom, "department"))


def search_bundles(store, q: str | None = None, department: str | None = None, tag: str | None = None,
                   for_whom: str | None = None) -> list[dict]:  # fmt: skip
    """Active bundles matching every keyword and the filters; `department` matches any department taking part."""
    query = _query(department, tag, for_whom, "guide.departments.code")
    return cache.catalogue(store).search(BUNDLES, (q or "").split(), query)


def catalogue_changed(store) -> None:
    """For code that writes the catalogue's collections directly (tests, scripts): every process then
    reloads its in-memory copy. The service's own writes do this in their transaction."""
    cache.bump(store)


# -- what the writes read: the store as it is now, not the in-memory copy --------------------------------


def _stored_departments(store) -> dict[str, dict]:
    return {d["_id"]: without_id(d) for d in store[DEPARTMENTS].find({})}


def _stored_item(store, code: str) -> dict:
    return _item_found(without_id(store[ITEMS].find_one({"_id": code})))


def _stored_bundle(store, code: str) -> dict:
    return _bundle_found(without_id(store[BUNDLES].find_one({"_id": code})))


# -- writing ---------------------------------------------------------------------------------------------

_META = ("_id", "version", "created_at", "updated_at")


def _content(document: dict) -> dict:
    """What a stored document says, without its bookkeeping: compared to tell whether an edit changes anything."""
    return {key: value for key, value in document.items() if key not in _META}


def _references(store) -> References:
    return References(
        departments=frozenset(_stored_departments(store)),
        certificate_fields={c["_id"]: frozenset(f["name"] for f in c["fields"]) for c in store[CERTIFICATE_TYPES].find({})},
    )


def _raise_if(errors: dict) -> None:
    if errors:
        raise Invalid("事项或一件事的内容有误，请按提示修改", code="catalog_invalid", errors=errors)


def _derived_bundle(bundle: dict, items_by_code: dict[str, dict], names: dict[str, dict]) -> dict:
    """The stored bundle: what the admin sent plus the merged form, materials, guide and department names."""
    items = [items_by_code[code] for code in bundle["items"]]
    lead = names.get(bundle["lead_department"]) or {}
    return {
        **{key: value for key, value in _content(bundle).items() if key != "fields"},
        "lead_department_name": lead.get("name", bundle["lead_department"]),
        "fields": merge_form(items),
        "materials": merge_materials(items),
        "guide": bundle_guide(items, names),
        "item_guides": [_summary(item) for item in items],
    }


_SUMMARY_KEYS = ("code", "name", "department", "department_name", "kind", "legal_days", "promised_days", "fee_fen",
                 "for_whom", "visits", "online_depth", "tags", "summary")  # fmt: skip


def _summary(item: dict) -> dict:
    return {key: item.get(key) for key in _SUMMARY_KEYS}


def _with_department_name(item: dict, names: dict[str, dict]) -> dict:
    department = names.get(item["department"]) or {}
    return {**item, "department_name": department.get("name", item["department"])}


def _bundles_with(store, item: dict, names: dict[str, dict]) -> list[tuple[dict, int]]:
    """The bundles holding `item`, recomputed with its new guide, each with the version it was read at.

    Refused (Invalid, naming the bundle) when the edited item no longer fits one of them: its fields
    conflict with another item's, or it is retired or for someone else than the bundle.
    """
    recomputed = []
    for stored in store[BUNDLES].find({"items": item["code"]}):
        if errors := held_item_errors(item, stored):
            raise Invalid(f"修改后本事项不再适合一件事“{stored['name']}”", code="catalog_invalid", errors=errors)
        items_by_code = {d["_id"]: without_id(d) for d in store[ITEMS].find({"_id": {"$in": stored["items"]}})}
        items_by_code[item["code"]] = item
        try:
            recomputed.append((_derived_bundle(stored, items_by_code, names), stored["version"]))
        except FormConflict as conflict:
            raise Invalid(
                f"修改后与一件事“{stored['name']}”中其他事项的字段冲突",
                code="form_conflict",
                errors={"fields": conflict.errors["items"]},
            ) from conflict
    return recomputed


def _save_bundles(store, bundles: list[tuple[dict, int]], now: str, session=None) -> None:
    """Store recomputed bundles, each only if it changed and is still at the version it was read at."""
    for bundle, version in bundles:
        current = store[BUNDLES].find_one({"_id": bundle["code"]}, session=session)
        if current is not None and current["version"] == version and _content(current) == bundle:
            continue
        saved = store[BUNDLES].update_one(
            {"_id": bundle["code"], "version": version},
            {"$set": {**bundle, "updated_at": now}, "$inc": {"version": 1}},
            session=session,
        )
        if saved.matched_count == 0:
            raise Conflict(f"一件事“{bundle['name']}”刚被他人修改，请重试", code="version_conflict")


def create_item(store, data: dict) -> dict:
    _raise_if(item_errors(data, _references(store)))
    now = now_iso()
    item = _with_department_name(data, _stored_departments(store))
    try:
        with cache.changing(store) as session:
            store[ITEMS].insert_one({"_id": item["code"], **item, "version": 1, "created_at": now, "updated_at": now},
                                    session=session)  # fmt: skip
    except DuplicateKeyError as duplicate:
        raise Conflict("该事项编码已存在", code="item_exists") from duplicate
    return _stored_item(store, item["code"])


def update_item(store, code: str, data: dict) -> dict:
    """Replace an item's guide if `version` is the one stored; the bundles holding it are recomputed.

    Nothing is stored when the guide is invalid or when a bundle holding the item would no longer work.
    """
    current = _stored_item(store, code)
    expected = data.pop("version")
    names = _stored_departments(store)
    item = _with_department_name({**data, "code": code}, names)
    _raise_if(item_errors(item, _references(store)))
    bundles = _bundles_with(store, item, names)
    now = now_iso()
    with cache.changing(store) as session:
        updated = store[ITEMS].find_one_and_update(
            {"_id": code, "version": expected},
            {"$set": {**item, "updated_at": now}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if updated is None:
            raise Conflict(f"事项已被他人修改（当前版本 {current['version']}），请刷新后重试", code="version_conflict")
        _save_bundles(store, bundles, now, session)
    return without_id(updated)


def _bundle_items(store, bundle: dict) -> dict[str, dict]:
    return {d["_id"]: without_id(d) for d in store[ITEMS].find({"_id": {"$in": bundle["items"]}})}


def create_bundle(store, data: dict) -> dict:
    items_by_code = _bundle_items(store, data)
    _raise_if(bundle_errors(data, items_by_code, _references(store)))
    now = now_iso()
    bundle = _derived_bundle(data, items_by_code, _stored_departments(store))
    try:
        with cache.changing(store) as session:
            store[BUNDLES].insert_one(
                {"_id": bundle["code"], **bundle, "version": 1, "created_at": now, "updated_at": now}, session=session
            )
    except DuplicateKeyError as duplicate:
        raise Conflict("该一件事编码已存在", code="bundle_exists") from duplicate
    return _stored_bundle(store, bundle["code"])


def update_bundle(store, code: str, data: dict) -> dict:
    current = _stored_bundle(store, code)
    expected = data.pop("version")
    data = {**data, "code": code}
    items_by_code = _bundle_items(store, data)
    _raise_if(bundle_errors(data, items_by_code, _references(store)))
    bundle = _derived_bundle(data, items_by_code, _stored_departments(store))
    with cache.changing(store) as session:
        updated = store[BUNDLES].find_one_and_update(
            {"_id": code, "version": expected},
            {"$set": {**bundle, "updated_at": now_iso()}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if updated is None:
            raise Conflict(f"一件事已被他人修改（当前版本 {current['version']}），请刷新后重试", code="version_conflict")
    return without_id(updated)


# -- the seed catalogue ----------------------------------------------------------------------------------


def load_catalog(store, directory: Path = DATA_DIR) -> dict[str, int]:
    """Load (or reload) the catalogue files: departments, certificate types, items, then bundles.

    Every document is checked exactly as an admin edit is, and all of them before anything is written:
    a broken file raises Invalid naming the file and the document, and nothing is stored. Reloading adds
    and replaces (it never deletes); a document whose content did not change keeps its version. Stored
    bundles that are not in the files but hold a reloaded item are recomputed as well.
    """
    from . import loading

    found = loading.read_directory(directory)
    names = {**_stored_departments(store), **found.departments}
    stored_types = {c["_id"]: frozenset(f["name"] for f in c["fields"]) for c in store[CERTIFICATE_TYPES].find({})}
    refs = References(
        departments=frozenset(names),
        certificate_fields={**stored_types, **{t: frozenset(f["name"] for f in c["fields"]) for t, c in found.types.items()}},
    )
    for code, item in found.items.items():
        loading.raise_for("items.json", code, item_errors(item, refs))
    items = {code: _with_department_name(item, names) for code, item in found.items.items()}
    all_items = {**{d["_id"]: without_id(d) for d in store[ITEMS].find({})}, **items}
    bundles = {}
    for code, bundle in found.bundles.items():
        loading.raise_for("bundles.json", code, bundle_errors(bundle, all_items, refs))
        bundles[code] = _derived_bundle(bundle, all_items, names)
    for stored in store[BUNDLES].find({}):
        if stored["_id"] not in bundles and set(stored["items"]) & set(items):
            kept = {key: value for key, value in _content(stored).items() if key != "fields"}
            loading.raise_for("已存储的一件事（含重新载入的事项）", stored["_id"], bundle_errors(kept, all_items, refs))
            bundles[stored["_id"]] = _derived_bundle(kept, all_items, names)
    now = now_iso()
    with cache.changing(store) as session:
        for collection, documents in ((DEPARTMENTS, found.departments), (CERTIFICATE_TYPES, found.types)):
            for key, document in documents.items():
                store[collection].update_one({"_id": key}, {"$set": document}, upsert=True, session=session)
        for collection, documents in ((ITEMS, items), (BUNDLES, bundles)):
            for document in documents.values():
                _save_versioned(store, collection, document, now, session)
    return {
        DEPARTMENTS: len(found.departments),
        CERTIFICATE_TYPES: len(found.types),
        ITEMS: len(found.items),
        BUNDLES: len(found.bundles),
    }


def _save_versioned(store, collection: str, document: dict, now: str, session=None) -> None:
    """Insert or replace `document` under its code; its version moves only when its content changes."""
    current = store[collection].find_one({"_id": document["code"]}, session=session)
    if current is not None and _content(current) == document:
        return
    update = {"$set": {**document, "updated_at": now}, "$inc": {"version": 1}, "$setOnInsert": {"created_at": now}}
    if gone := [key for key in _content(current or {}) if key not in document]:
        update["$unset"] = dict.fromkeys(gone, "")
    store[collection].update_one({"_id": document["code"]}, update, upsert=True, session=session)
