"""Refresh tokens rotate on each use; a reused one ends the session; logout works at once."""

from datetime import timedelta

from api.clock import now_iso, to_iso


def refresh(session, **kwargs):
    return session.client.post("/api/v1/auth/refresh", json=kwargs)


def test_a_refresh_gives_a_new_access_token_and_a_new_cookie(login):
    session = login()
    old_cookie = session.client.get_cookie("onetrip_refresh", path="/api/v1/auth").value
    response = refresh(session)
    assert response.status_code == 200
    new_cookie = session.client.get_cookie("onetrip_refresh", path="/api/v1/auth").value
    assert new_cookie != old_cookie
    assert response.get_json()["access_token"] != session.token


def test_the_refresh_cookie_is_httponly_secure_strict_and_limited_to_the_auth_path(login):
    session = login()
    cookie = session.client.get_cookie("onetrip_refresh", path="/api/v1/auth")
    assert cookie.http_only and cookie.secure and cookie.same_site == "Strict" and cookie.path == "/api/v1/auth"


def test_refresh_tokens_are_stored_only_as_hashes(login, store):
    session = login()
    raw = session.client.get_cookie("onetrip_refresh", path="/api/v1/auth").value
    assert store["refresh_tokens"].count_documents({"_id": raw}) == 0
    assert raw not in str(list(store["refresh_tokens"].find({})))


def test_reusing_a_spent_refresh_token_revokes_the_whole_session(login):
    session = login()
    stolen = session.client.get_cookie("onetrip_refresh", path="/api/v1/auth").value
    assert refresh(session).status_code == 200
    fresh_token = session.client.get_cookie("onetrip_refresh", path="/api/v1/auth").value

    session.client.set_cookie("onetrip_refresh", stolen, path="/api/v1/auth", secure=True, httponly=True)
    reused = refresh(session)
    assert reused.status_code == 401
    assert reused.get_json()["code"] == "refresh_token_reused"

    session.client.set_cookie("onetrip_refresh", fresh_token, path="/api/v1/auth", secure=True, httponly=True)
    assert refresh(session).status_code == 401
    assert session.get("/api/v1/me").status_code == 401


def test_refresh_without_a_cookie_is_a_401(client):
    assert client.post("/api/v1/auth/refresh", json={}).status_code == 401


def test_logout_ends_the_session_at_once(login):
    session = login()
    assert session.get("/api/v1/me").status_code == 200
    assert session.client.post("/api/v1/auth/logout").status_code == 204
    assert session.get("/api/v1/me").status_code == 401
    assert refresh(session).status_code == 401


def test_log_out_everywhere_ends_every_device(login):
    phone, laptop = login(user_agent="phone"), login(user_agent="laptop")
    assert phone.post("/api/v1/auth/logout-everywhere").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401


def test_the_session_list_shows_each_device_and_marks_this_one(login):
    phone, laptop = login(user_agent="Phone/1.0"), login(user_agent="Laptop/2.0")
    items = phone.get("/api/v1/me/sessions").get_json()
    assert {i["device"] for i in items} == {"Phone/1.0", "Laptop/2.0"}
    assert [i["device"] for i in items if i["current"]] == ["Phone/1.0"]
    laptop_id = next(i["id"] for i in items if i["device"] == "Laptop/2.0")
    assert phone.delete(f"/api/v1/me/sessions/{laptop_id}").status_code == 204
    assert laptop.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me").status_code == 200


def test_a_refresh_moves_the_sessions_last_used_time_in_the_session_list(login, clock):
    session = login()
    [before] = session.get("/api/v1/me/sessions").get_json()
    assert before["last_used_at"] == before["created_at"] == to_iso(clock.now)
    clock.advance(600)
    assert refresh(session).status_code == 200
    [after] = session.get("/api/v1/me/sessions").get_json()
    assert after["id"] == before["id"] and after["created_at"] == before["created_at"]
    assert after["last_used_at"] == to_iso(clock.now) > before["last_used_at"]


def test_nobody_can_end_another_persons_session(login):
    mine, theirs = login("13800000001"), login("13800000002")
    their_id = theirs.get("/api/v1/me/sessions").get_json()[0]["id"]
    assert mine.delete(f"/api/v1/me/sessions/{their_id}").status_code == 404
    assert theirs.get("/api/v1/me").status_code == 200


def test_an_expired_session_cannot_be_refreshed(login, store):
    session = login()
    store["sessions"].update_many({}, {"$set": {"expires_at": "2000-01-01T00:00:00.000Z"}})
    assert now_iso() > "2000"
    assert refresh(session).status_code == 401


def refresh_cookie(session) -> str:
    return session.client.get_cookie("onetrip_refresh", path="/api/v1/auth").value


def with_refresh_cookie(session, value: str) -> None:
    session.client.set_cookie("onetrip_refresh", value, path="/api/v1/auth", secure=True, httponly=True)


def test_a_refresh_extends_the_session_to_thirty_days_from_now(login, store, clock):
    session = login()
    clock.advance(3600)
    assert refresh(session).status_code == 200
    [stored] = store["sessions"].find({})
    assert stored["expires_at"] == to_iso(clock.now + timedelta(days=30)) and stored["last_used_at"] == to_iso(clock.now)


def test_an_unknown_refresh_token_is_a_401_and_nothing_is_written(login, store):
    session = login()
    before = list(store["refresh_tokens"].find({})), list(store["sessions"].find({}))
    with_refresh_cookie(session, "made-up-token")
    assert refresh(session).status_code == 401
    assert (list(store["refresh_tokens"].find({})), list(store["sessions"].find({}))) == before


def test_the_refresh_token_of_an_ended_session_is_refused_and_does_not_extend_it(login, store, clock):
    session = login()
    cookie = refresh_cookie(session)
    assert session.client.post("/api/v1/auth/logout").status_code == 204
    [ended] = store["sessions"].find({})
    clock.advance(60)
    with_refresh_cookie(session, cookie)
    assert refresh(session).status_code == 401
    assert list(store["sessions"].find({})) == [ended]
    assert store["refresh_tokens"].count_documents({}) == 1


def test_a_disabled_account_cannot_refresh_and_its_session_ends_at_once(login, store):
    session = login()
    store["accounts"].update_one({"_id": session.account_id}, {"$set": {"disabled": True}})
    assert refresh(session).status_code == 401
    [stored] = store["sessions"].find({})
    assert stored["revoked"] is True and stored["revoked_reason"] == "account_disabled"
    assert session.get("/api/v1/me").json["code"] == "session_ended"


def test_a_session_that_had_already_ended_keeps_its_reason_when_its_disabled_account_tries_to_refresh(login, store):
    session = login()
    cookie = refresh_cookie(session)
    assert session.client.post("/api/v1/auth/logout").status_code == 204
    store["accounts"].update_one({"_id": session.account_id}, {"$set": {"disabled": True}})
    with_refresh_cookie(session, cookie)
    assert refresh(session).status_code == 401
    [stored] = store["sessions"].find({})
    assert stored["revoked_reason"] == "logout"
