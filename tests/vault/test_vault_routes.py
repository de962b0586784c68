"""GET /api/v1/me/vault and PUT /api/v1/me/vault/own."""

from __future__ import annotations

import json

import pytest

from auth.registry import RegistryUnavailable
from tests.store_calls import store_calls
from tests.vault.conftest import put

VAULT = "/api/v1/me/vault"
OWN = "/api/v1/me/vault/own"

ADDRESS = {"province": "湖南省", "city": "株洲市", "district": "天元区", "street": "嵩山路街道", "detail": "示例路12号3栋402"}
BANK = {"bank_name": "中国工商银行株洲分行", "account_name": "张晓明", "account_no": "6222 0212 3456 7890 128"}


def _save(session, version: int = 0, **sections):
    return put(session, OWN, json={"version": version, **sections})


def test_a_level_1_vault_has_no_registry_section(login):
    session = login("13800000011")

    body = session.get(VAULT).get_json()

    assert body["registry"] is None and body["org"] is None and body["certificates"] == []
    assert body["own"]["source_label"] == "本人填报" and body["own"]["version"] == 0 and body["own"]["family"] == []


def test_a_level_2_vault_shows_the_registry_data_marked_as_government_verified(verified):
    session, person = verified("13800000012", "李秀英")

    registry = session.get(VAULT).get_json()["registry"]

    assert registry["source"] == "registry" and registry["source_label"] == "政府核验"
    assert registry["read_only"] is True and registry["trust_level"] == "A" and registry["available"] is True
    shown = registry["person"]
    assert shown["name"] == "李秀英" and shown["birth_date"] == person.birth_date and shown["ethnicity"] == "汉族"
    assert shown["household_address"] == "湖南省株洲市天元区****"
    assert shown["id_number"] == person.id_number[:4] + "**********" + person.id_number[-4:]


def test_the_registry_values_are_shown_in_full_when_the_owner_asks(verified):
    session, person = verified("13800000013")

    shown = session.get(VAULT, query_string={"reveal": "true"}).get_json()["registry"]["person"]

    assert shown["id_number"] == person.id_number and shown["household_address"] == person.household_address


def test_the_vault_still_answers_when_the_registry_is_down(app, verified):
    session, _ = verified("13800000014")

    class DownRegistry:
        def find_person(self, id_number):
            raise RegistryUnavailable("timeout")

    app.extensions["registry"] = DownRegistry()
    response = session.get(VAULT)

    assert response.status_code == 200
    registry = response.get_json()["registry"]
    assert registry["available"] is False and registry["person"] is None and "稍后" in registry["message"]


def test_own_data_is_saved_and_answered_masked(login):
    session = login("13800000015")

    response = _save(
        session,
        contact_address=ADDRESS,
        contact_phone="+86 139 0000 0001",
        email="zhang@example.com",
        bank_account=BANK,
        family=[{"name": "王芳", "relation": "配偶", "id_number": "430211199203040020"}],
    )

    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] == '"1"'
    own = response.get_json()
    assert own["version"] == 1 and own["source"] == "self"
    assert own["contact_address"] == {**ADDRESS, "street": "****", "detail": "****"}
    assert own["contact_phone"] == "139****0001" and own["email"] == "z***@example.com"
    assert own["bank_account"] == {"bank_name": BANK["bank_name"], "account_name": "张**", "account_no": "6222***********0128"}
    assert own["family"] == [{"name": "王芳", "relation": "配偶", "id_number": "4302**********0020"}]


def test_own_data_is_shown_in_full_when_the_owner_asks(login):
    session = login("13800000016")
    _save(session, contact_phone="13900000001", bank_account=BANK, contact_address=ADDRESS)

    own = session.get(VAULT, query_string={"reveal": "true"}).get_json()["own"]

    assert own["contact_phone"] == "13900000001" and own["contact_address"] == ADDRESS
    assert own["bank_account"]["account_no"] == "6222021234567890128"


def test_own_data_is_encrypted_at_rest(store, login):
    session = login("13800000017")
    _save(session, contact_address=ADDRESS, bank_account=BANK, family=[{"name": "王芳", "relation": "配偶"}])

    stored = json.dumps(store["vault_own"].find_one({"_id": session.account_id}), ensure_ascii=False)

    assert "6222021234567890128" not in stored and "示例路12号" not in stored and "王芳" in stored  # masked copy keeps names


def test_sections_left_out_stay_and_a_null_section_is_cleared(login):
    session = login("13800000018")
    _save(session, contact_phone="13900000001", email="a@example.com")

    own = _save(session, version=1, email=None).get_json()

    assert own["contact_phone"] == "139****0001" and own["email"] is None and own["version"] == 2


