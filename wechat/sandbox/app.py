"""The sandbox's WSGI app and its in-memory state (see the package docstring for the rules)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app, jsonify, request

from ..settings import WechatSettings
from .fields import invalid_field

RENEW_WITHIN = 300  # stable_token: a new token in the last 5 minutes of the old one
GRACE = 300  # /cgi-bin/token: the previous token stays good this long
LOGIN_CODE = re.compile(r"^mp-([A-Za-z0-9_\-]{1,64})(?:\..{0,64})?$")
PHONE_CODE = re.compile(r"^phone-(?:(\d{1,4})-)?(\d{5,15})(?:\..{0,64})?$")
OPENID = re.compile(r"^o[A-Za-z0-9_\-]{27}$")


def _digest(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode()[:27]


def openid_for(appid: str, who: str) -> str:
    """The openid the sandbox gives the person <who> (of the login code `mp-<who>`) in the app `appid`."""
    return "o" + _digest(f"openid:{appid}:{who}")


def unionid_for(who: str) -> str:
    return "u" + _digest(f"unionid:{who}")


@dataclass
class SandboxState:
    token_seconds: int = 7200
    token_delay: float = 0.0  # seconds each token endpoint takes (tests widen the refresh race with it)
    lock: threading.Lock = field(default_factory=threading.Lock)
    tokens: dict = field(default_factory=dict)  # token -> {"expires_at": epoch, "invalid": bool}
    current: str | None = None
    calls: int = 0
    issued: int = 0
    used_codes: set = field(default_factory=set)
    refusals: set = field(default_factory=set)  # (openid, template_id or "*")
    messages: list = field(default_factory=list)
    session_keys: list = field(default_factory=list)  # every session_key handed out (tests look for leaks)

    def issue(self) -> str:
        token = secrets.token_urlsafe(96)  # the platform's are long: keep ≥ 512 characters of room
        self.tokens[token] = {"expires_at": time.time() + self.token_seconds, "invalid": False}
        self.current = token
        self.issued += 1
        return token

    def left(self, token: str | None) -> float:
        record = self.tokens.get(token) if token else None
        return record["expires_at"] - time.time() if record and not record["invalid"] else 0

    def token_error(self, token: str | None) -> tuple[int, str] | None:
        if not token:
            return 41001, "access_token missing"
        record = self.tokens.get(token)
        if record is None or record["invalid"]:
            return 40001, "invalid credential, access_token is invalid or not latest"
        if record["expires_at"] <= time.time():
            return 42001, "access_token expired"
        return None

    def spend(self, code: str) -> bool:
        """True the first time a code is seen."""
        if code in self.used_codes:
            return False
        self.used_codes.add(code)
        return True


def _error(errcode: int, errmsg: str):
    return jsonify({"errcode": errcode, "errmsg": f"{errmsg} rid: {secrets.token_hex(8)}"})


def create_sandbox(settings: WechatSettings, state: SandboxState) -> Flask:
    app = Flask("wechat.sandbox", static_folder=None)
    app.json.ensure_ascii = False
    app.extensions["wechat_sandbox"] = (settings, state)
    app.add_url_rule("/cgi-bin/stable_token", view_func=stable_token, methods=["POST"])
    app.add_url_rule("/cgi-bin/token", view_func=token, methods=["GET"])
    app.add_url_rule("/sns/jscode2session", view_func=jscode2session, methods=["GET"])
    app.add_url_rule("/wxa/business/getuserphonenumber", view_func=getuserphonenumber, methods=["POST"])
    app.add_url_rule("/cgi-bin/message/subscribe/send", view_func=subscribe_send, methods=["POST"])
    _add_controls(app, state)
    return app


def _sandbox() -> tuple[WechatSettings, SandboxState]:
    return current_app.extensions["wechat_sandbox"]


def _credentials_error(appid, secret):
    settings, _ = _sandbox()
    if appid != settings.appid:
        return _error(40013, "invalid appid")
    if secret != settings.secret:
        return _error(40125, "invalid appsecret")
    return None


def _token_error():
    _, state = _sandbox()
    with state.lock:
        stale = state.token_error(request.args.get("access_token"))
    return _error(*stale) if stale else None


def stable_token():
    _, state = _sandbox()
    time.sleep(state.token_delay)
    body = request.get_json(silent=True) or {}
    if body.get("grant_type") != "client_credential":
        return _error(40002, "invalid grant_type")
    refused = _credentials_error(body.get("appid"), body.get("secret"))
    if refused:
        return refused
    with state.lock:
        state.calls += 1
        if body.get("force_refresh") is True:
            for record in state.tokens.values():
                record["invalid"] = True
        elif state.left(state.current) > RENEW_WITHIN:
            return jsonify({"access_token": state.current, "expires_in": int(state.left(state.current))})
        issued = state.issue()
    return jsonify({"access_token": issued, "expires_in": state.token_seconds})


def token():
    _, state = _sandbox()
    time.sleep(state.token_delay)
    if request.args.get("grant_type") != "client_credential":
        return _error(40002, "invalid grant_type")
    refused = _credentials_error(request.args.get("appid"), request.args.get("secret"))
    if refused:
        return refused
    with state.lock:
        state.calls += 1
        if state.current in state.tokens:
            previous = state.tokens[state.current]
            previous["expires_at"] = min(previous["expires_at"], time.time() + GRACE)
        issued = state.issue()
    return jsonify({"access_token": issued, "expires_in": state.token_seconds})


def jscode2session():
    settings, state = _sandbox()
    refused = _credentials_error(request.args.get("appid"), request.args.get("secret"))
    if refused:
        return refused
    if request.args.get("grant_type") != "authorization_code":
        return _error(40002, "invalid grant_type")
    code = request.args.get("js_code") or ""
    if not code:
        return _error(41008, "missing code")
    match = LOGIN_CODE.match(code)
    if match is None:
        return _error(40029, "invalid code")
    session_key = base64.b64encode(secrets.token_bytes(16)).decode()
    with state.lock:
        if not state.spend(code):
            return _error(40163, "code been used")
        state.session_keys.append(session_key)
    who = match.group(1)
    return jsonify(
        {
            "session_key": session_key,
            "openid": openid_for(settings.appid, who),
            "unionid": unionid_for(who),
        }
    )


def getuserphonenumber():
    settings, state = _sandbox()
    stale = _token_error()
    if stale:
        return stale
    code = str((request.get_json(silent=True) or {}).get("code") or "")
    match = PHONE_CODE.match(code)
    if match is None:
        return _error(40029, "invalid code")
    with state.lock:
        if not state.spend(code):
            return _error(40029, "invalid code")
    country, number = match.group(1) or "86", match.group(2)
    phone_info = {
        "phoneNumber": number if country == "86" else f"+{country}{number}",
        "purePhoneNumber": number,
        "countryCode": country,
        "watermark": {"timestamp": int(time.time()), "appid": settings.appid},
    }
    return jsonify({"errcode": 0, "errmsg": "ok", "phone_info": phone_info})


def subscribe_send():
    _, state = _sandbox()
    stale = _token_error()
    if stale:
        return stale
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(44002, "empty post data")
    touser, template_id = str(body.get("touser") or ""), str(body.get("template_id") or "")
    if not OPENID.match(touser):
        return _error(40003, "invalid openid")
    if not template_id:
        return _error(40037, "invalid template_id")
    bad = invalid_field(body.get("data"))
    if bad:
        return _error(47003, f"argument invalid! {bad} invalid")
    with state.lock:
        if (touser, template_id) in state.refusals or (touser, "*") in state.refusals:
            return _error(43101, "user refuse to accept the msg")
        msgid = 1000000 + len(state.messages) + 1
        state.messages.append({**body, "msgid": msgid, "received_at": time.time()})
    return jsonify({"errcode": 0, "errmsg": "ok", "msgid": msgid})


def _add_controls(app: Flask, state: SandboxState) -> None:
    @app.post("/_sandbox/tokens/<action>")
    def spoil_tokens(action: str):
        if action not in ("expire", "invalidate"):
            return jsonify({"error": "expire or invalidate"}), 404
        with state.lock:
            for record in state.tokens.values():
                if action == "expire":
                    record["expires_at"] = time.time() - 1
                else:
                    record["invalid"] = True
        return "", 204

    @app.get("/_sandbox/tokens")
    def token_counts():
        with state.lock:
            return jsonify({"calls": state.calls, "issued": state.issued})

    @app.route("/_sandbox/messages", methods=["GET", "DELETE"])
    def messages():
        with state.lock:
            if request.method == "DELETE":
                state.messages.clear()
                return "", 204
            return jsonify(list(state.messages))

    @app.route("/_sandbox/refusals", methods=["POST", "DELETE"])
    def refusals():
        with state.lock:
            if request.method == "DELETE":
                state.refusals.clear()
                return "", 204
            body = request.get_json(silent=True) or {}
            if not body.get("openid"):
                return jsonify({"error": "openid is required"}), 400
            state.refusals.add((str(body["openid"]), str(body.get("template_id") or "*")))
        return "", 204
