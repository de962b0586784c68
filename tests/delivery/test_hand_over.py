"""Pickup at the hall: the clerk hands the paper originals over at the window, and the application completes."""

from __future__ import annotations

from tests.applications.conftest import ok

from .conftest import post


def test_handing_over_at_the_window_completes_a_pickup_application(restaurateur, clerk, approvers, store):
    owner = restaurateur()
    view = post(owner, clerk, approvers, {"method": "pickup", "hall": "zz-smzx"})
    assert view["state"] == "results_issued"
    done = ok(clerk.post(f"/clerk/applications/{view['id']}/hand-over"))
    assert done["state"] == "completed"
    assert ok(owner.get(f"/applications/{view['id']}"))["state"] == "completed"
    assert any(event["action"] == "hand_over" for event in done["timeline"])
    again = clerk.post(f"/clerk/applications/{view['id']}/hand-over")
    assert again.status_code == 409 and again.get_json()["errors"]["state"] == ["completed"]


def test_an_application_posted_by_ems_cannot_be_handed_over_at_the_window(posted, clerk, store):
    owner, view, shipment = posted()
    answer = clerk.post(f"/clerk/applications/{view['id']}/hand-over")
    assert answer.status_code == 409 and answer.get_json()["code"] == "not_for_pickup"
    assert store["applications"].find_one({"_id": view["id"]}).get("handed_over_at") is None


def test_a_citizen_cannot_hand_over(restaurateur, clerk, approvers):
    owner = restaurateur()
    view = post(owner, clerk, approvers, {"method": "pickup", "hall": "zz-smzx"})
    assert owner.post(f"/clerk/applications/{view['id']}/hand-over").status_code == 403
