"""Shapes of the catalogue: what an admin may send (with the rules one document can check by itself) and what is shown.

Rules that need the store (does the department exist, is the certificate type known) live in `rules.py`.
"""

from __future__ import annotations

from collections import Counter

from marshmallow import Schema, ValidationError, validate, validates_schema
from marshmallow import fields as mf

from . import vocabulary as v


def _duplicates(values) -> list:
    return [value for value, count in Counter(values).items() if count > 1]


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error="应为以下之一：" + "、".join(str(c) for c in choices))


def _text(low: int, high: int, **kwargs) -> mf.String:
    return mf.String(validate=validate.Length(low, high), **kwargs)


def _pattern(regex, message: str, **kwargs) -> mf.String:
    return mf.String(validate=validate.Regexp(regex, error=message), **kwargs)


def _check_prefill_source(source: str) -> None:
    if not v.is_prefill_source(source):
        raise ValidationError(f"不认识的数据来源“{source}”，应为 {v.PREFILL_GRAMMAR}")


# -- reference data ----------------------------------------------------------------------------------


class DepartmentSchema(Schema):
    code = _pattern(v.DEPARTMENT_CODE, "部门编码应为2到12个小写字母", required=True)
    name = _text(2, 60, required=True)
    short_name = _text(1, 20, required=True)


class CertificateFieldSchema(Schema):
    name = _pattern(v.CERTIFICATE_TYPE, "证照字段名应为小写字母、数字和下划线", required=True)
    label = _text(1, 40, required=True)


class CertificateTypeSchema(Schema):
    type = _pattern(v.CERTIFICATE_TYPE, "证照类型应为小写字母、数字和下划线", required=True)
    name = _text(2, 60, required=True)
    issuer = mf.String(required=True, metadata={"description": "the issuing department's code"})
    fields = mf.List(mf.Nested(CertificateFieldSchema), required=True, validate=validate.Length(min=1))
    validity_years = mf.Integer(allow_none=True, load_default=None, validate=validate.Range(1, 100))

    @validates_schema
    def _unique_fields(self, data, **kwargs):
        if repeated := _duplicates(f["name"] for f in data["fields"]):
            raise ValidationError(f"字段重复：{'、'.join(repeated)}", "fields")


# -- a service item's guide ---------------------------------------------------------------------------


class MaterialSchema(Schema):
    code = _pattern(v.MATERIAL_CODE, "材料编码应为小写字母、数字和下划线", required=True)
    name = _text(2, 100, required=True)
    source = mf.String(required=True, validate=_one_of(v.MATERIAL_SOURCES))
    certificate_type = mf.String(metadata={"description": "when source is certificate: which e-certificate"})
    required = mf.Boolean(load_default=True)
    trust = mf.String(required=True, validate=_one_of(v.TRUST_LEVELS), metadata={"description": "A…D, 国办函〔2016〕108号"})
    note = mf.String(allow_none=True, load_default=None, validate=validate.Length(max=200))

    @validates_schema
    def _certificate_type_when_certificate(self, data, **kwargs):
        if data["source"] == "certificate" and not data.get("certificate_type"):
            raise ValidationError("来源为电子证照的材料须注明证照类型", "certificate_type")
        if data["source"] != "certificate" and data.get("certificate_type"):
            raise ValidationError("只有来源为电子证照的材料才有证照类型", "certificate_type")


