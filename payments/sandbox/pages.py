"""The payer's pages of the sandbox (what the payment app would show after scanning the QR code)."""

from __future__ import annotations

from html import escape

from flask import Response

from .ledger import yuan

_STYLE = (
    "body{font-family:system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;margin:0;background:#f2f3f5;color:#222}"
    "main{max-width:420px;margin:0 auto;padding:24px 16px}.card{background:#fff;border-radius:12px;padding:20px}"
    ".amount{font-size:34px;font-weight:600;margin:8px 0 16px}.muted{color:#888;font-size:13px}"
    "button{width:100%;font-size:17px;padding:12px;border:0;border-radius:8px;margin-top:12px}"
    ".pay{background:#07c160;color:#fff}.fail{background:#fff;color:#e34d59;border:1px solid #e34d59}"
    ".banner{padding:10px;border-radius:8px;margin-bottom:12px}.ok{background:#e8f8ee}.bad{background:#fdecee}"
)


def _page(title: str, body: str) -> Response:
    html = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1"><title>{escape(title)}</title><style>{_STYLE}</style></head>'
        f'<body><main><p class="muted">微信支付 · 沙箱环境（不会真实扣款）</p><div class="card">{body}</div></main></body></html>'
    )
    return Response(html, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


def _summary(order: dict) -> str:
    return (
        f'<div>{escape(order["description"])}</div><div class="amount">¥{yuan(order["amount"]["total"])}</div>'
        f'<div class="muted">商户订单号 {escape(order["out_trade_no"])}</div>'
    )


def payer_page(order: dict, expired: bool) -> Response:
    if order["trade_state"] != "NOTPAY" or expired:
        state = "已支付" if order["trade_state"] in ("SUCCESS", "REFUND") else "已关闭"
        return _page("订单" + state, f'<div class="banner bad">该订单{state}</div>' + _summary(order))
    token = escape(order["pay_token"])
    buttons = (
        f'<form method="post" action="/pay/{token}/confirm"><button class="pay" type="submit">确认支付</button></form>'
        f'<form method="post" action="/pay/{token}/fail"><button class="fail" type="submit">模拟失败</button></form>'
    )
    return _page("确认支付", _summary(order) + buttons)


def result_page(order: dict, ok: bool, reason: str = "") -> Response:
    if ok:
        banner = '<div class="banner ok" id="result">支付成功</div>'
        extra = '<p class="muted">请返回「一次办」查看缴费结果。</p>'
    else:
        banner = f'<div class="banner bad" id="result">支付失败：{escape(reason)}</div>'
        extra = f'<p><a href="/pay/{escape(order["pay_token"])}">重新支付</a></p>'
    return _page("支付结果", banner + _summary(order) + extra)
