"""What the vault API reads and shows. Input messages are Chinese: they appear next to the field."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from api.schema_messages import install_chinese_messages
from auth.validators import InvalidNumber, validate_id_number, validate_mobile

install_chinese_messages()  # fields copy their messages when built: Chinese must be in place first, whoever imports us

FAMILY_RELATIONS = ("配偶", "子女", "父母", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "其他")
STATUSES = ("valid", "revoked", "expired")


class Text(fields.String):
    """A string with surrounding whitespace removed, so "  " counts as empty."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def text(label: str, longest: int, **kwargs) -> Text:
    return Text(
        validate=[
            validate.Length(min=1, error=f"请填写{label}"),
            validate.Length(max=longest, error=f"{label}最多{longest}个字"),
        ],
        **kwargs,
    )


class Mobile(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return validate_mobile(super()._deserialize(value, attr, data, **kwargs))
        except InvalidNumber as exc:
            raise ValidationError(str(exc)) from None


class IdNumber(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return validate_id_number(super()._deserialize(value, attr, data, **kwargs))
        except InvalidNumber as exc:
            raise ValidationError(str(exc)) from None


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


class AccountNumber(fields.String):
    """A bank account for refunds: 12–19 digits (spaces and hyphens as typed are dropped).

    Bank cards on the UnionPay network (16–19 digits starting 62) carry a Luhn check digit, so a
    typo there is caught at once; passbook and corporate account numbers have no common check.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        digits = re.sub(r"[\s-]", "", super()._deserialize(value, attr, data, **kwargs))
        if not re.fullmatch(r"\d{12,19}", digits):
            raise ValidationError("银行账号应为12至19位数字")
        if digits.startswith("62") and len(digits) >= 16 and not luhn_ok(digits):
            raise ValidationError("银行卡号校验未通过，请核对后重新填写")
        return digits


# -- input -----------------------------------------------------------------------------------


class AddressSchema(Schema):
    province = text("省份", 20, required=True, metadata={"example": "湖南省"})
    city = text("城市", 20, required=True, metadata={"example": "株洲市"})
    district = text("区县", 20, required=True, metadata={"example": "天元区"})
    street = text("街道", 40, required=True, metadata={"example": "嵩山路街道"})
    detail = text("详细地址", 100, required=True, metadata={"example": "示例路12号3栋402"})


class BankAccountSchema(Schema):
    bank_name = text("开户银行", 40, required=True, metadata={"example": "中国工商银行株洲分行"})
    account_name = text("户名", 40, required=True)
    account_no = AccountNumber(required=True, metadata={"description": "12–19 digits; masked unless ?reveal=true"})


class FamilyMemberSchema(Schema):
    name = text("姓名", 40, required=True)
    relation = fields.String(
        required=True, validate=validate.OneOf(FAMILY_RELATIONS, error="关系应为以下之一：" + "、".join(FAMILY_RELATIONS))
    )
    id_number = IdNumber(load_default=None, allow_none=True, metadata={"description": "optional; stored encrypted"})


class OwnDataUpdateSchema(Schema):
    """Sections present replace the stored ones; null clears one; absent sections stay as they are."""

    version = fields.Integer(
        strict=True, metadata={"description": "the version read (own.version); or send it as If-Match"}, load_only=True
    )
    contact_address = fields.Nested(AddressSchema, allow_none=True)
    contact_phone = Mobile(allow_none=True, metadata={"example": "13800000001"})
    email = fields.Email(allow_none=True, validate=validate.Length(max=254, error="电子邮箱最多254个字符"))
    bank_account = fields.Nested(BankAccountSchema, allow_none=True)
    family = fields.List(
        fields.Nested(FamilyMemberSchema), allow_none=True, validate=validate.Length(max=20, error="家庭成员最多填写20人")
    )


class VerifyQuerySchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=1024), metadata={"description": "from the QR code"})


# -- output ----------------------------------------------------------------------------------


class SourceMixin(Schema):
    source = fields.String(required=True, metadata={"description": "registry (政府核验) or self (本人填报)"})
    source_label = fields.String(required=True, metadata={"example": "政府核验"})
    trust_level = fields.String(required=True, metadata={"description": "A (authority) … D (own statement)"})
    read_only = fields.Boolean(required=True)


class HouseholdMemberViewSchema(Schema):
    name = fields.String(required=True)
    relation = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "always masked: another person's number"})


class RegistryPersonSchema(Schema):
    name = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "masked unless ?reveal=true"})
    sex = fields.String(required=True, metadata={"description": "M or F"})
    birth_date = fields.String(required=True)
    ethnicity = fields.String(required=True)
    household_address = fields.String(required=True, metadata={"description": "户籍地址; masked unless ?reveal=true"})
    relation = fields.String(required=True, metadata={"description": "与户主关系"})
    household_members = fields.List(fields.Nested(HouseholdMemberViewSchema), required=True)


class RegistrySectionSchema(SourceMixin):
    available = fields.Boolean(required=True, metadata={"description": "false while the registry cannot be reached"})
    message = fields.String(allow_none=True, required=True)
    checked_at = fields.String(required=True)
    person = fields.Nested(RegistryPersonSchema, allow_none=True, required=True)


class VaultOrgSchema(Schema):
    credit_code = fields.String(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True)
    status = fields.String(required=True)
    legal_rep_name = fields.String(required=True)
    registered_address = fields.String(required=True)
    business_scope = fields.String(required=True)


class OrgSectionSchema(SourceMixin):
    available = fields.Boolean(required=True)
    message = fields.String(allow_none=True, required=True)
    checked_at = fields.String(required=True)
    org = fields.Nested(VaultOrgSchema, allow_none=True, required=True)


class FamilyMemberViewSchema(Schema):
    name = fields.String(required=True)
    relation = fields.String(required=True)
    id_number = fields.String(allow_none=True, required=True, metadata={"description": "masked unless ?reveal=true"})


class OwnSectionSchema(SourceMixin):
    version = fields.Integer(required=True, metadata={"description": "send it back (or as If-Match) when updating"})
    updated_at = fields.String(allow_none=True, required=True)
    contact_address = fields.Nested(AddressSchema, allow_none=True, required=True)
    contact_phone = fields.String(allow_none=True, required=True)
    email = fields.String(allow_none=True, required=True)
    bank_account = fields.Nested(
        Schema.from_dict(
            {"bank_name": fields.String(), "account_name": fields.String(), "account_no": fields.String()},
            name="BankAccountViewSchema",
        ),
        allow_none=True,
        required=True,
    )
    family = fields.List(fields.Nested(FamilyMemberViewSchema), required=True)


class CertificateSummarySchema(Schema):
    id = fields.String(required=True)
    number = fields.String(required=True)
    type = fields.String(required=True)
    type_name = fields.String(required=True, metadata={"example": "食品经营许可证"})
    holder_kind = fields.String(required=True, metadata={"description": "person or org"})
    holder_name = fields.String(required=True, metadata={"description": "masked in lists"})
    issuer = fields.String(required=True, metadata={"description": "department code"})
    issuer_name = fields.String(allow_none=True, required=True)
    issued_on = fields.String(required=True)
    valid_until = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    application_id = fields.String(allow_none=True, required=True)


class CertificateDetailSchema(CertificateSummarySchema):
    holder_name = fields.String(required=True, metadata={"description": "in full: the holder is looking"})
    data = fields.Dict(required=True, metadata={"description": "the certificate's fields; ID numbers masked unless ?reveal=true"})
    revoked_at = fields.String(allow_none=True, required=True)
    revoked_reason = fields.String(allow_none=True, required=True)
    verify_url = fields.String(required=True, metadata={"description": "what the QR code encodes"})


class VaultSchema(Schema):
    registry = fields.Nested(RegistrySectionSchema, allow_none=True, required=True, metadata={"description": "null below L2"})
    own = fields.Nested(OwnSectionSchema, required=True)
    certificates = fields.List(fields.Nested(CertificateSummarySchema), required=True)
    org = fields.Nested(OrgSectionSchema, allow_none=True, required=True, metadata={"description": "when acting for an org"})


class VerifyResultSchema(Schema):
    genuine = fields.Boolean(required=True, metadata={"description": "issued by us and not tampered with"})
    status = fields.String(required=True, validate=validate.OneOf((*STATUSES, "unknown")))
    type_name = fields.String(allow_none=True, required=True)
    issuer = fields.String(allow_none=True, required=True)
    issuer_name = fields.String(allow_none=True, required=True)
    issued_on = fields.String(allow_none=True, required=True)
    valid_until = fields.String(allow_none=True, required=True)
    holder = fields.String(allow_none=True, required=True, metadata={"description": "masked name, e.g. 张**"})
    number = fields.String(allow_none=True, required=True, metadata={"description": "masked certificate number"})
