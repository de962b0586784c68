"""Paying inside the mini-program (JSAPI支付): who the payer is, and what `wx.requestPayment` needs.

A session opened by the mini-program (its access token carries `chan: miniprogram`) pays with a
JSAPI order placed for the account's openid in the mini-program (wechat.accounts). The gateway
answers a prepay_id; the client then calls `wx.requestPayment` with the five parameters below,
signed by our merchant key as the v3 documents say (小程序调起支付): SHA256withRSA over
`appId\\ntimeStamp\\nnonceStr\\npackage\\n`, base64. The payment app verifies that signature with
the merchant's public key before it shows the payer anything.
"""

from __future__ import annotations

from api.errors import Conflict

from . import protocol
from .settings import PaymentSettings

MINIPROGRAM = "miniprogram"  # the `chan` claim of a mini-program session


def payer_openid(store, settings: PaymentSettings, account_id: str) -> str:
    """The openid that pays for `account_id` in the mini-program; 409 if the account has none."""
    from wechat.accounts import openid_of

    openid = openid_of(store, account_id, settings.miniprogram_appid)
    if not openid:
        raise Conflict("当前账号未绑定微信小程序，请在小程序中重新登录后再支付", code="wechat_not_bound")
    return openid


def request_payment(settings: PaymentSettings, prepay_id: str, timestamp: str | None = None,
                    nonce: str | None = None) -> dict:  # fmt: skip
    """wx.requestPayment's parameters for a prepay_id: pass them as they are (plus success/fail callbacks)."""
    timestamp = timestamp or protocol.now_timestamp()
    nonce = nonce or protocol.new_nonce()
    package = f"prepay_id={prepay_id}"
    message = protocol.pay_sign_message(settings.miniprogram_appid, timestamp, nonce, package)
    return {
        "timeStamp": timestamp,
        "nonceStr": nonce,
        "package": package,
        "signType": "RSA",
        "paySign": protocol.sign(settings.merchant_key, message),
    }
