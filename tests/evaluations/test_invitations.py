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
