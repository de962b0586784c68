"""Demo e-certificates: what the city's certificate library (电子证照库) already holds for the demo people.

The demo companies' business licences (营业执照) and 张晓明 and 刘芳's marriage certificate (结婚证), so
that a newcomer sees 开办餐饮店 and 新生儿出生 prefilled from certificates. Idempotent: a certificate is
issued under a fixed number once.
"""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from auth.crypto import field_cipher
from auth.seed_registry import DEMO_ORGS, DEMO_PEOPLE

from .service import issue_certificate, org_holder

_ESTABLISHED = {"restaurant_company": "2019-03-18", "chen_snack_shop": "2016-07-01"}
_TYPE_NAMES = {"company": "有限责任公司", "sole_trader": "个体工商户"}


def _person(key: str) -> dict:
    return next(p for p in DEMO_PEOPLE if p["key"] == key)


def seed_demo_certificates(store, app) -> str:
    cipher = field_cipher(app)
    issued = 0
    for index, org in enumerate(DEMO_ORGS, start=1):
        data = {
            "credit_code": org["credit_code"],
            "name": org["name"],
            "type": _TYPE_NAMES[org["type"]],
            "legal_rep_name": org["legal_rep_name"],
            "registered_address": org["registered_address"],
            "business_scope": org["business_scope"],
            "established_on": _ESTABLISHED.get(org["key"], "2020-01-01"),
        }
        holder = org_holder(cipher, org["credit_code"])
        issued += _issue_once(store, cipher, holder, "business_licence", "营业执照", data, "scjg", "株洲市市场监督管理局",
                              f"ZZBL-DEMO-{index:04d}", org["name"])  # fmt: skip
    husband, wife = _person("zhang_xiaoming"), _person("liu_fang")
    for index, (person, spouse) in enumerate(((husband, wife), (wife, husband)), start=1):
        marriage = {
            "certificate_no": f"J430211-2018-00123{index}",
            "holder_name": person["name"],
            "spouse_name": spouse["name"],
            "spouse_id_number": spouse["id_number"],
            "registered_on": "2018-10-08",
        }
        holder = {"kind": "person", "key": cipher.blind_index("id_number", person["id_number"])}
        issued += _issue_once(store, cipher, holder, "marriage_certificate", "结婚证", marriage, "mzj", "株洲市民政局",
                              f"ZZMC-DEMO-{index:04d}", person["name"])  # fmt: skip
    return f"{issued} demo e-certificates issued"


def _issue_once(store, cipher, holder, cert_type, type_name, data, issuer, issuer_name, number, holder_name) -> int:
    try:
        issue_certificate(store, cipher, holder, cert_type, type_name, data, issuer, number=number,
                          holder_name=holder_name, issuer_name=issuer_name)  # fmt: skip
    except DuplicateKeyError:
        return 0
    return 1
