"""Real-name verification against the registry (L2), in person by a clerk (L3), and the data-use log."""

import jwt

from .conftest import make_id_number


def test_a_matching_name_and_id_number_raise_the_account_to_level_2(login, add_person):
    person = add_person("张晓明")
    session = login()
    response = session.post("/api/v1/me/real-name", json={"name": "张晓明", "id_number": person.id_number})
    assert response.status_code == 200
    body = response.get_json()
    assert body["account"]["real_name_level"] == 2
    assert body["account"]["name"] == "张晓明"
    assert body["account"]["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["acr"] == 2


def test_the_owner_can_see_the_full_values_when_asking_for_them(verified):
    session, person = verified()
    masked = session.get("/api/v1/me").get_json()
    full = session.get("/api/v1/me?reveal=true").get_json()
    assert masked["id_number"] != person.id_number and full["id_number"] == person.id_number
    assert masked["phone"] == "138****0001" and full["phone"] == "13800000001"


def test_a_mismatch_says_how_many_tries_are_left_and_stores_nothing(login, add_person, store):
    person = add_person("张晓明")
    session = login()
    response = session.post("/api/v1/me/real-name", json={"name": "李四", "id_number": person.id_number})
    assert response.status_code == 422
    assert response.get_json()["code"] == "identity_mismatch"
    assert "4次" in response.get_json()["message"]
    account = store["accounts"].find_one({"_id": session.account_id})
    assert account["acr"] == 1 and "id_bi" not in account
    assert store["identity_bindings"].count_documents({}) == 0


def test_five_mismatches_in_a_day_lock_real_name_verification(login, add_person):
    person = add_person("张晓明")
    session = login()
    statuses = [
        session.post("/api/v1/me/real-name", json={"name": "李四", "id_number": person.id_number}).status_code for _ in range(5)
    ]
    assert statuses == [422, 422, 422, 422, 429]
    locked = session.post("/api/v1/me/real-name", json={"name": "张晓明", "id_number": person.id_number})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0


def test_a_wrong_check_digit_is_a_422_in_chinese_naming_the_field(login):
    session = login()
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = session.post("/api/v1/me/real-name", json={"name": "张晓明", "id_number": wrong})
    assert response.status_code == 422
    assert "校验码错误" in response.get_json()["errors"]["id_number"][0]


def test_an_id_number_bound_to_one_account_cannot_be_bound_to_another(verified, login):
    _, person = verified("13800000001", "张晓明")
    other = login("13800000002")
    response = other.post("/api/v1/me/real-name", json={"name": "张晓明", "id_number": person.id_number})
    assert response.status_code == 409
    assert response.get_json()["code"] == "identity_taken"


def test_level_2_cannot_be_asked_for_twice(verified):
    session, person = verified()
    response = session.post("/api/v1/me/real-name", json={"name": person.name, "id_number": person.id_number})
    assert response.status_code == 409


def test_a_clerk_raises_a_level_2_account_to_level_3_and_the_resident_sees_it_in_their_log(verified, auth_header, client):
    session, _ = verified()
    clerk = auth_header("acc-clerk-1", roles=("clerk",))
    response = client.post(f"/api/v1/staff/accounts/{session.account_id}/in-person-verification", headers=clerk)
    assert response.status_code == 200
    assert response.get_json()["real_name_level"] == 3
    log = session.get("/api/v1/me/data-use").get_json()
    assert [entry["purpose"] for entry in log] == ["现场实名核验"]
    assert log[0]["actor_role"] == "clerk"


def test_level_3_needs_level_2_first(login, auth_header, client):
    session = login()
    response = client.post(
        f"/api/v1/staff/accounts/{session.account_id}/in-person-verification",
        headers=auth_header("acc-clerk-1", roles=("clerk",)),
    )
    assert response.status_code == 409


def test_a_citizen_cannot_read_another_citizens_account_by_changing_the_id(login):
    mine, theirs = login("13800000001"), login("13800000002")
    assert mine.get(f"/api/v1/staff/accounts/{theirs.account_id}").status_code == 403
    assert mine.post(f"/api/v1/staff/accounts/{theirs.account_id}/in-person-verification").status_code == 403


def test_every_read_by_a_clerk_is_in_the_data_use_log_newest_first_and_paginated(login, auth_header, client):
    session = login()
    clerk = auth_header("acc-clerk-1", roles=("clerk",))
    for _ in range(3):
        assert client.get(f"/api/v1/staff/accounts/{session.account_id}", headers=clerk).status_code == 200
    page = session.get("/api/v1/me/data-use?page=1&page_size=2")
    assert len(page.get_json()) == 2
    assert '"total": 3' in page.headers["X-Pagination"]
    assert session.get("/api/v1/me/data-use").get_json()[0]["fields"] == ["id_number", "name", "phone"]
