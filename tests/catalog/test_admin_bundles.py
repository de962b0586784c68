"""POST/PUT /api/v1/admin/catalog/bundles: a bundle's form is merged from its items, and a form sent must equal it.

After every refusal the store is read again: a 4xx must leave nothing behind.
"""

from __future__ import annotations

import copy

import pytest

from .conftest import ADMIN, PUBLIC, bundle_data, bundle_update, form_field, item_data, stored_bundle

NEW = "430200-ZWFW-101"
OTHER = "430200-ZWFW-102"


@pytest.fixture
def items(client, catalog, admin):
    """Two items of the 政务服务中心 that share applicant.name and applicant.id_number."""
    second = item_data(OTHER, name="无犯罪记录证明开具", fields=[*item_data()["fields"][:2], form_field("purpose.text", "用途")])
    for body in (item_data(), second):
        assert client.post(f"{ADMIN}/items", json=body, headers=admin).status_code == 201
    return NEW, OTHER


def _post(client, headers, body: dict):
    return client.post(f"{ADMIN}/bundles", json=body, headers=headers)


def _put(client, headers, code: str, body: dict):
    return client.put(f"{ADMIN}/bundles/{code}", json=body, headers=headers)


def test_an_admin_adds_a_bundle_and_its_form_is_merged_from_its_items(client, store, admin, items):
    response = _post(client, admin, bundle_data(items=items))

    assert response.status_code == 201, response.get_json()
    bundle = response.get_json()
    assert bundle["version"] == 1 and bundle["lead_department_name"] == "株洲市政务服务中心"
    assert [(f["name"], f["items"]) for f in bundle["fields"]] == [
        ("applicant.name", [NEW, OTHER]),
        ("applicant.id_number", [NEW, OTHER]),
        ("residence.address", [NEW]),
        ("purpose.text", [OTHER]),
    ]
    assert stored_bundle(store, "residence-proof")["fields"] == bundle["fields"]
    assert client.get(f"{PUBLIC}/bundles/residence-proof").get_json()["fields"] == bundle["fields"]


def test_a_bundle_code_already_taken_is_409_and_the_first_bundle_stays(client, store, admin, items):
    before = stored_bundle(store, "newborn")

    response = _post(client, admin, bundle_data("newborn", items=items))

    assert response.status_code == 409 and response.get_json()["code"] == "bundle_exists"
    assert stored_bundle(store, "newborn") == before


INVALID_BUNDLES = {
    "an unknown item": ({"items": [NEW, "430200-ZWFW-999"]}, "catalog_invalid", "items", "430200-ZWFW-999"),
    "an unknown lead department": ({"lead_department": "nosuch"}, "catalog_invalid", "lead_department", "nosuch"),
    "an item for businesses in a bundle for persons": (
        {"items": [NEW, "430200-SCJG-001"]},
        "catalog_invalid",
        "items",
        "430200-SCJG-001",
    ),
    "an item twice": ({"items": [NEW, NEW]}, "validation_failed", "items", NEW),
    "no item at all": ({"items": []}, "validation_failed", "items", ""),
    "a code of the wrong form": ({"code": "Residence_Proof"}, "validation_failed", "code", ""),
    "an unknown tag": ({"tags": ["马上"]}, "validation_failed", "tags", ""),
}


@pytest.mark.parametrize(("changes", "code", "field", "named"), INVALID_BUNDLES.values(), ids=INVALID_BUNDLES.keys())
def test_an_invalid_new_bundle_is_422_naming_what_is_wrong_and_nothing_is_stored(
    client, store, admin, items, changes, code, field, named
):
    body = bundle_data(**{"items": items, **changes})

    response = _post(client, admin, body)

    assert response.status_code == 422 and response.get_json()["code"] == code
    assert named in str(response.get_json()["errors"][field])
    assert stored_bundle(store, body["code"]) is None and stored_bundle(store, "residence-proof") is None


def test_a_bundle_whose_items_fields_conflict_is_422_naming_the_field(client, store, admin, items):
    clashing = item_data("430200-ZWFW-103", fields=[form_field("residence.address", "居住地址", "string")])
    client.post(f"{ADMIN}/items", json=clashing, headers=admin)

    response = _post(client, admin, bundle_data(items=[NEW, "430200-ZWFW-103"]))

    assert response.status_code == 422
    assert "residence.address" in response.get_json()["errors"]["items"][0]
    assert stored_bundle(store, "residence-proof") is None


def _merged_form(client, admin, items) -> list[dict]:
    """The merged form as the public reads it: what an admin tool would show and send back."""
    _post(client, admin, bundle_data("draft-copy", items=items))
    return client.get(f"{PUBLIC}/bundles/draft-copy").get_json()["fields"]


