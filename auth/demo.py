"""Demo accounts for `make run` (seed-demo): residents already real-name verified, and staff.

Only the demo seeder calls this. Demo staff get a documented password and no forced change, so a
newcomer can click through every role; real staff come from `flask create-staff`.
"""

from __future__ import annotations

import unicodedata

from pymongo.errors import DuplicateKeyError

from api.clock import now_iso

from .accounts import ACCOUNTS, BINDINGS
from .crypto import field_cipher
from .seed_registry import DEMO_ORGS, DEMO_PEOPLE
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
            "hall": "zz-smzx" if role == "clerk" else None,  # the demo's clerk works at 株洲市民中心
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


# -- the table `make run` prints before it starts (flask demo-accounts) ------------------------

_RESIDENT_TRIES = {
    "zhang_xiaoming": ("resident, L2", "新生儿出生: his wife 刘芳 and newborn son 张小宝 are his household"),
    "liu_fang": ("resident, L2", "张晓明's wife"),
    "li_na": ("legal representative, L2", f"开办餐饮店 acting for {DEMO_ORGS[0]['name']} (我的 → 我的企业); authorise agents"),
    "chen_zhiqiang": ("sole trader, L2", f"acts for {DEMO_ORGS[1]['name']}"),
    "wang_jianguo": ("resident, L2", "退休: born 1966"),
    "zhao_xiulan": ("resident, L2", "王建国's wife"),
}
_STAFF_TRIES = {
    "clerk": "the front window: accept applications, in-person (L3) verification",
    "courier": "parcels: confirm delivery with the pickup code",
    "admin": "catalogue, halls, statistics",
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def demo_accounts_rows() -> list[tuple[str, str, str]]:
    """(who, log in with, what to try) for every demo account, from the data seed-demo inserts."""
    rows = [("who", "log in with", "what to try")]
    for person in (p for p in DEMO_PEOPLE if p["phone"]):
        role, tries = _RESIDENT_TRIES.get(person["key"], ("resident, L2", ""))
        rows.append((f"{person['name']}, {role}", f"phone {person['phone']}", tries))
    rows.append(("a new resident, L1", "any other mobile", "实名认证 with a registry person's name and ID number"))
    for username, name, _phone, role, department in DEMO_STAFF:
        tries = f"decide the items of {department}" if role == "approver" else _STAFF_TRIES[role]
        rows.append((f"{name}, {role}", f"staff {username}", tries))
    return rows


def demo_accounts_table() -> str:
    """The demo accounts as an aligned text table, with where the SMS codes appear and the staff password."""
    rows = demo_accounts_rows()
    widths = [max(_width(row[column]) for row in rows) + 2 for column in range(2)]
    lines = [
        "  Demo accounts. Residents: the SMS code appears in this console (【一次办】您的验证码是…).",
        f"  Staff: 我的 → 工作人员登录, password {DEMO_STAFF_PASSWORD}.",
        "",
    ]
    lines += ["  " + _pad(who, widths[0]) + _pad(login, widths[1]) + tries for who, login, tries in rows]
    return "\n".join(line.rstrip() for line in lines)
