"""The seed catalogue (api/catalog/data) as load_catalog stores it, and reloading it."""

from __future__ import annotations

from api.catalog.service import BUNDLES, CERTIFICATE_TYPES, DEPARTMENTS, ITEMS, get_bundle, get_item, load_catalog

from .conftest import changing, edit_file

NAMED_BUNDLES = {"开办餐饮店", "新生儿出生", "企业开办", "不动产转移登记", "退休"}


def _all(store, collection: str) -> list[dict]:
    return list(store[collection].find({}, sort=[("_id", 1)]))


def test_loading_the_seed_reports_how_many_documents_of_each_kind_it_stored(store):
    counts = load_catalog(store)

    assert counts == {
        DEPARTMENTS: store[DEPARTMENTS].count_documents({}),
        CERTIFICATE_TYPES: store[CERTIFICATE_TYPES].count_documents({}),
        ITEMS: store[ITEMS].count_documents({}),
        BUNDLES: store[BUNDLES].count_documents({}),
    }


def test_the_seed_has_the_five_required_bundles_over_at_least_twenty_items(store, catalog):
    bundles = _all(store, BUNDLES)

    assert len(bundles) >= 5 and store[ITEMS].count_documents({}) >= 20
    assert {name for name in NAMED_BUNDLES if any(b["name"].startswith(name) for b in bundles)} == NAMED_BUNDLES


def test_the_seed_items_come_from_at_least_eight_departments_that_exist(store, catalog):
    used = {item["department"] for item in _all(store, ITEMS)}

    assert len(used) >= 8
    assert used <= {department["_id"] for department in _all(store, DEPARTMENTS)}


def test_every_item_in_a_seed_bundle_exists_and_is_for_the_same_kind_of_applicant(store, catalog):
    for bundle in _all(store, BUNDLES):
        assert all(get_item(store, code)["for_whom"] == bundle["for_whom"] for code in bundle["items"]), bundle["_id"]


def test_most_seed_items_are_free_but_some_are_charged_with_a_stated_basis(store, catalog):
    items = _all(store, ITEMS)
    charged = [item for item in items if item["fee_fen"] > 0]

    assert charged and len(charged) < len(items) / 2
    assert all(item["fee_basis"] for item in charged)


def test_housing_real_estate_registration_costs_80_yuan_in_fen(store, catalog):
    registration = get_item(store, "430200-BDC-001")

    assert registration["fee_fen"] == 8000 and "80元" in registration["fee_basis"]
    assert get_bundle(store, "property-transfer")["guide"]["total_fee_fen"] == 8000


def test_every_seed_item_has_a_legal_basis_materials_fields_and_promises_no_more_than_the_law_allows(store, catalog):
    for item in _all(store, ITEMS):
        assert item["legal_basis"] and item["materials"] and item["fields"], item["_id"]
        assert item["promised_days"] <= item["legal_days"], item["_id"]


def test_every_seed_bundle_stores_one_merged_field_per_canonical_name(store, catalog):
    for bundle in _all(store, BUNDLES):
        names = [field["name"] for field in bundle["fields"]]
        assert len(names) == len(set(names)), bundle["_id"]
        assert all(set(field["items"]) <= set(bundle["items"]) for field in bundle["fields"]), bundle["_id"]


def test_reloading_the_seed_changes_no_count_version_or_timestamp(store, catalog):
    before = {collection: _all(store, collection) for collection in (DEPARTMENTS, CERTIFICATE_TYPES, ITEMS, BUNDLES)}

    assert load_catalog(store) == catalog

    assert {collection: _all(store, collection) for collection in before} == before


def test_reloading_a_changed_item_moves_its_version_and_that_of_the_bundles_holding_it_only(store, catalog, seed_copy):
    versions = {d["_id"]: d["version"] for collection in (ITEMS, BUNDLES) for d in _all(store, collection)}

    edit_file(seed_copy, "items.json", changing("430200-GS-001", name="自来水过户"))
    load_catalog(store, seed_copy)

    now = {d["_id"]: d["version"] for collection in (ITEMS, BUNDLES) for d in _all(store, collection)}
    assert {code for code in now if now[code] != versions[code]} == {"430200-GS-001", "property-transfer"}
    assert now["430200-GS-001"] == versions["430200-GS-001"] + 1
    guides = {guide["code"]: guide for guide in get_bundle(store, "property-transfer")["item_guides"]}
    assert guides["430200-GS-001"]["name"] == "自来水过户"
