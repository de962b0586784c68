"""Factories for application tests: the seeded catalogue, a resident acting for their company, staff of
each department and hall, and the requests that walk one application through its life over HTTP."""

from __future__ import annotations

import itertools
import struct
import zlib
from dataclasses import dataclass, field

import pytest

from api.catalog.service import load_catalog
from api.vault import service as vault
from auth.staff import create_staff
from tests.auth.conftest import add_org, add_person, cipher, login, verified  # noqa: F401 - fixtures used here

API = "/api/v1"
_staff_serial = itertools.count(1)

# The facts of a new restaurant that no government record can know: what 开办餐饮店 must ask.
RESTAURANT_FACTS = {
    "shop.name": "湘味小馆",
    "shop.address": "湖南省株洲市天元区长江北路88号101",
    "shop.area_sqm": 120.5,
    "shop.main_category": "餐饮服务经营者",
    "shop.business_items": "热食类食品制售",
    "shop.seats": 48,
    "shop.food_safety_officer": "王强",
    "shop.floor": 1,
    "signboard.text": "湘味小馆",
    "signboard.width_m": 6,
    "signboard.height_m": 1.2,
    "signboard.placement": "平行于建筑外墙",
    "signboard.lighting": True,
    "fire.safety_manager": "李娜",
    "fire.acceptance": "已完成消防验收备案",
}
CONTACT_ADDRESS = {
    "province": "湖南省",
    "city": "株洲市",
    "district": "天元区",
    "street": "嵩山路街道",
    "detail": "示例路12号3栋402",
}
CONTACT_ADDRESS_TEXT = "湖南省株洲市天元区嵩山路街道示例路12号3栋402"


def tiny_png() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def tiny_pdf() -> bytes:
    """A real one-page PDF with its cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]  # fmt: skip
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


@dataclass
class Caller:
    """Someone calling the API with a token, and for a business the X-Acting-For header."""

    client: object
    headers: dict
    account_id: str
    person: object = None
    org: object = None
    extra: dict = field(default_factory=dict)

    def call(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(API + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self.call("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self.call("PUT", path, **kwargs)

    def as_self(self) -> Caller:
        """The same person without acting for their business."""
        headers = {k: v for k, v in self.headers.items() if k != "X-Acting-For"}
        return Caller(self.client, headers, self.account_id, self.person, None)


@pytest.fixture
def app(app):
    load_catalog(app.extensions["store"])
    return app


@pytest.fixture
def business_licence(store, cipher):  # noqa: F811 - the re-exported fixture
    """business_licence(org) -> the org's valid 营业执照 in the e-certificate library."""

    def issue(org) -> dict:
        data = {
            "credit_code": org.credit_code,
            "name": org.name,
            "type": "有限责任公司",
            "legal_rep_name": org.legal_rep_name,
            "registered_address": org.registered_address,
            "business_scope": org.business_scope,
            "established_on": "2019-03-18",
        }
        holder = vault.org_holder(cipher, org.credit_code)
        return vault.issue_certificate(store, cipher, holder, "business_licence", "营业执照", data, "scjg",
                                       holder_name=org.name, issuer_name="株洲市市场监督管理局")  # fmt: skip

    return issue


@pytest.fixture
def resident(verified):  # noqa: F811 - the re-exported fixture
    """resident(phone, name) -> an L2 resident (Caller), registered in the population registry."""

    def make(phone: str = "13800000001", name: str = "张晓明") -> Caller:
        session, person = verified(phone, name)
        return Caller(session.client, dict(session.headers), session.account_id, person)

    return make


@pytest.fixture
def restaurateur(resident, add_org, business_licence):  # noqa: F811 - the re-exported fixture
    """restaurateur(phone, name) -> an L2 legal representative acting for their company, which holds a
    valid business licence, and whose own vault holds a contact address."""

    def make(phone: str = "13800000003", name: str = "李娜", licence: bool = True, address: bool = True) -> Caller:
        owner = resident(phone, name)
        org = add_org(owner.person, name=f"株洲{name}餐饮管理有限公司")
        if licence:
            owner.extra["licence"] = business_licence(org)
        if address:
            saved = owner.put("/me/vault/own", json={"version": 0, "contact_address": CONTACT_ADDRESS})
            assert saved.status_code == 200, saved.get_json()
        return Caller(owner.client, {**owner.headers, "X-Acting-For": org.credit_code}, owner.account_id, owner.person, org,
                      owner.extra)  # fmt: skip

    return make


