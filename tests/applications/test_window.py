"""The front window applies for a walk-in resident (线上线下融合): checked in person, recorded as such."""

from __future__ import annotations

import io

import pytest

from api.catalog.service import load_catalog
from tests.applications.conftest import tiny_png

RETIREMENT_APPROVAL = "430200-RSJ-003"


@pytest.fixture
def clerk(store, auth_header):
    """clerk(account_id, hall) -> headers of a clerk of that hall."""

    def make(account_id: str = "acc-clerk-1", hall: str | None = None) -> dict:
        store["accounts"].insert_one(
            {"_id": account_id, "phone_bi": account_id, "name": "周敏", "roles": ["clerk"], "acr": 3, "hall": hall, "version": 1}
        )
        return auth_header(account_id, roles=("clerk",), acr=3)

    return make


@pytest.fixture
def catalog(store):
    load_catalog(store)


def walk_in(client, headers, person, **body):
    payload = {"name": person.name, "id_number": person.id_number, "item": RETIREMENT_APPROVAL, **body}
    return client.post("/api/v1/clerk/walk-ins", json=payload, headers=headers)


def test_a_clerk_starts_a_prefilled_draft_for_a_resident_without_an_account(client, store, catalog, clerk, add_person):
    person = add_person("王建国", birth="19660701")
    response = walk_in(client, clerk(), person)
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert draft["channel"] == "window"
    values = {f["name"]: f for f in draft["fields"]}
    assert values["retiree.name"]["value"] == "王建国" and values["retiree.name"]["locked"]
    account = store["accounts"].find_one({"_id": store["applications"].find_one({"_id": draft["id"]})["applicant_id"]})
    assert account["acr"] == 3 and account["created_by"] == "window"
    assert store["data_use_log"].count_documents({"subject_id": account["_id"], "actor_id": "acc-clerk-1"}) == 1


def test_a_wrong_name_for_the_id_number_is_refused_and_creates_no_account(client, store, catalog, clerk, add_person):
    person = add_person("王建国", birth="19660701")
    headers = clerk()
    before = store["accounts"].count_documents({})
    response = client.post(
        "/api/v1/clerk/walk-ins",
        json={"name": "李四", "id_number": person.id_number, "item": RETIREMENT_APPROVAL},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["id_number"]
    assert store["accounts"].count_documents({}) == before
    assert store["applications"].count_documents({}) == 0


def test_the_clerk_fills_and_submits_and_the_application_counts_one_visit(client, store, catalog, clerk, add_person):
    person = add_person("王建国", birth="19660701")
    headers = clerk()
    draft = walk_in(client, headers, person).get_json()
    fields = {f["name"]: f for f in draft["fields"]}
    typed = {name: _value_for(fields[name]) for name in draft["missing_fields"]}
    saved = client.patch(
        f"/api/v1/clerk/applications/{draft['id']}", json={"values": typed, "version": draft["version"]}, headers=headers
    )
    assert saved.status_code == 200, saved.get_json()
    view = saved.get_json()
    for material in view["materials"]:
        path = f"/api/v1/clerk/applications/{draft['id']}/materials/{material['code']}"
        if material["status"] == "missing" and material["source"] == "form":
            view = client.post(path + "/declaration", json={"version": view["version"]}, headers=headers).get_json()
        elif material["status"] == "missing" and material["source"] == "upload":
            body = {"version": str(view["version"]), "file": (io.BytesIO(tiny_png()), "scan.png")}
            response = client.post(path + "/upload", data=body, headers=headers, content_type="multipart/form-data")
            assert response.status_code == 200, response.get_json()
            view = response.get_json()
            checked = next(m for m in view["materials"] if m["code"] == material["code"])
            assert checked["status"] == "uploaded" and checked["trust"] == "B"
    version = view["version"]
    submitted = client.post(f"/api/v1/clerk/applications/{draft['id']}/submit", json={"version": version}, headers=headers)
    assert submitted.status_code == 200, submitted.get_json()
    stored = store["applications"].find_one({"_id": draft["id"]})
    assert stored["state"] == "submitted" and stored["trips"] == 1 and stored["on_behalf_by"] == "acc-clerk-1"


def test_another_hall_s_clerk_cannot_see_or_fill_the_draft(client, catalog, clerk, add_person):
    person = add_person("王建国", birth="19660701")
    draft = walk_in(client, clerk(), person).get_json()
    other = clerk("acc-clerk-2", hall="zz-htq")
    assert client.get(f"/api/v1/clerk/applications/{draft['id']}", headers=other).status_code == 404
    patched = client.patch(f"/api/v1/clerk/applications/{draft['id']}", json={"values": {}, "version": 1}, headers=other)
    assert patched.status_code == 404


def test_a_citizen_cannot_use_the_window(client, catalog, auth_header, add_person):
    person = add_person("王建国", birth="19660701")
    response = walk_in(client, auth_header("acc-citizen", roles=("citizen",), acr=2), person)
    assert response.status_code == 403


def _value_for(field: dict):
    if field["type"] == "choice":
        return field["choices"][0]
    if field["type"] in ("integer", "number"):
        return int(field.get("min") or 1)
    if field["type"] == "date":
        return "2026-12-01"
    if field["type"] == "boolean":
        return True
    if field["type"] == "phone":
        return "13800000009"
    return "示例内容"
