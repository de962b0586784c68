"""The sender hall's side (寄件大厅 / 邮政窗口): the envelope label, events recorded at the post desk, shipments stuck
in one state too long (对账), and the alerts of locked shipments."""

from __future__ import annotations

import datetime as dt
import html

from api.clock import to_iso, utcnow
from api.errors import Invalid
from api.vault.qr import qr_svg
from auth.staff import LOGINS

from . import service, states
from .choice import address_text, open_recipient
from .courier import HANDOVER_TYPE

STUCK_HOURS = 72


def courier_account(store, username: str) -> str:
    """A courier's account id from their staff username."""
    login = store[LOGINS].find_one({"_id": username})
    account = login and store["accounts"].find_one({"_id": login["account_id"]})
    if not account or "courier" not in (account.get("roles") or [account.get("role")]):
        raise Invalid("找不到该投递员", errors={"courier": ["不是投递员账号"]})
    return account["_id"]


def stuck(store, hall: str, hours: int = STUCK_HOURS) -> list[dict]:
    """Shipments of the hall still on the way whose state has not changed for `hours`, the longest stuck first."""
    before = to_iso(utcnow() - dt.timedelta(hours=hours))
    open_states = [s for s in states.LABELS if s not in states.FINAL]
    found = store[service.SHIPMENTS].find({"state": {"$in": open_states}, "state_since": {"$lt": before}}).sort("state_since", 1)
    return [s for s in found if s["sender_hall"] == hall]


def alerts(store, hall: str) -> list[dict]:
    return list(store[service.ALERTS].find({"hall": hall}).sort("created_at", -1).limit(100))


def label_html(cipher, keys, shipment: dict) -> str:
    """The A6 envelope label (105 × 148 mm): the waybill as a QR code and in digits, the recipient, the contents,
    and the handover QR (a signed token the courier's app opens)."""
    recipient = open_recipient(cipher, shipment)
    handover = keys.sign(shipment["_id"], HANDOVER_TYPE)
    waybill_svg = qr_svg(shipment["waybill_no"]).decode()
    handover_svg = qr_svg(handover).decode()
    contents = "".join(f"<li>{html.escape(c['name'])}</li>" for c in shipment["contents"])
    e = html.escape
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>EMS {e(shipment["waybill_no"])}</title>
<style>@page {{ size: A6; margin: 4mm }} body {{ font-family: sans-serif; width: 97mm; margin: 0; font-size: 10pt }}
.row {{ display: flex; gap: 3mm; align-items: center }} .qr svg {{ width: 30mm; height: 30mm }}
h1 {{ font-size: 14pt; margin: 0 }} .waybill {{ font: bold 13pt monospace; letter-spacing: 1px }}</style></head>
<body>
<div class="row"><div class="qr" id="waybill-qr">{waybill_svg}</div>
<div><h1>EMS 政务专递</h1><div class="waybill" id="waybill">{e(shipment["waybill_no"])}</div>
<div>邮费：政府承担（免费寄递）</div></div></div>
<p><b>收件人：</b>{e(recipient["name"])} {e(recipient["phone"])}<br>{e(address_text(recipient["address"]))}</p>
<p><b>寄件：</b>{e(shipment["sender_hall"] or "")} 政务服务中心</p>
<p><b>内件：</b></p><ul>{contents}</ul>
<div class="row"><div class="qr" id="handover-qr">{handover_svg}</div><div>投递员扫码交接，收件人出示6位取件码签收</div></div>
</body></html>"""
