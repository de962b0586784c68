"""What the payments API reads and shows."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schema_messages import install_chinese_messages

install_chinese_messages()


class FeeLineSchema(Schema):
    item = fields.String()
    name = fields.String()
    amount_fen = fields.Integer()
    basis = fields.String(allow_none=True, metadata={"description": "the legal basis of the fee (收费依据)"})
    waived = fields.Boolean(metadata={"description": "rejected before payment: no longer due"})
    refunded = fields.Boolean(metadata={"description": "its fee is (being) refunded"})


class RequestPaymentSchema(Schema):
    """wx.requestPayment's parameters (小程序调起支付), signed by the merchant: pass them as they are."""

    timeStamp = fields.String(metadata={"description": "seconds since the epoch, as a string"})  # noqa: N815 - WeChat's names
    nonceStr = fields.String(metadata={"description": "random, 32 characters"})  # noqa: N815
    package = fields.String(metadata={"description": "prepay_id=…"})
    signType = fields.String(metadata={"description": "always RSA"})  # noqa: N815
    paySign = fields.String(  # noqa: N815
        metadata={"description": "base64 SHA256withRSA by the merchant key over appId\\ntimeStamp\\nnonceStr\\npackage\\n"}
    )


class PaymentSchema(Schema):
    kind = fields.String(metadata={"description": "native (PWA: a QR code / payment link) | jsapi (mini-program session)"})
    out_trade_no = fields.String()
    amount_fen = fields.Integer()
    code_url = fields.String(
        metadata={"description": "native only: the payment link; encode it as a QR code, or open it on the phone"}
    )
    qr_svg = fields.String(metadata={"description": "native only: code_url as an SVG QR code, ready to put on the page"})
    deep_link = fields.String(metadata={"description": "native only: the button's link on a phone (the same code_url)"})
    prepay_id = fields.String(metadata={"description": "jsapi only: the gateway's prepay id (valid 2 hours)"})
    request_payment = fields.Nested(
        RequestPaymentSchema, metadata={"description": "jsapi only: call wx.requestPayment({...request_payment, success, fail})"}
    )
    expires_at = fields.String(metadata={"description": "this QR code / prepay stops working then (UTC)"})


class RefundSchema(Schema):
    id = fields.String()
    out_refund_no = fields.String()
    amount_fen = fields.Integer()
    reason = fields.String()
    items = fields.List(fields.String())
    state = fields.String(metadata={"description": "requested | processing | succeeded | closed | abnormal"})
    state_label = fields.String()
    requested_at = fields.String()
    settled_at = fields.String(allow_none=True)


class ReceiptItemSchema(Schema):
    name = fields.String()
    amount_fen = fields.Integer()


class ReceiptSchema(Schema):
    title = fields.String()
    number = fields.String()
    payer = fields.String(allow_none=True)
    application_no = fields.String()
    items = fields.List(fields.Nested(ReceiptItemSchema))
    total_fen = fields.Integer()
    paid_at = fields.String()
    out_trade_no = fields.String()
    transaction_id = fields.String()
    collector = fields.String()


class FeeOrderSchema(Schema):
    id = fields.String()
    application_id = fields.String()
    state = fields.String(metadata={"description": "pending | paid | closed | refunding | refunded | not_required"})
    state_label = fields.String()
    amount_fen = fields.Integer(metadata={"description": "what is due now (fen)"})
    paid_fen = fields.Integer()
    refunded_fen = fields.Integer()
    refund_kind = fields.String(allow_none=True, metadata={"description": "full | partial, once refunded"})
    lines = fields.List(fields.Nested(FeeLineSchema))
    expires_at = fields.String(allow_none=True)
    paid_at = fields.String(allow_none=True)
    closed_reason = fields.String(allow_none=True)
    payment = fields.Nested(
        PaymentSchema, allow_none=True,
        metadata={"description": "while pending: the QR code (PWA) or wx.requestPayment's parameters (mini-program)"},
    )  # fmt: skip
    refunds = fields.List(fields.Nested(RefundSchema))
    receipt = fields.Nested(ReceiptSchema, allow_none=True)
    version = fields.Integer()


class ManualRefundSchema(Schema):
    amount_fen = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000_000))
    reason = fields.String(required=True, validate=validate.Length(1, 80))
    request_id = fields.String(validate=validate.Length(8, 64), metadata={"description": "the same id twice refunds once"})


class OrderQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(["pending", "paid", "closed", "refunding", "refunded", "not_required"]))


class ReconciliationSchema(Schema):
    date = fields.String()
    ran_at = fields.String()
    payments = fields.Dict()
    refunds = fields.Dict()
    gateway_summary = fields.Dict()
    differences = fields.List(fields.Dict())
    clean = fields.Boolean()


# -- the examples the OpenAPI document (and docs/miniprogram.md) show ------------------------------------

_PENDING_ORDER = {
    "id": "fee_Vn3kQ8pLx2RtY6wZs0aBcD",
    "application_id": "app_Hq7mN2xK4vB9tR1sW5yZcE",
    "state": "pending",
    "state_label": "待缴费",
    "amount_fen": 8000,
    "paid_fen": 0,
    "refunded_fen": 0,
    "refund_kind": None,
    "lines": [{"item": "430200-BDC-001", "name": "存量房（二手房）转移登记", "amount_fen": 8000,
               "basis": "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）："
                        "住宅类不动产登记每件80元，含第一本不动产权属证书工本费",
               "waived": False, "refunded": False}],
    "expires_at": "2026-12-01T04:00:00.000Z",
    "paid_at": None,
    "closed_reason": None,
    "refunds": [],
    "receipt": None,
    "version": 2,
}  # fmt: skip
JSAPI_PAYMENT_EXAMPLE = {
    **_PENDING_ORDER,
    "payment": {
        "kind": "jsapi",
        "out_trade_no": "OT7E1C0A94B25D4F16A3C8E9027B5D",
        "amount_fen": 8000,
        "expires_at": "2026-11-30T06:00:00.000Z",
        "prepay_id": "wx30120000123456789abcdef0123456789",
        "request_payment": {
            "timeStamp": "1796011200",
            "nonceStr": "5F0C3A9B27E64D18A0B3C6D9E2F41758",
            "package": "prepay_id=wx30120000123456789abcdef0123456789",
            "signType": "RSA",
            "paySign": "kQ3v0wYxV1s8…(base64 of the 256-byte SHA256withRSA signature)…Zr7pA==",
        },
    },
}
NOT_BOUND_EXAMPLE = {
    "status": 409,
    "code": "wechat_not_bound",
    "message": "当前账号未绑定微信小程序，请在小程序中重新登录后再支付",
    "errors": {},
}
