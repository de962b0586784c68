"""Demo data for paying a fee in `make run`: the 网签备案 of a second-hand flat that 张晓明 (13800000001)
buys from 赵秀兰, pushed into his certificate library as the housing bureau would, so that
不动产转移登记一件事 starts prefilled and its 80-yuan registration fee can be paid in the sandbox."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from api.vault.service import issue_certificate
from auth.crypto import field_cipher
from auth.seed_registry import DEMO_PEOPLE

CONTRACT_NUMBER = "ZZWQ-DEMO-2026-0001"


def _person(key: str) -> dict:
    return next(p for p in DEMO_PEOPLE if p["key"] == key)


def sale_contract_data(buyer: dict, seller: dict) -> dict:
    return {
        "contract_no": "ZZ2026WQ0001234",
        "property_address": "湖南省株洲市天元区示例路88号2栋1单元502",
        "area_sqm": 89.6,
        "use": "住宅",
        "price_fen": 68_000_000,
        "real_estate_certificate_no": "湘(2019)株洲市不动产权第0012345号",
        "seller_name": seller["name"],
        "seller_id_number": seller["id_number"],
        "buyer_name": buyer["name"],
        "buyer_id_number": buyer["id_number"],
        "signed_on": "2026-04-20",
    }


def seed_demo_sale_contract(store, app) -> str:
    cipher = field_cipher(app)
    buyer, seller = _person("zhang_xiaoming"), _person("zhao_xiulan")
    holder = {"kind": "person", "key": cipher.blind_index("id_number", buyer["id_number"])}
    try:
        data = sale_contract_data(buyer, seller)
        issue_certificate(store, cipher, holder, "sale_contract_filing", "存量房买卖合同网签备案证明", data, "zjj",
                          number=CONTRACT_NUMBER, holder_name=buyer["name"], issuer_name="株洲市住房和城乡建设局")  # fmt: skip
    except DuplicateKeyError:
        return "sale contract filing already there"
    return "sale contract filing for 张晓明 (不动产转移登记, fee 80 元)"
