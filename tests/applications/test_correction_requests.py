"""信息有误: a correction request on a locked value goes to the department holding its source, which answers
it; the applicant tracks it and is notified. Bad input and the wrong caller store nothing."""

from __future__ import annotations

import json

import pytest

from api.vault import service as vault
from tests.applications.conftest import API, ok, start

PROPOSED_NAME = "李娜娜"


def _file(applicant, draft: dict, field: str, **body):
    return applicant.post(f"/applications/{draft['id']}/fields/{field}/correction-requests", json=body)


def _stored(store) -> list[dict]:
    return list(store["data_correction_requests"].find({}))


@pytest.fixture
def owner(restaurateur):
    return restaurateur()


@pytest.fixture
def draft(owner):
    return start(owner, bundle="open-restaurant")


# -- filing ---------------------------------------------------------------------------------------------


def test_a_wrong_registry_value_of_the_person_goes_to_public_security_open(owner, draft, store):
    filed = ok(_file(owner, draft, "applicant.name", reason="户籍登记的名字少了一个字", proposed_value=PROPOSED_NAME), 201)

    assert filed["department"] == "gaj" and filed["department_name"] == "株洲市公安局"
    assert filed["status"] == "open" and filed["status_label"] == "处理中"
    assert filed["source"] == "registry" and filed["source_label"] == "政府核验"
    assert filed["field_label"] == "申请人姓名" and filed["application_no"] == draft["number"]
    assert filed["current_value"] == owner.person.name and filed["proposed_value"] == PROPOSED_NAME
    (stored,) = _stored(store)
    assert stored["applicant_id"] == owner.account_id and stored["origin"] == "registry.person.name"


def test_a_wrong_value_of_the_legal_person_registry_goes_to_market_regulation(owner, draft):
    filed = ok(_file(owner, draft, "business.registered_address", reason="住所已变更"), 201)

    assert filed["department"] == "scjg" and filed["proposed_value"] is None


def test_a_wrong_certificate_value_goes_to_the_department_that_issues_that_certificate(resident, store, cipher):
    mother = resident("13800000012", "刘芳")
    account = store["accounts"].find_one({"_id": mother.account_id})
    data = {"certificate_no": "Q430211260001", "baby_name": "张小宝", "baby_sex": "男", "birth_date": "2026-10-08",
            "birth_place": "湖南省株洲市天元区", "hospital": "株洲市中心医院", "mother_name": "刘方",
            "mother_id_number": mother.person.id_number, "father_name": "张晓明", "father_id_number": None}  # fmt: skip
    vault.issue_certificate(store, cipher, vault.person_holder(account), "birth_medical_certificate", "出生医学证明", data, "wjw",
                            holder_name="刘芳")  # fmt: skip
    newborn = start(mother, bundle="newborn")

    filed = ok(_file(mother, newborn, "mother.name", reason="出生医学证明上母亲姓名写错", proposed_value="刘芳"), 201)

    assert filed["source"] == "certificate:birth_medical_certificate" and filed["source_label"] == "电子证照"
    assert filed["department"] == "wjw"


def test_values_are_encrypted_at_rest_and_id_numbers_masked_in_my_list(owner, draft, store):
    proposed = owner.person.id_number[:-4] + "0000"
    ok(_file(owner, draft, "applicant.id_number", reason="号码有误", proposed_value=proposed[:-1] + _check(proposed)), 201)

    text = json.dumps(_stored(store), ensure_ascii=False)
    assert owner.person.id_number not in text and proposed[:-1] not in text
    (mine,) = ok(owner.get("/me/correction-requests"))
    assert mine["current_value"] == owner.person.id_number[:4] + "*" * 10 + owner.person.id_number[-4:]
    assert "*" in mine["proposed_value"]


def _check(first18: str) -> str:
    from auth.validators import id_check_char

    return id_check_char(first18[:17])


