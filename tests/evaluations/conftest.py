# ruff: noqa: F811 - pytest fixtures imported here are taken as arguments by name
"""Factories for rating tests: finished applications and visits written straight into the store (the walk through
review and delivery is covered once, in test_invitations.py), residents calling the API, department staff."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from api import clock as api_clock
from api.clock import to_iso
from api.store import new_id
from tests.applications.conftest import Caller, app, approvers, staff  # noqa: F401 - fixtures used here
from tests.auth.conftest import Clock, cipher  # noqa: F401 - fixtures used here

_serial = itertools.count(1)
NOW = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)  # Monday 28 September 2026, 10:00 in Zhuzhou
BUNDLE_ITEMS = ["430200-SCJG-001", "430200-SCJG-002", "430200-CGJ-001", "430200-XFJY-001"]  # 开办餐饮店


@pytest.fixture
def clock(monkeypatch):
    """The time api.clock reads, from Monday 28 September 2026 10:00 in Zhuzhou (National Day week ahead)."""
    moved = Clock(NOW)
    monkeypatch.setattr(api_clock, "utcnow", moved)
    return moved


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


@pytest.fixture
def citizen(app, auth_header):
    """citizen("acc-1") -> a logged-in resident (Caller) calling the API."""

    def make(account_id: str | None = None) -> Caller:
        account_id = account_id or f"acc-{next(_serial)}"
        return Caller(app.test_client(), auth_header(account_id, roles=("citizen",), acr=2), account_id)

    return make


@pytest.fixture
def finished_application(store):
    """finished_application(owner) -> a completed application document of 开办餐饮店 (or `items` alone)."""

    def make(owner: Caller, items: list[str] | None = None, state: str = "completed") -> dict:
        bundle = items is None
        application = {
            "_id": new_id("app_"), "number": f"YC20260928{next(_serial):06d}", "kind": "bundle" if bundle else "item",
            "target": "open-restaurant" if bundle else items[0], "name": "开办餐饮店一件事" if bundle else "单项事项",
            "items": BUNDLE_ITEMS if bundle else items, "applicant_id": owner.account_id, "acting_for": None,
            "hall": "zz-smzx", "state": state, "created_at": to_iso(NOW), "version": 1, "materials": {},
        }  # fmt: skip
        store["applications"].insert_one(application)
        return application

    return make


@pytest.fixture
def served_visit(store):
    """served_visit(owner) -> a served appointment document at the 市民中心 for 户口出生登记 (公安)."""

    def make(owner: Caller, state: str = "served", item: str = "430200-GAJ-001") -> dict:
        booking = {
            "_id": new_id("apt_"), "hall": "zz-smzx", "hall_name": "株洲市民中心政务服务大厅", "item": item,
            "item_name": "户口出生登记", "account_id": owner.account_id, "acting_for": None, "state": state,
            "starts_at": to_iso(NOW), "day": "2026-09-28", "version": 1,
        }  # fmt: skip
        store["appointments"].insert_one(booking)
        return booking

    return make


def rate(caller: Caller, subject: dict, level: int, subject_type: str = "application", **body):
    return caller.post("/evaluations", json={"subject_type": subject_type, "subject_id": subject["_id"], "level": level, **body})
