"""How the applicant receives the paper originals, chosen at submission: EMS to an address, or pickup at a hall.

The address is prefilled from the vault's contact address (本人填报) and the applicant may change it.
Delivery of results is free. The recipient (name, phone, address) is personal data: it is stored sealed
(auth.crypto, context "delivery.recipient"); only the district and street stay readable, as the
courier's route area.
"""

from __future__ import annotations

import json

from api.errors import Invalid
from auth.crypto import mask_name, mask_phone

RECIPIENT_CONTEXT = "delivery.recipient"
ADDRESS_PARTS = ("province", "city", "district", "street", "detail")


def default_choice(store, cipher, account: dict, hall: str, own: dict | None = None, account_phone=None) -> dict:
    """What the submit step offers: EMS to the vault's contact address when there is one, else pickup at the hall.

    `own`: the person's vault data (own_data with the cipher) when the caller has read it already;
    `account_phone`: a function giving the account's phone in clear, when the caller has one that remembers it."""
    from api.vault.own_data import own_data

    own = own_data(store, account["_id"], cipher) if own is None else own
    if account_phone is None:

        def account_phone():
            return cipher.decrypt(account["phone_enc"], "accounts.phone") if account.get("phone_enc") else None

    phone = own.get("contact_phone") or account_phone()
    if not own.get("contact_address"):
        return {"method": "pickup", "hall": hall}
    return {"method": "ems", "recipient_name": account.get("name") or "", "recipient_phone": phone or "",
            "address": {part: own["contact_address"].get(part) or "" for part in ADDRESS_PARTS}}  # fmt: skip


def seal_choice(cipher, choice: dict, hall: str) -> dict:
    """The choice as stored on the application: the recipient sealed, the route area readable."""
    if choice.get("method") == "pickup":
        return {"method": "pickup", "hall": choice.get("hall") or hall}
    errors = {}
    if not (choice.get("recipient_name") or "").strip():
        errors["delivery.recipient_name"] = ["请填写收件人"]
    if not choice.get("recipient_phone"):
        errors["delivery.recipient_phone"] = ["请填写收件人手机号"]
    address = choice.get("address") or {}
    for part in ADDRESS_PARTS:
        if not (address.get(part) or "").strip():
            errors[f"delivery.address.{part}"] = ["请填写完整的收件地址"]
    if errors:
        raise Invalid("请填写完整的收件信息", errors=errors)
    recipient = {"name": choice["recipient_name"].strip(), "phone": choice["recipient_phone"],
                 "address": {part: address[part].strip() for part in ADDRESS_PARTS}}  # fmt: skip
    return {
        "method": "ems",
        "recipient_enc": cipher.encrypt(json.dumps(recipient, ensure_ascii=False), RECIPIENT_CONTEXT),
        "route_area": f"{recipient['address']['district']}{recipient['address']['street']}",
    }


def open_recipient(cipher, delivery: dict) -> dict:
    return json.loads(cipher.decrypt(delivery["recipient_enc"], RECIPIENT_CONTEXT))


def address_text(address: dict) -> str:
    return "".join(address.get(part) or "" for part in ADDRESS_PARTS)


def masked_choice(cipher, delivery: dict | None) -> dict | None:
    """What the application view shows of the choice: the recipient masked, the street kept out."""
    if not delivery:
        return None
    if delivery["method"] == "pickup":
        return {"method": "pickup", "hall": delivery["hall"]}
    recipient = open_recipient(cipher, delivery)
    address = recipient["address"]
    return {"method": "ems", "recipient_name": mask_name(recipient["name"]), "recipient_phone": mask_phone(recipient["phone"]),
            "address": f"{address['province']}{address['city']}{address['district']}****"}  # fmt: skip