def test_my_list_holds_the_requests_i_filed_newest_first_and_nobody_elses(owner, draft, resident):
    first = ok(_file(owner, draft, "applicant.name", reason="名字有误"), 201)
    second = ok(_file(owner, draft, "business.name", reason="名称有误"), 201)
    other = resident("13800000013", "周杰")

    assert [r["id"] for r in ok(owner.get("/me/correction-requests"))] == [second["id"], first["id"]]
    assert ok(other.get("/me/correction-requests")) == []


# -- answering ------------------------------------------------------------------------------------------


def test_the_departments_approver_answers_and_the_applicant_sees_the_answer_and_is_notified(owner, draft, approvers, store):
    filed = ok(_file(owner, draft, "applicant.name", reason="名字少了一个字", proposed_value=PROPOSED_NAME), 201)

    queue = ok(approvers["gaj"].get("/review/correction-requests"))
    assert [r["id"] for r in queue] == [filed["id"]]
    answered = ok(approvers["gaj"].post(f"/review/correction-requests/{filed['id']}/answer",
                                        json={"status": "fixed", "reply": "已按户籍档案更正"}))  # fmt: skip

    assert answered["status"] == "fixed" and answered["reply"] == "已按户籍档案更正" and answered["answered_at"]
    (mine,) = ok(owner.get("/me/correction-requests"))
    assert (mine["status"], mine["status_label"], mine["reply"]) == ("fixed", "已更正", "已按户籍档案更正")
    assert ok(approvers["gaj"].get("/review/correction-requests")) == []
    assert [r["id"] for r in ok(approvers["gaj"].get("/review/correction-requests", query_string={"status": "fixed"}))] == [
        filed["id"]
    ]
    message = store["outbox"].find_one({"event": "data_correction.answered"})
    assert message["recipient"]["account_id"] == owner.account_id
    assert message["data"] == {"field_label": "申请人姓名", "department_name": "株洲市公安局", "result": "已更正",
                               "reply": "已按户籍档案更正"}  # fmt: skip


def test_a_request_is_answered_once(owner, draft, approvers, store):
    filed = ok(_file(owner, draft, "applicant.name", reason="名字有误"), 201)
    path = f"/review/correction-requests/{filed['id']}/answer"
    ok(approvers["gaj"].post(path, json={"status": "rejected", "reply": "经核实登记无误"}))

    again = approvers["gaj"].post(path, json={"status": "fixed", "reply": "改主意了"})

    assert again.status_code == 409 and again.get_json()["code"] == "already_answered"
    (stored,) = _stored(store)
    assert (stored["status"], stored["reply"]) == ("rejected", "经核实登记无误")
    assert store["outbox"].count_documents({"event": "data_correction.answered"}) == 1


def test_an_approver_opening_a_request_sees_the_values_whole_and_the_read_is_logged(owner, draft, approvers, store):
    filed = ok(_file(owner, draft, "applicant.id_number", reason="号码有误"), 201)

    opened = ok(approvers["gaj"].get(f"/review/correction-requests/{filed['id']}"))

    assert opened["current_value"] == owner.person.id_number
    assert "*" in ok(approvers["gaj"].get("/review/correction-requests"))[0]["current_value"]
    logged = ok(owner.get("/me/data-use"))
    assert logged[0]["purpose"] == "处理信息有误反馈" and logged[0]["fields"] == ["applicant.id_number"]


# -- who may --------------------------------------------------------------------------------------------


def test_another_departments_approver_neither_sees_nor_answers_a_request(owner, draft, approvers, store):
    filed = ok(_file(owner, draft, "applicant.name", reason="名字有误"), 201)

    assert ok(approvers["scjg"].get("/review/correction-requests")) == []
    assert approvers["scjg"].get(f"/review/correction-requests/{filed['id']}").status_code == 404
    answered = approvers["scjg"].post(
        f"/review/correction-requests/{filed['id']}/answer", json={"status": "fixed", "reply": "好"}
    )
    assert answered.status_code == 404
    assert _stored(store)[0]["status"] == "open"


