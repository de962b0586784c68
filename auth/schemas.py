from marshmallow import Schema, fields, validate

from .otp import PURPOSES


class SmsCodeRequestSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=11, max=20), metadata={"example": "13800000001"})
    purpose = fields.String(load_default="login", validate=validate.OneOf(PURPOSES))


class SmsCodeSentSchema(Schema):
    expires_in = fields.Integer(required=True, metadata={"description": "seconds the code stays valid"})
    resend_after = fields.Integer(required=True, metadata={"description": "seconds before another code may be sent"})


class LoginRequestSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=11, max=20))
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="验证码为6位数字"))


class StaffLoginRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    new_password = fields.String(validate=validate.Length(min=1, max=256), load_only=True)


class RefreshRequestSchema(Schema):
    acting_for = fields.String(allow_none=True, validate=validate.Length(equal=18), metadata={"description": "credit code"})


class AccountSchema(Schema):
    id = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    real_name_level = fields.Integer(required=True, metadata={"description": "1 phone, 2 registry-checked, 3 in person"})
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked unless ?reveal=true"})
    id_number = fields.String(allow_none=True, metadata={"description": "masked unless ?reveal=true"})
    department = fields.String(allow_none=True)
    hall = fields.String(allow_none=True, metadata={"description": "a clerk's service hall (code), where they work"})
    created_at = fields.String(required=True)


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True)
    account = fields.Nested(AccountSchema, required=True)
    created = fields.Boolean(metadata={"description": "true when this login created the account"})


class RevealQuerySchema(Schema):
    reveal = fields.Boolean(load_default=False)


class RealNameRequestSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    id_number = fields.String(required=True, validate=validate.Length(min=15, max=18))


class SessionSchema(Schema):
    id = fields.String(attribute="_id", required=True)
    device = fields.String(required=True)
    created_at = fields.String(required=True)
    last_used_at = fields.String(required=True)
    current = fields.Boolean(required=True)


class DataUseSchema(Schema):
    id = fields.String(attribute="_id", required=True)
    actor_role = fields.String(required=True)
    purpose = fields.String(required=True)
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields", required=True)
    at = fields.String(required=True)


class OrgSchema(Schema):
    credit_code = fields.String(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "company or sole_trader"})
    status = fields.String(required=True)
    relation = fields.String(required=True, metadata={"description": "legal_representative or agent"})
    expires_at = fields.String(allow_none=True)


class AgentRequestSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    id_number = fields.String(required=True, validate=validate.Length(min=15, max=18))
    expires_at = fields.AwareDateTime(required=True, metadata={"example": "2027-06-30T16:00:00Z"})


class AgentSchema(Schema):
    id = fields.String(attribute="_id", required=True)
    credit_code = fields.String(required=True)
    agent_name = fields.String(required=True)
    expires_at = fields.String(required=True)
    created_at = fields.String(required=True)
