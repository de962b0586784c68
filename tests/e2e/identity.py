"""Factories and steps for the identity journeys: phones, registry records, logging in through the UI."""

from __future__ import annotations

import itertools

from playwright.sync_api import expect

from auth.crypto import field_cipher
from auth.registry.local import ORGS, PEOPLE, org_document, person_document
from auth.registry.port import Org, Person
from auth.staff import create_staff
from auth.validators import id_check_char, uscc_check_char

_serial = itertools.count(1)


def new_phone() -> str:
    """A phone no other test uses: the SMS limit is one code a minute per phone."""
    return f"1390000{next(_serial):04d}"


def id_number(birth: str = "19900101") -> str:
    body = f"430211{birth}{next(_serial) % 1000:03d}"
    return body + id_check_char(body)


def with_wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def add_person(app, name: str) -> Person:
    """A resident in the population registry (人口库) the real-name check asks."""
    number = id_number()
    person = Person(
        name=name,
        id_number=number,
        sex="M" if int(number[16]) % 2 else "F",
        birth_date="1990-01-01",
        ethnicity="汉族",
        household_address="湖南省株洲市天元区示例路1号",
    )
    app.extensions["store"][PEOPLE].insert_one(person_document(field_cipher(app), person))
    return person


def add_org(app, legal_rep: Person, name: str) -> Org:
    """A company in the legal-person registry (法人库) with `legal_rep` as its legal representative."""
    body = f"91430211MA{next(_serial):07d}"
    org = Org(
        name=name,
        credit_code=body + uscc_check_char(body),
        type="company",
        legal_rep_id_number=legal_rep.id_number,
        legal_rep_name=legal_rep.name,
        registered_address="湖南省株洲市天元区示例路2号",
        business_scope="餐饮服务",
    )
    app.extensions["store"][ORGS].insert_one(org_document(field_cipher(app), org))
    return org


def latest_code(store, phone: str) -> str:
    """The code the SMS would carry: the UI never shows it."""
    from notifications.outbox import latest_to_phone

    message = latest_to_phone(store, "verification_code", phone)  # by the phone's blind index: phones are encrypted
    return message["data"]["code"]


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def log_in_on_the_login_page(page, store, phone: str) -> None:
    """Phone, 获取验证码, the code from the SMS, 登录: the page must already show the login form."""
    store["rate_limits"].delete_many({})  # every test's browser sends from 127.0.0.1
    page.get_by_role("textbox", name="手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("button", name="秒后重发")).to_be_disabled()
    page.get_by_role("textbox", name="验证码").fill(latest_code(store, phone))
    page.get_by_role("button", name="登录", exact=True).click()


def log_in(page, base_url: str, store, phone: str) -> None:
    """From a fresh page to the logged-in 我的."""
    page.goto(base_url + "/login")
    log_in_on_the_login_page(page, store, phone)
    expect(page).to_have_url(base_url + "/me")
    expect(page.get_by_role("heading", level=2, name=masked(phone))).to_be_visible()


def verify_real_name(page, person: Person) -> None:
    """On the logged-in 我的: 实名认证 with the person's registry data."""
    page.get_by_role("button", name="实名认证").click()
    page.get_by_role("textbox", name="姓名").fill(person.name)
    page.get_by_role("textbox", name="身份证号").fill(person.id_number)
    page.get_by_role("button", name="提交认证").click()


def account_of(app, phone: str) -> dict:
    cipher = field_cipher(app)
    return app.extensions["store"]["accounts"].find_one({"phone_bi": cipher.blind_index("phone", phone)})


def add_staff(app, username: str, role: str = "clerk", name: str = "孙丽") -> str:
    """A staff account as the operator command makes it; returns its one-time password."""
    _account, one_time = create_staff(app.extensions["store"], field_cipher(app), username, name, new_phone(), role, None)
    return one_time


def clerk_looks_at(app, account_id: str) -> None:
    """A clerk opens the resident's account at the window, through the real API."""
    username = f"clerk{next(_serial)}"
    one_time = add_staff(app, username)
    client = app.test_client()
    login = client.post(
        "/api/v1/auth/staff-login", json={"username": username, "password": one_time, "new_password": "窗口-新密码-2026"}
    )
    assert login.status_code == 200, login.get_json()
    token = login.get_json()["access_token"]
    seen = client.get(f"/api/v1/staff/accounts/{account_id}", headers={"Authorization": f"Bearer {token}"})
    assert seen.status_code == 200, seen.get_json()
