"""Places in a slot: never more bookings than the windows that handle the item can take, under any concurrency."""

from __future__ import annotations

import threading

import pytest

from api import create_app
from api.appointments.bookings import BOOKINGS
from api.appointments.slots import COUNTERS
from api.catalog.service import load_catalog
from tests.appointments.conftest import DEED, FOOD, HALL, MONDAY, book, booked, ok, places_left, refused, slot

REQUESTS = 50


@pytest.fixture
def app(tmp_path):
    """The app on a fresh SQLite file whose writers wait up to 30 s for the lock (default 5 s): fifty threads on a
    loaded two-core machine can queue longer than 5 s, and what is tested here is the capacity, not the wait."""
    app = create_app(
        {"DATA_DIR": str(tmp_path / "var"), "TESTING": True, "LOG_LEVEL": "WARNING", "SQLITE_BUSY_TIMEOUT_MS": 30000}
    )
    load_catalog(app.extensions["store"])
    return app


def test_fifty_concurrent_requests_for_a_slot_of_five_places_end_with_exactly_five_bookings_and_45_clear_409s(
    app, store, hall, resident, clock
):
    starts_at = slot(MONDAY, "10:00")
    people = [resident(f"居民{i}") for i in range(REQUESTS)]  # each its own test client, so its own thread-local store connection
    answers: list = [None] * REQUESTS
    errors: list[BaseException] = []
    start = threading.Barrier(REQUESTS)

    def work(index: int) -> None:
        try:
            start.wait()
            answers[index] = book(people[index], starts_at)
        except BaseException as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = sorted(answer.status_code for answer in answers)
    unexpected = [(a.status_code, a.get_json()) for a in answers if a.status_code not in (201, 409)]
    assert statuses == [201] * 5 + [409] * 45, unexpected
    for answer in answers:
        if answer.status_code == 409:
            refused(answer, 409, "slot_full")
    assert store[BOOKINGS].count_documents({"starts_at": starts_at, "state": "booked"}) == 5
    counter = store[COUNTERS].find_one({"_id": f"{HALL}|{starts_at}"})
    assert counter["taken"] == {"A01": 1, "A02": 1, "A03": 1, "A04": 1, "A05": 1}  # one place per window, none twice
    assert places_left(app.test_client(), starts_at) == 0


def test_a_full_slot_refuses_the_next_booking_and_a_cancellation_frees_its_place(app, store, hall, resident, clock):
    starts_at = slot(MONDAY, "14:00")
    holders = [resident(f"居民{i}") for i in range(5)]
    bookings = [booked(holder, starts_at) for holder in holders]
    late = resident("晚来的人")
    refused(book(late, starts_at), 409, "slot_full")
    assert store[BOOKINGS].count_documents({"account_id": late.account_id}) == 0

    ok(holders[0].post(f"/appointments/{bookings[0]['id']}/cancel"))
    assert places_left(app.test_client(), starts_at) == 1
    assert booked(late, starts_at)["state"] == "booked"
    assert places_left(app.test_client(), starts_at) == 0


def test_places_of_an_item_come_from_the_windows_that_handle_it(app, hall, resident, clock):
    starts_at = slot(MONDAY, "15:00")
    client = app.test_client()
    assert places_left(client, starts_at, DEED) == 5  # five windows of group A
    assert places_left(client, starts_at, FOOD) == 2  # two windows of group B
    booked(resident(), starts_at, FOOD)
    assert places_left(client, starts_at, FOOD) == 1
    assert places_left(client, starts_at, DEED) == 5  # other windows: untouched


def test_a_window_shared_by_two_items_gives_its_place_once(app, make_hall, resident, clock):
    shared = [{"code": "A01", "name": "A01窗口", "group": "A", "items": ["430200-BDC-001", "430200-SWJ-002"]}]
    make_hall(code="t-small", windows=shared, groups=[{"code": "A", "name": "不动产", "floor": "1F"}])
    starts_at = slot(MONDAY, "09:30")
    booked(resident(), starts_at, "430200-BDC-001", hall="t-small")
    refused(book(resident(), starts_at, "430200-SWJ-002", hall="t-small"), 409, "slot_full")
    assert places_left(app.test_client(), starts_at, "430200-SWJ-002", hall="t-small") == 0
