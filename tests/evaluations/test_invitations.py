# ruff: noqa: F811 - pytest fixtures imported here are taken as arguments by name
"""The invitation to rate, through the real flows: an application handed over at the window completes and its
applicant is invited (inbox + SMS, and GET /evaluations/pending); a booked visit served at the window likewise."""

from __future__ import annotations

from tests.applications.conftest import business_licence, clerk, resident, restaurateur  # noqa: F401 - fixtures
from tests.auth.conftest import add_org, add_person, login, verified  # noqa: F401 - fixtures used here
from tests.delivery.conftest import post

from .conftest import ok, rate


def test_an_application_that_completes_invites_its_applicant_who_rates_it_once(restaurateur, clerk, approvers, store):
    owner = restaurateur()
    view = post(owner, clerk, approvers, {"method": "pickup", "hall": "zz-smzx"})
    assert ok(owner.get("/evaluations/pending")) == []  # results issued, originals not yet collected

    ok(clerk.post(f"/clerk/applications/{view['id']}/hand-over"))

    pending = ok(owner.get("/evaluations/pending"))
    assert [(p["subject_type"], p["subject_id"], p["subject_name"]) for p in pending] == [
        ("application", view["id"], "开办餐饮店一件事")
    ]
    invitation = store["outbox"].find_one({"event": "evaluation.invitation"})
    assert invitation["recipient"]["account_id"] == owner.account_id and invitation["data"]["application_id"] == view["id"]
    rated = ok(rate(owner, {"_id": view["id"]}, 5, tags=["一次办成"]), 201)
    assert rated["subject_no"] == view["number"]
    assert ok(owner.get("/evaluations/pending")) == []
    mine = ok(owner.get(f"/evaluations?subject_type=application&subject_id={view['id']}"))
    assert [m["id"] for m in mine] == [rated["id"]]


def test_an_unrated_case_gets_one_reminder_three_days_after_the_invitation(citizen, finished_application, clock, store):
    from api.evaluations.service import invite_for_application, remind_unrated

    forgetful, prompt = citizen(), citizen()
    unrated, rated = finished_application(forgetful), finished_application(prompt)
    invite_for_application(store, unrated), invite_for_application(store, rated)
    ok(rate(prompt, rated, 4), 201)

    clock.advance(3 * 86400 - 60)
    assert remind_unrated(store) == 0  # not yet 3 days
    clock.advance(60)
    assert remind_unrated(store) == 1
    assert remind_unrated(store) == 0  # once

    reminders = list(store["outbox"].find({"event": "evaluation.reminder"}))
    assert [(m["recipient"]["account_id"], m["data"]["subject_path"]) for m in reminders] == [
        (forgetful.account_id, f"/applications/{unrated['_id']}")
    ]
