# ruff: noqa: F811 - pytest fixtures imported here are taken as arguments by name
"""A booked visit served at the window (办结) invites the visitor to rate it; a no-show does not."""

from __future__ import annotations

from tests.appointments.conftest import (  # noqa: F401 - fixtures used here
    MONDAY,
    booked,
    call_next,
    check_in,
    clerk,
    clock,
    hall,
    make_hall,
    ok,
    resident,
    slot,
)


def test_a_served_visit_invites_the_visitor_and_a_no_show_does_not(hall, resident, clerk, clock, store):
    desk, visitor, absent = clerk(), resident(), resident("刘芳")
    served_one = booked(visitor, slot(MONDAY, "10:00"))
    missed_one = booked(absent, slot(MONDAY, "10:00"))
    clock.set_local(MONDAY, "09:40")
    ok(check_in(desk, served_one)), ok(check_in(desk, missed_one))

    ok(desk.post(f"/clerk/queue/tickets/{call_next(desk, 'A01')['ticket']['id']}/served"))
    ok(desk.post(f"/clerk/queue/tickets/{call_next(desk, 'A02')['ticket']['id']}/no-show"))

    pending = ok(visitor.get("/evaluations/pending"))
    assert [(p["subject_type"], p["subject_id"]) for p in pending] == [("appointment", served_one["id"])]
    assert ok(absent.get("/evaluations/pending")) == []
    message = store["outbox"].find_one({"event": "evaluation.invitation_appointment"})
    assert message["recipient"]["account_id"] == visitor.account_id and message["data"]["appointment_id"] == served_one["id"]
    rated = visitor.post("/evaluations", json={"subject_type": "appointment", "subject_id": served_one["id"], "level": 2})
    assert ok(rated, 201)["rectification"]["state"] == "open"
    missed = {"subject_type": "appointment", "subject_id": missed_one["id"], "level": 2}
    assert absent.post("/evaluations", json=missed).status_code == 409
