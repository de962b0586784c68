"""The rules of a rating: only the applicant, only once the application is completed (or the visit served), once
per subject, one edit within 7 days; bad input is a 4xx and nothing is stored."""

from __future__ import annotations

from .conftest import ok, rate


def test_the_applicant_rates_a_completed_application_with_tags_and_a_comment(citizen, finished_application, store):
    owner = citizen()
    application = finished_application(owner)

    rated = ok(rate(owner, application, 5, tags=["态度好", "办事快"], comment="窗口一次就办好了"), 201)

    assert rated["level_label"] == "非常满意" and rated["tags"] == ["办事快", "态度好"]  # in the vocabulary's order
    assert rated["editable"] is True and rated["rectification"] is None
    stored = store["evaluations"].find_one({"subject_id": application["_id"]})
    assert stored["account_id"] == owner.account_id and stored["bundle"] == "open-restaurant"
    assert stored["departments"] == ["scjg", "cgj", "xfjy"] and stored["edits"] == 0 and stored["hall"] is None


def test_a_served_visit_is_rated_for_its_item_department_and_hall(citizen, served_visit, store):
    owner = citizen()
    visit = served_visit(owner)

    ok(rate(owner, visit, 4, subject_type="appointment"), 201)

    stored = store["evaluations"].find_one({"subject_id": visit["_id"]})
    assert (stored["departments"], stored["hall"], stored["items"]) == (["gaj"], "zz-smzx", ["430200-GAJ-001"])


def test_a_subject_is_rated_only_once(citizen, finished_application, store):
    owner = citizen()
    application = finished_application(owner)
    ok(rate(owner, application, 4), 201)

    again = rate(owner, application, 1, tags=["态度差"])

    assert again.status_code == 409 and again.get_json()["code"] == "already_rated"
    assert store["evaluations"].count_documents({}) == 1 and store["rectifications"].count_documents({}) == 0
    assert store["evaluation_totals"].find_one({"_id": "all:all"})["count"] == 1


def test_someone_else_cannot_rate_my_application_nor_learn_that_it_exists(citizen, finished_application, store):
    application = finished_application(citizen())

    answer = rate(citizen(), application, 1)

    assert answer.status_code == 404 and answer.get_json()["code"] == "subject_not_found"
    assert store["evaluations"].count_documents({}) == 0


def test_an_application_that_is_not_completed_cannot_be_rated(citizen, finished_application, store):
    owner = citizen()
    for state in ("in_review", "results_issued", "rejected", "withdrawn"):
        answer = rate(owner, finished_application(owner, state=state), 5)

        assert answer.status_code == 409 and answer.get_json()["code"] == "not_completed", state
    assert store["evaluations"].count_documents({}) == 0


def test_a_visit_not_served_cannot_be_rated(citizen, served_visit):
    owner = citizen()

    answer = rate(owner, served_visit(owner, state="checked_in"), 5, subject_type="appointment")

    assert answer.status_code == 409


def test_rating_needs_a_login(client, finished_application, citizen):
    application = finished_application(citizen())
    body = {"subject_type": "application", "subject_id": application["_id"], "level": 3}
    answer = client.post("/api/v1/evaluations", json=body)
    assert answer.status_code == 401


BAD_INPUT = [
    ({"level": 6}, "level"),
    ({"level": 0}, "level"),
    ({"level": "5"}, "level"),
    ({"level": True}, "level"),
    ({"tags": ["办事快"]}, "level"),  # no level
    ({"level": 5, "tags": ["跑了多次"]}, "tags"),  # a complaint on 非常满意
    ({"level": 1, "tags": ["态度好"]}, "tags"),
    ({"level": 2, "tags": ["不存在的标签"]}, "tags"),
    ({"level": 2, "tags": "态度差"}, "tags"),
    ({"level": 2, "tags": ["态度差", "办事慢", "材料多", "跑了多次", "等待太久", "指南不清"]}, "tags"),  # more than 5
    ({"level": 4, "comment": "好" * 301}, "comment"),
    ({"level": 4, "comment": "很好\x00"}, "comment"),
    ({"level": 4, "comment": "很好\u202e"}, "comment"),  # a bidi override
    ({"level": 4, "comment": 42}, "comment"),
    ({"level": 4, "extra": 1}, "extra"),
    ({"level": 4, "subject_type": "shipment"}, "subject_type"),
]


def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(citizen, finished_application, store):
    owner = citizen()
    application = finished_application(owner)
    for body, field in BAD_INPUT:
        answer = owner.post("/evaluations", json={"subject_type": "application", "subject_id": application["_id"], **body})

        assert answer.status_code == 422 and field in answer.get_json()["errors"], (body, answer.get_json())
    assert store["evaluations"].count_documents({}) == 0 and store["evaluation_totals"].count_documents({}) == 0
    assert store["outbox"].count_documents({}) == 0 and store["rectifications"].count_documents({}) == 0