def test_a_stale_version_is_a_conflict_and_changes_nothing(login):
    session = login("13800000019")
    _save(session, contact_phone="13900000001")

    response = _save(session, version=0, contact_phone="13900000002")

    assert response.status_code == 409 and response.get_json()["code"] == "version_conflict"
    own = session.get(VAULT, query_string={"reveal": "true"}).get_json()["own"]
    assert own["contact_phone"] == "13900000001" and own["version"] == 1


def test_the_version_may_come_as_if_match(login):
    session = login("13800000020")
    _save(session, contact_phone="13900000001")

    stale = put(session, OWN, json={"email": "b@example.com"}, headers={"If-Match": '"0"'})
    fresh = put(session, OWN, json={"email": "b@example.com"}, headers={"If-Match": '"1"'})

    assert stale.status_code == 409
    assert fresh.status_code == 200 and fresh.get_json()["version"] == 2


def test_an_update_without_any_version_is_refused(login):
    session = login("13800000021")

    response = put(session, OWN, json={"email": "b@example.com"})

    assert response.status_code == 428 and response.get_json()["code"] == "precondition_required"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"contact_phone": "12345"}, "contact_phone", "手机号"),
        ({"email": "not-an-email"}, "email", "电子邮箱"),
        ({"contact_address": {**ADDRESS, "district": "  "}}, "contact_address", "请填写区县"),
        ({"contact_address": {k: v for k, v in ADDRESS.items() if k != "street"}}, "contact_address", "必填"),
        ({"bank_account": {**BANK, "account_no": "12345"}}, "bank_account", "12至19位数字"),
        ({"bank_account": {**BANK, "account_no": "6222021234567890127"}}, "bank_account", "校验未通过"),
        ({"family": [{"name": "王芳", "relation": "同事"}]}, "family", "关系应为"),
        ({"family": [{"name": "王芳", "relation": "配偶", "id_number": "430211199203040028"}]}, "family", "身份证"),
    ],
)
def test_bad_input_is_a_422_in_chinese_and_nothing_is_stored(store, login, changes, field, message):
    session = login("13800000022")

    response = _save(session, contact_phone="13900000001", **changes) if field != "contact_phone" else _save(session, **changes)

    assert response.status_code == 422
    body = response.get_json()
    assert field in body["errors"] and message in json.dumps(body["errors"], ensure_ascii=False)
    assert store["vault_own"].count_documents({}) == 0


def test_a_passbook_account_number_needs_no_card_check_digit(login):
    session = login("13800000023")

    response = _save(session, bank_account={**BANK, "account_no": "190201040012345"})

    assert response.status_code == 200, response.get_json()


def test_the_vault_lists_the_persons_certificates(verified, issue, holder_of):
    session, _ = verified("13800000024")
    cert = issue(holder_of(session))

    listed = session.get(VAULT).get_json()["certificates"]

    assert [(c["id"], c["status"], c["holder_name"]) for c in listed] == [(cert["_id"], "valid", "张**")]


def test_the_vault_reads_each_record_once_however_many_certificates_the_person_holds(app, verified, issue, holder_of):
    session, _ = verified("13800000026")
    for cert_type in ("food_business_licence", "business_licence", "signboard_permit"):
        issue(holder_of(session), cert_type)

    with store_calls(app) as calls:
        listed = session.get(VAULT).get_json()["certificates"]

    assert len(listed) == 3
    reads = calls.by_collection()
    assert (reads["certificates"], reads["vault_own"]) == (1, 1)  # the registry adapter holds the store itself
    assert reads["accounts"] <= 1


def test_acting_for_an_org_adds_its_registry_data(verified, add_org):
    session, person = verified("13800000025")
    org = add_org(person)

    body = session.get(VAULT, headers={"X-Acting-For": org.credit_code}).get_json()

    assert body["org"]["source_label"] == "政府核验"
    assert body["org"]["org"]["name"] == org.name and body["org"]["org"]["credit_code"] == org.credit_code


def test_the_vault_needs_a_login(client):
    assert client.get(VAULT).status_code == 401
    assert client.put(OWN, json={"version": 0}).status_code == 401


def test_one_query_schema_serves_every_request_each_with_its_own_reveal(verified):
    session, person = verified("13800000043")
    masked = person.id_number[:4] + "**********" + person.id_number[-4:]

    shown = [
        session.get(VAULT, query_string=query).get_json()["registry"]["person"]["id_number"]
        for query in ({"reveal": "true"}, {}, {"reveal": "false"}, {"reveal": "1"})
    ]
    refused = session.get(VAULT, query_string={"reveal": "maybe"})

    assert shown == [person.id_number, masked, masked, person.id_number]
    assert refused.status_code == 422 and "reveal" in refused.get_json()["errors"]
