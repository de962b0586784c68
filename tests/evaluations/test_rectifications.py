"""A 差评 opens a rectification case (整改) for the responsible departments, due in 15 working days; an approver
of one of them replies; the applicant sees the reply and may rate once more, which closes or reopens the case."""

from __future__ import annotations

import datetime as dt

from api.evaluations import rules

from .conftest import ok, rate

ONE_DAY = 86400


def poor_rating(citizen, finished_application, level: int = 2, **application):
    owner = citizen()
    subject = finished_application(owner, **application)
    rated = ok(rate(owner, subject, level, tags=["跑了多次"], comment="材料交了两次"), 201)
    return owner, subject, rated


def reply(approver, case_id: str, **body):
    return approver.post(f"/rectifications/{case_id}/reply", json={"reply": "已核实并致歉", "measures": "材料清单已精简", **body})


def test_the_deadline_counts_15_working_days_across_national_day_and_its_make_up_saturday():
    opened = dt.date(2026, 9, 28)  # Monday; 10-01..10-07 closed, Saturday 10-10 is a working day (调休)

    assert rules.rectification_deadline(opened) == dt.date(2026, 10, 23)
    assert rules.rectification_deadline(dt.date(2026, 9, 30)) == dt.date(2026, 10, 27)  # a Wednesday start
    assert rules.rectification_deadline(dt.date(2026, 6, 1)) == dt.date(2026, 6, 23)  # 端午: Friday 6-19 closed


def test_a_rating_of_not_satisfied_opens_one_case_for_the_items_departments_due_in_15_working_days(
    citizen, finished_application, clock, store
):
    owner, subject, rated = poor_rating(citizen, finished_application)

    case = store["rectifications"].find_one({"evaluation_id": rated["id"]})
    assert case["departments"] == ["scjg", "cgj", "xfjy"] and case["state"] == "open"
    assert (case["opened_on"], case["deadline_on"]) == ("2026-09-28", "2026-10-23")
    assert store["evaluations"].find_one({"_id": rated["id"]})["rectification_id"] == case["_id"]
    assert rated["rectification"]["state_label"] == "待整改" and rated["rectification"]["replies"] == []


def test_a_satisfied_rating_opens_no_case(citizen, finished_application, store):
    owner = citizen()
    ok(rate(owner, finished_application(owner), 3, tags=["等待太久"]), 201)
    assert store["rectifications"].count_documents({}) == 0


def test_a_poor_rating_of_a_visit_goes_to_the_department_of_the_booked_item_with_the_hall(citizen, served_visit, approvers):
    owner = citizen()
    ok(rate(owner, served_visit(owner), 1, subject_type="appointment", tags=["等待太久"]), 201)

    cases = ok(approvers["gaj"].get("/rectifications"))

    assert [(c["departments"], c["hall"], c["level_label"], c["tags"]) for c in cases] == [
        (["gaj"], "zz-smzx", "非常不满意", ["等待太久"])
    ]


def test_approvers_see_only_their_departments_cases_and_residents_none(citizen, finished_application, approvers):
    owner, subject, rated = poor_rating(citizen, finished_application)
    case_id = rated["rectification"]["id"]

    listed = ok(approvers["cgj"].get("/rectifications"))
    assert [c["id"] for c in listed] == [case_id] and listed[0]["comment"] == "材料交了两次"
    assert "account_id" not in listed[0]  # the department learns what went wrong, not who said it
    assert ok(approvers["gaj"].get("/rectifications")) == []
    assert approvers["gaj"].get(f"/rectifications/{case_id}").status_code == 404
    assert reply(approvers["gaj"], case_id).status_code == 404
    assert owner.get("/rectifications").status_code == 403
    assert reply(owner, case_id).status_code == 403


def test_overdue_cases_are_flagged_and_listed_first(citizen, finished_application, approvers, clock):
    first = poor_rating(citizen, finished_application)[2]["rectification"]["id"]
    clock.advance(30 * ONE_DAY)  # 2026-10-28: the first case's deadline (10-23) has passed
    second = poor_rating(citizen, finished_application)[2]["rectification"]["id"]

    listed = ok(approvers["scjg"].get("/rectifications"))

    assert [(c["id"], c["overdue"]) for c in listed] == [(first, True), (second, False)]


def test_a_reply_answers_the_case_notifies_the_applicant_who_sees_it_on_the_rating(
    citizen, finished_application, approvers, store
):
    owner, subject, rated = poor_rating(citizen, finished_application)
    case_id = rated["rectification"]["id"]

    answered = ok(reply(approvers["xfjy"], case_id))

    assert answered["state"] == "answered" and answered["replies"][0]["department"] == "xfjy"
    message = store["outbox"].find_one({"event": "evaluation.replied"})
    assert message["recipient"]["account_id"] == owner.account_id
    assert message["data"]["subject_path"] == f"/applications/{subject['_id']}"
    seen = ok(owner.get(f"/evaluations/{rated['id']}"))
    assert seen["rectification"]["state_label"] == "已答复" and seen["can_follow_up"] is True
    assert [(r["reply"], r["measures"], r["department_name"]) for r in seen["rectification"]["replies"]] == [
        ("已核实并致歉", "材料清单已精简", "株洲市消防救援支队")
    ]
    assert "by" not in seen["rectification"]["replies"][0]  # no staff identity for the applicant
    assert reply(approvers["scjg"], case_id).status_code == 409  # answered once: a second reply is refused


