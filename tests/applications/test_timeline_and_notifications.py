"""Every transition is on the application's timeline (who, from, to), and the applicant is told at every step."""

from __future__ import annotations

from tests.applications.conftest import (
    accepted,
    approve_all,
    decide,
    ok,
    resubmit,
    start,
    submitted,
    subs_by_department,
)


def _walk_with_a_correction(owner, clerk, approvers) -> dict:
    application = accepted(owner, clerk, bundle="open-restaurant")
    sub = next(s for s in subs_by_department(owner, application["id"])["scjg"] if s["item"] == "430200-SCJG-002")
    ok(decide(approvers["scjg"], sub["id"], "request_correction", reason="座位数与面积不符", fields=["shop.seats"]))
    view = ok(owner.get(f"/applications/{application['id']}"))
    ok(resubmit(owner, view, {"shop.seats": 40}))
    return approve_all(owner, approvers, application["id"])


def test_the_timeline_records_every_transition_with_who_made_it(restaurateur, clerk, approvers, store):
    owner = restaurateur()

    done = _walk_with_a_correction(owner, clerk, approvers)

    events = list(store["application_events"].find({"application_id": done["id"]}).sort("at", 1))
    assert all(e["actor_id"] and e["actor_role"] and e["from"] and e["to"] and e["at"] for e in events)
    own = [(e["action"], e["actor_role"], e["from"], e["to"]) for e in events if e["sub_id"] is None]
    assert own == [
        ("submit", "citizen", "draft", "submitted"),
        ("accept", "clerk", "submitted", "in_review"),
        ("request_correction", "approver", "in_review", "needs_correction"),
        ("resubmit", "citizen", "needs_correction", "in_review"),
        ("approve", "approver", "in_review", "approved"),
        ("issue", "system", "approved", "results_issued"),
    ]
    actors = {e["action"]: e["actor_id"] for e in events if e["sub_id"] is None}
    assert actors["submit"] == actors["resubmit"] == owner.account_id and actors["accept"] == clerk.account_id
    assert actors["request_correction"] == approvers["scjg"].account_id
    for sub in done["subs"]:
        steps = [(e["from"], e["to"]) for e in events if e["sub_id"] == sub["id"]]
        assert steps[0][0] == "in_review" and steps[-1][1] == "issued", sub["item"]
        assert all(before[1] == after[0] for before, after in zip(steps, steps[1:], strict=False)), steps
    shown = [(e["action"], e["actor_role"], e["from"], e["to"]) for e in done["timeline"]]
    assert shown == [(e["action"], e["actor_role"], e["from"], e["to"]) for e in events]


def test_a_withdrawal_is_on_the_timeline(restaurateur, store):
    owner = restaurateur()
    application = submitted(owner, bundle="open-restaurant")

    withdrawn = ok(owner.post(f"/applications/{application['id']}/withdraw"))

    assert [(e["action"], e["from"], e["to"]) for e in withdrawn["timeline"]] == [
        ("submit", "draft", "submitted"),
        ("withdraw", "submitted", "withdrawn"),
    ]


def _messages(store, application_id: str) -> list[dict]:
    return list(store["outbox"].find({"data.application_id": application_id}).sort("created_at", 1))


def test_the_applicant_is_notified_on_submission_acceptance_correction_and_approval(restaurateur, clerk, approvers, store):
    owner = restaurateur()

    done = _walk_with_a_correction(owner, clerk, approvers)

    messages = _messages(store, done["id"])
    assert messages[-1]["event"] == "shipment.created"  # the paper licences go by EMS (api/delivery)
    messages = [m for m in messages if m["event"].startswith("application.")]
    assert [m["event"] for m in messages] == [
        "application.submitted",
        "application.accepted",
        "application.correction_requested",
        "application.approved",
    ]
    assert {m["recipient"]["account_id"] for m in messages} == {owner.account_id}
    assert {m["data"]["application_no"] for m in messages} == {done["number"]}
    assert messages[1]["data"]["promised_days"] == 3
    assert messages[2]["data"]["reason"] == "座位数与面积不符"
    assert all(m["state"] == "queued" for m in messages)


def test_the_applicant_is_notified_of_a_rejection_with_its_reason(restaurateur, clerk, approvers, store):
    owner = restaurateur()
    application = accepted(owner, clerk, item="430200-SCJG-002")
    sub = subs_by_department(owner, application["id"])["scjg"][0]

    ok(decide(approvers["scjg"], sub["id"], "reject", reason="经营场所与污染源距离不足25米"))

    messages = _messages(store, application["id"])
    assert [m["event"] for m in messages] == ["application.submitted", "application.accepted", "application.rejected"]
    assert messages[-1]["data"]["reason"] == "经营场所与污染源距离不足25米"
    own = [(e["action"], e["from"], e["to"]) for e in ok(owner.get(f"/applications/{application['id']}"))["timeline"]]
    assert own[-2:] == [("reject", "in_review", "rejected"), ("reject", "in_review", "rejected")]  # the item, then the whole


def test_a_draft_sends_nothing_and_has_no_timeline_yet(restaurateur, store):
    owner = restaurateur()

    draft = start(owner, bundle="open-restaurant")

    assert _messages(store, draft["id"]) == [] and ok(owner.get(f"/applications/{draft['id']}"))["timeline"] == []
