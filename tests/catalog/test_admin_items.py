"""POST/PUT /api/v1/admin/catalog/items: who may edit, what is refused, and what an edit does to the bundles.

After every refusal the store is read again: a 4xx must leave nothing behind.
"""

from __future__ import annotations

import copy

import pytest

from api.catalog import service

from .conftest import ADMIN, as_update, bundle_data, form_field, item_data, stored_bundle, stored_item

pytestmark = pytest.mark.usefixtures("catalog")

NEW = "430200-ZWFW-101"


def _put(client, headers, code: str, body: dict):
    return client.put(f"{ADMIN}/items/{code}", json=body, headers=headers)


def _current(store, code: str) -> dict:
    return as_update(service.get_item(store, code))


# -- who may edit ------------------------------------------------------------------------------------------


ENDPOINTS = [
    ("post", "/items", lambda: item_data()),
    ("put", "/items/430200-GS-001", lambda: {"version": 1}),
    ("post", "/bundles", lambda: bundle_data()),
    ("put", "/bundles/newborn", lambda: {"version": 1}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_editing_the_catalogue_without_a_token_is_401_and_stores_nothing(client, store, method, path, body):
    before = list(store["catalog_items"].find({})), list(store["catalog_bundles"].find({}))

    response = getattr(client, method)(ADMIN + path, json=body())

    assert response.status_code == 401 and response.get_json()["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (list(store["catalog_items"].find({})), list(store["catalog_bundles"].find({}))) == before


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_citizen_may_not_edit_the_catalogue(client, store, citizen, method, path, body):
    before = list(store["catalog_items"].find({})), list(store["catalog_bundles"].find({}))

    response = getattr(client, method)(ADMIN + path, json=body(), headers=citizen)

    assert response.status_code == 403 and response.get_json()["code"] == "forbidden"
    assert (list(store["catalog_items"].find({})), list(store["catalog_bundles"].find({}))) == before


def test_a_clerk_may_not_edit_the_catalogue_either(client, store, auth_header):
    response = client.post(f"{ADMIN}/items", json=item_data(), headers=auth_header("acc-clerk", roles=("clerk",)))

    assert response.status_code == 403 and stored_item(store, NEW) is None


# -- adding an item -----------------------------------------------------------------------------------------


def test_an_admin_adds_an_item_and_the_public_can_read_its_guide(client, store, admin):
    response = client.post(f"{ADMIN}/items", json=item_data(), headers=admin)

    assert response.status_code == 201
    created = response.get_json()
    assert created["version"] == 1 and created["department_name"] == "株洲市政务服务中心"
    assert stored_item(store, NEW)["name"] == "居住证明开具"
    assert client.get(f"/api/v1/catalog/items/{NEW}").get_json()["fields"] == created["fields"]


def test_an_item_code_already_taken_is_409_and_the_first_item_stays(client, store, admin):
    client.post(f"{ADMIN}/items", json=item_data(), headers=admin)
    first = stored_item(store, NEW)

    response = client.post(f"{ADMIN}/items", json=item_data(name="另一个事项"), headers=admin)

    assert response.status_code == 409 and response.get_json()["code"] == "item_exists"
    assert stored_item(store, NEW) == first


def _material(**changes) -> dict:
    return {**item_data()["materials"][0], **changes}


def _field(**changes) -> dict:
    return {**item_data()["fields"][0], **changes}


INVALID_ITEMS = {
    "an unknown department": ({"department": "nosuch"}, "catalog_invalid", ["department"]),
    "an unknown certificate type in a material": (
        {"materials": [_material(certificate_type="pet_licence")]},
        "catalog_invalid",
        ["materials", "0", "certificate_type"],
    ),
    "an unknown certificate type in a prefill source": (
        {"fields": [_field(prefill=["certificate.pet_licence.name"])]},
        "catalog_invalid",
        ["fields", "0", "prefill"],
    ),
    "a prefill source naming a field the certificate does not have": (
        {"fields": [_field(prefill=["certificate.business_licence.colour"])]},
        "catalog_invalid",
        ["fields", "0", "prefill"],
    ),
    "a prefill source outside the vocabulary": (
        {"fields": [_field(prefill=["registry.person.shoe_size"])]},
        "validation_failed",
        ["fields", "0", "prefill"],
    ),
    "a result of an unknown certificate type": (
        {"results": [{"certificate_type": "pet_licence", "name": "养犬证", "fields": {}}]},
        "catalog_invalid",
        ["results", "0", "certificate_type"],
    ),
    "promised days beyond the legal limit": ({"promised_days": 11, "legal_days": 10}, "validation_failed", ["promised_days"]),
    "a fee without its basis": ({"fee_fen": 2000, "fee_basis": " "}, "validation_failed", ["fee_basis"]),
    "a certificate material without its type": (
        {"materials": [_material(certificate_type=None)]},
        "validation_failed",
        ["materials", "0", "certificate_type"],
    ),
    "a choice field without choices": (
        {"fields": [form_field("residence.kind", type="choice")]},
        "validation_failed",
        ["fields", "0", "choices"],
    ),
    "one field name twice": ({"fields": [_field(), _field()]}, "validation_failed", ["fields"]),
    "a code of the wrong form": ({"code": "ZWFW-101"}, "validation_failed", ["code"]),
}


def _at(errors: dict, path: list[str]):
    for key in path:
        errors = errors[key]
    return errors


@pytest.mark.parametrize(("changes", "code", "path"), INVALID_ITEMS.values(), ids=INVALID_ITEMS.keys())
def test_an_invalid_new_item_is_422_naming_what_is_wrong_and_nothing_is_stored(client, store, admin, changes, code, path):
    body = item_data(**changes)

    response = client.post(f"{ADMIN}/items", json=body, headers=admin)

    assert response.status_code == 422
    assert response.get_json()["code"] == code and _at(response.get_json()["errors"], path)
    assert stored_item(store, body["code"]) is None and stored_item(store, NEW) is None


# -- editing an item ----------------------------------------------------------------------------------------


def test_an_admin_edits_an_item_and_its_version_moves_on(client, store, admin):
    body = {**_current(store, "430200-GS-001"), "promised_days": 0, "summary": "过户当场办结。"}

    response = _put(client, admin, "430200-GS-001", body)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == body["version"] + 1
    assert stored_item(store, "430200-GS-001")["summary"] == "过户当场办结。"


def test_an_edit_from_a_stale_version_is_409_and_changes_nothing(client, store, admin):
    stale = _current(store, "430200-GS-001")
    assert _put(client, admin, "430200-GS-001", {**stale, "summary": "第一次修改。"}).status_code == 200
    after_first = stored_item(store, "430200-GS-001")

    response = _put(client, admin, "430200-GS-001", {**stale, "summary": "基于旧版本的修改。"})

    assert response.status_code == 409 and response.get_json()["code"] == "version_conflict"
    assert stored_item(store, "430200-GS-001") == after_first


def test_editing_an_unknown_item_is_404(client, store, admin):
    response = _put(client, admin, "430200-GS-999", _current(store, "430200-GS-001"))

    assert response.status_code == 404 and response.get_json()["code"] == "item_not_found"
    assert stored_item(store, "430200-GS-999") is None


INVALID_EDITS = {why: case for why, case in INVALID_ITEMS.items() if "code" not in case[0]}  # the code is the address


@pytest.mark.parametrize(("changes", "code", "path"), INVALID_EDITS.values(), ids=INVALID_EDITS.keys())
def test_an_invalid_edit_is_422_and_the_item_and_its_bundles_stay_as_they_were(client, store, admin, changes, code, path):
    before = stored_item(store, "430200-GS-001"), stored_bundle(store, "property-transfer")
    body = {**_current(store, "430200-GS-001"), **copy.deepcopy(changes)}

    response = _put(client, admin, "430200-GS-001", body)

    assert response.status_code == 422 and _at(response.get_json()["errors"], path)
    assert (stored_item(store, "430200-GS-001"), stored_bundle(store, "property-transfer")) == before


def _fields(bundle: dict) -> dict[str, dict]:
    return {field["name"]: field for field in bundle["fields"]}


def test_editing_an_item_recomputes_the_merged_form_of_the_bundle_holding_it(client, store, admin):
    bundle_before = stored_bundle(store, "property-transfer")
    body = _current(store, "430200-GS-001")
    body["fields"] = [{**field, "max_length": 20} if field["name"] == "buyer.name" else field for field in body["fields"]] + [
        form_field("water.meter_no", "水表编号", max_length=20)
    ]

    assert _put(client, admin, "430200-GS-001", body).status_code == 200

    bundle = stored_bundle(store, "property-transfer")
    assert bundle["version"] == bundle_before["version"] + 1
    assert _fields(bundle)["buyer.name"]["max_length"] == 20  # the tightest limit is now water's
    assert _fields(bundle)["water.meter_no"]["items"] == ["430200-GS-001"]
    assert set(_fields(bundle)) == set(_fields(bundle_before)) | {"water.meter_no"}


def test_an_item_edit_that_does_not_change_a_bundle_leaves_the_bundle_version_alone(client, store, admin):
    before = stored_bundle(store, "property-transfer")

    response = _put(client, admin, "430200-GS-001", {**_current(store, "430200-GS-001"), "phone": "0731-28689999"})

    assert response.status_code == 200 and stored_bundle(store, "property-transfer") == before


def test_an_item_edit_that_would_make_a_bundle_form_conflict_is_422_naming_the_bundle_and_field(client, store, admin):
    before = stored_item(store, "430200-GS-001"), stored_bundle(store, "property-transfer")
    body = _current(store, "430200-GS-001")
    body["fields"] = [{**field, "type": "address"} if field["name"] == "buyer.name" else field for field in body["fields"]]

    response = _put(client, admin, "430200-GS-001", body)

    assert response.status_code == 422 and response.get_json()["code"] == "form_conflict"
    assert "不动产转移登记一件事" in response.get_json()["message"]
    assert "buyer.name" in response.get_json()["errors"]["fields"][0]
    assert (stored_item(store, "430200-GS-001"), stored_bundle(store, "property-transfer")) == before


@pytest.mark.parametrize(("changes", "field"), [({"status": "retired"}, "status"), ({"for_whom": "business"}, "for_whom")])
def test_an_item_a_bundle_holds_cannot_be_retired_or_turned_to_other_applicants(client, store, admin, changes, field):
    before = stored_item(store, "430200-GS-001"), stored_bundle(store, "property-transfer")

    response = _put(client, admin, "430200-GS-001", {**_current(store, "430200-GS-001"), **changes})

    assert response.status_code == 422 and list(response.get_json()["errors"]) == [field]
    assert "不动产转移登记一件事" in response.get_json()["message"]
    assert (stored_item(store, "430200-GS-001"), stored_bundle(store, "property-transfer")) == before


def test_an_item_in_no_bundle_can_be_retired(client, store, admin):
    client.post(f"{ADMIN}/items", json=item_data(), headers=admin)

    response = _put(client, admin, NEW, {**_current(store, NEW), "status": "retired"})

    assert response.status_code == 200 and stored_item(store, NEW)["status"] == "retired"


def test_an_edit_of_an_item_held_by_two_bundles_recomputes_both(client, store, admin):
    client.post(f"{ADMIN}/items", json=item_data(), headers=admin)
    client.post(f"{ADMIN}/bundles", json=bundle_data(items=("430200-GS-001", NEW)), headers=admin)
    body = _current(store, "430200-GS-001")
    body["fields"] = [*body["fields"], form_field("water.meter_no", "水表编号")]

    assert _put(client, admin, "430200-GS-001", body).status_code == 200

    for code in ("property-transfer", "residence-proof"):
        assert "water.meter_no" in _fields(stored_bundle(store, code)), code