def test_a_reply_needs_text_and_measures_and_bad_input_changes_nothing(citizen, finished_application, approvers, store):
    case_id = poor_rating(citizen, finished_application)[2]["rectification"]["id"]
    bad = [{"reply": "", "measures": "x"}, {"reply": "x"}, {"reply": "  ", "measures": "  "},
           {"reply": "x" * 501, "measures": "x"}, {"reply": "x", "measures": "y", "unknown": 1}]  # fmt: skip
    for body in bad:
        answer = approvers["scjg"].post(f"/rectifications/{case_id}/reply", json=body)
        assert answer.status_code == 422, body
    assert reply(approvers["scjg"], case_id, department="cgj").status_code == 422  # not in another department's name
    assert store["rectifications"].find_one({"_id": case_id})["state"] == "open"
    assert store["outbox"].count_documents({"event": "evaluation.replied"}) == 0


def test_a_follow_up_rating_of_satisfied_closes_the_case_as_rectified_and_keeps_the_history(
    citizen, finished_application, approvers, store
):
    owner, subject, rated = poor_rating(citizen, finished_application)
    ok(reply(approvers["scjg"], rated["rectification"]["id"]))

    again = ok(owner.post(f"/evaluations/{rated['id']}/follow-up", json={"level": 4, "tags": ["态度好"]}))

    assert (again["level_label"], again["rectification"]["state_label"], again["can_follow_up"]) == ("满意", "已整改", False)
    assert [(h["kind"], h["level"], h["comment"]) for h in again["history"]] == [("follow_up", 2, "材料交了两次")]
    totals = store["evaluation_totals"].find_one({"_id": "bundle:open-restaurant"})
    assert (totals["count"], totals["level_2"], totals["level_4"], totals["satisfied"]) == (1, 0, 1, 1)
    twice = owner.post(f"/evaluations/{rated['id']}/follow-up", json={"level": 5})
    assert twice.status_code == 409 and twice.get_json()["code"] == "follow_up_not_allowed"


def test_a_follow_up_still_poor_reopens_the_case_with_a_new_deadline_and_the_second_reply_closes_it(
    citizen, finished_application, approvers, clock, store
):
    owner, subject, rated = poor_rating(citizen, finished_application)
    case_id = rated["rectification"]["id"]
    ok(reply(approvers["scjg"], case_id))
    clock.advance(2 * ONE_DAY)  # Wednesday 2026-09-30

    again = ok(owner.post(f"/evaluations/{rated['id']}/follow-up", json={"level": 1, "tags": ["办事慢"]}))

    case = store["rectifications"].find_one({"_id": case_id})
    assert (again["rectification"]["state_label"], case["round"], case["deadline_on"]) == ("重新整改", 2, "2026-10-27")
    assert [c["id"] for c in ok(approvers["cgj"].get("/rectifications"))] == [case_id]
    closed = ok(reply(approvers["cgj"], case_id, reply="已约谈窗口负责人"))
    assert closed["state"] == "closed" and [r["round"] for r in closed["replies"]] == [1, 2]
    assert store["outbox"].count_documents({"event": "evaluation.replied"}) == 2
    assert owner.post(f"/evaluations/{rated['id']}/follow-up", json={"level": 3}).status_code == 409


def test_a_follow_up_before_any_reply_is_a_409_and_an_edit_after_the_reply_too(citizen, finished_application, approvers, store):
    owner, subject, rated = poor_rating(citizen, finished_application)
    early = owner.post(f"/evaluations/{rated['id']}/follow-up", json={"level": 4})
    assert early.status_code == 409 and early.get_json()["code"] == "follow_up_not_allowed"

    ok(reply(approvers["scjg"], rated["rectification"]["id"]))

    late_edit = owner.patch(f"/evaluations/{rated['id']}", json={"level": 4})
    assert late_edit.status_code == 409 and late_edit.get_json()["code"] == "edit_not_allowed"
    assert store["evaluations"].find_one({"_id": rated["id"]})["level"] == 2


def test_editing_a_poor_rating_to_satisfied_before_a_reply_withdraws_the_case(citizen, finished_application, approvers):
    owner, subject, rated = poor_rating(citizen, finished_application)

    edited = ok(owner.patch(f"/evaluations/{rated['id']}", json={"level": 3}))

    assert edited["rectification"]["state_label"] == "已撤回"
    assert ok(approvers["scjg"].get("/rectifications")) == []
    assert reply(approvers["scjg"], rated["rectification"]["id"]).status_code == 409


def test_editing_a_good_rating_to_poor_opens_a_case(citizen, finished_application, store):
    owner = citizen()
    rated = ok(rate(owner, finished_application(owner, items=["430200-GAJ-002"]), 4), 201)

    edited = ok(owner.patch(f"/evaluations/{rated['id']}", json={"level": 2, "tags": ["办事慢"]}))

    assert edited["rectification"]["state"] == "open"
    assert store["rectifications"].find_one({"evaluation_id": rated["id"]})["departments"] == ["gaj"]


def test_an_admin_sees_every_departments_cases_and_answers_in_a_named_departments_name(citizen, finished_application, staff):
    case_id = poor_rating(citizen, finished_application)[2]["rectification"]["id"]
    admin = staff("admin")

    assert [c["id"] for c in ok(admin.get("/rectifications"))] == [case_id]
    assert ok(admin.get("/rectifications?department=gaj")) == []
    assert reply(admin, case_id, department="gaj").status_code == 403  # not a department of this case
    assert ok(reply(admin, case_id, department="cgj"))["replies"][0]["department_name"] == "株洲市城市管理和综合执法局"
