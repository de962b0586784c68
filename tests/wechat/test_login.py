"""Mini-program login: wx.login's code → our session, the same tokens as the PWA's phone login."""

from __future__ import annotations

import jwt

from tests.wechat.conftest import API, bearer, login_code
from wechat.accounts import BINDINGS
from wechat.sandbox import openid_for
from wechat.schemas import LOGIN_CODE_INVALID_EXAMPLE


def claims_of(response) -> dict:
    return jwt.decode(response.get_json()["access_token"], options={"verify_signature": False})


def test_the_first_login_creates_an_account_below_level_one_and_binds_the_openid(mp_login, store, app):
    response = mp_login("alice")
    body = response.get_json()
    assert body["created"] is True
    assert body["token_type"] == "Bearer"
    assert body["account"]["real_name_level"] == 0
    assert body["account"]["phone"] is None
    assert "onetrip_refresh" in response.headers["Set-Cookie"]
    binding = store[BINDINGS].find_one({"account_id": body["account"]["id"]})
    assert binding["openid"] == openid_for(app.config["WECHAT_APPID"], "alice")
    assert binding["session_key_enc"].startswith("v1.")


def test_a_later_login_of_the_same_user_reuses_the_account(mp_login, store):
    first = mp_login("alice").get_json()
    again = mp_login("alice").get_json()
    assert again["created"] is False
    assert again["account"]["id"] == first["account"]["id"]
    assert store["accounts"].count_documents({}) == 1
    assert mp_login("bob").get_json()["account"]["id"] != first["account"]["id"]


def test_mini_program_access_tokens_carry_the_channel_also_after_a_refresh(mp_login, client):
    response = mp_login("alice")
    assert claims_of(response)["chan"] == "miniprogram"
    refreshed = client.post("/api/v1/auth/refresh", json={})
    assert refreshed.status_code == 200
    assert claims_of(refreshed)["chan"] == "miniprogram"


def test_a_used_code_is_refused_and_nothing_is_stored(client, store):
    code = login_code("alice")
    assert client.post(f"{API}/login", json={"code": code}).status_code == 200
    again = client.post(f"{API}/login", json={"code": code})
    assert again.status_code == 422
    assert again.get_json() == LOGIN_CODE_INVALID_EXAMPLE  # the example of the OpenAPI document and docs/miniprogram.md
    assert store["accounts"].count_documents({}) == 1


def test_a_malformed_or_missing_code_is_a_4xx_with_nothing_stored(client, store):
    for body in ({"code": "not-a-login-code"}, {}, {"code": ""}, {"code": "x" * 200}, {"code": 12}):
        response = client.post(f"{API}/login", json=body)
        assert response.status_code == 422, body
        assert set(response.get_json()) == {"status", "code", "message", "errors"}
    assert store["accounts"].count_documents({}) == 0
    assert store[BINDINGS].count_documents({}) == 0


def test_a_logged_in_caller_binds_the_openid_to_the_own_account(client, store, app):
    from auth.accounts import login_or_register
    from auth.crypto import field_cipher
    from auth.sessions import start_session

    with app.app_context():
        account, _ = login_or_register(store, field_cipher(), "13800000009")
        issued = start_session(store, app, account, "test")
    response = client.post(f"{API}/login", json={"code": login_code("carol")}, headers=bearer(issued.access_token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["account"]["id"] == account["_id"]
    assert body["account"]["real_name_level"] == 1
    assert body["created"] is False
    assert store["accounts"].count_documents({}) == 1


def test_a_client_without_a_cookie_jar_refreshes_with_the_value_of_set_cookie(app):
    login = app.test_client(use_cookies=False).post(f"{API}/login", json={"code": login_code("alice")})
    refresh_value = login.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    jarless = app.test_client(use_cookies=False)
    refreshed = jarless.post("/api/v1/auth/refresh", json={}, headers={"Cookie": f"onetrip_refresh={refresh_value}"})
    assert refreshed.status_code == 200
    assert claims_of(refreshed)["sub"] == login.get_json()["account"]["id"]
    assert claims_of(refreshed)["chan"] == "miniprogram"


def test_simultaneous_first_logins_of_one_user_end_in_one_account(app, store):
    import threading

    barrier, answers = threading.Barrier(4), []

    def log_in():
        client = app.test_client()
        barrier.wait(timeout=10)
        answers.append(client.post(f"{API}/login", json={"code": login_code("zoe")}))

    threads = [threading.Thread(target=log_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [answer.status_code for answer in answers] == [200] * 4
    assert len({answer.get_json()["account"]["id"] for answer in answers}) == 1
    assert store["accounts"].count_documents({}) == 1
    assert store[BINDINGS].count_documents({}) == 1


def test_the_loser_of_a_first_login_race_gets_the_winners_account_and_leaves_nothing(mp_login, app, store):
    from auth.crypto import field_cipher
    from wechat.accounts import _register
    from wechat.platform import CodeSession

    winner = mp_login("zoe").get_json()["account"]["id"]
    late = CodeSession(openid=openid_for(app.config["WECHAT_APPID"], "zoe"), unionid=None, session_key="bGF0ZQ==")
    with app.app_context():  # it looked for a binding just before the winner wrote it
        account, created = _register(store, field_cipher(), app.config["WECHAT_APPID"], late)
    assert (account["_id"], created) == (winner, False)
    assert store["accounts"].count_documents({}) == 1  # the loser's new account was rolled back with its binding
    assert store[BINDINGS].count_documents({}) == 1


def test_an_unreachable_platform_is_a_503_with_nothing_stored(config):
    from api import create_app

    app = create_app({**config, "WECHAT_API_BASE": "http://127.0.0.1:9"})
    response = app.test_client().post(f"{API}/login", json={"code": login_code("alice")})
    assert response.status_code == 503
    assert response.get_json()["code"] == "wechat_unavailable"
    assert app.extensions["store"]["accounts"].count_documents({}) == 0
