"""Factories for appointment tests: the catalogue loaded, a movable clock, halls, residents, clerks and admins,
and the requests that book, check in and call over HTTP."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from api import clock as api_clock
from api.appointments import halls
from api.catalog.service import load_catalog
from api.clock import local_zone, to_iso
from auth.staff import create_staff
from tests.auth.conftest import add_org, add_person, cipher, login, verified  # noqa: F401 - fixtures used here

API = "/api/v1"
HALL = "t-hall"
DEED = "430200-BDC-001"  # 存量房转移登记: needs one visit; five windows of group A handle it in the test hall
FOOD = "430200-SCJG-002"  # 食品经营许可新办: two windows of group B
MONDAY = dt.date(2026, 5, 11)  # a working day; 14 days ahead hold no holiday
_serial = itertools.count(1)


class Clock:
    """The time api.clock gives the code, moved by hand (access tokens keep real time)."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)

    def set_local(self, day: dt.date, hhmm: str) -> None:
        self.now = local(day, hhmm)


def local(day: dt.date, hhmm: str) -> dt.datetime:
    """An aware UTC datetime for a Shanghai wall-clock time."""
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), local_zone()).astimezone(dt.UTC)


def slot(day: dt.date, hhmm: str) -> str:
    """A slot's starts_at as the API shows it."""
    return to_iso(local(day, hhmm))


@pytest.fixture
def clock(monkeypatch):
    """Starts on Monday 2026-05-11 at 08:00 in Shanghai."""
    moved = Clock(local(MONDAY, "08:00"))
    monkeypatch.setattr(api_clock, "utcnow", moved)
    return moved


@pytest.fixture
def app(app):
    load_catalog(app.extensions["store"])
    return app


def hall_data(code: str = HALL, **overrides) -> dict:
    """A small hall as an admin sends it: group A (five windows, 存量房转移登记), group B (two, 食品经营许可)."""
    working = [["09:00", "12:00"], ["13:00", "17:00"]]
    data = {
        "code": code,
        "name": "测试政务服务大厅",
        "kind": "district",
        "district": "天元区",
        "address": "湖南省株洲市天元区示例路1号",
        "phone": "0731-28680000",
        "floors": [{"code": "1F", "name": "一楼"}, {"code": "2F", "name": "二楼"}],
        "groups": [{"code": "A", "name": "不动产登记", "floor": "1F"}, {"code": "B", "name": "市场监管", "floor": "2F"}],
        "windows": [{"code": f"A0{i}", "name": f"A0{i}窗口", "group": "A", "items": [DEED], "active": True} for i in range(1, 6)]
        + [{"code": f"B0{i}", "name": f"B0{i}窗口", "group": "B", "items": [FOOD], "active": True} for i in range(1, 3)],
        "opening_hours": {"mon": working, "tue": working, "wed": working, "thu": working, "fri": working, "sat": [], "sun": []},
        "closed_days": [],
        "slot_minutes": 30,
        "places_per_window": 1,
        "status": "active",
    }
    data.update(copy.deepcopy(overrides))
    return data


@pytest.fixture
def make_hall(store):
    """make_hall(**overrides) -> the stored hall, created through the service as the admin endpoint does."""

    def make(**overrides) -> dict:
        from api.appointments.schemas import HallCreateSchema

        return halls.create_hall(store, HallCreateSchema().load(hall_data(**overrides)))

    return make


@pytest.fixture
def hall(make_hall):
    return make_hall()


@dataclass
class Caller:
    """Someone calling the API: a test client of their own and their headers."""

    client: object
    headers: dict
    account_id: str

    def call(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(API + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self.call("PUT", path, **kwargs)


@pytest.fixture
def resident(app, store, auth_header):
    """resident(name, acr=2) -> a real-name (L2) resident with an account, their own test client."""

    def make(name: str = "张晓明", acr: int = 2) -> Caller:
        account_id = f"acc-resident-{next(_serial)}"
        store["accounts"].insert_one(
            {"_id": account_id, "phone_bi": f"none:{account_id}", "name": name, "roles": ["citizen"], "acr": acr}
        )
        return Caller(app.test_client(), auth_header(account_id, roles=("citizen",), acr=acr), account_id)

    return make


@pytest.fixture
def clerk(app, store, cipher, auth_header):  # noqa: F811 - the re-exported fixture
    """clerk(hall) -> a clerk working at that hall."""

    def make(hall_code: str = HALL) -> Caller:
        serial = next(_serial)
        account, _ = create_staff(store, cipher, f"clerk-{serial}", f"窗口人员{serial}", f"139{serial:08d}", "clerk", None)
        store["accounts"].update_one({"_id": account["_id"]}, {"$set": {"hall": hall_code}})
        return Caller(app.test_client(), auth_header(account["_id"], roles=("clerk",), acr=3), account["_id"])

    return make


@pytest.fixture
def admin(app, auth_header):
    return Caller(app.test_client(), auth_header("acc-admin", roles=("admin",), acr=3), "acc-admin")


@pytest.fixture
def anonymous(app):
    return Caller(app.test_client(), {}, "")


# -- requests ---------------------------------------------------------------------------------------------


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def refused(response, status: int, code: str | None = None) -> dict:
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert set(body) == {"status", "code", "message", "errors"} and body["status"] == status
    assert any("\u4e00" <= char <= "\u9fff" for char in body["message"]), body["message"]
    if code:
        assert body["code"] == code, body
    return body


def book(caller: Caller, starts_at: str, item: str = DEED, hall: str = HALL, **extra):
    return caller.post("/appointments", json={"hall": hall, "item": item, "starts_at": starts_at, **extra})


def booked(caller: Caller, starts_at: str, item: str = DEED, hall: str = HALL) -> dict:
    return ok(book(caller, starts_at, item, hall), 201)


def availability(client, item: str = DEED, hall: str = HALL) -> dict:
    return ok(client.get(f"{API}/appointments/halls/{hall}/availability?item={item}"))


def places_left(client, starts_at: str, item: str = DEED, hall: str = HALL) -> int:
    days = availability(client, item, hall)["days"]
    return next(s["available"] for d in days for s in d["slots"] if s["starts_at"] == starts_at)


def check_in(clerk: Caller, appointment: dict):
    return clerk.post("/clerk/appointments/check-in", json={"token": appointment["check_in_token"]})


def walk_in(clerk: Caller, item: str = DEED) -> dict:
    return ok(clerk.post("/clerk/queue/walk-ins", json={"item": item}), 201)


def call_next(clerk: Caller, window: str = "A01") -> dict:
    return ok(clerk.post("/clerk/queue/call-next", json={"window": window}))


def outbox(store, event: str) -> list[dict]:
    return list(store["outbox"].find({"event": event}))
