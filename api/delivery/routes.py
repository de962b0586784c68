"""HTTP for delivery: the applicant's address offer and choice after failures, the carrier webhook, the hall's post
desk (labels, events, stuck shipments, alerts) and the courier's round."""

from __future__ import annotations

import json

from flask import Response, current_app, request
from flask.views import MethodView
from marshmallow import ValidationError

from api.blueprint import Blueprint
from api.errors import Invalid, NotFound
from api.vault.qr import qr_svg
from api.vault.signing import certificate_keys
from auth.access import current_principal, login_required, roles_required
from auth.accounts import find_account, get_account
from auth.crypto import field_cipher

from . import carrier, courier, hall, service, states
from .choice import default_choice
from .schemas import (
    AfterFailuresSchema,
    AlertSchema,
    CarrierEventSchema,
    CarrierResultSchema,
    CourierShipmentSchema,
    DeliveryChoiceOutSchema,
    FailedAttemptSchema,
    HallShipmentSchema,
    OpenShipmentSchema,
    PickupCodeSchema,
    PostDeskEventSchema,
    StuckQuerySchema,
    TrackingSchema,
)

DEFAULT_HALL = "zz-smzx"
blp = Blueprint("delivery", __name__, url_prefix="/api/v1/delivery", description="EMS delivery of results (邮政专递)")
hall_blp = Blueprint("delivery_hall", __name__, url_prefix="/api/v1/hall/shipments",
                     description="The hall's post desk: labels, events, stuck shipments (clerk, admin)")  # fmt: skip
courier_blp = Blueprint("delivery_courier", __name__, url_prefix="/api/v1/courier",
                        description="The courier's round (邮政投递员)")  # fmt: skip
BLUEPRINTS = [blp, hall_blp, courier_blp]


def _store():
    return current_app.extensions["store"]


def _hall_of_caller() -> str:
    return (find_account(_store(), current_principal().account_id) or {}).get("hall") or DEFAULT_HALL


def _hall_shipment(shipment_id: str) -> dict:
    shipment = service.get(_store(), shipment_id)
    if shipment["sender_hall"] != _hall_of_caller() and not current_principal().has_role("admin"):
        raise NotFound("找不到该邮件")
    return shipment


def _hall_view(shipment: dict) -> dict:
    return {**shipment, "state_label": states.LABELS[shipment["state"]]}


# -- the applicant ----------------------------------------------------------------------------------------------


@blp.route("/my-address")
class MyAddress(MethodView):
    decorators = [login_required]

    @blp.response(200, DeliveryChoiceOutSchema)
    def get(self):
        """What the submit step offers: EMS to my vault's contact address (editable), else pickup at the hall"""
        account = get_account(_store(), current_principal().account_id)
        return default_choice(_store(), field_cipher(), account, DEFAULT_HALL)


@blp.route("/applications/<string:application_id>/after-failures")
class AfterFailures(MethodView):
    decorators = [login_required]

    @blp.arguments(AfterFailuresSchema)
    @blp.response(200, TrackingSchema)
    @blp.alt_response(404, description="No shipment of mine for this application")
    @blp.alt_response(409, description="Not after the last failed attempt")
    def post(self, body, application_id):
        """After the third failed attempt: pickup at the hall (退回自取) or one more delivery (再次投递)"""
        shipment = service.of_application(_store(), application_id)
        if shipment is None or shipment["applicant_id"] != current_principal().account_id:
            raise NotFound("找不到该邮件")
        updated = service.choose_after_failures(_store(), field_cipher(), shipment, body["choice"], shipment["applicant_id"])
        return service.tracking_view(_store(), updated)


