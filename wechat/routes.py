"""HTTP for the mini-program's identity: wx.login → our session, the verified phone → L1, unbinding."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView

from api.blueprint import Blueprint
from api.errors import ErrorSchema, Forbidden
from auth import sessions
from auth.access import current_principal, login_required
from auth.crypto import field_cipher
from auth.limits import enforce
from auth.routes import LOGIN_RULE, _device, _with_tokens
from auth.schemas import TokenSchema

from . import accounts
from .schemas import (
    LOGIN_CODE_INVALID_EXAMPLE,
    LOGIN_EXAMPLE,
    LOGIN_RESPONSE_EXAMPLE,
    PHONE_EXAMPLE,
    PHONE_RESPONSE_EXAMPLE,
    PHONE_TAKEN_EXAMPLE,
    MiniProgramLoginSchema,
    MiniProgramPhoneSchema,
)
from .settings import WechatSettings

blp = Blueprint(
    "miniprogram", __name__, url_prefix="/api/v1/auth/miniprogram", description="The mini-program: login, phone, binding"
)


def _store():
    return current_app.extensions["store"]


@blp.route("/login")
class MiniProgramLogin(MethodView):
    @blp.arguments(MiniProgramLoginSchema, example=LOGIN_EXAMPLE)
    @blp.response(200, TokenSchema, example=LOGIN_RESPONSE_EXAMPLE)
    @blp.alt_response(409, description="Logged in already, and this WeChat user or the account is bound elsewhere")
    @blp.alt_response(422, schema=ErrorSchema, description="The code is invalid or was used", example=LOGIN_CODE_INVALID_EXAMPLE)
    @blp.alt_response(429, description="Too many login attempts from this address (Retry-After)")
    @blp.alt_response(503, description="The platform could not be reached")
    def post(self, body):
        """Log in with wx.login's code (the first login creates an account at level 0, no phone yet).

        Sent with a valid Authorization header, the WeChat user is bound to that account instead.
        The response and the refresh cookie are those of the phone login; the access token carries
        `chan: "miniprogram"`.
        """
        store, cipher = _store(), field_cipher()
        enforce(store, [(LOGIN_RULE, request.remote_addr or "")], "登录尝试过多，请稍后再试")
        caller = current_principal().account_id if request.headers.get("Authorization") else None
        account, created = accounts.login(store, cipher, current_app.config, body["code"], caller)
        issued = sessions.start_session(store, current_app, account, _device(), channel=accounts.CHANNEL)
        return _with_tokens(issued, account, created)


@blp.route("/phone")
class MiniProgramPhone(MethodView):
    decorators = [login_required]

    @blp.arguments(MiniProgramPhoneSchema, example=PHONE_EXAMPLE)
    @blp.response(200, TokenSchema, example=PHONE_RESPONSE_EXAMPLE)
    @blp.alt_response(403, description="Not a mini-program session")
    @blp.alt_response(
        409,
        schema=ErrorSchema,
        description="The phone is bound to another account, or the account has another phone",
        example=PHONE_TAKEN_EXAMPLE,
    )
    @blp.alt_response(422, description="The code is invalid or was used, or the number is not a mainland one")
    @blp.alt_response(503, description="The platform could not be reached")
    def post(self, body):
        """Bind the phone the platform verified (getPhoneNumber's code): real-name level 1 without an SMS code.

        Returns fresh tokens (the old session ends), as the real-name upgrade does.
        """
        store, principal = _store(), current_principal()
        if principal.channel != accounts.CHANNEL:
            raise Forbidden("请在小程序中操作", code="miniprogram_session_required")
        account = accounts.bind_phone(store, field_cipher(), current_app.config, principal.account_id, body["code"])
        if principal.session_id:
            sessions.revoke_session(store, principal.session_id, reason="phone_bound")
        issued = sessions.start_session(store, current_app, account, _device(), channel=accounts.CHANNEL)
        return _with_tokens(issued, account)


@blp.route("/binding")
class MiniProgramBinding(MethodView):
    decorators = [login_required]

    @blp.response(204)
    @blp.alt_response(404, description="The account has no WeChat binding")
    @blp.alt_response(409, description="The account has no phone: it could not log in again")
    def delete(self):
        """Unbind the caller's WeChat user from the account; its mini-program sessions end."""
        principal = current_principal()
        appid = WechatSettings.from_config(current_app.config).appid
        accounts.unbind(_store(), principal.account_id, appid)


BLUEPRINTS = [blp]