@pytest.fixture
def staff(app, store, cipher, auth_header):  # noqa: F811 - the re-exported fixture
    """staff("approver", department="scjg") / staff("clerk", hall="zz-lsq") -> a staff Caller with a token."""

    def make(role: str, department: str | None = None, hall: str | None = None) -> Caller:
        serial = next(_staff_serial)
        account, _ = create_staff(store, cipher, f"{role}-{serial}", f"工作人员{serial}", f"139{serial:08d}", role, department)
        if hall:
            store["accounts"].update_one({"_id": account["_id"]}, {"$set": {"hall": hall}})
        return Caller(app.test_client(), auth_header(account["_id"], roles=(role,), acr=3), account["_id"])

    return make


@pytest.fixture
def approvers(staff):
    """One approver per department, made on first use: approvers["scjg"]."""

    class Approvers(dict):
        def __missing__(self, department: str) -> Caller:
            self[department] = staff("approver", department=department)
            return self[department]

    return Approvers()


@pytest.fixture
def clerk(staff):
    return staff("clerk")


# -- walking an application through its life --------------------------------------------------------


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def start(applicant: Caller, **target) -> dict:
    return ok(applicant.post("/applications", json=target), 201)


def typed_fields(view: dict) -> list[str]:
    """The fields nothing filled in: what the applicant has to type."""
    return [f["name"] for f in view["fields"] if f["source"] is None]


def fill(applicant: Caller, view: dict, facts: dict) -> dict:
    values = {name: facts[name] for name in typed_fields(view) if name in facts}
    return ok(applicant.patch(f"/applications/{view['id']}", json={"values": values, "version": view["version"]}))


def upload(applicant: Caller, view: dict, code: str, content: bytes, filename: str = "plan.pdf"):
    import io

    data = {"version": str(view["version"]), "file": (io.BytesIO(content), filename)}
    return applicant.post(f"/applications/{view['id']}/materials/{code}/upload", data=data, content_type="multipart/form-data")


def provide_materials(applicant: Caller, view: dict) -> dict:
    """Declare every statement and upload every file the application still lacks (a PNG, then PDFs)."""
    files = itertools.cycle([(tiny_png(), "layout.png"), (tiny_pdf(), "plan.pdf")])
    for material in view["materials"]:
        if material["status"] != "missing":
            continue
        if material["source"] == "form":
            path = f"/applications/{view['id']}/materials/{material['code']}/declaration"
            view = ok(applicant.post(path, json={"version": view["version"]}))
        elif material["source"] == "upload":
            content, filename = next(files)
            view = ok(upload(applicant, view, material["code"], content, filename))
    return view


def submit(applicant: Caller, view: dict):
    return applicant.post(f"/applications/{view['id']}/submit", json={"version": view["version"]})


def resubmit(applicant: Caller, view: dict, values: dict):
    return applicant.post(f"/applications/{view['id']}/resubmit", json={"values": values, "version": view["version"]})


def ready_to_submit(applicant: Caller, facts: dict = RESTAURANT_FACTS, **target) -> dict:
    view = start(applicant, **target)
    return provide_materials(applicant, fill(applicant, view, facts))


def submitted(applicant: Caller, facts: dict = RESTAURANT_FACTS, **target) -> dict:
    return ok(submit(applicant, ready_to_submit(applicant, facts, **target)))


def accepted(applicant: Caller, clerk: Caller, facts: dict = RESTAURANT_FACTS, **target) -> dict:
    view = submitted(applicant, facts, **target)
    return ok(clerk.post(f"/clerk/applications/{view['id']}/accept"))


def subs_by_department(applicant: Caller, application_id: str) -> dict[str, list[dict]]:
    view = ok(applicant.get(f"/applications/{application_id}"))
    out: dict[str, list[dict]] = {}
    for sub in view["subs"]:
        out.setdefault(sub["department"], []).append(sub)
    return out


def decide(approver: Caller, sub_id: str, action: str = "approve", **body):
    return approver.post(f"/review/sub-applications/{sub_id}/decision", json={"action": action, **body})


def approve_all(applicant: Caller, approvers, application_id: str) -> dict:
    """Each department's approver approves each of its items still in review; returns the application."""
    for department, subs in subs_by_department(applicant, application_id).items():
        for sub in subs:
            if sub["state"] == "in_review":
                ok(decide(approvers[department], sub["id"]))
    return ok(applicant.get(f"/applications/{application_id}"))
