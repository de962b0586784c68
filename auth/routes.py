"""HTTP for identity: SMS login, refresh, logout, real-name, sessions, data-use log, businesses, staff."""

from __future__ import annotations

from flask import current_app, make_response, request
from flask.views import MethodView

from api import fastdump
from api.blueprint import Blueprint
from api.errors import NotFound

from . import accounts, business, data_use, sessions, staff
from .access import current_principal, login_required, roles_required
from .crypto import field_cipher
from .limits import Rule, enforce
from .otp import CODE_SECONDS, SEND_RULES, consume_code, issue_code
from .registry import registry_for
from .schemas import (
    AccountSchema,
    AgentRequestSchema,
    AgentSchema,
    DataUseSchema,
    LoginRequestSchema,
    OrgSchema,
    RealNameRequestSchema,
    RefreshRequestSchema,
    RevealQuerySchema,
    SessionSchema,
    SmsCodeRequestSchema,
    SmsCodeSentSchema,
    StaffLoginRequestSchema,
    TokenSchema,
)
from .tokens import keyring

wellknown = Blueprint("wellknown", __name__, url_prefix="/.well-known", description="Public keys of access tokens")
auth_blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Login, refresh and logout")
me_blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The caller's account, sessions and data-use log")
orgs_blp = Blueprint("orgs", __name__, url_prefix="/api/v1/orgs", description="Acting for a business: agents")
staff_blp = Blueprint("staff_accounts", __name__, url_prefix="/api/v1/staff/accounts", description="Clerk actions on accounts")

REFRESH_COOKIE = "onetrip_refresh"
LOGIN_RULE = Rule("login-ip", 20, 60)  # code guesses are also capped per code (otp.MAX_ATTEMPTS)
REFRESH_PATH = "/api/v1/auth"
TOKEN_SCHEMA = TokenSchema()  # one instance, as flask-smorest keeps its own: building one per response cost ~0.2 ms


def _store():
    return current_app.extensions["store"]


def _device() -> str:
    agent = request.user_agent.string or "unknown device"
    return agent[:120]


def _with_tokens(issued: sessions.IssuedTokens, account: dict, created: bool | None = None, status: int = 200):
    body = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "account": accounts.public_view(field_cipher(), account),
    }
    if created is not None:
        body["created"] = created
    response = make_response(fastdump.dump(TOKEN_SCHEMA, body), status)
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=sessions.REFRESH_SECONDS,
        path=REFRESH_PATH,
        secure=current_app.config.get("REFRESH_COOKIE_SECURE", True),
        httponly=True,
        samesite="Strict",
    )
    return response


def _cleared(response):
    secure = current_app.config.get("REFRESH_COOKIE_SECURE", True)
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH, secure=secure, httponly=True, samesite="Strict")
    return response


@wellknown.route("/jwks.json")
class Jwks(MethodView):
    @wellknown.response(200)
    def get(self):
        """The public keys that verify access tokens (JWKS, Ed25519)."""
        return keyring().jwks(), 200, {"Cache-Control": "public, max-age=300"}


