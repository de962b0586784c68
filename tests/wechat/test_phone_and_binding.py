"""The verified phone (L1 without SMS), one openid per app and account, and unbinding."""

from __future__ import annotations

import jwt

from tests.wechat.conftest import API, login_code, phone_code
from wechat.accounts import BINDINGS
from wechat.schemas import PHONE_TAKEN_EXAMPLE


def test_binding_the_verified_phone_gives_level_one_and_fresh_tokens(mp_device, store):
    alice = mp_device("alice")
    old_token = alice.token
    response = alice.post(f"{API}/phone", json={"code": phone_code("13800000001")})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["account"]["real_name_level"] == 1
    assert body["account"]["phone"] == "138****0001"
    assert alice.get("/api/v1/me").status_code == 401  # the level-0 session ended with the old token
    alice.token = body["access_token"]
    me = alice.get("/api/v1/me", query_string={"reveal": "true"}).get_json()
    assert me["phone"] == "13800000001" and me["real_name_level"] == 1
    assert old_token != alice.token
    assert store["otp_codes"].count_documents({}) == 0  # no SMS code was involved


def test_a_phone_bound_to_another_account_is_a_409_and_not_a_takeover(mp_device, login, store):
    owner = login("13800000002")
    alice = mp_device("alice")
    response = alice.post(f"{API}/phone", json={"code": phone_code("13800000002")})
    assert response.status_code == 409
    assert response.get_json() == PHONE_TAKEN_EXAMPLE  # the example of the OpenAPI document and docs/miniprogram.md
    account = store["accounts"].find_one({"_id": alice.account_id})
    assert account["acr"] == 0 and "phone_enc" not in account
    assert owner.get("/api/v1/me").status_code == 200


def test_only_a_mini_program_session_binds_a_phone(login):
    pwa = login("13800000003")
    response = pwa.post(f"{API}/phone", json={"code": phone_code("13800000004")})
    assert response.status_code == 403
    assert response.get_json()["code"] == "miniprogram_session_required"


def test_an_invalid_or_reused_phone_code_is_a_422_with_nothing_stored(mp_device, store):
    alice = mp_device("alice")
    for code in ("phone-123", "not-a-code", ""):
        assert alice.post(f"{API}/phone", json={"code": code}).status_code == 422, code
    code = phone_code("13800000005")
    bob = mp_device("bob")
    assert bob.post(f"{API}/phone", json={"code": code}).status_code == 200
    reused = alice.post(f"{API}/phone", json={"code": code})
    assert reused.status_code == 422 and reused.get_json()["code"] == "wechat_code_invalid"
    assert store["accounts"].find_one({"_id": alice.account_id})["acr"] == 0


def test_a_phone_outside_the_mainland_is_refused(mp_device):
    response = mp_device("alice").post(f"{API}/phone", json={"code": "phone-852-61234567.1"})
    assert response.status_code == 422
    assert response.get_json()["code"] == "phone_not_supported"


def test_the_real_name_upgrade_needs_the_phone_first_and_keeps_the_channel(mp_device, add_person):
    person = add_person("李娜")
    alice = mp_device("alice")
    early = alice.post("/api/v1/me/real-name", json={"name": "李娜", "id_number": person.id_number})
    assert early.status_code == 409 and early.get_json()["code"] == "phone_required"
    alice.token = alice.post(f"{API}/phone", json={"code": phone_code("13800000006")}).get_json()["access_token"]
    upgraded = alice.post("/api/v1/me/real-name", json={"name": "李娜", "id_number": person.id_number})
    assert upgraded.status_code == 200, upgraded.get_json()
    assert upgraded.get_json()["account"]["real_name_level"] == 2
    assert jwt.decode(upgraded.get_json()["access_token"], options={"verify_signature": False})["chan"] == "miniprogram"


def test_an_account_has_at_most_one_openid_of_the_app(login, client, store):
    pwa = login("13800000007")
    first = client.post(f"{API}/login", json={"code": login_code("carol")}, headers=pwa.headers)
    assert first.status_code == 200 and first.get_json()["account"]["id"] == pwa.account_id
    second = client.post(f"{API}/login", json={"code": login_code("dave")}, headers=pwa.headers)
    assert second.status_code == 409
    assert second.get_json()["code"] == "wechat_already_bound"
    assert store[BINDINGS].count_documents({"account_id": pwa.account_id}) == 1
    assert store["accounts"].count_documents({}) == 1


def test_an_openid_of_an_account_with_a_phone_cannot_be_bound_to_another(mp_device, login, client, store):
    alice = mp_device("alice")
    assert alice.post(f"{API}/phone", json={"code": phone_code("13800000013")}).status_code == 200
    other = login("13800000008")
    response = client.post(f"{API}/login", json={"code": login_code("alice")}, headers=other.headers)
    assert response.status_code == 409
    assert response.get_json()["code"] == "wechat_bound_elsewhere"
    assert store[BINDINGS].find_one({"account_id": alice.account_id}) is not None
    assert store[BINDINGS].find_one({"account_id": other.account_id}) is None


def test_unbinding_releases_the_openid_and_ends_the_mini_program_sessions(mp_device, store):
    alice = mp_device("alice")
    alice.token = alice.post(f"{API}/phone", json={"code": phone_code("13800000010")}).get_json()["access_token"]
    assert alice.delete(f"{API}/binding").status_code == 204
    assert store[BINDINGS].count_documents({}) == 0
    assert alice.get("/api/v1/me").status_code == 401
    again = mp_device("alice")  # the next login of that WeChat user starts afresh
    assert again.account_id != alice.account_id
    assert store["accounts"].find_one({"_id": alice.account_id})["acr"] == 1  # the account stays, with its phone


def test_unbinding_is_refused_without_a_phone_and_404_without_a_binding(mp_device, login):
    alice = mp_device("alice")
    refused = alice.delete(f"{API}/binding")
    assert refused.status_code == 409 and refused.get_json()["code"] == "phone_required"
    assert login("13800000011").delete(f"{API}/binding").status_code == 404


def test_an_empty_level_zero_account_hands_its_openid_to_the_owners_real_account(mp_device, login, client, store):
    shell = mp_device("alice")  # logged in once in the mini-program, never bound a phone
    owner = login("13800000012")  # the same person's account, by SMS
    response = client.post(f"{API}/login", json={"code": login_code("alice")}, headers=owner.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["account"]["id"] == owner.account_id
    assert store[BINDINGS].find_one({})["account_id"] == owner.account_id
    closed = store["accounts"].find_one({"_id": shell.account_id})
    assert closed["disabled"] is True and closed["merged_into"] == owner.account_id
    assert shell.get("/api/v1/me").status_code == 401
    assert mp_device("alice").account_id == owner.account_id  # later logins land in the real account
