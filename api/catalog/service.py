"""The catalogue's rules and store calls: reading items and bundles, searching them, admin edits, loading the seed.

Collections: `catalog_items` and `catalog_bundles` (keyed by code), `departments`, `certificate_types`.
A bundle stores its merged form, materials and guide, computed from its items whenever the bundle or
one of its items changes, so that reading a bundle is one lookup. An item edit that would make a
bundle's form conflict is refused, naming the bundle.
"""

from __future__ import annotations

import json
from pathlib import Path

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.clock import now_iso
from api.errors import Conflict, Invalid, NotFound
from api.store import declare

from .forms import FormConflict, bundle_guide, merge_form, merge_materials
from .rules import References, bundle_errors, item_errors

ITEMS = "catalog_items"
BUNDLES = "catalog_bundles"
DEPARTMENTS = "departments"
CERTIFICATE_TYPES = "certificate_types"
DATA_DIR = Path(__file__).parent / "data"

declare(ITEMS, [("department", 1), ("code", 1)])
declare(ITEMS, [("for_whom", 1), ("code", 1)])


# -- reading ---------------------------------------------------------------------------------------------


def _plain(document: dict | None) -> dict | None:
    if document is None:
        return None
    return {key: value for key, value in document.items() if key != "_id"}


def departments(store) -> dict[str, dict]:
    return {d["_id"]: _plain(d) for d in store[DEPARTMENTS].find({})}


def get_item(store, code: str) -> dict:
    item = _plain(store[ITEMS].find_one({"_id": code}))
    if item is None:
        raise NotFound("没有这个事项", code="item_not_found")
    return item


def get_bundle(store, code: str) -> dict:
    bundle = _plain(store[BUNDLES].find_one({"_id": code}))
    if bundle is None:
        raise NotFound("没有这件事", code="bundle_not_found")
    return bundle


def get_certificate_type(store, certificate_type: str) -> dict:
    found = _plain(store[CERTIFICATE_TYPES].find_one({"_id": certificate_type}))
    if found is None:
        raise NotFound("没有这种证照", code="certificate_type_not_found")
    return found


def certificate_types(store) -> list[dict]:
    names = departments(store)
    return [
        {**_plain(c), "issuer_name": (names.get(c["issuer"]) or {}).get("name", c["issuer"])}
        for c in store[CERTIFICATE_TYPES].find({}, sort=[("_id", 1)])
    ]


