"""Departments decide in parallel: a correction goes back to the applicant and returns, a rejection needs a reason."""

from __future__ import annotations

from tests.applications.conftest import accepted, approve_all, decide, ok, resubmit, subs_by_department, tiny_pdf, upload

CORRECTION = {"reason": "经营场所面积与平面布局图不符，请核实", "fields": ["shop.area_sqm", "materials.food_layout_plan"]}


def _food_licence_sub(owner, application_id: str) -> dict:
    return next(s for s in subs_by_department(owner, application_id)["scjg"] if s["item"] == "430200-SCJG-002")


def test_a_correction_asked_for_goes_back_to_the_applicant_and_returns_to_review_when_only_those_are_resubmitted(
    restaurateur, clerk, approvers, store
):
    owner = restaurateur()
    application = accepted(owner, clerk, bundle="open-restaurant")
    sub = _food_licence_sub(owner, application["id"])

    asked = ok(decide(approvers["scjg"], sub["id"], "request_correction", **CORRECTION))

    assert asked["state"] == "needs_correction" and asked["correction"]["fields"] == CORRECTION["fields"]
    view = ok(owner.get(f"/applications/{application['id']}"))
    assert view["state"] == "needs_correction"

    patched = owner.patch(f"/applications/{view['id']}", json={"values": {"shop.seats": 60}, "version": view["version"]})
    assert patched.status_code == 422 and "shop.seats" in patched.get_json()["errors"]
    outside = resubmit(owner, view, {"shop.seats": 60, "shop.area_sqm": 98})
    assert outside.status_code == 422 and "shop.seats" in outside.get_json()["errors"]
    no_file = resubmit(owner, view, {"shop.area_sqm": 98})
    assert no_file.status_code == 422 and "materials.food_layout_plan" in no_file.get_json()["errors"]
    assert ok(owner.get(f"/applications/{view['id']}"))["version"] == view["version"]  # neither stored anything

    view = ok(upload(owner, view, "food_layout_plan", tiny_pdf(), "layout-v2.pdf"))
    back = ok(resubmit(owner, view, {"shop.area_sqm": 98}))

    assert back["state"] == "in_review"
    assert {f["name"]: f["value"] for f in back["fields"]}["shop.area_sqm"] == 98
    assert next(s for s in back["subs"] if s["id"] == sub["id"])["state"] == "in_review"
    done = approve_all(owner, approvers, application["id"])
    assert done["state"] == "results_issued"
    licence = store["certificates"].find_one({"application_id": application["id"], "type": "fire_safety_inspection"})
    assert licence is not None


def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(restaurateur, clerk, approvers, store):
    owner = restaurateur()
    application = accepted(owner, clerk, item="430200-SCJG-002")
    sub = subs_by_department(owner, application["id"])["scjg"][0]
    before = (store["sub_applications"].find_one({"_id": sub["id"]}), store["application_events"].count_documents({}))
    messages = store["outbox"].count_documents({})

    for body in ({}, {"reason": ""}, {"reason": "   "}):
        refused = decide(approvers["scjg"], sub["id"], "reject", **body)
        assert refused.status_code == 422, body
        assert "reason" in refused.get_json()["errors"]

    assert (store["sub_applications"].find_one({"_id": sub["id"]}), store["application_events"].count_documents({})) == before
    assert store["outbox"].count_documents({}) == messages


def test_a_rejection_with_a_reason_ends_the_application_and_tells_the_applicant_why(restaurateur, clerk, approvers, store):
    owner = restaurateur()
    application = accepted(owner, clerk, item="430200-SCJG-002")
    sub = subs_by_department(owner, application["id"])["scjg"][0]

    rejected = ok(decide(approvers["scjg"], sub["id"], "reject", reason="经营场所与污染源距离不足25米"))

    assert rejected["state"] == "rejected" and rejected["reason"] == "经营场所与污染源距离不足25米"
    view = ok(owner.get(f"/applications/{application['id']}"))
    assert view["state"] == "rejected"
    assert store["certificates"].count_documents({"application_id": application["id"]}) == 0
    again = decide(approvers["scjg"], sub["id"], "approve")
    assert again.status_code == 409 and again.get_json()["errors"]["state"] == ["rejected"]


def test_a_correction_must_name_fields_of_the_form(restaurateur, clerk, approvers):
    owner = restaurateur()
    application = accepted(owner, clerk, item="430200-SCJG-002")
    sub = subs_by_department(owner, application["id"])["scjg"][0]

    for fields in ([], ["shop.nosuch"], None):
        body = {"reason": "请补正", **({"fields": fields} if fields is not None else {})}
        response = decide(approvers["scjg"], sub["id"], "request_correction", **body)
        assert response.status_code == 422, fields
    assert ok(approvers["scjg"].get(f"/review/sub-applications/{sub['id']}"))["subs"][0]["state"] == "in_review"
