"""Who sees what: a resident only their own, an approver only their department's, a clerk only their hall's."""

from __future__ import annotations

import pytest

from tests.applications.conftest import (
    API,
    accepted,
    ok,
    ready_to_submit,
    start,
    submitted,
    subs_by_department,
    tiny_pdf,
    upload,
)


@pytest.fixture
def two_owners(restaurateur):
    """Two restaurateurs, each acting for their own company: (李娜, 王芳)."""
    return restaurateur("13800000003", "李娜"), restaurateur("13800000004", "王芳")


def test_a_resident_cannot_see_or_change_another_residents_application(two_owners, store):
    li, wang = two_owners
    draft = start(li, bundle="open-restaurant")

    for caller in (wang, wang.as_self()):
        assert caller.get(f"/applications/{draft['id']}").status_code == 404
        changed = caller.patch(f"/applications/{draft['id']}", json={"values": {"shop.name": "抢注"}, "version": 1})
        assert changed.status_code == 404
        assert caller.post(f"/applications/{draft['id']}/submit", json={"version": 1}).status_code == 404
        assert caller.post(f"/applications/{draft['id']}/withdraw").status_code == 404
        declared = caller.post(f"/applications/{draft['id']}/materials/food_commitment/declaration", json={"version": 1})
        assert declared.status_code == 404
    assert ok(wang.get("/applications")) == []
    assert ok(li.get(f"/applications/{draft['id']}"))["version"] == 1


def test_a_resident_cannot_upload_into_another_residents_application_and_nothing_is_stored(two_owners, store, app):
    li, wang = two_owners
    draft = start(li, bundle="open-restaurant")

    response = upload(wang, draft, "food_layout_plan", tiny_pdf())

    assert response.status_code == 404
    assert store["uploads"].count_documents({}) == 0
    assert ok(li.get(f"/applications/{draft['id']}"))["materials"][1]["status"] == "missing"


def test_an_upload_is_seen_only_in_its_owners_application(two_owners, store):
    li, wang = two_owners
    ready = ready_to_submit(li, bundle="open-restaurant")
    upload_ids = [m["upload_id"] for m in ready["materials"] if m.get("upload_id")]

    assert len(upload_ids) == 4
    assert {u["owner_id"] for u in store["uploads"].find({"_id": {"$in": upload_ids}})} == {li.account_id}
    assert wang.get(f"/applications/{ready['id']}").status_code == 404


def test_a_resident_cannot_see_another_businesss_certificates_nor_act_for_it(two_owners):
    li, wang = two_owners
    licence = li.extra["licence"]

    assert wang.get(f"/me/certificates/{licence['_id']}").status_code == 404
    assert licence["_id"] not in {c["id"] for c in ok(wang.get("/me/certificates"))}
    assert li.as_self().get(f"/me/certificates/{licence['_id']}").status_code == 404  # the org's, not hers in person
    impostor = wang.get("/me/certificates", headers={"X-Acting-For": li.org.credit_code})
    assert impostor.status_code == 403 and impostor.get_json()["code"] == "not_authorized_for_org"
    started = wang.post("/applications", json={"bundle": "open-restaurant"}, headers={"X-Acting-For": li.org.credit_code})
    assert started.status_code == 403


def test_a_business_application_is_changed_only_while_acting_for_that_business(restaurateur):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    as_person = owner.as_self().patch(f"/applications/{draft['id']}", json={"values": {"shop.name": "湘味小馆"}, "version": 1})

    assert as_person.status_code == 403 and as_person.get_json()["code"] == "acting_for_required"
    assert ok(owner.get(f"/applications/{draft['id']}"))["version"] == 1


def test_an_approver_sees_only_their_departments_items(restaurateur, clerk, approvers, staff):
    owner = restaurateur()
    application = accepted(owner, clerk, bundle="open-restaurant")
    subs = subs_by_department(owner, application["id"])
    fire = subs["xfjy"][0]

    queue = ok(approvers["cgj"].get("/review/sub-applications"))
    assert [s["id"] for s in queue] == [subs["cgj"][0]["id"]]
    assert approvers["cgj"].get(f"/review/sub-applications/{fire['id']}").status_code == 404
    assert approvers["cgj"].post(f"/review/sub-applications/{fire['id']}/decision", json={"action": "approve"}).status_code == 404
    assert ok(approvers["xfjy"].get(f"/review/sub-applications/{fire['id']}"))["subs"][0]["state"] == "in_review"
    by_full_name = staff("approver", department="株洲市消防救援支队")
    assert [s["id"] for s in ok(by_full_name.get("/review/sub-applications"))] == [fire["id"]]


def test_a_clerk_sees_and_accepts_only_applications_of_their_own_hall(restaurateur, clerk, staff):
    owner = restaurateur()
    application = submitted(owner, bundle="open-restaurant")
    elsewhere = staff("clerk", hall="zz-lsq")

    assert ok(elsewhere.get("/clerk/applications")) == []
    assert elsewhere.get(f"/clerk/applications/{application['id']}").status_code == 404
    assert elsewhere.post(f"/clerk/applications/{application['id']}/accept").status_code == 404
    assert ok(owner.get(f"/applications/{application['id']}"))["state"] == "submitted"
    assert [a["id"] for a in ok(clerk.get("/clerk/applications"))] == [application["id"]]


def test_a_clerk_does_not_see_drafts(restaurateur, clerk):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    assert clerk.get(f"/clerk/applications/{draft['id']}").status_code == 404
    assert clerk.post(f"/clerk/applications/{draft['id']}/accept").status_code == 404


STAFF_CALLS = [
    ("GET", "/clerk/applications"),
    ("GET", "/clerk/applications/app_x"),
    ("POST", "/clerk/applications/app_x/accept"),
    ("GET", "/review/sub-applications"),
    ("GET", "/review/sub-applications/sub_x"),
    ("POST", "/review/sub-applications/sub_x/decision"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_CALLS)
def test_a_resident_calling_a_staff_endpoint_is_forbidden(resident, method, path):
    citizen = resident()

    response = citizen.call(method, path, json={"action": "approve"} if method == "POST" else None)

    assert response.status_code == 403


def test_a_clerk_cannot_decide_and_an_approver_cannot_accept(staff):
    clerk, approver = staff("clerk"), staff("approver", department="scjg")

    assert clerk.get("/review/sub-applications").status_code == 403
    assert approver.post("/clerk/applications/app_x/accept").status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/applications"),
        ("POST", "/applications"),
        ("GET", "/applications/app_x"),
        ("PATCH", "/applications/app_x"),
        ("POST", "/applications/app_x/submit"),
        ("POST", "/applications/app_x/withdraw"),
        *STAFF_CALLS,
    ],
)
def test_no_token_is_401(client, method, path):
    response = client.open(API + path, method=method, json={"version": 1, "values": {}, "bundle": "open-restaurant"})

    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthenticated"