def _matches(document: dict, words: list[str]) -> bool:
    text = " ".join(
        str(document.get(key) or "") for key in ("code", "name", "summary", "department_name", "lead_department_name")
    )
    return all(word in text for word in words)


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

    A city's catalogue is about 1,200 items: the structured filters run in the store, keywords over the rest.
    """
    words = (q or "").split()
    found = [_plain(d) for d in store[ITEMS].find(_query(department, tag, for_whom, "department"), sort=[("_id", 1)])]
    return [item for item in found if _matches(item, words)]


def search_bundles(store, q: str | None = None, department: str | None = None, tag: str | None = None,
                   for_whom: str | None = None) -> list[dict]:  # fmt: skip
    """Active bundles matching every keyword and the filters; `department` matches any department taking part."""
    words = (q or "").split()
    found = [_plain(d) for d in store[BUNDLES].find(_query(None, tag, for_whom, ""), sort=[("_id", 1)])]
    if department:
        found = [b for b in found if any(d["code"] == department for d in b["guide"]["departments"])]
    return [bundle for bundle in found if _matches(bundle, words)]


# -- writing ---------------------------------------------------------------------------------------------


def _references(store) -> References:
    return References(
        departments=frozenset(departments(store)),
        certificate_fields={c["_id"]: frozenset(f["name"] for f in c["fields"]) for c in store[CERTIFICATE_TYPES].find({})},
    )


def _raise_if(errors: dict) -> None:
    if errors:
        raise Invalid("事项或一件事的内容有误，请按提示修改", code="catalog_invalid", errors=errors)


def _derived_bundle(store, bundle: dict, items_by_code: dict[str, dict]) -> dict:
    """The stored bundle: what the admin sent plus the merged form, materials, guide and department names."""
    items = [items_by_code[code] for code in bundle["items"]]
    names = departments(store)
    lead = names.get(bundle["lead_department"]) or {}
    return {
        **{key: value for key, value in bundle.items() if key not in ("fields", "version")},
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


def _with_department_name(store, item: dict) -> dict:
    department = departments(store).get(item["department"]) or {}
    return {**item, "department_name": department.get("name", item["department"])}


def _bundles_with(store, item: dict) -> list[dict]:
    """The bundles holding `item`, recomputed with its new version; FormConflict names the first that breaks."""
    recomputed = []
    for bundle in store[BUNDLES].find({"items": item["code"]}):
        codes = bundle["items"]
        items_by_code = {d["_id"]: _plain(d) for d in store[ITEMS].find({"_id": {"$in": codes}})}
        items_by_code[item["code"]] = item
        try:
            recomputed.append(_derived_bundle(store, _plain(bundle), items_by_code))
        except FormConflict as conflict:
            raise Invalid(
                f"修改后与一件事“{bundle['name']}”中其他事项的字段冲突",
                code="form_conflict",
                errors={"fields": conflict.errors["items"]},
            ) from conflict
    return recomputed


def _save_bundles(store, bundles: list[dict], now: str, session=None) -> None:
    for bundle in bundles:
        store[BUNDLES].update_one(
            {"_id": bundle["code"]}, {"$set": {**bundle, "updated_at": now}, "$inc": {"version": 1}}, session=session
        )


def create_item(store, data: dict) -> dict:
    _raise_if(item_errors(data, _references(store)))
    now = now_iso()
    item = _with_department_name(store, data)
    try:
        store[ITEMS].insert_one({"_id": item["code"], **item, "version": 1, "created_at": now, "updated_at": now})
    except DuplicateKeyError as duplicate:
        raise Conflict("该事项编码已存在", code="item_exists") from duplicate
    return get_item(store, item["code"])


def update_item(store, code: str, data: dict) -> dict:
    """Replace an item's guide if `version` is the one stored; the bundles holding it are recomputed."""
    current = get_item(store, code)
    expected = data.pop("version")
    item = _with_department_name(store, {**data, "code": code})
    _raise_if(item_errors(item, _references(store)))
    bundles = _bundles_with(store, item)
    now = now_iso()
    with store.transaction() as session:
        updated = store[ITEMS].find_one_and_update(
            {"_id": code, "version": expected},
            {"$set": {**item, "updated_at": now}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if updated is None:
            raise Conflict(f"事项已被他人修改（当前版本 {current['version']}），请刷新后重试", code="version_conflict")
        _save_bundles(store, bundles, now, session)
    return _plain(updated)


def _bundle_items(store, bundle: dict) -> dict[str, dict]:
    return {d["_id"]: _plain(d) for d in store[ITEMS].find({"_id": {"$in": bundle["items"]}})}


def create_bundle(store, data: dict) -> dict:
    items_by_code = _bundle_items(store, data)
    _raise_if(bundle_errors(data, items_by_code, _references(store)))
    now = now_iso()
    bundle = _derived_bundle(store, data, items_by_code)
    try:
        store[BUNDLES].insert_one({"_id": bundle["code"], **bundle, "version": 1, "created_at": now, "updated_at": now})
    except DuplicateKeyError as duplicate:
        raise Conflict("该一件事编码已存在", code="bundle_exists") from duplicate
    return get_bundle(store, bundle["code"])


def update_bundle(store, code: str, data: dict) -> dict:
    current = get_bundle(store, code)
    expected = data.pop("version")
    data = {**data, "code": code}
    items_by_code = _bundle_items(store, data)
    _raise_if(bundle_errors(data, items_by_code, _references(store)))
    bundle = _derived_bundle(store, data, items_by_code)
    updated = store[BUNDLES].find_one_and_update(
        {"_id": code, "version": expected},
        {"$set": {**bundle, "updated_at": now_iso()}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise Conflict(f"一件事已被他人修改（当前版本 {current['version']}），请刷新后重试", code="version_conflict")
    return _plain(updated)


# -- the seed catalogue ----------------------------------------------------------------------------------


def _read(name: str, directory: Path) -> list[dict]:
    return json.loads((directory / name).read_text(encoding="utf-8"))


def load_catalog(store, directory: Path = DATA_DIR) -> dict[str, int]:
    """Load (or reload) the catalogue files: departments, certificate types, items, then bundles.

    Every document is validated exactly as an admin edit is; a file with an error loads nothing of
    itself past the error and raises Invalid naming the document. Reloading replaces what is there.
    """
    from .schemas import BundleCreateSchema, CertificateTypeSchema, DepartmentSchema, ItemCreateSchema

    now = now_iso()
    counts = {}
    for name, schema, collection, key in (
        ("departments.json", DepartmentSchema(), DEPARTMENTS, "code"),
        ("certificate_types.json", CertificateTypeSchema(), CERTIFICATE_TYPES, "type"),
    ):
        documents = schema.load(_read(name, directory), many=True)
        for document in documents:
            store[collection].update_one({"_id": document[key]}, {"$set": document}, upsert=True)
        counts[collection] = len(documents)
    refs = _references(store)
    items = [_load_one(ItemCreateSchema(), raw, "事项") for raw in _read("items.json", directory)]
    for item in items:
        _raise_named(item_errors(item, refs), item["code"])
        _upsert(store, ITEMS, item["code"], _with_department_name(store, item), now)
    counts[ITEMS] = len(items)
    bundles = [_load_one(BundleCreateSchema(), raw, "一件事") for raw in _read("bundles.json", directory)]
    for bundle in bundles:
        items_by_code = _bundle_items(store, bundle)
        _raise_named(bundle_errors(bundle, items_by_code, refs), bundle["code"])
        _upsert(store, BUNDLES, bundle["code"], _derived_bundle(store, bundle, items_by_code), now)
    counts[BUNDLES] = len(bundles)
    return counts


def _load_one(schema, raw: dict, what: str) -> dict:
    from marshmallow import ValidationError

    try:
        return schema.load(raw)
    except ValidationError as error:
        raise Invalid(f"{what}“{raw.get('code')}”有误", code="catalog_invalid", errors=error.messages) from error


def _raise_named(errors: dict, code: str) -> None:
    if errors:
        raise Invalid(f"“{code}”有误", code="catalog_invalid", errors=errors)


def _upsert(store, collection: str, code: str, document: dict, now: str) -> None:
    store[collection].update_one(
        {"_id": code},
        {"$set": {**document, "updated_at": now}, "$inc": {"version": 1}, "$setOnInsert": {"created_at": now}},
        upsert=True,
    )