@blp.route("/applications/<string:application_id>/receipt-qr.svg")
class ReceiptQr(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type="image/svg+xml", description="The receipt QR code (SVG), good for 10 minutes")
    @blp.alt_response(404, description="No shipment of mine for this application")
    @blp.alt_response(409, description="Not out for delivery")
    def get(self, application_id):
        """签收码: the QR I show the courier instead of telling the pickup code"""
        shipment = service.of_application(_store(), application_id)
        if shipment is None or shipment["applicant_id"] != current_principal().account_id:
            raise NotFound("找不到该邮件")
        svg = qr_svg(courier.receipt_token(certificate_keys(), shipment))
        return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@blp.route("/carrier-events")
class CarrierEvents(MethodView):
    @blp.doc(requestBody={"content": {"application/json": {"schema": CarrierEventSchema}}})
    @blp.response(200, CarrierResultSchema)
    @blp.alt_response(401, description="Bad signature, or a timestamp outside the 5-minute window")
    @blp.alt_response(404, description="Unknown waybill")
    @blp.alt_response(422, description="Malformed event")
    def post(self):
        """The carrier's tracking event, signed: X-Carrier-Timestamp + X-Carrier-Signature (HMAC-SHA256 of "ts.body")"""
        body = request.get_data()
        carrier.verify(carrier.carrier_secret(current_app.config), request.headers.get("X-Carrier-Timestamp"),
                       request.headers.get("X-Carrier-Signature"), body)  # fmt: skip
        try:
            event = CarrierEventSchema().load(json.loads(body or b"null") or {})
        except (ValueError, ValidationError) as exc:
            raise Invalid(errors=getattr(exc, "messages", {"body": ["不是有效的JSON"]})) from None
        return carrier.receive(_store(), field_cipher(), event)


# -- the hall's post desk -----------------------------------------------------------------------------------


@hall_blp.route("/stuck")
class Stuck(MethodView):
    decorators = [roles_required("clerk", "admin"), login_required]

    @hall_blp.arguments(StuckQuerySchema, location="query")
    @hall_blp.response(200, HallShipmentSchema(many=True))
    def get(self, query):
        """Shipments of my hall stuck in one state longer than `hours` (72 by default), longest first (对账)"""
        return [_hall_view(s) for s in hall.stuck(_store(), _hall_of_caller(), query["hours"])]


@hall_blp.route("/alerts")
class Alerts(MethodView):
    decorators = [roles_required("clerk", "admin"), login_required]

    @hall_blp.response(200, AlertSchema(many=True))
    def get(self):
        """Alerts for my hall: shipments locked after five wrong pickup codes"""
        return hall.alerts(_store(), _hall_of_caller())


@hall_blp.route("/<string:shipment_id>")
class HallShipment(MethodView):
    decorators = [roles_required("clerk", "admin"), login_required]

    @hall_blp.response(200, HallShipmentSchema)
    @hall_blp.alt_response(404, description="No shipment of my hall with this id")
    def get(self, shipment_id):
        """One shipment of my hall"""
        return _hall_view(_hall_shipment(shipment_id))


@hall_blp.route("/<string:shipment_id>/label")
class Label(MethodView):
    decorators = [roles_required("clerk", "admin"), login_required]

    @hall_blp.doc(responses={"200": {"description": "A6 label, printable HTML", "content": {"text/html": {}}}})
    @hall_blp.alt_response(404, description="No shipment of my hall with this id")
    def get(self, shipment_id):
        """The printable A6 envelope label: waybill QR, recipient, contents, handover QR"""
        page = hall.label_html(field_cipher(), certificate_keys(), _hall_shipment(shipment_id))
        return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store"})


@hall_blp.route("/<string:shipment_id>/events")
class PostDeskEvents(MethodView):
    decorators = [roles_required("clerk", "admin"), login_required]

    @hall_blp.arguments(PostDeskEventSchema)
    @hall_blp.response(200, HallShipmentSchema)
    @hall_blp.alt_response(404, description="No shipment of my hall with this id")
    @hall_blp.alt_response(409, description="Not a step forward")
    def post(self, body, shipment_id):
        """Record a tracking event at the post desk (揽收, 派送 with the courier's username, …); only forward"""
        shipment = _hall_shipment(shipment_id)
        courier_id = hall.courier_account(_store(), body["courier"]) if body.get("courier") else None
        actor = current_principal().account_id
        updated = service.move(_store(), field_cipher(), shipment, body["state"], source="post_desk", actor=actor,
                               reason=body.get("reason"), courier_id=courier_id)  # fmt: skip
        return _hall_view(updated)


