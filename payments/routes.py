"""HTTP for payments: the applicant's fee order and QR code, the gateway's callbacks, the admin's refunds."""

from __future__ import annotations

import logging

from flask import Blueprint as FlaskBlueprint
from flask import current_app, jsonify, request
from flask.views import MethodView

from api.applications import service as applications
from api.blueprint import Blueprint
from api.errors import ErrorSchema, NotFound
from auth import accounts
from auth.access import current_principal, login_required, roles_required
from auth.crypto import field_cipher
from auth.limits import Rule, TooManyRequests, enforce
from auth.registry import registry_for

from . import callbacks, jsapi, orders, reconciliation, refunds
from .cli import provider_for
from .schemas import (
    JSAPI_PAYMENT_EXAMPLE,
    NOT_BOUND_EXAMPLE,
    FeeOrderSchema,
    ManualRefundSchema,
    OrderQuerySchema,
    ReconciliationSchema,
)
from .settings import settings_for
from .views import order_view

log = logging.getLogger("onetrip.payments.routes")

blp = Blueprint("payments", __name__, url_prefix="/api/v1/applications", description="Paying an application's fees (缴费)")
admin_blp = Blueprint(
    "payments_admin", __name__, url_prefix="/api/v1/admin/payments", description="Fee orders and refunds (admin)"
)
gateway_blp = FlaskBlueprint("payments_gateway", __name__, url_prefix="/api/v1/payments/wechatpay")

CALLBACKS_PER_ADDRESS = Rule("payment_callback_address", 600, 60)


def _store():
    return current_app.extensions["store"]


def _my_application(application_id: str) -> dict:
    principal = current_principal()
    account = accounts.get_account(_store(), principal.account_id)
    caller = applications.Caller(account, field_cipher(), registry_for(current_app), principal.acting_for)
    return applications.get_own(_store(), caller, application_id)


def _payer() -> tuple[str, str | None]:
    """(attempt kind, payer openid): a mini-program session pays by JSAPI as its account's openid, others by QR code."""
    principal = current_principal()
    if principal.channel != jsapi.MINIPROGRAM:
        return orders.NATIVE, None
    return orders.JSAPI, jsapi.payer_openid(_store(), settings_for(current_app), principal.account_id)


@blp.route("/<string:application_id>/payment")
class Payment(MethodView):
    decorators = [login_required]

    @blp.response(200, FeeOrderSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="No application of mine with this id, or it has no fee order yet")
    def get(self, application_id):
        """My application's fee order: lines, state, the QR code (or, in the mini-program, wx.requestPayment's
        parameters) while it can be paid, refunds, receipt (poll this)"""
        application = _my_application(application_id)
        kind = orders.JSAPI if current_principal().channel == jsapi.MINIPROGRAM else orders.NATIVE
        return order_view(_store(), orders.order_of(_store(), application_id), application, kind=kind)

    @blp.response(200, FeeOrderSchema, example=JSAPI_PAYMENT_EXAMPLE)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="No application of mine with this id, or it has no fee order yet")
    @blp.alt_response(
        409, schema=ErrorSchema, example=NOT_BOUND_EXAMPLE,
        description="Nothing to pay (already paid, closed, no fee: not_payable), the order expired (order_expired), or, "
        "in the mini-program, no openid bound to the account (wechat_not_bound)",
    )  # fmt: skip
    @blp.alt_response(503, description="The payment gateway did not answer; try again (Retry-After)")
    def post(self, application_id):
        """Pay: place the order at the gateway (or reuse the open one)

        A PWA session gets `payment` of kind `native`: code_url, QR code and deep link. A mini-program
        session (token `chan: miniprogram`) gets a JSAPI order for its openid: `payment` of kind `jsapi`
        with `request_payment`, the parameters of wx.requestPayment (the example)."""
        application = _my_application(application_id)
        kind, openid = _payer()
        settings = settings_for(current_app)
        order, attempt = orders.start_payment(_store(), provider_for(current_app), settings, application, openid)
        return order_view(_store(), order, application, attempt, kind=kind)


