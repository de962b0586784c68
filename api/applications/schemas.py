"""What the applications API reads and shows, for the applicant and for staff."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.delivery.schemas import DeliveryChoiceOutSchema, DeliveryChoiceSchema, TrackingSchema
from api.schema_messages import install_chinese_messages

install_chinese_messages()

ACTIONS = ("approve", "reject", "request_correction")


class StartSchema(Schema):
    bundle = fields.String(validate=validate.Length(1, 60), metadata={"description": "a one-thing bundle's code"})
    item = fields.String(validate=validate.Length(1, 40), metadata={"description": "or a single item's code"})

    @validates_schema
    def _one_target(self, data, **kwargs):
        if bool(data.get("bundle")) == bool(data.get("item")):
            raise ValidationError("bundle 与 item 须且只须填一个", "bundle")


class VersionSchema(Schema):
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "the version you read"})


class SubmitSchema(VersionSchema):
    delivery = fields.Nested(DeliveryChoiceSchema, metadata={"description": "how the paper originals reach the applicant"})


class ValuesSchema(VersionSchema):
    values = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 100)),
        values=fields.Raw(allow_none=True),
        required=True,
        validate=validate.Length(max=300),
        metadata={"description": "canonical field name → value (null clears it)"},
    )


class UploadFormSchema(Schema):
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class UploadFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class FormFieldOutSchema(Schema):
    name = fields.String()
    label = fields.String()
    type = fields.String()
    required = fields.Boolean()
    choices = fields.List(fields.String())
    max_length = fields.Integer()
    min = fields.Float()
    max = fields.Float()
    value = fields.Raw(allow_none=True)
    source = fields.String(
        allow_none=True, metadata={"description": "registry | certificate:<type> | vault | account | previous_application"}
    )
    source_label = fields.String(allow_none=True, metadata={"description": "政府核验, 电子证照, 本人填报 …"})
    source_updated_at = fields.String(
        allow_none=True,
        metadata={"description": "when the source last changed this value (UTC ISO-8601); null when the source does not say"},
    )
    locked = fields.Boolean(metadata={"description": "a value the government holds: shown as received, not editable"})
    items = fields.List(fields.String())


class MaterialOutSchema(Schema):
    code = fields.String()
    name = fields.String()
    source = fields.String()
    status = fields.String(
        metadata={
            "description": "missing | attached | declared | uploaded | pending (another item of this application issues it)"
        }
    )
    trust = fields.String(metadata={"description": "A sealed e-document … D the applicant's statement"})
    required = fields.Boolean()
    certificate_type = fields.String()
    certificate_id = fields.String()
    from_item = fields.String(metadata={"description": "when pending: the item whose result it will be"})
    upload_id = fields.String()


class SubApplicationSchema(Schema):
    id = fields.String(attribute="_id")
    application_id = fields.String()
    item = fields.String()
    item_name = fields.String()
    department = fields.String()
    state = fields.String()
    state_label = fields.String()
    promised_days = fields.Integer()
    accepted_on = fields.String()
    deadline_on = fields.String()
    overdue = fields.Boolean()
    reason = fields.String()
    correction = fields.Dict()
    certificates = fields.List(fields.String())


class EventSchema(Schema):
    action = fields.String()
    sub_id = fields.String(allow_none=True)
    actor_role = fields.String()
    from_state = fields.String(attribute="from", data_key="from", allow_none=True)
    to_state = fields.String(attribute="to", data_key="to")
    comment = fields.String(allow_none=True)
    at = fields.String()


class FeeStateSchema(Schema):
    amount_fen = fields.Integer()
    state = fields.String()


class FeeSchema(FeeStateSchema):
    lines = fields.List(fields.Dict())


class FoundedOrgSchema(Schema):
    credit_code = fields.String(metadata={"description": "the unified social credit code assigned on registration"})
    name = fields.String()
    registered_at = fields.String()


class ApplicationSchema(Schema):
    id = fields.String()
    number = fields.String(metadata={"description": "the number shown to people, YC + date + 6 digits"})
    kind = fields.String()
    target = fields.String()
    name = fields.String()
    items = fields.List(fields.String())
    state = fields.String()
    state_label = fields.String()
    version = fields.Integer()
    created_at = fields.String()
    submitted_at = fields.String()
    acting_for = fields.String(allow_none=True)
    founded_org = fields.Nested(
        FoundedOrgSchema, allow_none=True, metadata={"description": "企业开办: the company its 企业设立登记 registered"}
    )
    channel = fields.String()
    trips = fields.Integer()
    fields_ = fields.List(fields.Nested(FormFieldOutSchema), data_key="fields", attribute="fields")
    materials = fields.List(fields.Nested(MaterialOutSchema))
    prefilled_share = fields.Float(metadata={"description": "share of the form's fields the government's data filled in"})
    missing_fields = fields.List(fields.String())
    subs = fields.List(fields.Nested(SubApplicationSchema))
    timeline = fields.List(fields.Nested(EventSchema))
    fee = fields.Nested(FeeSchema, allow_none=True)
    delivery = fields.Nested(DeliveryChoiceOutSchema, allow_none=True, metadata={"description": "chosen at submission"})
    shipment = fields.Nested(TrackingSchema, allow_none=True, metadata={"description": "the EMS shipment, once posted"})


class ApplicationSummarySchema(Schema):
    id = fields.String(attribute="_id")
    number = fields.String()
    name = fields.String()
    state = fields.String()
    state_label = fields.String()
    acting_for = fields.String(allow_none=True)
    channel = fields.String()
    created_at = fields.String()
    submitted_at = fields.String()
    updated_at = fields.String()
    fee = fields.Nested(FeeStateSchema, allow_none=True, metadata={"description": "null before submission"})


class QueueQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(("in_review", "needs_correction", "approved", "rejected", "issued")))


class DecisionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS, error="应为 approve、reject 或 request_correction"))
    reason = fields.String(validate=validate.Length(max=500))
    fields_ = fields.List(
        fields.String(validate=validate.Length(1, 100)), data_key="fields", attribute="fields", validate=validate.Length(max=100)
    )


class CorrectionRequestCreateSchema(Schema):
    reason = fields.String(
        required=True, validate=validate.Length(1, 500), metadata={"description": "what is wrong with the value (信息有误)"}
    )
    proposed_value = fields.Raw(allow_none=True, metadata={"description": "what it should be, if known; checked like the field"})


class CorrectionAnswerSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("fixed", "rejected"), error="应为 fixed 或 rejected"))
    reply = fields.String(
        required=True, validate=validate.Length(1, 500), metadata={"description": "the answer to the applicant"}
    )


class CorrectionQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(("open", "fixed", "rejected")), metadata={"description": "default open"})


class CorrectionRequestSchema(Schema):
    id = fields.String()
    application_id = fields.String()
    application_no = fields.String()
    bundle_name = fields.String()
    field = fields.String(metadata={"description": "the form field, e.g. applicant.name"})
    field_label = fields.String()
    source = fields.String(metadata={"description": "registry | certificate:<type>"})
    source_label = fields.String()
    department = fields.String(metadata={"description": "the department holding the source, which answers"})
    department_name = fields.String()
    current_value = fields.Raw(allow_none=True, metadata={"description": "the value shown (masked in lists)"})
    proposed_value = fields.Raw(allow_none=True, metadata={"description": "the value proposed (masked in lists)"})
    reason = fields.String()
    status = fields.String(metadata={"description": "open | fixed | rejected"})
    status_label = fields.String()
    reply = fields.String(allow_none=True)
    answered_at = fields.String(allow_none=True)
    created_at = fields.String()
    version = fields.Integer()


class WalkInSchema(StartSchema):
    id_number = fields.String(required=True, validate=validate.Length(15, 18))
    name = fields.String(required=True, validate=validate.Length(1, 50))
