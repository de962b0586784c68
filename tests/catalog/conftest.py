"""Catalogue fixtures: the seed loaded, admin and citizen callers, and factories for items, fields and bundles."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from api.catalog.service import BUNDLES, DATA_DIR, ITEMS, load_catalog

ADMIN = "/api/v1/admin/catalog"
PUBLIC = "/api/v1/catalog"


@pytest.fixture
def catalog(store):
    """The seed catalogue, loaded into this test's fresh store."""
    return load_catalog(store)


@pytest.fixture
def admin(auth_header):
    return auth_header("acc-admin", roles=("admin",))


@pytest.fixture
def citizen(auth_header):
    return auth_header("acc-citizen", roles=("citizen",))


@pytest.fixture
def seed_copy(tmp_path):
    """seed_copy() -> a directory holding a copy of the seed files; edit(name, change) rewrites one of them."""
    directory = tmp_path / "catalog"
    shutil.copytree(DATA_DIR, directory)
    return directory


def edit_file(directory: Path, name: str, change) -> None:
    """Rewrite directory/name with change(documents) applied (change edits the list in place)."""
    path = directory / name
    documents = json.loads(path.read_text(encoding="utf-8"))
    change(documents)
    path.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")


def changing(which: str, **changes):
    """A change for edit_file: update the document with this code (by code, so that seed edits elsewhere do not matter)."""

    def change(documents):
        next(document for document in documents if document.get("code") == which).update(copy.deepcopy(changes))

    return change


def seed_counts() -> dict[str, int]:
    """How many documents each seed file holds, as load_catalog reports them."""
    files = {"departments": "departments.json", "certificate_types": "certificate_types.json"}
    files |= {ITEMS: "items.json", BUNDLES: "bundles.json"}
    return {collection: len(json.loads((DATA_DIR / name).read_text(encoding="utf-8"))) for collection, name in files.items()}


def stored(store, collection: str, code: str) -> dict | None:
    """The document as the store holds it now (re-read, so a test sees what was really written)."""
    return store[collection].find_one({"_id": code})


def stored_item(store, code: str) -> dict | None:
    return stored(store, ITEMS, code)


def stored_bundle(store, code: str) -> dict | None:
    return stored(store, BUNDLES, code)


def form_field(name: str, label: str = "字段", type: str = "string", required: bool = True, **extra) -> dict:
    return {"name": name, "label": label, "type": type, "required": required, "prefill": [], **extra}


def item_data(code: str = "430200-ZWFW-101", **overrides) -> dict:
    """A valid guide of a small promised item of the 政务服务中心 for a person, as an admin would send it."""
    data = {
        "code": code,
        "name": "居住证明开具",
        "department": "zwfw",
        "kind": "promised",
        "legal_days": 10,
        "promised_days": 3,
        "fee_fen": 0,
        "fee_basis": None,
        "legal_basis": ["《居住证暂行条例》（国务院令第663号）"],
        "acr_level": 2,
        "for_whom": "person",
        "visits": 0,
        "online_depth": 4,
        "tags": ["网上办", "一次办"],
        "delivery": ["ems", "pickup"],
        "review": "clerk",
        "summary": "为在本市居住的居民开具居住情况证明。",
        "conditions": ["在本市有合法稳定住所"],
        "process": ["网上申请", "部门审查", "结果送达"],
        "hall": "株洲市民中心二楼综合窗口",
        "phone": "0731-28680099",
        "materials": [
            {
                "code": "household_register",
                "name": "户口登记信息",
                "source": "certificate",
                "certificate_type": "household_register_entry",
                "required": True,
                "trust": "A",
                "note": None,
            },
            {"code": "lease", "name": "房屋租赁合同", "source": "upload", "required": True, "trust": "C", "note": None},
        ],
        "fields": [
            form_field("applicant.name", "申请人姓名", prefill=["registry.person.name"], max_length=50),
            form_field("applicant.id_number", "申请人身份证件号码", "id_number", prefill=["registry.person.id_number"]),
            form_field("residence.address", "居住地址", "address", max_length=200),
        ],
        "results": [],
    }
    data.update(copy.deepcopy(overrides))
    return data


def bundle_data(code: str = "residence-proof", items=("430200-ZWFW-101",), **overrides) -> dict:
    data = {
        "code": code,
        "name": "居住证明一件事",
        "summary": "一次申请，开具居住情况证明。",
        "for_whom": "person",
        "lead_department": "zwfw",
        "items": list(items),
        "tags": ["网上办"],
    }
    data.update(copy.deepcopy(overrides))
    return data


def as_update(document: dict) -> dict:
    """What an admin PUTs back after reading a stored item or bundle: its content and the version read."""
    skipped = {"_id", "code", "created_at", "updated_at", "department_name"}
    return {key: copy.deepcopy(value) for key, value in document.items() if key not in skipped}


def bundle_update(document: dict) -> dict:
    """A stored bundle as its editor sends it back: what was sent, not what was derived from its items."""
    kept = ("name", "summary", "for_whom", "lead_department", "items", "tags", "status", "version")
    return {key: copy.deepcopy(document[key]) for key in kept}
