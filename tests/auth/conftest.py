"""Factories for identity tests: registry people and orgs, and logging in through the real API."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from api import clock as api_clock
from auth.crypto import field_cipher
from auth.registry.local import ORGS, PEOPLE, org_document, person_document
from auth.registry.port import Org, Person
from auth.validators import id_check_char, uscc_check_char
from notifications.outbox import latest_to_phone

_serial = itertools.count(100)
_ips = itertools.count(1)


def make_id_number(birth: str = "19900101", region: str = "430211") -> str:
    body = f"{region}{birth}{next(_serial) % 1000:03d}"
    return body + id_check_char(body)


def make_credit_code(prefix: str = "91430211") -> str:
    body = f"{prefix}MA{next(_serial):07d}"[:17]
    return body + uscc_check_char(body)


def with_wrong_check_character(code: str) -> str:
    """The code with a check character that GB 32100 refuses, as some early registered codes have."""
    return code[:17] + ("0" if code[17] != "0" else "1")


@pytest.fixture
def cipher(app):
    return field_cipher(app)


@pytest.fixture
def add_person(store, cipher):
    def add(name: str = "张晓明", id_number: str | None = None, birth: str = "19900101") -> Person:
        id_number = id_number or make_id_number(birth)
        person = Person(
            name=name,
            id_number=id_number,
            sex="M" if int(id_number[16]) % 2 else "F",
            birth_date=f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
            ethnicity="汉族",
            household_address="湖南省株洲市天元区示例路1号",
        )
        store[PEOPLE].insert_one(person_document(cipher, person))
        return person

    return add


@pytest.fixture
def add_org(store, cipher):
    def add(
        legal_rep: Person, name: str = "株洲示例餐饮管理有限公司", status: str = "active", credit_code: str | None = None
    ) -> Org:
        org = Org(
            name=name,
            credit_code=credit_code or make_credit_code(),
            type="company",
            legal_rep_id_number=legal_rep.id_number,
            legal_rep_name=legal_rep.name,
            registered_address="湖南省株洲市天元区示例路2号",
            business_scope="餐饮服务",
            status=status,
        )
        store[ORGS].insert_one(org_document(cipher, org))
        return org

    return add


class Clock:
    """The time that api.clock reads (codes, limits, sessions), moved by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    """Starts at 2026-05-04 10:00 in Shanghai; clock.advance(seconds) moves it. Access tokens keep real time."""
    moved = Clock(datetime(2026, 5, 4, 2, 0, tzinfo=UTC))
    monkeypatch.setattr(api_clock, "utcnow", moved)
    return moved


def new_ip() -> str:
    return f"198.51.100.{next(_ips) % 250 + 1}"


def latest_code(store, phone: str) -> str:
    message = latest_to_phone(store, "verification_code", phone)  # by the phone's blind index: phones are encrypted
    return message["data"]["code"]


class Session:
    """A logged-in device: its access token and its own cookie jar."""

    def __init__(self, client, body: dict):
        self.client = client
        self.body = body
        self.token = body["access_token"]
        self.account_id = body["account"]["id"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def post(self, path: str, **kwargs):
        return self.client.post(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.client.delete(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)


@pytest.fixture
def login(app, store):
    """login("13800000001") -> Session, through /sms-codes and /login, each device its own client."""

    def do_login(phone: str = "13800000001", user_agent: str = "pytest-phone") -> Session:
        client = app.test_client()
        ip = new_ip()
        store["rate_limits"].delete_many({})  # as if a minute had passed since the last code
        sent = client.post("/api/v1/auth/sms-codes", json={"phone": phone}, environ_base={"REMOTE_ADDR": ip})
        assert sent.status_code == 202, sent.get_json()
        response = client.post(
            "/api/v1/auth/login",
            json={"phone": phone, "code": latest_code(store, phone)},
            headers={"User-Agent": user_agent},
            environ_base={"REMOTE_ADDR": ip},
        )
        assert response.status_code == 200, response.get_json()
        return Session(client, response.get_json())

    return do_login


@pytest.fixture
def verified(login, add_person):
    """A logged-in person at real-name level 2: verified(phone, name) -> (Session, Person)."""

    def make(phone: str = "13800000001", name: str = "张晓明") -> tuple[Session, object]:
        person = add_person(name)
        session = login(phone)
        response = session.post("/api/v1/me/real-name", json={"name": name, "id_number": person.id_number})
        assert response.status_code == 200, response.get_json()
        session.token = response.get_json()["access_token"]
        return session, person

    return make
