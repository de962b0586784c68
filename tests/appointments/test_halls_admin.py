"""Admins manage halls, windows and the items each window handles; every refusal leaves the store as it was.
The demo seed holds 株洲市民中心, a district centre and a community point."""

from __future__ import annotations

import pytest

from api.appointments.demo import seed_demo_halls
from api.appointments.halls import HALLS
from tests.appointments.conftest import DEED, FOOD, HALL, MONDAY, availability, hall_data, ok, refused, slot

ADMIN = "/admin/appointments/halls"


def _stored(store, code: str = HALL) -> dict | None:
    return store[HALLS].find_one({"_id": code})


def _as_update(hall: dict) -> dict:
    skipped = {"code", "items", "created_at", "updated_at"}
    return {key: value for key, value in hall.items() if key not in skipped}


def test_an_admin_adds_a_hall_and_anyone_then_sees_it_with_its_items(app, store, admin, clock):
    created = ok(admin.post(ADMIN, json=hall_data()), 201)
    assert (created["version"], [w["code"] for w in created["windows"]]) == (1, ["A01", "A02", "A03", "A04", "A05", "B01", "B02"])
    assert {i["code"] for i in created["items"]} == {DEED, FOOD}
    assert ok(app.test_client().get(f"/api/v1/appointments/halls/{HALL}"))["name"] == "测试政务服务大厅"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"windows": [{"code": "A01", "name": "A01", "group": "A", "items": ["430200-NONE-999"]}]}, "windows"),
        ({"windows": [{"code": "A01", "name": "A01", "group": "Z", "items": [DEED]}]}, "windows"),
        ({"windows": [{"code": "A01", "name": "A01", "group": "A", "items": [DEED]},
                      {"code": "B01", "name": "B01", "group": "B", "items": [DEED]}]}, "windows"),  # one item, two groups
        ({"windows": [{"code": "a.1", "name": "A01", "group": "A", "items": [DEED]}]}, "windows"),
        ({"opening_hours": {"mon": [["09:00", "12:00"], ["11:00", "17:00"]]}}, "opening_hours"),
        ({"opening_hours": {"mon": [["12:00", "09:00"]]}}, "opening_hours"),
        ({"opening_hours": {"mon": [["9am", "noon"]]}}, "opening_hours"),
        ({"groups": [{"code": "A", "name": "不动产", "floor": "9F"}]}, "groups"),
        ({"slot_minutes": 5}, "slot_minutes"),
        ({"closed_days": ["2026-02-30"]}, "closed_days"),
        ({"code": "Bad Code"}, "code"),
    ],
)  # fmt: skip
def test_an_invalid_hall_is_a_422_naming_the_field_and_nothing_is_stored(store, admin, change, field):
    body = refused(admin.post(ADMIN, json={**hall_data(), **change}), 422)
    assert field in body["errors"], body
    assert store[HALLS].count_documents({}) == 0


def test_a_taken_code_is_a_409(store, admin, hall):
    refused(admin.post(ADMIN, json=hall_data()), 409, "hall_exists")
    assert _stored(store)["version"] == 1


def test_an_admin_replaces_a_hall_and_a_stale_version_is_a_409(store, admin, hall):
    current = ok(admin.get(f"{ADMIN}/{HALL}"))
    renamed = ok(admin.put(f"{ADMIN}/{HALL}", json={**_as_update(current), "name": "新名字政务服务大厅"}))
    assert (renamed["name"], renamed["version"]) == ("新名字政务服务大厅", 2)
    refused(admin.put(f"{ADMIN}/{HALL}", json={**_as_update(current), "name": "又一个名字"}), 409, "version_conflict")
    assert _stored(store)["name"] == "新名字政务服务大厅"


def test_a_window_added_to_a_hall_adds_its_places_and_a_closed_window_takes_them_away(app, store, admin, hall, clock):
    window = {"name": "A06窗口", "group": "A", "items": [DEED], "active": True, "version": 1}
    ok(admin.put(f"{ADMIN}/{HALL}/windows/A06", json=window))
    assert availability(app.test_client())["days"][0]["slots"][0]["capacity"] == 6
    ok(admin.put(f"{ADMIN}/{HALL}/windows/A06", json={**window, "active": False, "version": 2}))
    assert availability(app.test_client())["days"][0]["slots"][0]["capacity"] == 5


def test_a_window_that_would_split_an_item_over_two_groups_is_refused(store, admin, hall):
    window = {"name": "B03窗口", "group": "B", "items": [DEED], "version": 1}
    refused(admin.put(f"{ADMIN}/{HALL}/windows/B03", json=window), 422, "hall_invalid")
    refused(admin.put(f"{ADMIN}/{HALL}/windows/b-3", json={**window, "group": "A"}), 422, "hall_invalid")
    assert _stored(store)["version"] == 1 and len(_stored(store)["windows"]) == 7


def test_a_closed_hall_is_hidden_from_the_public_and_cannot_be_booked(app, store, admin, hall, resident, clock):
    ok(admin.put(f"{ADMIN}/{HALL}", json={**_as_update(ok(admin.get(f"{ADMIN}/{HALL}"))), "status": "inactive"}))
    client = app.test_client()
    assert ok(client.get("/api/v1/appointments/halls")) == []
    refused(client.get(f"/api/v1/appointments/halls/{HALL}"), 404)
    answer = resident().post("/appointments", json={"hall": HALL, "item": DEED, "starts_at": slot(MONDAY, "10:00")})
    refused(answer, 422, "hall_not_found")
    assert [h["code"] for h in ok(admin.get(ADMIN))] == [HALL]


def test_the_demo_seed_holds_the_city_centre_with_floors_and_windows_a_district_centre_and_a_community_point(store):
    assert seed_demo_halls(store) == "3 service hall(s) created"
    assert seed_demo_halls(store) == "0 service hall(s) created"  # idempotent
    city, district, community = (_stored(store, code) for code in ("zz-smzx", "zz-htq", "zz-htq-ytjd-sq"))
    assert city["name"] == "株洲市民中心政务服务大厅" and len(city["floors"]) == 4 and len(city["windows"]) == 20
    assert district["name"] == "荷塘区政务服务中心" and community["kind"] == "community"
    handled = {item for window in city["windows"] for item in window["items"]}
    assert {"430200-SCJG-002", "430200-BDC-001", "430200-XFJY-001"} <= handled
