"""Messages about a booking: confirmation, cancellation, reminders the day before and 1 h before (queued by a job
that may run any number of times), and bookings for a submitted application."""

from __future__ import annotations

import datetime as dt

from api.appointments.jobs import run_due
from api.appointments.settings import AppointmentSettings
from tests.appointments.conftest import DEED, FOOD, HALL, MONDAY, book, booked, ok, outbox, refused, slot

THURSDAY = MONDAY + dt.timedelta(days=3)
SETTINGS = AppointmentSettings()


def test_booking_and_cancelling_each_queue_one_message_for_the_holder(store, hall, resident, clock):
    person = resident()
    appointment = booked(person, slot(THURSDAY, "10:00"))
    ok(person.post(f"/appointments/{appointment['id']}/cancel"))
    (confirmation,), (cancellation,) = outbox(store, "appointment.booked"), outbox(store, "appointment.cancelled")
    for message in (confirmation, cancellation):
        assert message["recipient"]["account_id"] == person.account_id
        assert message["data"] == {"appointment_id": appointment["id"], "hall_name": "测试政务服务大厅",
                                   "service_name": "存量房（二手房）转移登记", "starts_at": slot(THURSDAY, "10:00")}  # fmt: skip


def test_reminders_go_the_day_before_and_one_hour_before_each_once_however_often_the_job_runs(store, hall, resident, clock):
    appointment = booked(resident(), slot(THURSDAY, "10:00"))
    clock.set_local(THURSDAY - dt.timedelta(days=1), "09:59")
    assert run_due(store, SETTINGS)["reminders"] == 0
    clock.set_local(THURSDAY - dt.timedelta(days=1), "10:00")
    assert [run_due(store, SETTINGS)["reminders"] for _ in range(3)] == [1, 0, 0]
    clock.set_local(THURSDAY, "09:05")
    assert [run_due(store, SETTINGS)["reminders"] for _ in range(2)] == [1, 0]
    keys = sorted(m["idempotency_key"] for m in outbox(store, "appointment.reminder"))
    starts = slot(THURSDAY, "10:00")
    assert keys == [
        f"appointment.reminder:{appointment['id']}:{starts}:1h",
        f"appointment.reminder:{appointment['id']}:{starts}:24h",
    ]


def test_no_reminder_for_a_cancelled_booking_nor_a_day_before_reminder_for_a_booking_made_that_day(store, hall, resident, clock):
    person = resident()
    cancelled = booked(person, slot(THURSDAY, "10:00"))
    ok(person.post(f"/appointments/{cancelled['id']}/cancel"))
    clock.set_local(MONDAY, "12:00")
    booked(resident(), slot(MONDAY + dt.timedelta(days=1), "10:00"))  # made 22 h before its slot
    assert run_due(store, SETTINGS)["reminders"] == 0
    clock.set_local(MONDAY + dt.timedelta(days=1), "09:00")
    assert run_due(store, SETTINGS)["reminders"] == 1  # the 1 h reminder


def test_a_rescheduled_booking_is_reminded_of_its_new_time(store, hall, resident, clock):
    person = resident()
    appointment = booked(person, slot(THURSDAY, "10:00"))
    clock.set_local(THURSDAY - dt.timedelta(days=1), "10:00")
    run_due(store, SETTINGS)
    ok(person.post(f"/appointments/{appointment['id']}/reschedule", json={"starts_at": slot(THURSDAY, "15:00"), "version": 1}))
    clock.set_local(THURSDAY - dt.timedelta(days=1), "15:00")
    assert run_due(store, SETTINGS)["reminders"] == 1
    assert outbox(store, "appointment.reminder")[-1]["data"]["starts_at"] == slot(THURSDAY, "15:00")


def test_the_jobs_command_runs_the_reminders_and_no_shows(app, store, hall, resident, clock):
    booked(resident(), slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "10:20")
    result = app.test_cli_runner().invoke(args=["appointments", "jobs"])
    assert result.exit_code == 0, result.output
    assert "1 no-show(s) recorded" in result.output


# -- bookings for an application ---------------------------------------------------------------------------------


def _application(store, applicant_id: str, state: str = "submitted", items=(DEED, "430200-SWJ-002")) -> str:
    """An application as the applications feature stores it, reduced to what a booking reads."""
    serial = store["applications"].count_documents({}) + 1
    application_id = f"app_test{serial}"
    document = {"_id": application_id, "number": f"YC20260511{serial:06d}", "applicant_id": applicant_id, "acting_for": None,
                "state": state, "items": list(items), "name": "不动产转移登记一件事"}  # fmt: skip
    store["applications"].insert_one(document)
    return application_id


def test_a_submitted_application_books_its_item_that_needs_a_visit(store, hall, resident, clock):
    person = resident()
    application_id = _application(store, person.account_id)
    body = {"hall": HALL, "application_id": application_id, "starts_at": slot(MONDAY, "10:00")}
    appointment = ok(person.post("/appointments", json=body), 201)
    assert (appointment["item"], appointment["application_id"]) == (DEED, application_id)


def test_a_draft_someone_elses_application_or_one_without_a_visit_cannot_be_booked(store, hall, resident, clock):
    person, other = resident(), resident("李四")
    starts_at = slot(MONDAY, "10:00")
    cases = [
        (_application(store, person.account_id, "draft"), "application_not_open"),
        (_application(store, other.account_id), "application_not_found"),
        (_application(store, person.account_id, "in_review", items=(FOOD,)), "no_visit_needed"),
    ]
    for application_id, code in cases:
        refused(
            person.post("/appointments", json={"hall": HALL, "application_id": application_id, "starts_at": starts_at}), 422, code
        )
    assert outbox(store, "appointment.booked") == []


def test_an_item_booked_for_an_application_counts_as_that_items_one_active_booking(store, hall, resident, clock):
    person = resident()
    body = {"hall": HALL, "application_id": _application(store, person.account_id), "starts_at": slot(MONDAY, "10:00")}
    ok(person.post("/appointments", json=body), 201)
    refused(book(person, slot(MONDAY, "11:00")), 409, "already_booked")
