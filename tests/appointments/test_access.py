"""Who may do what: 401 without a token, 403 for the wrong role, 404 for someone else's booking; businesses act
through X-Acting-For."""

from __future__ import annotations

import pytest

from api.appointments.bookings import BOOKINGS
from tests.appointments.conftest import API, HALL, MONDAY, booked, ok, refused, slot


def test_a_citizen_cannot_see_or_cancel_or_reschedule_another_persons_booking(store, hall, resident, clock):
    owner, other = resident(), resident("李四")
    appointment = booked(owner, slot(MONDAY, "10:00"))
    path = f"/appointments/{appointment['id']}"
    refused(other.get(path), 404, "appointment_not_found")
    refused(other.post(f"{path}/cancel"), 404, "appointment_not_found")
    refused(other.post(f"{path}/reschedule", json={"starts_at": slot(MONDAY, "11:00"), "version": 1}), 404)
    refused(other.get(f"{path}/qr.svg"), 404)
    assert ok(other.get("/appointments")) == []
    assert store[BOOKINGS].find_one({"_id": appointment["id"]})["state"] == "booked"


def test_a_citizen_cannot_call_the_queue_check_in_or_edit_halls(hall, resident, clock):
    citizen = resident()
    refused(citizen.post("/clerk/queue/call-next", json={"window": "A01"}), 403, "forbidden")
    refused(citizen.post("/clerk/appointments/check-in", json={"appointment_id": "apt_x"}), 403)
    refused(citizen.post("/clerk/queue/walk-ins", json={"item": "430200-BDC-001"}), 403)
    refused(citizen.get("/clerk/queue"), 403)
    refused(citizen.get("/admin/appointments/halls"), 403)


def test_a_clerk_cannot_edit_halls(hall, clerk):
    refused(clerk().get("/admin/appointments/halls"), 403)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/appointments"),
        ("POST", "/appointments"),
        ("GET", "/appointments/apt_x"),
        ("POST", "/appointments/apt_x/cancel"),
        ("POST", "/appointments/apt_x/reschedule"),
        ("GET", "/appointments/apt_x/qr.svg"),
        ("POST", "/clerk/queue/call-next"),
        ("POST", "/clerk/appointments/check-in"),
        ("GET", "/admin/appointments/halls"),
    ],
)
def test_without_a_token_every_private_endpoint_is_a_401(anonymous, hall, method, path):
    refused(anonymous.call(method, path, json={}), 401, "unauthenticated")


def test_halls_availability_and_the_calling_screen_are_public(anonymous, hall, clock):
    for path in ("/appointments/halls", f"/appointments/halls/{HALL}", f"/appointments/halls/{HALL}/screen",
                 f"/appointments/halls/{HALL}/availability?item=430200-BDC-001"):  # fmt: skip
        assert anonymous.get(path).status_code == 200, path


# -- businesses ---------------------------------------------------------------------------------------------------


@pytest.fixture
def restaurateur(app, verified, add_org):
    """(legal representative's headers with X-Acting-For, the org): 李娜 acting for her company."""

    def make():
        session, person = verified("13800000003", "李娜")
        org = add_org(person, name="株洲李娜餐饮管理有限公司")
        return {**session.headers, "X-Acting-For": org.credit_code}, org

    return make


def test_a_business_books_acting_for_its_org_and_must_act_for_it_to_cancel(app, store, hall, restaurateur, clock):
    headers, org = restaurateur()
    client = app.test_client()
    body = {"hall": HALL, "item": "430200-SCJG-002", "starts_at": slot(MONDAY, "10:00")}
    appointment = ok(client.post(f"{API}/appointments", json=body, headers=headers), 201)
    assert (appointment["acting_for"], appointment["holder_name"]) == (org.credit_code, "株洲李娜餐饮管理有限公司")
    as_herself = {k: v for k, v in headers.items() if k != "X-Acting-For"}
    assert ok(client.get(f"{API}/appointments/{appointment['id']}", headers=as_herself))["id"] == appointment["id"]
    refused(client.post(f"{API}/appointments/{appointment['id']}/cancel", headers=as_herself), 403, "acting_for_required")
    assert ok(client.post(f"{API}/appointments/{appointment['id']}/cancel", headers=headers))["state"] == "cancelled"


def test_a_business_and_its_representative_in_person_are_two_parties_for_one_item(app, hall, restaurateur, clock):
    headers, _ = restaurateur()
    client = app.test_client()
    body = {"hall": HALL, "item": "430200-SCJG-002", "starts_at": slot(MONDAY, "10:00")}
    ok(client.post(f"{API}/appointments", json=body, headers=headers), 201)
    refused(client.post(f"{API}/appointments", json={**body, "starts_at": slot(MONDAY, "11:00")}, headers=headers), 409,
            "already_booked")  # fmt: skip
    as_herself = {k: v for k, v in headers.items() if k != "X-Acting-For"}
    ok(client.post(f"{API}/appointments", json=body, headers=as_herself), 201)


def test_acting_for_an_org_one_does_not_represent_is_a_403(app, store, hall, resident, add_person, add_org, clock):
    stranger = resident()
    org = add_org(add_person("王五"), name="株洲别人家的公司")
    body = {"hall": HALL, "item": "430200-SCJG-002", "starts_at": slot(MONDAY, "10:00")}
    answer = stranger.post("/appointments", json=body, headers={"X-Acting-For": org.credit_code})
    refused(answer, 403, "not_authorized_for_org")
    assert store[BOOKINGS].count_documents({}) == 0