# -- the gateway's notifications (not part of our API document: the gateway speaks its own protocol) --


def _answer(handler):
    try:
        enforce(_store(), [(CALLBACKS_PER_ADDRESS, request.remote_addr or "")])
        outcome = handler(_store(), settings_for(current_app), request.headers, request.get_data(cache=False))
    except TooManyRequests:
        return jsonify(code="FAIL", message="too many requests"), 429
    except callbacks.Rejected as exc:
        log.warning("gateway notification refused", extra={"reason": exc.reason, "status": exc.status})
        return jsonify(code="FAIL", message=exc.reason[:100]), exc.status
    except Exception:  # the store was busy, say: the gateway sends it again
        log.exception("gateway notification failed")
        return jsonify(code="FAIL", message="internal error"), 500
    log.info("gateway notification taken", extra={"outcome": outcome})
    return "", 204


@gateway_blp.post("/notify")
def transaction_notify():
    return _answer(callbacks.on_transaction)


@gateway_blp.post("/refund-notify")
def refund_notify():
    return _answer(callbacks.on_refund)


# -- admin -----------------------------------------------------------------------------------------

_ADMIN = [roles_required("admin"), login_required]


def _admin_order(order_id: str) -> tuple[dict, dict]:
    order = _store()[orders.FEE_ORDERS].find_one({"_id": order_id})
    if order is None:
        raise NotFound("找不到该缴费单")
    return order, _store()[applications.APPLICATIONS].find_one({"_id": order["application_id"]})


@admin_blp.route("/fee-orders")
class FeeOrders(MethodView):
    decorators = _ADMIN

    @admin_blp.arguments(OrderQuerySchema, location="query")
    @admin_blp.response(200, FeeOrderSchema(many=True))
    @admin_blp.paginate()
    @admin_blp.alt_response(401, description="Not logged in")
    @admin_blp.alt_response(403, description="Not an admin")
    def get(self, query, pagination_parameters):
        """Fee orders, newest first (optionally in one state)"""
        found = {"state": query["state"]} if query.get("state") else {}
        collection = _store()[orders.FEE_ORDERS]
        pagination_parameters.item_count = collection.count_documents(found)
        page = (
            collection.find(found)
            .sort("created_at", -1)
            .skip(pagination_parameters.first_item)
            .limit(pagination_parameters.page_size)
        )
        return [order_view(_store(), order, *_admin_order(order["_id"])[1:]) for order in page]


@admin_blp.route("/fee-orders/<string:order_id>/refunds")
class ManualRefunds(MethodView):
    decorators = _ADMIN

    @admin_blp.arguments(ManualRefundSchema)
    @admin_blp.response(201, FeeOrderSchema)
    @admin_blp.alt_response(401, description="Not logged in")
    @admin_blp.alt_response(403, description="Not an admin")
    @admin_blp.alt_response(404, description="No such fee order")
    @admin_blp.alt_response(409, description="Not paid, 50 refunds already, or more than 365 days since payment")
    @admin_blp.alt_response(422, description="More than is left to refund, or no reason")
    def post(self, body, order_id):
        """Refund part or all of a paid order, with a reason (kept on the case's timeline)"""
        _admin_order(order_id)
        refunds.manual_refund(_store(), order_id, body["amount_fen"], body["reason"], current_principal().account_id,
                              body.get("request_id"))  # fmt: skip
        order, application = _admin_order(order_id)
        return order_view(_store(), order, application)


@admin_blp.route("/reconciliations")
class Reconciliations(MethodView):
    decorators = _ADMIN

    @admin_blp.response(200, ReconciliationSchema(many=True))
    @admin_blp.alt_response(401, description="Not logged in")
    @admin_blp.alt_response(403, description="Not an admin")
    def get(self):
        """The last 30 daily reconciliations with the gateway's bill, newest first, with their differences"""
        return [{"date": r["_id"], **{k: v for k, v in r.items() if k != "_id"}} for r in reconciliation.reports(_store())]


BLUEPRINTS = [blp, admin_blp]