def test_a_bundle_sent_with_exactly_the_merged_form_is_accepted(client, store, admin, items):
    fields = _merged_form(client, admin, items)

    response = _post(client, admin, bundle_data(items=items, fields=fields))

    assert response.status_code == 201, response.get_json()
    assert stored_bundle(store, "residence-proof")["fields"] == stored_bundle(store, "draft-copy")["fields"]


def _made_optional(fields):
    fields[0]["required"] = False


def _limit_loosened(fields):
    fields[2]["max_length"] = 500


def _item_forgotten(fields):
    fields[0]["items"] = [NEW]


def _renamed(fields):
    fields[3]["name"] = "purpose.note"


def _dropped(fields):
    del fields[3]


WRONG_FORMS = {
    "a field made optional that an item requires": (_made_optional, ["0", "required"]),
    "a limit looser than an item's": (_limit_loosened, ["2", "max_length"]),
    "a field not mapped to an item that needs it": (_item_forgotten, ["0", "items"]),
    "a field no item has": (_renamed, ["3", "name"]),
}


@pytest.mark.parametrize(("wrong", "path"), WRONG_FORMS.values(), ids=WRONG_FORMS.keys())
def test_a_bundle_field_must_map_to_a_field_of_each_item_that_needs_it(client, store, admin, items, wrong, path):
    fields = copy.deepcopy(_merged_form(client, admin, items))
    wrong(fields)

    response = _post(client, admin, bundle_data(items=items, fields=fields))

    assert response.status_code == 422 and response.get_json()["code"] == "catalog_invalid"
    errors = response.get_json()["errors"]["fields"]
    assert errors[path[0]][path[1]]
    assert stored_bundle(store, "residence-proof") is None


def test_a_bundle_form_missing_a_field_an_item_needs_is_refused_naming_it(client, store, admin, items):
    fields = copy.deepcopy(_merged_form(client, admin, items))
    _dropped(fields)

    response = _post(client, admin, bundle_data(items=items, fields=fields))

    assert response.status_code == 422 and "purpose.text" in response.get_json()["errors"]["fields"][0]
    assert stored_bundle(store, "residence-proof") is None


# -- editing a bundle ---------------------------------------------------------------------------------------


def test_an_admin_edits_a_bundle_and_its_form_follows_its_new_items(client, store, admin, items):
    _post(client, admin, bundle_data(items=[NEW]))
    body = {**bundle_update(stored_bundle(store, "residence-proof")), "items": list(items), "name": "居住与无犯罪证明一件事"}

    response = _put(client, admin, "residence-proof", body)

    assert response.status_code == 200, response.get_json()
    bundle = stored_bundle(store, "residence-proof")
    assert bundle["version"] == 2 and bundle["name"] == "居住与无犯罪证明一件事"
    assert "purpose.text" in {field["name"] for field in bundle["fields"]}
    assert [guide["code"] for guide in bundle["item_guides"]] == list(items)


def test_a_bundle_edit_from_a_stale_version_is_409_and_changes_nothing(client, store, admin, catalog):
    stale = bundle_update(stored_bundle(store, "newborn"))
    assert _put(client, admin, "newborn", {**stale, "summary": "第一次修改的说明。"}).status_code == 200
    after_first = stored_bundle(store, "newborn")

    response = _put(client, admin, "newborn", {**stale, "summary": "基于旧版本的修改。"})

    assert response.status_code == 409 and response.get_json()["code"] == "version_conflict"
    assert stored_bundle(store, "newborn") == after_first


def test_editing_an_unknown_bundle_is_404(client, store, admin, catalog):
    response = _put(client, admin, "no-such-thing", bundle_update(stored_bundle(store, "newborn")))

    assert response.status_code == 404 and response.get_json()["code"] == "bundle_not_found"
    assert stored_bundle(store, "no-such-thing") is None


def test_a_bundle_edit_naming_an_unknown_item_is_422_and_changes_nothing(client, store, admin, catalog):
    before = stored_bundle(store, "newborn")
    body = bundle_update(before)
    body["items"].append("430200-GAJ-999")

    response = _put(client, admin, "newborn", body)

    assert response.status_code == 422 and "430200-GAJ-999" in response.get_json()["errors"]["items"][0]
    assert stored_bundle(store, "newborn") == before


def test_a_bundle_edit_sending_a_form_other_than_the_merged_one_is_422_and_changes_nothing(client, store, admin, catalog):
    before = stored_bundle(store, "newborn")
    fields = client.get(f"{PUBLIC}/bundles/newborn").get_json()["fields"]
    fields[0]["label"] = "姓名"

    response = _put(client, admin, "newborn", {**bundle_update(before), "fields": fields})

    assert response.status_code == 422 and response.get_json()["errors"]["fields"]["0"]["label"]
    assert stored_bundle(store, "newborn") == before
