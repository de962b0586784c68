"""Bad input is answered with the right status and one error body, and never changes what is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.applications.uploads import MAX_BYTES
from tests.applications.conftest import accepted, decide, ok, start, submit, submitted, subs_by_department, upload


def _snapshot(store, application_id: str) -> tuple:
    """Everything an application's requests could have changed."""
    return (
        store["applications"].find_one({"_id": application_id}),
        list(store["sub_applications"].find({"application_id": application_id}).sort("_id", 1)),
        store["application_events"].count_documents({"application_id": application_id}),
        store["uploads"].count_documents({}),
        store["outbox"].count_documents({"data.application_id": application_id}),
    )


def test_an_unknown_bundle_or_item_is_404(restaurateur, store):
    owner = restaurateur()

    for target in ({"bundle": "open-spaceship"}, {"item": "430200-XXXX-999"}):
        response = owner.post("/applications", json=target)
        assert response.status_code == 404, target
        assert response.get_json()["code"] in ("bundle_not_found", "item_not_found")
    assert store["applications"].count_documents({}) == 0


@pytest.mark.parametrize("body", [{"bundle": "open-restaurant", "item": "430200-SCJG-002"}, {}, {"bundle": ""}])
def test_a_start_naming_both_or_neither_a_bundle_and_an_item_is_422(restaurateur, store, body):
    response = restaurateur().post("/applications", json=body)

    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert store["applications"].count_documents({}) == 0


def test_a_business_bundle_without_acting_for_a_business_is_403(resident, store):
    response = resident().post("/applications", json={"bundle": "open-restaurant"})

    assert response.status_code == 403 and response.get_json()["code"] == "acting_for_required"
    assert store["applications"].count_documents({}) == 0


def test_a_save_with_a_stale_version_is_409_and_changes_nothing(restaurateur, store):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    ok(owner.patch(f"/applications/{draft['id']}", json={"values": {"shop.name": "湘味小馆"}, "version": 1}))
    before = _snapshot(store, draft["id"])

    stale = owner.patch(f"/applications/{draft['id']}", json={"values": {"shop.name": "另一家店"}, "version": 1})

    assert stale.status_code == 409 and stale.get_json()["code"] == "version_conflict"
    assert _snapshot(store, draft["id"]) == before
    for path, body in (("submit", {"version": 1}), ("materials/food_commitment/declaration", {"version": 1})):
        assert owner.post(f"/applications/{draft['id']}/{path}", json=body).status_code == 409, path
    assert upload(owner, {**draft, "version": 1}, "food_layout_plan", b"%PDF-1.4 stale").status_code == 409
    assert _snapshot(store, draft["id"]) == before


@pytest.mark.parametrize(
    "values",
    [
        {"shop.seats": "很多"},
        {"shop.seats": 12.5},
        {"shop.seats": -1},
        {"shop.area_sqm": True},
        {"shop.main_category": "火锅店"},
        {"signboard.lighting": "yes"},
        {"shop.name": ["湘味"]},
        {"shop.name": "湘" * 51},
        {"shop.nosuch": "x"},
    ],
)
def test_a_value_of_the_wrong_kind_is_422_naming_the_field_and_nothing_is_saved(restaurateur, store, values):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])

    response = owner.patch(f"/applications/{draft['id']}", json={"values": values, "version": 1})

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == list(values)
    assert _snapshot(store, draft["id"]) == before


def test_submitting_an_incomplete_application_is_422_listing_what_is_missing(restaurateur, store):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    response = submit(owner, draft)

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "shop.name" in errors and "materials.food_layout_plan" in errors and "materials.business_licence" not in errors
    assert ok(owner.get(f"/applications/{draft['id']}"))["state"] == "draft"


def test_withdrawing_after_acceptance_is_409_naming_the_current_state(restaurateur, clerk, store):
    owner = restaurateur()
    application = accepted(owner, clerk, bundle="open-restaurant")
    before = _snapshot(store, application["id"])

    response = owner.post(f"/applications/{application['id']}/withdraw")

    assert response.status_code == 409
    assert response.get_json()["code"] == "illegal_transition" and response.get_json()["errors"]["state"] == ["in_review"]
    assert _snapshot(store, application["id"]) == before


