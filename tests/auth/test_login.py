"""Phone + SMS code login (real-name level 1), and the limits on codes."""

from .conftest import latest_code, new_ip


def send_code(client, phone="13800000001", ip="203.0.113.9"):
    return client.post("/api/v1/auth/sms-codes", json={"phone": phone}, environ_base={"REMOTE_ADDR": ip})


def test_the_first_login_creates_a_level_1_citizen_and_the_second_finds_it(login):
    first = login("13800000001")
    assert first.body["created"] is True
    assert first.body["account"]["real_name_level"] == 1
    assert first.body["account"]["roles"] == ["citizen"]
    assert first.body["account"]["phone"] == "138****0001"
    second = login("13800000001")
    assert second.body["created"] is False
    assert second.account_id == first.account_id


def test_the_code_goes_out_as_an_urgent_sms_to_the_encrypted_phone(client, store, cipher):
    assert send_code(client).status_code == 202
    message = store["outbox"].find_one({"event": "verification_code"})
    assert message["recipient"]["phone_bi"] == cipher.blind_index("phone", "13800000001")
    assert cipher.decrypt(message["recipient"]["phone_enc"], "outbox.recipient.phone") == "13800000001"
    assert "13800000001" not in str(message)
    assert message["urgent"] is True
    assert len(message["data"]["code"]) == 6 and message["data"]["code"].isdigit()


def test_the_stored_code_is_only_a_digest(client, store):
    send_code(client)
    code = latest_code(store, "13800000001")
    stored = store["otp_codes"].find_one({})
    assert code not in str(stored)


def test_a_wrong_code_is_refused_and_five_wrong_guesses_spend_the_code(client, store):
    send_code(client)
    code = latest_code(store, "13800000001")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post("/api/v1/auth/login", json={"phone": "13800000001", "code": wrong})
        assert response.status_code == 422
        assert response.get_json()["code"] == "code_invalid"
        assert response.get_json()["errors"] == {"code": ["验证码错误或已过期，请重新获取"]}
    assert client.post("/api/v1/auth/login", json={"phone": "13800000001", "code": code}).status_code == 422
    assert store["accounts"].count_documents({}) == 0


def test_a_code_works_once(client, store):
    send_code(client)
    code = latest_code(store, "13800000001")
    assert client.post("/api/v1/auth/login", json={"phone": "13800000001", "code": code}).status_code == 200
    assert client.post("/api/v1/auth/login", json={"phone": "13800000001", "code": code}).status_code == 422


def test_an_expired_code_is_refused(client, store):
    send_code(client)
    code = latest_code(store, "13800000001")
    store["otp_codes"].update_many({}, {"$set": {"expires_at": "2000-01-01T00:00:00.000Z"}})
    assert client.post("/api/v1/auth/login", json={"phone": "13800000001", "code": code}).status_code == 422


def test_a_code_works_for_300_seconds_and_not_after(client, store, clock):
    assert send_code(client, "13800000001", new_ip()).status_code == 202
    assert send_code(client, "13800000002", new_ip()).status_code == 202
    early, late = latest_code(store, "13800000001"), latest_code(store, "13800000002")
    clock.advance(299)
    assert client.post("/api/v1/auth/login", json={"phone": "13800000001", "code": early}).status_code == 200
    clock.advance(1)
    refused = client.post("/api/v1/auth/login", json={"phone": "13800000002", "code": late})
    assert refused.status_code == 422 and refused.get_json()["code"] == "code_invalid"
    assert store["accounts"].count_documents({}) == 1


def test_a_second_code_within_a_minute_is_a_429_with_retry_after(client, store):
    assert send_code(client, ip=new_ip()).status_code == 202
    response = send_code(client, ip=new_ip())
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 61
    assert store["outbox"].count_documents({}) == 1


def test_a_phone_gets_ten_codes_a_day_then_a_429_until_midnight_in_shanghai(client, clock):
    for _ in range(10):
        assert send_code(client, "13800000001", new_ip()).status_code == 202
        clock.advance(61)
    refused = send_code(client, "13800000001", new_ip())
    assert refused.status_code == 429 and refused.get_json()["code"] == "too_many_requests"
    until_midnight = 14 * 3600 - 10 * 61  # 10:00 + ten minutes and ten seconds, to 24:00 in Shanghai
    assert abs(int(refused.headers["Retry-After"]) - until_midnight) <= 2
    assert send_code(client, "13800000002", new_ip()).status_code == 202  # another phone is not held back
    clock.advance(until_midnight)
    assert send_code(client, "13800000001", new_ip()).status_code == 202


def test_an_address_gets_ten_codes_a_day_whatever_the_phones_then_a_429(client, clock):
    ip = new_ip()
    for n in range(10):
        assert send_code(client, f"138000001{n:02d}", ip).status_code == 202
        clock.advance(61)
    refused = send_code(client, "13800000199", ip)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 3600
    assert send_code(client, "13800000199", new_ip()).status_code == 202  # that phone from elsewhere is fine
    clock.advance(14 * 3600)
    assert send_code(client, "13800000198", ip).status_code == 202


def test_one_address_cannot_ask_codes_for_many_phones(client):
    ip = new_ip()
    assert send_code(client, "13800000001", ip).status_code == 202
    assert send_code(client, "13800000002", ip).status_code == 429


def test_a_bad_phone_number_is_a_422_naming_the_field_and_nothing_is_stored(client, store):
    response = client.post("/api/v1/auth/sms-codes", json={"phone": "12345678901"})
    assert response.status_code == 422
    assert "phone" in response.get_json()["errors"]
    assert store["otp_codes"].count_documents({}) == 0
    assert store["outbox"].count_documents({}) == 0


def test_a_login_code_that_is_not_six_digits_is_a_422(client):
    response = client.post("/api/v1/auth/login", json={"phone": "13800000001", "code": "12ab"})
    assert response.status_code == 422
    assert "code" in response.get_json()["errors"]


def test_phones_are_stored_encrypted_and_found_by_blind_index(login, store):
    login("13800000001")
    account = store["accounts"].find_one({})
    assert "13800000001" not in str(account)
    assert account["phone_enc"].startswith("v1.")


def test_one_address_trying_many_logins_is_slowed_down(client):
    ip = new_ip()
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"phone": "13800000001", "code": "000000"}, environ_base={"REMOTE_ADDR": ip}
        ).status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429