def test_a_body_that_is_not_json_is_a_4xx(citizen, finished_application, store):
    owner = citizen()
    finished_application(owner)
    form = {"data": "level=5", "content_type": "application/x-www-form-urlencoded"}
    for kwargs in (form, {"data": "{", "content_type": "application/json"}):
        assert 400 <= owner.post("/evaluations", **kwargs).status_code < 500
    assert store["evaluations"].count_documents({}) == 0


def test_a_comment_of_exactly_300_characters_with_line_breaks_is_kept(citizen, finished_application):
    owner = citizen()
    comment = ("窗口人员耐心解答\n" * 40)[:300]

    rated = ok(rate(owner, finished_application(owner), 3, comment=comment), 201)

    assert rated["comment"] == comment.strip()


def test_one_edit_is_allowed_within_seven_days_and_keeps_the_first_rating_in_history(citizen, finished_application, clock, store):
    owner = citizen()
    rated = ok(rate(owner, finished_application(owner), 3, tags=["等待太久"]), 201)
    clock.advance(6 * 86400)

    edited = ok(owner.patch(f"/evaluations/{rated['id']}", json={"level": 5, "tags": ["办事快"]}))

    assert (edited["level"], edited["edits"], edited["editable"]) == (5, 1, False)
    assert [(h["kind"], h["level"], h["tags"]) for h in edited["history"]] == [("edit", 3, ["等待太久"])]
    totals = store["evaluation_totals"].find_one({"_id": "department:scjg"})
    assert (totals["count"], totals["level_3"], totals["level_5"]) == (1, 0, 1)


def test_a_second_edit_is_a_409(citizen, finished_application):
    owner = citizen()
    rated = ok(rate(owner, finished_application(owner), 3), 201)
    ok(owner.patch(f"/evaluations/{rated['id']}", json={"level": 4}))

    again = owner.patch(f"/evaluations/{rated['id']}", json={"level": 5})

    assert again.status_code == 409 and again.get_json()["code"] == "edit_not_allowed"
    assert ok(owner.get(f"/evaluations/{rated['id']}"))["level"] == 4


def test_an_edit_after_seven_days_is_a_409(citizen, finished_application, clock):
    owner = citizen()
    rated = ok(rate(owner, finished_application(owner), 3), 201)
    clock.advance(7 * 86400 + 1)

    late = owner.patch(f"/evaluations/{rated['id']}", json={"level": 5})

    assert late.status_code == 409 and "7天" in late.get_json()["message"]


def test_another_person_cannot_read_or_edit_my_rating(citizen, finished_application):
    owner = citizen()
    rated = ok(rate(owner, finished_application(owner), 3), 201)
    other = citizen()

    assert other.get(f"/evaluations/{rated['id']}").status_code == 404
    assert other.patch(f"/evaluations/{rated['id']}", json={"level": 1}).status_code == 404


def test_a_bad_edit_or_follow_up_is_a_422_and_changes_nothing(citizen, finished_application, store):
    owner = citizen()
    rated = ok(rate(owner, finished_application(owner), 2, tags=["办事慢"]), 201)
    for body in ({"level": 9}, {"level": 4, "tags": ["办事慢"]}, {"level": 4, "comment": "好" * 301}, {}):
        assert owner.patch(f"/evaluations/{rated['id']}", json=body).status_code == 422, body
        assert owner.post(f"/evaluations/{rated['id']}/follow-up", json=body).status_code == 422, body
    stored = store["evaluations"].find_one({"_id": rated["id"]})
    assert (stored["level"], stored["edits"], stored["history"], stored["version"]) == (2, 0, [], 1)
    assert store["evaluation_totals"].find_one({"_id": "all:all"})["level_2"] == 1


def test_a_rating_id_that_is_not_one_is_a_404(citizen):
    owner = citizen()
    for path in ("/evaluations/nope", "/evaluations/ev_nope", "/evaluations/ev_nope/follow-up"):
        method = owner.post if path.endswith("follow-up") else owner.get
        assert method(path, json={"level": 3}).status_code == 404, path


def test_two_ratings_sent_at_once_store_one_rating_one_case_and_one_count(citizen, finished_application, store):
    from concurrent.futures import ThreadPoolExecutor

    from api.errors import Conflict
    from api.evaluations import service

    owner = citizen()
    application = finished_application(owner)

    def attempt(level: int) -> str:
        try:
            service.rate(store, owner.account_id, "application", application["_id"], level, [], "")
            return "rated"
        except Conflict as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(attempt, [1, 2, 1, 2]))

    assert outcomes == ["already_rated"] * 3 + ["rated"]
    assert store["evaluations"].count_documents({}) == 1 and store["rectifications"].count_documents({}) == 1
    assert store["evaluation_totals"].find_one({"_id": "all:all"})["count"] == 1
