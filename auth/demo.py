"""Demo accounts for `make run` (seed-demo): residents already real-name verified, and staff.

Only the demo seeder calls this. Demo staff get a documented password and no forced change, so a
newcomer can click through every role; real staff come from `flask create-staff`.
"""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from api.clock import now_iso

from .accounts import ACCOUNTS, BINDINGS
from .crypto import field_cipher
from .seed_registry import DEMO_PEOPLE
from .staff import LOGINS, hash_password

DEMO_STAFF_PASSWORD = "onetrip-demo-2026"  # noqa: S105 — documented demo password, demo seeding only
DEMO_STAFF = [
    # username, name, phone, role, department
    ("clerk01", "周敏", "13900000001", "clerk", "株洲市政务服务中心"),
    ("approver-scjg", "吴刚", "13900000002", "approver", "株洲市市场监督管理局"),
    ("approver-gaj", "郑丽", "13900000003", "approver", "株洲市公安局"),
    ("approver-cgj", "何静", "13900000006", "approver", "株洲市城市管理和综合执法局"),
    ("approver-xfjy", "罗军", "13900000007", "approver", "株洲市消防救援支队"),
    ("approver-wjw", "谢婷", "13900000008", "approver", "株洲市卫生健康委员会"),
    ("approver-rsj", "唐磊", "13900000009", "approver", "株洲市人力资源和社会保障局"),
    ("approver-ybj", "韩雪", "13900000010", "approver", "株洲市医疗保障局"),
    ("approver-swj", "冯涛", "13900000011", "approver", "国家税务总局株洲市税务局"),
    ("approver-bdc", "邓洁", "13900000012", "approver", "株洲市不动产登记中心（株洲市自然资源和规划局）"),
    ("approver-gjj", "曹斌", "13900000013", "approver", "株洲市住房公积金管理中心"),
    ("approver-gs", "彭辉", "13900000014", "approver", "株洲市供水公司（公用事业）"),
    ("approver-gd", "曾平", "13900000015", "approver", "国网株洲供电公司（公用事业）"),
    ("approver-rq", "肖燕", "13900000016", "approver", "株洲市燃气公司（公用事业）"),
    ("courier01", "孙强", "13900000004", "courier", "中国邮政株洲分公司"),
    ("admin01", "钱勇", "13900000005", "admin", None),
]


def _insert(store, collection: str, document: dict) -> bool:
    try:
        store[collection].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def seed_demo_accounts(store, app) -> str:
    cipher = field_cipher(app)
    now = now_iso()
    residents = staff = 0
    for person in (p for p in DEMO_PEOPLE if p["phone"]):
        account_id = f"acc_demo_{person['key']}"
        id_bi = cipher.blind_index("id_number", person["id_number"])
        account = {
            "_id": account_id,
            "phone_bi": cipher.blind_index("phone", person["phone"]),
            "phone_enc": cipher.encrypt(person["phone"], "accounts.phone"),
            "name": person["name"],
            "id_bi": id_bi,
            "id_enc": cipher.encrypt(person["id_number"], "accounts.id_number"),
            "roles": ["citizen"],
            "acr": 2,
            "disabled": False,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        if _insert(store, ACCOUNTS, account):
            _insert(store, BINDINGS, {"_id": id_bi, "account_id": account_id, "created_at": now})
            residents += 1
    for username, name, phone, role, department in DEMO_STAFF:
        account_id = f"acc_demo_{username}"
        account = {
            "_id": account_id,
            "phone_bi": cipher.blind_index("phone", phone),
            "phone_enc": cipher.encrypt(phone, "accounts.phone"),
            "name": name,
            "roles": [role],
            "acr": 3,
            "department": department,
            "disabled": False,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        if _insert(store, ACCOUNTS, account):
            login = {
                "_id": username,
                "account_id": account_id,
                "password": hash_password(DEMO_STAFF_PASSWORD),
                "must_change": False,
            }
            _insert(store, LOGINS, {**login, "created_at": now})
            staff += 1
    return f"{residents} resident and {staff} staff demo accounts added"