def test_nobody_files_on_someone_elses_application_and_a_business_files_only_while_acting_for_it(owner, draft, restaurateur,
                                                                                                  store):  # fmt: skip
    other = restaurateur("13800000014", "王芳")

    assert _file(other, draft, "applicant.name", reason="不是我的").status_code == 404
    assert _file(other.as_self(), draft, "applicant.name", reason="不是我的").status_code == 404
    as_person = _file(owner.as_self(), draft, "business.name", reason="名称有误")
    assert as_person.status_code == 403 and as_person.get_json()["code"] == "acting_for_required"
    assert _stored(store) == []


@pytest.mark.parametrize("role", ["citizen", "clerk"])
def test_only_approvers_see_and_answer_departments_requests(role, resident, staff):
    caller = resident() if role == "citizen" else staff("clerk")

    assert caller.get("/review/correction-requests").status_code == 403
    assert caller.get("/review/correction-requests/dcr_x").status_code == 403
    assert caller.post("/review/correction-requests/dcr_x/answer", json={"status": "fixed", "reply": "好"}).status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/applications/app_x/fields/applicant.name/correction-requests"),
        ("GET", "/me/correction-requests"),
        ("GET", "/review/correction-requests"),
        ("GET", "/review/correction-requests/dcr_x"),
        ("POST", "/review/correction-requests/dcr_x/answer"),
    ],
)
def test_no_token_is_401(client, method, path):
    response = client.open(API + path, method=method, json={"reason": "有误", "status": "fixed", "reply": "好"})

    assert response.status_code == 401 and response.get_json()["code"] == "unauthenticated"


# -- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "body", "status", "error"),
    [
        ("applicant.name", {}, 422, "reason"),
        ("applicant.name", {"reason": ""}, 422, "reason"),
        ("applicant.name", {"reason": "   "}, 422, "reason"),
        ("applicant.name", {"reason": "长" * 501}, 422, "reason"),
        ("applicant.name", {"reason": "有误", "proposed_value": "名" * 51}, 422, "proposed_value"),
        ("applicant.name", {"reason": "有误", "proposed_value": {"name": "x"}}, 422, "proposed_value"),
        ("applicant.id_number", {"reason": "有误", "proposed_value": "430211199001011234"}, 422, "proposed_value"),
        ("applicant.name", {"reason": "有误", "extra": 1}, 422, "extra"),
        ("shop.name", {"reason": "有误"}, 422, "field"),
        ("applicant.contact_address", {"reason": "有误"}, 422, "field"),
        ("no.such_field", {"reason": "有误"}, 404, None),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(owner, draft, store, field, body, status, error):
    response = _file(owner, draft, field, **body)

    assert response.status_code == status, response.get_json()
    if error:
        assert error in response.get_json()["errors"]
    assert _stored(store) == []


def test_a_second_open_request_on_the_same_value_is_a_409(owner, draft, store):
    ok(_file(owner, draft, "applicant.name", reason="名字有误"), 201)

    again = _file(owner, draft, "applicant.name", reason="还是有误")

    assert again.status_code == 409 and again.get_json()["code"] == "correction_request_open"
    assert len(_stored(store)) == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"status": "done", "reply": "好"}, "status"),
        ({"status": "fixed"}, "reply"),
        ({"status": "fixed", "reply": " "}, "reply"),
        ({"status": "rejected", "reply": "长" * 501}, "reply"),
        ({"reply": "好"}, "status"),
    ],
)
def test_a_bad_answer_is_refused_and_the_request_stays_open(owner, draft, approvers, store, body, error):
    filed = ok(_file(owner, draft, "applicant.name", reason="名字有误"), 201)

    response = approvers["gaj"].post(f"/review/correction-requests/{filed['id']}/answer", json=body)

    assert response.status_code == 422 and error in response.get_json()["errors"]
    (stored,) = _stored(store)
    assert stored["status"] == "open" and stored["version"] == 1
    assert store["outbox"].count_documents({"event": "data_correction.answered"}) == 0