# -- the courier ----------------------------------------------------------------------------------------------


def _courier_id() -> str:
    return current_principal().account_id


@courier_blp.route("/shipments")
class Round(MethodView):
    decorators = [roles_required("courier"), login_required]

    @courier_blp.response(200, CourierShipmentSchema(many=True))
    def get(self):
        """My shipments for today, by route area"""
        cipher = field_cipher()
        return [courier.courier_view(cipher, s) for s in courier.todays_round(_store(), _courier_id())]


@courier_blp.route("/scans")
class Open(MethodView):
    decorators = [roles_required("courier"), login_required]

    @courier_blp.arguments(OpenShipmentSchema)
    @courier_blp.response(200, CourierShipmentSchema)
    @courier_blp.alt_response(404, description="No shipment of mine with this waybill or QR")
    def post(self, body):
        """Open a shipment by its typed waybill number or the token of the envelope's handover QR"""
        shipment = courier.open_by(_store(), certificate_keys(), _courier_id(), body.get("waybill_no"), body.get("token"))
        return courier.courier_view(field_cipher(), shipment)


@courier_blp.route("/shipments/<string:shipment_id>")
class CourierShipment(MethodView):
    decorators = [roles_required("courier"), login_required]

    @courier_blp.response(200, CourierShipmentSchema)
    @courier_blp.alt_response(404, description="No shipment of mine with this id")
    def get(self, shipment_id):
        """One of my shipments"""
        shipment = courier.assigned(_store(), _courier_id(), _store()[service.SHIPMENTS].find_one({"_id": shipment_id}))
        return courier.courier_view(field_cipher(), shipment)


@courier_blp.route("/shipments/<string:shipment_id>/delivery")
class Delivery(MethodView):
    decorators = [roles_required("courier"), login_required]

    @courier_blp.arguments(PickupCodeSchema)
    @courier_blp.response(200, CourierShipmentSchema)
    @courier_blp.alt_response(404, description="No shipment of mine with this id")
    @courier_blp.alt_response(409, description="Not out for delivery, or locked after five wrong codes")
    @courier_blp.alt_response(422, description="Wrong pickup code (the tries left in the message)")
    def post(self, body, shipment_id):
        """妥投: confirm delivery with the recipient's 6-digit pickup code, or the receipt QR their app shows"""
        shipment = _store()[service.SHIPMENTS].find_one({"_id": shipment_id})
        if body.get("token"):
            updated = courier.confirm_with_receipt(_store(), field_cipher(), certificate_keys(), _courier_id(), shipment,
                                                   body["token"])  # fmt: skip
        else:
            updated = courier.confirm_delivery(_store(), field_cipher(), _courier_id(), shipment, body["code"])
        return courier.courier_view(field_cipher(), updated)


@courier_blp.route("/shipments/<string:shipment_id>/failed-attempt")
class FailedAttempt(MethodView):
    decorators = [roles_required("courier"), login_required]

    @courier_blp.arguments(FailedAttemptSchema)
    @courier_blp.response(200, CourierShipmentSchema)
    @courier_blp.alt_response(404, description="No shipment of mine with this id")
    @courier_blp.alt_response(409, description="Not out for delivery")
    def post(self, body, shipment_id):
        """Record a failed delivery attempt with its reason (the applicant is told)"""
        shipment = _store()[service.SHIPMENTS].find_one({"_id": shipment_id})
        updated = courier.record_failure(_store(), field_cipher(), _courier_id(), shipment, body["reason"])
        return courier.courier_view(field_cipher(), updated)