def test_accepting_twice_is_409_naming_the_current_state(restaurateur, clerk, store):
    owner = restaurateur()
    application = accepted(owner, clerk, bundle="open-restaurant")
    before = _snapshot(store, application["id"])

    response = clerk.post(f"/clerk/applications/{application['id']}/accept")

    assert response.status_code == 409
    assert response.get_json()["code"] == "illegal_transition" and response.get_json()["errors"]["state"] == ["in_review"]
    assert _snapshot(store, application["id"]) == before


def test_submitting_twice_and_resubmitting_without_a_correction_are_409(restaurateur, store):
    owner = restaurateur()
    application = submitted(owner, bundle="open-restaurant")
    before = _snapshot(store, application["id"])

    again = submit(owner, application)
    uncalled = owner.post(f"/applications/{application['id']}/resubmit", json={"values": {}, "version": application["version"]})
    edit = owner.patch(
        f"/applications/{application['id']}", json={"values": {"shop.seats": 1}, "version": application["version"]}
    )

    assert again.status_code == 409 and uncalled.status_code == 409 and edit.status_code == 409
    assert _snapshot(store, application["id"]) == before


def test_a_withdrawn_application_leaves_every_queue(restaurateur, clerk, approvers, store):
    owner = restaurateur()
    application = submitted(owner, bundle="open-restaurant")

    withdrawn = ok(owner.post(f"/applications/{application['id']}/withdraw"))

    assert withdrawn["state"] == "withdrawn" and {s["state"] for s in withdrawn["subs"]} == {"withdrawn"}
    assert ok(clerk.get("/clerk/applications")) == []
    assert clerk.post(f"/clerk/applications/{application['id']}/accept").status_code == 409
    assert store["fee_orders"].find_one({"application_id": application["id"]})["state"] != "pending"


def test_approving_with_correction_fields_is_422(restaurateur, clerk, approvers, store):
    owner = restaurateur()
    application = accepted(owner, clerk, item="430200-SCJG-002")
    sub = subs_by_department(owner, application["id"])["scjg"][0]
    before = _snapshot(store, application["id"])

    response = decide(approvers["scjg"], sub["id"], "approve", fields=["shop.name"])

    assert response.status_code == 422 and "fields" in response.get_json()["errors"]
    assert decide(approvers["scjg"], sub["id"], "sign").status_code == 422
    assert _snapshot(store, application["id"]) == before


def test_a_text_file_named_pdf_is_422_and_nothing_is_stored(restaurateur, store, app):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])

    response = upload(owner, draft, "food_layout_plan", "这不是PDF，只是改了扩展名的文本。\n".encode(), "plan.pdf")

    assert response.status_code == 422 and response.get_json()["code"] == "unsupported_file_type"
    assert _snapshot(store, draft["id"]) == before
    stored_files = Path(app.config["DATA_DIR"]) / "uploads"
    assert not stored_files.exists() or not [path for path in stored_files.rglob("*") if path.is_file()]


@pytest.mark.parametrize("size", [MAX_BYTES + 1, 10 * 1024 * 1024 + 1], ids=["over the file limit", "over the request limit"])
def test_an_oversize_file_is_413_and_nothing_is_stored(restaurateur, store, size):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])

    response = upload(owner, draft, "food_layout_plan", b"%PDF-1.4\n" + b"0" * (size - 9), "plan.pdf")

    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"
    assert _snapshot(store, draft["id"]) == before


def test_an_upload_for_a_material_that_is_not_uploaded_is_404_and_nothing_is_stored(restaurateur, store):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])

    for code in ("business_licence", "food_commitment", "nosuch"):
        assert upload(owner, draft, code, b"%PDF-1.4 fine").status_code == 404, code
    assert (
        owner.post(f"/applications/{draft['id']}/materials/food_layout_plan/declaration", json={"version": 1}).status_code == 404
    )
    assert _snapshot(store, draft["id"]) == before


def test_an_upload_without_a_file_or_version_is_422(restaurateur, store):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    path = f"/applications/{draft['id']}/materials/food_layout_plan/upload"

    assert owner.post(path, data={"version": "1"}, content_type="multipart/form-data").status_code == 422
    assert upload(owner, {**draft, "version": "x"}, "food_layout_plan", b"%PDF-1.4 fine").status_code == 422
    assert store["uploads"].count_documents({}) == 0