class FormFieldSchema(Schema):
    name = _pattern(v.FIELD_NAME, "字段名应为带点的规范名，如 applicant.name", required=True)
    label = _text(1, 50, required=True)
    type = mf.String(required=True, validate=_one_of(v.FIELD_TYPES))
    required = mf.Boolean(load_default=True)
    prefill = mf.List(
        mf.String(validate=_check_prefill_source),
        load_default=list,
        metadata={"description": "where the value may come from, in order of preference; empty for a new fact"},
    )
    choices = mf.List(_text(1, 100), validate=validate.Length(min=1, max=100))
    choice_labels = mf.Dict(keys=mf.String(), values=_text(1, 50), metadata={"description": "what the UI shows"})
    max_length = mf.Integer(validate=validate.Range(1, 10000))
    min = mf.Float(allow_nan=False)
    max = mf.Float(allow_nan=False)

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors: dict = {}
        choices = data.get("choices")
        if data["type"] == "choice" and not choices:
            errors["choices"] = ["选择题须列出可选项"]
        elif data["type"] != "choice" and (choices or data.get("choice_labels")):
            errors["choices"] = ["只有选择类字段才有可选项"]
        elif choices and _duplicates(choices):
            errors["choices"] = [f"可选项重复：{'、'.join(_duplicates(choices))}"]
        elif set(data.get("choice_labels") or ()) - set(choices or ()):
            errors["choice_labels"] = ["显示名称只能对应已列出的可选项"]
        if data.get("min") is not None and data.get("max") is not None and data["min"] > data["max"]:
            errors["min"] = ["最小值不能大于最大值"]
        if _duplicates(data["prefill"]):
            errors["prefill"] = ["数据来源重复"]
        if errors:
            raise ValidationError(errors)


class ResultSchema(Schema):
    certificate_type = mf.String(required=True)
    name = _text(2, 60, required=True)
    paper = mf.Boolean(load_default=False, metadata={"description": "a paper original is posted or picked up"})
    fields = mf.Dict(
        keys=mf.String(),
        values=mf.String(),
        load_default=dict,
        metadata={
            "description": "certificate field → the application's canonical field it is filled from, or what the issuance "
            "gives it: @number, @issued_on, @valid_until"
        },
    )
    registers_org = mf.Boolean(
        metadata={
            "description": "企业设立登记: approving the item registers the company the form describes in the legal-person "
            "registry with a new credit code (business.credit_code), and the certificate is the company's"
        }
    )


class ItemBaseSchema(Schema):
    name = _text(2, 100, required=True)
    department = mf.String(required=True, metadata={"description": "department code"})
    kind = mf.String(required=True, validate=_one_of(v.KINDS), metadata={"description": "immediate 即办件 | promised 承诺件"})
    legal_days = mf.Integer(required=True, validate=validate.Range(0, 365), metadata={"description": "working days"})
    promised_days = mf.Integer(required=True, validate=validate.Range(0, 365), metadata={"description": "working days"})
    fee_fen = mf.Integer(required=True, validate=validate.Range(0, 100_000_000))
    fee_basis = mf.String(allow_none=True, load_default=None, validate=validate.Length(max=300))
    legal_basis = mf.List(_text(2, 200), required=True, validate=validate.Length(min=1))
    acr_level = mf.Integer(required=True, validate=_one_of((1, 2, 3)), metadata={"description": "real-name level needed"})
    for_whom = mf.String(required=True, validate=_one_of(v.FOR_WHOM))
    visits = mf.Integer(required=True, validate=_one_of((0, 1)), metadata={"description": "in-person visits needed"})
    online_depth = mf.Integer(required=True, validate=validate.Range(1, 4))
    tags = mf.List(mf.String(validate=_one_of(v.TAGS)), load_default=list)
    delivery = mf.List(mf.String(validate=_one_of(v.DELIVERY)), load_default=list)
    review = mf.String(required=True, validate=_one_of(v.REVIEW))
    summary = _text(2, 200, required=True)
    conditions = mf.List(_text(1, 300), load_default=list)
    process = mf.List(_text(1, 300), required=True, validate=validate.Length(min=1))
    hall = _text(2, 100, required=True)
    phone = _pattern(v.PHONE, "咨询电话格式应为 0731-28680001", required=True)
    materials = mf.List(mf.Nested(MaterialSchema), load_default=list)
    fields = mf.List(mf.Nested(FormFieldSchema), required=True, validate=validate.Length(min=1, max=200))
    results = mf.List(mf.Nested(ResultSchema), load_default=list)
    status = mf.String(load_default="active", validate=_one_of(v.STATUSES))

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors = {**_time_and_fee_errors(data), **_classification_errors(data), **_list_errors(data), **_founding_errors(data)}
        if errors:
            raise ValidationError(errors)


