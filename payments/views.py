"""What the applicant (and an admin) sees of a fee order: lines with their legal basis, state,
the QR code while it can be paid, refunds, and the receipt (电子票据 placeholder) once paid."""

from __future__ import annotations

from . import orders, refunds
from .qr import qr_svg


def _line_view(line: dict, refunded_items: set[str]) -> dict:
    return {
        "item": line["item"],
        "name": line["name"],
        "amount_fen": line["amount_fen"],
        "basis": line.get("basis"),
        "waived": bool(line.get("waived")),
        "refunded": line["item"] in refunded_items,
    }


def _refund_view(refund: dict) -> dict:
    return {
        "id": refund["_id"],
        "out_refund_no": refund["out_refund_no"],
        "amount_fen": refund["amount_fen"],
        "reason": refund["reason"],
        "items": refund["lines"],
        "state": refund["state"],
        "state_label": refunds.STATE_LABELS[refund["state"]],
        "requested_at": refund["created_at"],
        "settled_at": refund.get("settled_at"),
    }


def payment_view(attempt: dict | None, kind: str | None = None) -> dict | None:
    """The live attempt as the payer's client needs it: a QR code (native) or wx.requestPayment's
    parameters (jsapi). With `kind`, an attempt of the other kind is not shown (the caller pays anew)."""
    if attempt is None or attempt["state"] != orders.CREATED:
        return None
    if kind is not None and orders.kind_of(attempt) != kind:
        return None
    view = {
        "kind": orders.kind_of(attempt),
        "out_trade_no": attempt["out_trade_no"],
        "amount_fen": attempt["amount_fen"],
        "expires_at": attempt["expires_at"],
    }
    if view["kind"] == orders.JSAPI:
        return {**view, "prepay_id": attempt["prepay_id"], "request_payment": attempt["request_payment"]}
    return {**view, "code_url": attempt["code_url"], "qr_svg": qr_svg(attempt["code_url"]), "deep_link": attempt["code_url"]}


def _payer_name(application: dict) -> str | None:
    from api.applications.service import form_of

    form = form_of(application)
    return form.get("applicant.name") or form.get("buyer.name") or form.get("business.name")


def receipt_view(order: dict, application: dict) -> dict | None:
    """A placeholder for the electronic fiscal receipt (财政电子票据) until the receipt platform is connected."""
    if order["state"] not in orders.SETTLED:
        return None
    return {
        "title": "非税收入电子票据（示例，非正式票据）",
        "number": "PJ" + order["paid_out_trade_no"][2:18],
        "payer": _payer_name(application),
        "application_no": application["number"],
        "items": [{"name": ln["name"], "amount_fen": ln["amount_fen"]} for ln in order["lines"] if not ln.get("waived")],
        "total_fen": order["paid_fen"],
        "paid_at": order["paid_at"],
        "out_trade_no": order["paid_out_trade_no"],
        "transaction_id": order["transaction_id"],
        "collector": "株洲市政务服务中心（代收）",
    }


def order_view(store, order: dict, application: dict, attempt: dict | None = None, kind: str | None = None) -> dict:
    refund_list = refunds.refunds_of(store, order["_id"])
    refunded_items = {item for r in refund_list if r["state"] != refunds.REFUND_CLOSED for item in r["lines"]}
    if attempt is None and order["state"] == orders.PENDING:
        attempt = orders.attempt_of(store, order.get("out_trade_no"))
    return {
        "id": order["_id"],
        "application_id": order["application_id"],
        "state": order["state"],
        "state_label": orders.STATE_LABELS.get(order["state"], order["state"]),
        "amount_fen": order["amount_fen"],
        "paid_fen": order.get("paid_fen", 0),
        "refunded_fen": order.get("refunded_fen", 0),
        "refund_kind": order.get("refund_kind"),
        "lines": [_line_view(line, refunded_items) for line in order.get("lines", [])],
        "expires_at": order.get("expires_at"),
        "paid_at": order.get("paid_at"),
        "closed_reason": order.get("closed_reason"),
        "payment": payment_view(attempt, kind) if order["state"] == orders.PENDING else None,
        "refunds": [_refund_view(r) for r in refund_list],
        "receipt": receipt_view(order, application),
        "version": order.get("version", 1),
    }