@auth_blp.route("/sms-codes")
class SmsCodes(MethodView):
    @auth_blp.arguments(SmsCodeRequestSchema)
    @auth_blp.response(202, SmsCodeSentSchema)
    @auth_blp.alt_response(429, description="Too many codes for this phone or address (Retry-After)")
    def post(self, body):
        """Send a 6-digit code by SMS (1 a minute, 10 a day per phone and per address)."""
        from notifications.outbox import enqueue

        phone = accounts.normalized_phone(body["phone"])
        store, cipher = _store(), field_cipher()
        otp_id, code = issue_code(store, cipher.blind_index("phone", phone), phone, body["purpose"], request.remote_addr or "")
        enqueue(
            store,
            "verification_code",
            {"account_id": None, "phone": phone},
            {"code": code, "minutes": CODE_SECONDS // 60},
            idempotency_key=f"otp:{otp_id}",
            cipher=cipher,
        )
        return {"expires_in": CODE_SECONDS, "resend_after": SEND_RULES[0].window_seconds}


@auth_blp.route("/login")
class Login(MethodView):
    @auth_blp.arguments(LoginRequestSchema)
    @auth_blp.response(200, TokenSchema)
    @auth_blp.alt_response(422, description="Wrong or expired code")
    def post(self, body):
        """Log in (and register on first use) with the phone and its SMS code: real-name level 1."""
        store, cipher = _store(), field_cipher()
        phone = accounts.normalized_phone(body["phone"])
        enforce(store, [(LOGIN_RULE, request.remote_addr or "")], "登录尝试过多，请稍后再试")
        consume_code(store, cipher.blind_index("phone", phone), "login", body["code"])
        account, created = accounts.login_or_register(store, cipher, phone)
        issued = sessions.start_session(store, current_app, account, _device())
        return _with_tokens(issued, account, created)


@auth_blp.route("/staff-login")
class StaffLogin(MethodView):
    @auth_blp.arguments(StaffLoginRequestSchema)
    @auth_blp.response(200, TokenSchema)
    @auth_blp.alt_response(401, description="Wrong username or password")
    @auth_blp.alt_response(403, description="First login: new_password is required")
    def post(self, body):
        """Staff log in with username and password; the first login sets a new password."""
        store = _store()
        account = staff.staff_login(
            store, body["username"], body["password"], body.get("new_password"), request.remote_addr or ""
        )
        issued = sessions.start_session(store, current_app, account, _device())
        return _with_tokens(issued, account)


@auth_blp.route("/refresh")
class Refresh(MethodView):
    @auth_blp.arguments(RefreshRequestSchema)
    @auth_blp.response(200, TokenSchema)
    @auth_blp.alt_response(401, description="No, spent or revoked refresh token")
    def post(self, body):
        """A new access token for the refresh cookie, which is spent and replaced (reuse ends the session)."""
        store, cipher, registry = _store(), field_cipher(), registry_for(current_app)
        issued, account = sessions.refresh_session(
            store,
            current_app,
            request.cookies.get(REFRESH_COOKIE, ""),
            lambda account_id: accounts.find_account(store, account_id),
            acting_for=(body.get("acting_for") or "").upper() or None,
            may_act_for=lambda account, code: business.relation_to(store, cipher, registry, account, code) is not None,
        )
        return _with_tokens(issued, account)


@auth_blp.route("/logout")
class Logout(MethodView):
    @auth_blp.response(204)
    def post(self):
        """End this session (the refresh cookie's, or the access token's)."""
        store = _store()
        session_id = sessions.session_of_refresh_token(store, request.cookies.get(REFRESH_COOKIE, ""))
        if session_id:
            sessions.revoke_session(store, session_id)
        elif request.headers.get("Authorization"):
            principal = current_principal()
            if principal.session_id:
                sessions.revoke_session(store, principal.session_id)
        return _cleared(make_response("", 204))


@auth_blp.route("/logout-everywhere")
class LogoutEverywhere(MethodView):
    decorators = [login_required]

    @auth_blp.response(204)
    def post(self):
        """End every session of the caller's account, on every device."""
        sessions.revoke_all_sessions(_store(), current_principal().account_id)
        return _cleared(make_response("", 204))


@me_blp.route("")
class Me(MethodView):
    decorators = [login_required]

    @me_blp.arguments(RevealQuerySchema, location="query")
    @me_blp.response(200, AccountSchema)
    def get(self, query):
        """The caller's account; phone and ID number masked unless reveal=true."""
        account = accounts.get_account(_store(), current_principal().account_id)
        return accounts.public_view(field_cipher(), account, reveal=query["reveal"])


@me_blp.route("/real-name")
class RealName(MethodView):
    decorators = [login_required]

    @me_blp.arguments(RealNameRequestSchema)
    @me_blp.response(200, TokenSchema)
    @me_blp.alt_response(409, description="Already verified, or the ID number is bound to another account")
    @me_blp.alt_response(422, description="Name and ID number do not match the registry")
    @me_blp.alt_response(429, description="5 failed attempts today")
    def post(self, body):
        """Real-name verification against the population registry: level 2. Returns fresh tokens."""
        store, principal = _store(), current_principal()
        account = accounts.real_name_upgrade(
            store, field_cipher(), registry_for(current_app), principal.account_id, body["name"], body["id_number"]
        )
        if principal.session_id:
            sessions.revoke_session(store, principal.session_id, reason="real_name_upgrade")
        issued = sessions.start_session(store, current_app, account, _device(), channel=principal.channel)
        return _with_tokens(issued, account)


@me_blp.route("/sessions")
class MySessions(MethodView):
    decorators = [login_required]

    @me_blp.response(200, SessionSchema(many=True))
    def get(self):
        """The devices where the caller is logged in, most recently used first."""
        principal = current_principal()
        items = sessions.active_sessions(_store(), principal.account_id)
        return [{**item, "current": item["_id"] == principal.session_id} for item in items]


@me_blp.route("/sessions/<session_id>")
class MySession(MethodView):
    decorators = [login_required]

    @me_blp.response(204)
    def delete(self, session_id):
        """Log out one device."""
        sessions.revoke_own_session(_store(), current_principal().account_id, session_id)


@me_blp.route("/data-use")
class MyDataUse(MethodView):
    decorators = [login_required]

    @me_blp.response(200, DataUseSchema(many=True))
    @me_blp.paginate()
    def get(self, pagination_parameters):
        """Who read the caller's personal data, when and why (newest first)."""
        items, total = data_use.data_use_for(
            _store(), current_principal().account_id, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return items


@me_blp.route("/orgs")
class MyOrgs(MethodView):
    decorators = [login_required]

    @me_blp.response(200, OrgSchema(many=True))
    def get(self):
        """The businesses the caller may act for (send X-Acting-For: <credit code> to act for one)."""
        account = accounts.get_account(_store(), current_principal().account_id)
        return business.orgs_for(_store(), field_cipher(), registry_for(current_app), account)


@orgs_blp.route("/<credit_code>/agents")
class Agents(MethodView):
    decorators = [login_required]

    @orgs_blp.response(200, AgentSchema(many=True))
    def get(self, credit_code):
        """The org's authorised agents (legal representative only)."""
        account = accounts.get_account(_store(), current_principal().account_id)
        return business.list_agents(_store(), field_cipher(), registry_for(current_app), account, credit_code)

    @orgs_blp.arguments(AgentRequestSchema)
    @orgs_blp.response(201, AgentSchema)
    @orgs_blp.alt_response(403, description="The caller is not the legal representative")
    def post(self, body, credit_code):
        """Authorise a registered person to act for the org until expires_at (at most a year)."""
        account = accounts.get_account(_store(), current_principal().account_id)
        return business.authorize_agent(
            _store(),
            field_cipher(),
            registry_for(current_app),
            account,
            credit_code,
            body["name"],
            body["id_number"],
            body["expires_at"],
        )


@orgs_blp.route("/<credit_code>/agents/<grant_id>")
class Agent(MethodView):
    decorators = [login_required]

    @orgs_blp.response(204)
    def delete(self, credit_code, grant_id):
        """Withdraw an agent's authorisation at once."""
        account = accounts.get_account(_store(), current_principal().account_id)
        business.revoke_agent(_store(), field_cipher(), registry_for(current_app), account, credit_code, grant_id)


@staff_blp.route("/<account_id>")
class StaffAccountView(MethodView):
    decorators = [roles_required("clerk", "admin"), login_required]

    @staff_blp.response(200, AccountSchema)
    def get(self, account_id):
        """A clerk looks at a resident's account (recorded in the resident's data-use log)."""
        principal, store = current_principal(), _store()
        account = accounts.find_account(store, account_id)
        if account is None:
            raise NotFound("找不到该账户")
        data_use.record_data_use(store, account_id, principal.account_id, "clerk", "窗口核验身份", ["name", "phone", "id_number"])
        return accounts.public_view(field_cipher(), account)


@staff_blp.route("/<account_id>/in-person-verification")
class InPersonVerification(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.response(200, AccountSchema)
    @staff_blp.alt_response(409, description="The account has not reached level 2 yet")
    def post(self, account_id):
        """The clerk has seen the person and their ID card at the window: real-name level 3."""
        principal, store = current_principal(), _store()
        account = accounts.verify_in_person(store, account_id, principal.account_id)
        data_use.record_data_use(store, account_id, principal.account_id, "clerk", "现场实名核验", ["name", "id_number"])
        return accounts.public_view(field_cipher(), account)


BLUEPRINTS = [wellknown, auth_blp, me_blp, orgs_blp, staff_blp]
