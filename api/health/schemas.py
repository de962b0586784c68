from marshmallow import Schema, fields


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok when the store answers"})
    version = fields.String(required=True)
    store = fields.String(required=True, metadata={"description": "sqlite or mongodb"})