def _time_and_fee_errors(data: dict) -> dict:
    errors: dict = {}
    if data["kind"] == "immediate" and data["promised_days"] != 0:
        errors["promised_days"] = ["即办件的承诺时限应为0"]
    elif data["kind"] == "promised" and data["promised_days"] < 1:
        errors["promised_days"] = ["承诺件的承诺时限至少为1个工作日"]
    elif data["promised_days"] > data["legal_days"]:
        errors["promised_days"] = ["承诺时限不能超过法定时限"]
    if data["fee_fen"] > 0 and not (data.get("fee_basis") or "").strip():
        errors["fee_basis"] = ["收费事项须写明收费依据"]
    return errors


def _classification_errors(data: dict) -> dict:
    errors: dict = {}
    tags = data["tags"]
    if "马上办" in tags and data["kind"] != "immediate":
        errors.setdefault("tags", []).append("“马上办”只能用于即办件")
    if "网上办" in tags and data["online_depth"] < 3:
        errors.setdefault("tags", []).append("“网上办”要求网上办理深度至少为3")
    if data["visits"] == 0 and data["online_depth"] != 4:
        errors["online_depth"] = ["不需要到现场的事项，网上办理深度应为4（全程网办）"]
    if data["visits"] == 1 and data["online_depth"] == 4:
        errors["online_depth"] = ["需要到现场一次的事项，网上办理深度不能为4"]
    if data["review"] == "auto" and data["visits"] != 0:
        errors["review"] = ["需要到现场的事项不能自动受理"]
    return errors


def _list_errors(data: dict) -> dict:
    errors: dict = {}
    for key, label in (("tags", "标签"), ("delivery", "送达方式")):
        if repeated := _duplicates(data[key]):
            errors[key] = [f"{label}重复：{'、'.join(repeated)}"]
    if repeated := _duplicates(f["name"] for f in data["fields"]):
        errors["fields"] = [f"字段重复：{'、'.join(repeated)}"]
    if repeated := _duplicates(m["code"] for m in data["materials"]):
        errors["materials"] = [f"材料编码重复：{'、'.join(repeated)}"]
    names = {f["name"] for f in data["fields"]}
    for index, result in enumerate(data["results"]):
        known = names | set(v.ISSUANCE_SOURCES) | (set(v.REGISTRATION_SOURCES) if result.get("registers_org") else set())
        if unknown := [source for source in result["fields"].values() if source not in known]:
            errors.setdefault("results", {})[index] = {"fields": [f"不是本事项的表单字段：{'、'.join(unknown)}"]}
    return errors


def _founding_errors(data: dict) -> dict:
    """An item that registers a company is applied for by its founder, and its form names the company."""
    founding = [index for index, result in enumerate(data["results"]) if result.get("registers_org")]
    if not founding:
        return {}
    errors: dict = {}
    if data["for_whom"] != "person":
        errors["for_whom"] = ["设立登记事项由创办人以个人身份申请，服务对象应为 person"]
    if missing := [name for name in v.FOUNDING_FIELDS if name not in {f["name"] for f in data["fields"]}]:
        errors["fields"] = [f"设立登记事项的表单须包含：{'、'.join(missing)}"]
    if len(founding) > 1:
        errors["results"] = ["一个事项只能登记一个新设立的企业"]
    elif "business.credit_code" not in data["results"][founding[0]]["fields"].values():
        errors["results"] = {founding[0]: {"fields": ["须将统一社会信用代码（business.credit_code）写入所发证照"]}}
    return errors


class ItemCreateSchema(ItemBaseSchema):
    code = _pattern(v.ITEM_CODE, "事项编码格式应为 430200-SCJG-001", required=True)


class ItemUpdateSchema(ItemBaseSchema):
    version = mf.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "the version you edited"})


class ItemSchema(ItemCreateSchema):
    department_name = mf.String()
    version = mf.Integer()
    created_at = mf.String()
    updated_at = mf.String()


