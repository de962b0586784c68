"""The verify page (证照核验页) that a phone camera opens from a certificate's QR code: `/verify?token=…`.

Rendered on the server, with no script and no external asset, so that it works in any in-app
scanner or old browser, for a stranger who has never installed anything. It shows exactly what
`GET /api/v1/certificates/verify` answers.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from markupsafe import escape

from api.clock import from_iso, local_zone
from auth.limits import enforce

from . import service
from .routes import VERIFY_RULE
from .signing import MAX_TOKEN_LENGTH, certificate_keys

page_blp = Blueprint("verify_page", __name__)

VERDICTS = {
    "valid": ("ok", "真实有效", "该电子证照由本平台签发，当前有效。"),
    "revoked": ("bad", "已注销", "该电子证照由本平台签发，但已被注销，不能再作为有效证明使用。"),
    "expired": ("bad", "已过期", "该电子证照由本平台签发，但已超过有效期。"),
    "unknown": ("bad", "无法核验", "未能确认该二维码来自本平台签发的电子证照，它可能被篡改或伪造。请向持证人或发证机关核实。"),
}

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>电子证照核验</title>
<style>
body{{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#222}}
main{{max-width:32rem;margin:0 auto;padding:1.5rem 1rem}} h1{{font-size:1.2rem;margin:0 0 1rem}}
.verdict{{border-radius:.5rem;padding:1rem;color:#fff;margin-bottom:1rem}} .ok{{background:#1a7f37}} .bad{{background:#c62828}}
.verdict strong{{font-size:1.4rem;display:block}} dl{{background:#fff;border-radius:.5rem;padding:.5rem 1rem;margin:0}}
dt{{color:#666;font-size:.85rem;margin-top:.5rem}} dd{{margin:0 0 .5rem;font-size:1rem}} p.note{{color:#666;font-size:.8rem}}
</style></head><body><main>
<h1>电子证照核验</h1>
<div class="verdict {css}"><strong>{title}</strong>{explanation}</div>
{details}
<p class="note">为保护个人信息，核验结果仅显示持证人的部分姓名和部分证照编号。</p>
</main></body></html>"""


def _date(value: str | None) -> str:
    if not value:
        return "长期"
    moment = from_iso(value).astimezone(local_zone())
    return f"{moment.year}年{moment.month:02d}月{moment.day:02d}日"


def _details(result: dict) -> str:
    if not result["genuine"]:
        return ""
    rows = [
        ("证照名称", result["type_name"]),
        ("证照编号", result["number"]),
        ("持证人", result["holder"]),
        ("发证机关", result["issuer_name"] or result["issuer"]),
        ("发证日期", _date(result["issued_on"])),
        ("有效期至", _date(result["valid_until"])),
    ]
    return "<dl>" + "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in rows) + "</dl>"


@page_blp.route("/verify")
def verify_page():
    store = current_app.extensions["store"]
    enforce(store, [(VERIFY_RULE, request.remote_addr or "")], "核验过于频繁，请稍后再试")
    token = request.args.get("token", "")[: MAX_TOKEN_LENGTH + 1]
    result = service.verify_token(store, certificate_keys(), token) if token else dict(service.NOT_GENUINE)
    css, title, explanation = VERDICTS[result["status"] if result["genuine"] else "unknown"]
    html = PAGE.format(css=css, title=escape(title), explanation=escape(explanation), details=_details(result))
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
    return html, 200, {"Content-Type": "text/html; charset=utf-8", **headers}
