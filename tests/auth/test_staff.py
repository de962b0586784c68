"""Staff accounts come from an operator command; their first login sets a new password."""

import re

import pytest


@pytest.fixture
def staff_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-staff", "--username", "clerk01", "--name", "周敏", "--phone", "13900000001", "--role", "clerk"]
    )
    assert result.exit_code == 0, result.output
    return re.search(r"one-time password: (\S+)", result.output).group(1)


def staff_login(client, **body):
    return client.post("/api/v1/auth/staff-login", json={"username": "clerk01", **body})


def test_the_first_login_requires_a_new_password(client, staff_password):
    response = staff_login(client, password=staff_password)
    assert response.status_code == 403
    assert response.get_json()["code"] == "password_change_required"


def test_the_first_login_with_a_new_password_logs_in_as_clerk_and_spends_the_one_time_password(client, staff_password):
    response = staff_login(client, password=staff_password, new_password="a-long-new-secret")
    assert response.status_code == 200
    assert response.get_json()["account"]["roles"] == ["clerk"]
    assert staff_login(client, password=staff_password).status_code == 401
    assert staff_login(client, password="a-long-new-secret").status_code == 200


def test_a_short_new_password_is_refused(client, staff_password):
    response = staff_login(client, password=staff_password, new_password="short")
    assert response.status_code == 422


def test_a_wrong_password_is_a_401_and_repeated_failures_a_429(client, staff_password):
    statuses = [staff_login(client, password="wrong").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_an_approver_needs_a_department(app):
    result = app.test_cli_runner().invoke(
        args=["create-staff", "--username", "a1", "--name", "x", "--phone", "13900000002", "--role", "approver"]
    )
    assert result.exit_code != 0


def test_no_one_can_give_themselves_a_role_through_the_api(login, client):
    session = login()
    assert session.get("/api/v1/me").get_json()["roles"] == ["citizen"]
    response = session.post("/api/v1/me/real-name", json={"name": "x", "id_number": "1", "roles": ["admin"]})
    assert response.status_code == 422


def test_signing_key_rotation_keeps_old_tokens_valid(app, login):
    session = login()
    result = app.test_cli_runner().invoke(args=["rotate-signing-key"])
    assert result.exit_code == 0, result.output
    assert session.get("/api/v1/me").status_code == 200
    assert len(session.client.get("/.well-known/jwks.json").get_json()["keys"]) == 2