class ItemSummarySchema(Schema):
    code = mf.String()
    name = mf.String()
    department = mf.String()
    department_name = mf.String()
    kind = mf.String()
    legal_days = mf.Integer()
    promised_days = mf.Integer()
    fee_fen = mf.Integer()
    for_whom = mf.String()
    visits = mf.Integer()
    online_depth = mf.Integer()
    tags = mf.List(mf.String())
    summary = mf.String()


# -- one-thing bundles -----------------------------------------------------------------------------------


class BundleFieldSchema(FormFieldSchema):
    items = mf.List(mf.String(), required=True, metadata={"description": "codes of the items that use this field"})


class BundleMaterialSchema(MaterialSchema):
    items = mf.List(mf.String(), required=True, metadata={"description": "codes of the items that need it"})


class BundleBaseSchema(Schema):
    name = _text(2, 100, required=True)
    summary = _text(2, 300, required=True)
    for_whom = mf.String(required=True, validate=_one_of(v.FOR_WHOM))
    lead_department = mf.String(required=True, metadata={"description": "department code of the lead (牵头) department"})
    items = mf.List(mf.String(), required=True, validate=validate.Length(min=1, max=30))
    tags = mf.List(mf.String(validate=_one_of(v.TAGS)), load_default=list)
    fields = mf.List(
        mf.Nested(BundleFieldSchema),
        load_only=True,
        metadata={"description": "optional: if sent, it must equal the form merged from the items"},
    )
    status = mf.String(load_default="active", validate=_one_of(v.STATUSES))

    @validates_schema
    def _unique(self, data, **kwargs):
        errors = {}
        if repeated := _duplicates(data["items"]):
            errors["items"] = [f"事项重复：{'、'.join(repeated)}"]
        if repeated := _duplicates(data["tags"]):
            errors["tags"] = [f"标签重复：{'、'.join(repeated)}"]
        if errors:
            raise ValidationError(errors)


class BundleCreateSchema(BundleBaseSchema):
    code = _pattern(v.BUNDLE_CODE, "一件事编码应为小写字母、数字和连字符，如 open-restaurant", required=True)


class BundleUpdateSchema(BundleBaseSchema):
    version = mf.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "the version you edited"})


class DepartmentRefSchema(Schema):
    code = mf.String()
    name = mf.String()
    short_name = mf.String()


class BundleGuideSchema(Schema):
    """The bundle's guide in one glance, summed up from its items' guides."""

    total_fee_fen = mf.Integer()
    max_promised_days = mf.Integer()
    max_legal_days = mf.Integer()
    visits = mf.Integer(metadata={"description": "in-person visits: the most any item needs (0 or 1)"})
    delivery = mf.List(mf.String(), metadata={"description": "ways every posted result can reach the applicant"})
    online_depth = mf.Integer(metadata={"description": "the lowest online depth of its items"})
    acr_level = mf.Integer(metadata={"description": "the real-name level the bundle needs: the highest of its items"})
    departments = mf.List(mf.Nested(DepartmentRefSchema))


class BundleSummarySchema(Schema):
    code = mf.String()
    name = mf.String()
    summary = mf.String()
    for_whom = mf.String()
    lead_department = mf.String()
    lead_department_name = mf.String()
    tags = mf.List(mf.String())
    items = mf.List(mf.String())
    guide = mf.Nested(BundleGuideSchema)


class BundleSchema(BundleSummarySchema):
    status = mf.String()
    fields = mf.List(mf.Nested(BundleFieldSchema), metadata={"description": "the merged form: one field per canonical name"})
    materials = mf.List(mf.Nested(BundleMaterialSchema))
    item_guides = mf.List(mf.Nested(ItemSummarySchema))
    version = mf.Integer()
    created_at = mf.String()
    updated_at = mf.String()


class CatalogQuerySchema(Schema):
    q = mf.String(validate=validate.Length(max=50), metadata={"description": "keywords, all must match"})
    department = mf.String(validate=validate.Length(max=20), metadata={"description": "department code"})
    tag = mf.String(validate=_one_of(v.TAGS))
    for_whom = mf.String(validate=_one_of(v.FOR_WHOM))


class CertificateTypeOutSchema(CertificateTypeSchema):
    issuer_name = mf.String()
