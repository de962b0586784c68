"""The demo data of `make run`: every role can log in as the README says."""

import pytest

from auth.demo import DEMO_STAFF, DEMO_STAFF_PASSWORD
from auth.seed_registry import DEMO_ORGS

from .conftest import latest_code


@pytest.fixture
def demo(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["seed-demo"])
    assert "0 resident and 0 staff demo accounts added" in again.output
    return app


def test_a_demo_resident_logs_in_with_the_sms_code_already_real_name_verified(demo, store):
    client = demo.test_client()
    assert client.post("/api/v1/auth/sms-codes", json={"phone": "13800000001"}).status_code == 202
    response = client.post("/api/v1/auth/login", json={"phone": "13800000001", "code": latest_code(store, "13800000001")})
    assert response.status_code == 200
    account = response.get_json()["account"]
    assert (account["name"], account["real_name_level"], account["created"] if "created" in account else False) == (
        "张晓明",
        2,
        False,
    )


def test_the_demo_restaurant_owner_may_act_for_her_company(demo, store):
    client = demo.test_client()
    client.post("/api/v1/auth/sms-codes", json={"phone": "13800000003"})
    token = client.post("/api/v1/auth/login", json={"phone": "13800000003", "code": latest_code(store, "13800000003")}).get_json()
    orgs = client.get("/api/v1/me/orgs", headers={"Authorization": f"Bearer {token['access_token']}"}).get_json()
    assert [o["credit_code"] for o in orgs] == [DEMO_ORGS[0]["credit_code"]]


@pytest.mark.parametrize(("username", "role"), [(s[0], s[3]) for s in DEMO_STAFF])
def test_each_demo_staff_member_logs_in_with_the_documented_password(demo, username, role):
    response = demo.test_client().post("/api/v1/auth/staff-login", json={"username": username, "password": DEMO_STAFF_PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["account"]["roles"] == [role]
    assert response.get_json()["account"]["hall"] == ("zz-smzx" if role == "clerk" else None)


def test_the_readme_lists_the_demo_ids_and_password_as_they_are_seeded():
    from pathlib import Path

    from auth.seed_registry import DEMO_PEOPLE

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for person in DEMO_PEOPLE:
        if person["phone"] and person["phone"] in readme:
            assert person["id_number"] in readme or person["name"] == "刘芳"
    assert DEMO_STAFF_PASSWORD in readme
    for username, *_ in DEMO_STAFF:
        assert f"`{username}`" in readme


def test_demo_accounts_prints_who_logs_in_how_and_what_to_try(app):
    from auth.seed_registry import DEMO_PEOPLE

    result = app.test_cli_runner().invoke(args=["demo-accounts"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split() == ["who", "log", "in", "with", "what", "to", "try"] for line in lines)
    for person in (p for p in DEMO_PEOPLE if p["phone"]):
        assert any(person["name"] in line and f"phone {person['phone']}" in line for line in lines), person["name"]
    for username, name, *_ in DEMO_STAFF:
        assert any(name in line and f"staff {username} " in line for line in lines), username
    assert DEMO_STAFF_PASSWORD in result.output and "验证码" in result.output


def test_make_run_prints_the_demo_accounts_before_it_starts_the_processes():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    steps = [line.strip() for line in recipe.splitlines()[1:]]
    printed = next(i for i, step in enumerate(steps) if step.endswith("flask --app wsgi demo-accounts"))
    started = next(i for i, step in enumerate(steps) if "honcho start" in step)
    assert printed < started
