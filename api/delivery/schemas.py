"""What the delivery API reads and shows: the choice at submission, tracking, shipments for staff and couriers,
carrier events."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schema_messages import install_chinese_messages

from . import states

install_chinese_messages()
_PHONE = validate.Regexp(r"^1[3-9]\d{9}$", error="请输入正确的手机号")


class DeliveryAddressSchema(Schema):
    province = fields.String(required=True, validate=validate.Length(1, 20))
    city = fields.String(required=True, validate=validate.Length(1, 20))
    district = fields.String(required=True, validate=validate.Length(1, 20))
    street = fields.String(required=True, validate=validate.Length(1, 40))
    detail = fields.String(required=True, validate=validate.Length(1, 100))


class DeliveryChoiceSchema(Schema):
    """EMS to an address (free) or pickup at a hall; omitted: EMS to the vault's contact address, else pickup."""

    method = fields.String(required=True, validate=validate.OneOf(["ems", "pickup"]))
    hall = fields.String(validate=validate.Length(1, 40), metadata={"description": "pickup: the hall's code"})
    recipient_name = fields.String(validate=validate.Length(1, 40))
    recipient_phone = fields.String(validate=_PHONE)
    address = fields.Nested(DeliveryAddressSchema)


class DeliveryChoiceOutSchema(Schema):
    method = fields.String()
    hall = fields.String()
    recipient_name = fields.String()
    recipient_phone = fields.String()
    address = fields.Raw(metadata={"description": "masked text in an application; the parts in the submit step's offer"})


class ContentSchema(Schema):
    certificate_id = fields.String()
    type = fields.String()
    name = fields.String()


class TrackingEventSchema(Schema):
    state = fields.String()
    label = fields.String()
    at = fields.String()
    reason = fields.String(allow_none=True)


class TrackingSchema(Schema):
    id = fields.String()
    waybill_no = fields.String()
    state = fields.String(metadata={"description": " | ".join(states.LABELS)})
    state_label = fields.String()
    contents = fields.List(fields.Nested(ContentSchema))
    attempts = fields.Integer()
    can_choose_after_failures = fields.Boolean(metadata={"description": "3 attempts failed: offer pickup or re-delivery"})
    events = fields.List(fields.Nested(TrackingEventSchema))


class AfterFailuresSchema(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(["pickup", "redeliver"]),
                           metadata={"description": "pickup: 到大厅自取; redeliver: 再次投递"})  # fmt: skip


class HallShipmentSchema(Schema):
    id = fields.String(attribute="_id")
    waybill_no = fields.String()
    application_id = fields.String()
    state = fields.String()
    state_label = fields.String()
    state_since = fields.String()
    route_area = fields.String()
    attempts = fields.Integer()
    locked = fields.Boolean()
    courier_id = fields.String(allow_none=True)
    contents = fields.List(fields.Nested(ContentSchema))


class StuckQuerySchema(Schema):
    hours = fields.Integer(load_default=72, validate=validate.Range(1, 24 * 60), metadata={"description": "threshold"})


class AlertSchema(Schema):
    id = fields.String(attribute="_id")
    kind = fields.String()
    shipment_id = fields.String()
    waybill_no = fields.String()
    courier_id = fields.String(allow_none=True)
    created_at = fields.String()


class PostDeskEventSchema(Schema):
    state = fields.String(required=True, validate=validate.OneOf(states.EVENT_STATES))
    courier = fields.String(validate=validate.Length(1, 40), metadata={"description": "out_for_delivery: the courier's username"})
    reason = fields.String(validate=validate.Length(1, 200), metadata={"description": "failed: why"})


class CarrierEventSchema(PostDeskEventSchema):
    event_id = fields.String(required=True, validate=validate.Length(1, 64))
    waybill_no = fields.String(required=True, validate=validate.Length(13, 13))
    occurred_at = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$"),
                                metadata={"description": "UTC, ISO-8601 with Z"})  # fmt: skip


class CarrierResultSchema(Schema):
    result = fields.String(metadata={"description": "applied | duplicate | stale (kept, not applied: out of order)"})
    state = fields.String()


class CourierShipmentSchema(Schema):
    id = fields.String()
    waybill_no = fields.String()
    state = fields.String()
    state_label = fields.String()
    route_area = fields.String()
    recipient_name = fields.String()
    recipient_phone = fields.String()
    address = fields.String()
    contents = fields.List(fields.Nested(ContentSchema))
    attempts = fields.Integer()
    locked = fields.Boolean()


class OpenShipmentSchema(Schema):
    waybill_no = fields.String(validate=validate.Length(1, 20))
    token = fields.String(validate=validate.Length(1, 512), metadata={"description": "read from the envelope's handover QR"})


class PickupCodeSchema(Schema):
    """The recipient's 6-digit pickup code, or the token of the receipt QR their app shows (签收码)."""

    code = fields.String(validate=validate.Regexp(r"^\d{6}$", error="请输入6位取件码"))
    token = fields.String(validate=validate.Length(1, 512))

    @validates_schema
    def _code_or_token(self, data, **kwargs):
        if bool(data.get("code")) == bool(data.get("token")):
            raise ValidationError("请输入取件码或扫描收件人的签收码", "code")


class FailedAttemptSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 200))
