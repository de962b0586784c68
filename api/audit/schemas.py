"""What the admin's audit API reads and shows."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, fields, validate

from api.schema_messages import install_chinese_messages

install_chinese_messages()

_ID = validate.Length(1, 120)
# the store keeps UTC text with a four-digit year: a moment outside these bounds cannot be one
_MOMENT = validate.Range(min=dt.datetime(1970, 1, 1, tzinfo=dt.UTC), max=dt.datetime(9999, 1, 1, tzinfo=dt.UTC))


class AuditQuerySchema(Schema):
    subject_type = fields.String(validate=_ID, metadata={"description": "application, person, shipment, hall, …"})
    subject_id = fields.String(validate=_ID)
    actor_id = fields.String(validate=_ID)
    action = fields.String(validate=_ID, metadata={"description": "e.g. application.accept, data.read, audit.search"})
    start = fields.AwareDateTime(
        data_key="from", validate=_MOMENT, metadata={"description": "at or after this moment (ISO-8601 with offset)"}
    )
    end = fields.AwareDateTime(
        data_key="to", validate=_MOMENT, metadata={"description": "before this moment (ISO-8601 with offset)"}
    )


class AuditEntrySchema(Schema):
    id = fields.String(attribute="_id")
    seq = fields.Integer()
    at = fields.String()
    actor_id = fields.String()
    actor_role = fields.String()
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    detail = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class BrokenLinkSchema(Schema):
    seq = fields.Integer()
    reason = fields.String(metadata={"description": "gap | prev_hash | hash | head"})
    expected = fields.String(allow_none=True)
    stored = fields.String(allow_none=True)
    description = fields.String()


class VerificationSchema(Schema):
    ok = fields.Boolean()
    count = fields.Integer(metadata={"description": "entries verified in order before the first break (all when ok)"})
    broken = fields.Nested(BrokenLinkSchema, allow_none=True)
