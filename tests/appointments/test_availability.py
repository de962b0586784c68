"""Availability: slots from opening hours in the hall's length, closed on holidays and the hall's own closed days,
open on make-up working days, 14 days ahead, cacheable, and read through indexes only."""

from __future__ import annotations

import datetime as dt

from api.appointments.slots import COUNTERS
from tests.appointments.conftest import API, DEED, HALL, MONDAY, availability, booked, local, ok, refused, slot

SATURDAY_HOURS = {"sat": [["09:00", "12:00"]]}


def _days(client, hall: str = HALL) -> dict[str, dict]:
    return {day["date"]: day for day in availability(client, DEED, hall)["days"]}


def _starts(day: dict) -> list[str]:
    return [s["starts_at"] for s in day["slots"]]


def test_availability_lists_fourteen_days_from_today_with_slots_cut_from_the_opening_hours(app, hall, clock):
    days = _days(app.test_client())
    assert list(days)[0] == MONDAY.isoformat() and len(days) == 14
    monday = days[MONDAY.isoformat()]
    morning = [slot(MONDAY, t) for t in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30")]
    afternoon = [slot(MONDAY, t) for t in ("13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30")]
    assert _starts(monday) == morning + afternoon  # no slot over lunch, none running past 17:00
    assert monday["slots"][0] == {"starts_at": slot(MONDAY, "09:00"), "ends_at": slot(MONDAY, "09:30"), "capacity": 5,
                                  "available": 5}  # fmt: skip
    saturday = days[(MONDAY + dt.timedelta(days=5)).isoformat()]
    assert (saturday["open"], saturday["day_kind"], saturday["slots"]) == (False, "weekend", [])


def test_the_slot_length_is_the_halls_and_a_remainder_shorter_than_a_slot_is_not_offered(app, make_hall, clock):
    make_hall(code="t-long", slot_minutes=45)
    monday = _days(app.test_client(), "t-long")[MONDAY.isoformat()]
    assert _starts(monday)[:4] == [slot(MONDAY, t) for t in ("09:00", "09:45", "10:30", "11:15")]
    assert _starts(monday)[4] == slot(MONDAY, "13:00")  # 12:00 would run past noon


def test_national_holidays_close_the_hall_and_a_make_up_working_day_opens_it(app, hall, clock):
    clock.now = local(dt.date(2026, 9, 29), "08:00")  # National Day: 1–7 October; Saturday 10 October is worked
    days = _days(app.test_client())
    for day in range(1, 8):
        assert (days[f"2026-10-0{day}"]["open"], days[f"2026-10-0{day}"]["day_kind"]) == (False, "holiday")
    make_up = days["2026-10-10"]
    assert (make_up["open"], make_up["day_kind"]) == (True, "make_up")
    assert _starts(make_up)[0] == slot(dt.date(2026, 10, 10), "09:00")  # a normal working day's hours
    assert days["2026-10-11"]["open"] is False


def test_a_hall_open_on_saturdays_is_closed_on_a_saturday_inside_a_holiday(app, make_hall, clock):
    make_hall(code="t-community", kind="community", opening_hours={**_week(), **SATURDAY_HOURS})
    clock.now = local(dt.date(2026, 9, 14), "08:00")  # 25–27 September: Mid-autumn; Sunday 20 September is worked
    days = _days(app.test_client(), "t-community")
    assert _starts(days["2026-09-19"]) == [slot(dt.date(2026, 9, 19), t) for t in ("09:00", "09:30", "10:00", "10:30",
                                                                                    "11:00", "11:30")]  # fmt: skip
    assert (days["2026-09-20"]["day_kind"], len(days["2026-09-20"]["slots"])) == ("make_up", 13)  # 08:30–12:00, 14:30–17:30
    assert (days["2026-09-26"]["day_kind"], days["2026-09-26"]["open"]) == ("holiday", False)


def test_the_halls_own_closed_days_are_closed(app, make_hall, clock):
    closed = (MONDAY + dt.timedelta(days=2)).isoformat()
    make_hall(code="t-closed", closed_days=[closed])
    assert _days(app.test_client(), "t-closed")[closed]["open"] is False


def test_places_left_follow_the_bookings_and_slots_within_the_hour_show_none(app, hall, resident, clock):
    clock.set_local(MONDAY, "09:10")
    booked(resident(), slot(MONDAY, "10:30"))
    monday = _days(app.test_client())[MONDAY.isoformat()]
    left = {s["starts_at"]: s["available"] for s in monday["slots"]}
    assert left[slot(MONDAY, "10:00")] == 0  # starts in 50 minutes: booking has closed
    assert left[slot(MONDAY, "10:30")] == 4
    assert left[slot(MONDAY, "11:00")] == 5


def test_availability_is_cacheable_with_an_etag_and_a_304_until_a_booking_changes_it(app, hall, resident, clock):
    client = app.test_client()
    path = f"{API}/appointments/halls/{HALL}/availability?item={DEED}"
    first = client.get(path)
    assert first.headers["Cache-Control"] == "public, max-age=10"
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.headers["ETag"], again.data) == (304, first.headers["ETag"], b"")
    booked(resident(), slot(MONDAY, "15:00"))
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_availability_reads_the_slot_counters_through_their_index(app, store, hall, resident, clock):
    booked(resident(), slot(MONDAY, "15:00"))
    query = {"hall": HALL, "starts_at": {"$gte": slot(MONDAY, "09:00"), "$lte": slot(MONDAY, "16:30")}}
    plan = " ".join(store[COUNTERS].explain_query_plan(query))
    assert "USING INDEX" in plan and "SCAN" not in plan.replace("USING INDEX", "")


def test_an_unknown_hall_or_an_item_the_hall_does_not_handle_is_a_404_and_a_malformed_item_a_422(app, hall, clock):
    client = app.test_client()
    refused(client.get(f"{API}/appointments/halls/nowhere/availability?item={DEED}"), 404, "hall_not_found")
    refused(client.get(f"{API}/appointments/halls/{HALL}/availability?item=430200-WJW-001"), 404, "item_not_handled")
    refused(client.get(f"{API}/appointments/halls/{HALL}/availability?item=deeds"), 422)
    refused(client.get(f"{API}/appointments/halls/{HALL}/availability"), 422)


def test_the_hall_list_offers_the_halls_that_handle_an_item_with_its_name(app, hall, make_hall, clock):
    make_hall(code="t-food-only", windows=[{"code": "B01", "name": "B01窗口", "group": "B", "items": ["430200-SCJG-002"]}])
    client = app.test_client()
    assert [h["code"] for h in ok(client.get(f"{API}/appointments/halls?item={DEED}"))] == [HALL]
    items = {i["code"]: i for i in ok(client.get(f"{API}/appointments/halls/{HALL}"))["items"]}
    assert items[DEED] == {"code": DEED, "name": "存量房（二手房）转移登记", "group": "A", "windows": 5, "visits": 1}


def _week() -> dict:
    working = [["08:30", "12:00"], ["14:30", "17:30"]]
    return {day: working for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [], "sun": []}
