"""What the statistics endpoints return: figures only, never a person's data."""

from __future__ import annotations

from marshmallow import Schema, fields


class FiguresSchema(Schema):
    applications = fields.Integer(metadata={"description": "Submitted and not withdrawn"})
    online_share = fields.Float(allow_none=True, metadata={"description": "Share submitted online (not at a window)"})
    zero_trip_share = fields.Float(allow_none=True, metadata={"description": "零跑动: share with no visit to a hall"})
    at_most_one_trip_share = fields.Float(allow_none=True, metadata={"description": "最多跑一次: share with at most one visit"})
    completed = fields.Integer()
    rejected = fields.Integer()
    handling_days_avg = fields.Float(allow_none=True, metadata={"description": "Working days, submission to completion"})
    handling_days_p90 = fields.Integer(
        allow_none=True, metadata={"description": "Upper bound of the histogram bucket of the 90th percentile (-1: above 90)"}
    )
    overdue = fields.Integer(metadata={"description": "Completed after the deadline of its items"})
    prefilled_share = fields.Float(allow_none=True, metadata={"description": "Share of form fields prefilled"})
    certificates_reused = fields.Integer(metadata={"description": "E-certificates attached from the vault"})
    payments = fields.Integer()
    paid_yuan = fields.Float(metadata={"description": "Amount paid, in 元"})
    deliveries = fields.Integer()
    delivery_hours_avg = fields.Float(allow_none=True)
    delivery_hours_p90 = fields.Integer(allow_none=True, metadata={"description": "Bucket upper bound in hours (-1: above 240)"})
    ratings = fields.Integer()
    satisfaction = fields.Float(allow_none=True, metadata={"description": "满意率: ratings of 基本满意 or better over all"})
    rating_levels = fields.Dict(keys=fields.String(), values=fields.Integer())


class ScopeFiguresSchema(FiguresSchema):
    code = fields.String()
    name = fields.String()
    promised_days = fields.Integer(allow_none=True, metadata={"description": "Promised time limit (the longest item's)"})


class DepartmentTagsSchema(Schema):
    department = fields.String()
    name = fields.String()
    items = fields.Integer()
    immediate = fields.Integer(attribute="马上办", data_key="马上办")
    online = fields.Integer(attribute="网上办", data_key="网上办")
    nearby = fields.Integer(attribute="就近办", data_key="就近办")
    once = fields.Integer(attribute="一次办", data_key="一次办")


class CatalogueCountsSchema(Schema):
    items = fields.Integer()
    bundles = fields.Integer()
    tags = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "四办: items per class"})
    bundle_tags = fields.Dict(keys=fields.String(), values=fields.Integer())
    zero_visit_items = fields.Integer()
    at_most_one_visit_items = fields.Integer()
    departments = fields.List(fields.Nested(DepartmentTagsSchema))


class OverdueSchema(Schema):
    application_id = fields.String()
    number = fields.String(allow_none=True)
    hall = fields.String(allow_none=True)
    item = fields.String()
    item_name = fields.String(allow_none=True)
    department = fields.String()
    state = fields.String()
    deadline_on = fields.String()
