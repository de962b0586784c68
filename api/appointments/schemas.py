"""What the appointments API reads and shows: halls (admin), bookings (residents, businesses), the queue (clerks).

Rules one document can check by itself live here (codes, hours in order, windows naming known groups);
rules that need the store (items exist in the catalogue) are the service's.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.catalog.vocabulary import ITEM_CODE
from api.schema_messages import install_chinese_messages

from .rules import definition_errors, duplicates

install_chinese_messages()

HALL_CODE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")  # zz-smzx
GROUP_CODE = re.compile(r"^[A-Z]{1,2}$")  # the queue number's prefix: A → A023
WINDOW_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")  # A01
FLOOR_CODE = re.compile(r"^[A-Z0-9]{1,4}$")  # 1F, B1
CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")  # 09:00, Asia/Shanghai
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HALL_KINDS = ("city", "district", "community")  # 市级大厅 | 区县中心 | 街道社区便民服务点
HALL_STATUSES = ("active", "inactive")


def _code(regex, message: str, length: tuple[int, int] | None = None, **kwargs) -> fields.String:
    rules = [validate.Regexp(regex, error=message)]
    if length:
        rules.insert(0, validate.Length(*length))
    return fields.String(validate=rules, **kwargs)


def _text(low: int, high: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(low, high), **kwargs)


# -- halls (admin) ------------------------------------------------------------------------------------


class FloorSchema(Schema):
    code = _code(FLOOR_CODE, "楼层编码应为1到4位大写字母或数字，如 1F", required=True)
    name = _text(1, 20, required=True, metadata={"description": "一楼"})


class GroupSchema(Schema):
    code = _code(GROUP_CODE, "窗口分组编码应为1到2个大写字母（排队号前缀）", required=True)
    name = _text(1, 40, required=True, metadata={"description": "不动产登记与交易税费"})
    floor = fields.String(required=True)


class WindowSchema(Schema):
    code = _code(WINDOW_CODE, "窗口编码应为大写字母开头的2到8位字母或数字，如 A01", required=True)
    name = _text(1, 40, required=True, metadata={"description": "what the calling screen shows: A01窗口"})
    group = fields.String(required=True, metadata={"description": "the window group (queue prefix) it belongs to"})
    items = fields.List(
        _code(ITEM_CODE, "事项编码格式应为 430200-SCJG-001"),
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the catalogue items this window handles"},
    )
    active = fields.Boolean(load_default=True)

    @validates_schema
    def _unique_items(self, data, **kwargs):
        if repeated := duplicates(data["items"]):
            raise ValidationError(f"事项重复：{'、'.join(repeated)}", "items")


class WindowUpdateSchema(WindowSchema):
    class Meta:
        exclude = ("code",)

    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "the hall's version"})


def _period(value) -> None:
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(t, str) and CLOCK_TIME.match(t) for t in value):
        raise ValidationError('时段应为 ["09:00", "12:00"]')
    if value[0] >= value[1]:
        raise ValidationError("时段的开始应早于结束")


def _periods() -> fields.List:
    return fields.List(
        fields.Raw(validate=_period, metadata={"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}),
        load_default=list,
        validate=validate.Length(max=6),
    )


class OpeningHoursSchema(Schema):
    """Opening periods per weekday, Asia/Shanghai; a make-up working day (调休) uses Monday's."""

    mon, tue, wed, thu, fri, sat, sun = (_periods() for _ in WEEKDAYS)

    @validates_schema
    def _in_order(self, data, **kwargs):
        errors = {}
        for day in WEEKDAYS:
            periods = data.get(day) or []
            if any(earlier[1] > later[0] for earlier, later in zip(periods, periods[1:], strict=False)):
                errors[day] = ["时段应按时间先后排列且不重叠"]
        if errors:
            raise ValidationError(errors)


class HallBaseSchema(Schema):
    name = _text(2, 60, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(HALL_KINDS))
    district = _text(2, 30, required=True, metadata={"description": "天元区"})
    address = _text(4, 120, required=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^0\d{2,3}-\d{7,8}$"))
    floors = fields.List(fields.Nested(FloorSchema), required=True, validate=validate.Length(min=1, max=30))
    groups = fields.List(fields.Nested(GroupSchema), required=True, validate=validate.Length(min=1, max=26))
    windows = fields.List(fields.Nested(WindowSchema), required=True, validate=validate.Length(min=1, max=200))
    opening_hours = fields.Nested(OpeningHoursSchema, required=True)
    closed_days = fields.List(fields.Date(), load_default=list, validate=validate.Length(max=366),
                              metadata={"description": "local closures on top of the national holidays"})  # fmt: skip
    slot_minutes = fields.Integer(load_default=30, validate=validate.Range(10, 240), metadata={"description": "slot length"})
    places_per_window = fields.Integer(
        load_default=1, validate=validate.Range(1, 20), metadata={"description": "bookings one window takes per slot"}
    )
    status = fields.String(load_default="active", validate=validate.OneOf(HALL_STATUSES))

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors = definition_errors(data)
        if errors:
            raise ValidationError(errors)


class HallCreateSchema(HallBaseSchema):
    code = _code(HALL_CODE, "大厅编码应为小写字母、数字和连字符，如 zz-smzx", length=(2, 40), required=True)


class HallUpdateSchema(HallBaseSchema):
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "the version you edited"})


class ItemRefSchema(Schema):
    code = fields.String()
    name = fields.String()
    group = fields.String(metadata={"description": "the window group that handles it (queue prefix)"})
    windows = fields.Integer(metadata={"description": "how many open windows handle it"})
    visits = fields.Integer(metadata={"description": "in-person visits the item needs (0 or 1)"})


class HallSchema(HallCreateSchema):
    """A hall as anyone may read it: its floors, window groups, windows and the items handled."""

    class Meta:
        dump_only = ("items", "version", "created_at", "updated_at")

    closed_days = fields.List(fields.String(), metadata={"description": "ISO dates"})
    items = fields.List(fields.Nested(ItemRefSchema))
    version = fields.Integer()
    created_at = fields.String()
    updated_at = fields.String()


class HallSummarySchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    district = fields.String()
    address = fields.String()
    phone = fields.String(allow_none=True)
    status = fields.String()
    items = fields.List(fields.Nested(ItemRefSchema))


class HallQuerySchema(Schema):
    item = _code(ITEM_CODE, "事项编码格式应为 430200-SCJG-001", metadata={"description": "only halls that handle this item"})


class AvailabilityQuerySchema(Schema):
    item = _code(ITEM_CODE, "事项编码格式应为 430200-SCJG-001", required=True)


class SlotSchema(Schema):
    starts_at = fields.String(metadata={"description": "UTC ISO-8601"})
    ends_at = fields.String()
    capacity = fields.Integer(metadata={"description": "places of the windows that handle the item"})
    available = fields.Integer(metadata={"description": "places left; 0 once booking has closed (1 h before)"})


class DaySchema(Schema):
    date = fields.String(metadata={"description": "the local date (Asia/Shanghai)"})
    open = fields.Boolean()
    day_kind = fields.String(metadata={"description": "working | make_up (调休) | weekend | holiday"})
    slots = fields.List(fields.Nested(SlotSchema))


class AvailabilitySchema(Schema):
    hall = fields.String()
    item = fields.String()
    slot_minutes = fields.Integer()
    booking_closes_minutes = fields.Integer()
    days = fields.List(fields.Nested(DaySchema))


# -- bookings -------------------------------------------------------------------------------------------


class BookSchema(Schema):
    hall = _code(HALL_CODE, "大厅编码格式不正确", length=(2, 40), required=True)
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "a slot's start, as the availability lists it"})
    item = _code(ITEM_CODE, "事项编码格式应为 430200-SCJG-001", metadata={"description": "the item to handle"})
    application_id = _text(1, 60, metadata={"description": "or a submitted application that needs a visit"})

    @validates_schema
    def _something_to_do(self, data, **kwargs):
        if not data.get("item") and not data.get("application_id"):
            raise ValidationError("请选择要办理的事项或申请", "item")


class RescheduleSchema(Schema):
    starts_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "the version you read"})


class TicketRefSchema(Schema):
    id = fields.String()
    number = fields.String(metadata={"description": "queue number, e.g. A023"})
    state = fields.String()
    window = fields.String(allow_none=True)
    window_name = fields.String(allow_none=True)


class AppointmentSchema(Schema):
    id = fields.String()
    hall = fields.String()
    hall_name = fields.String()
    hall_address = fields.String()
    item = fields.String()
    item_name = fields.String()
    application_id = fields.String(allow_none=True)
    acting_for = fields.String(allow_none=True, metadata={"description": "the business's credit code, when booked for one"})
    holder_name = fields.String(allow_none=True, metadata={"description": "masked person's name (张*明), or the business's"})
    group = fields.String(metadata={"description": "the window group (queue prefix)"})
    group_name = fields.String()
    floor_name = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()
    state = fields.String(metadata={"description": "booked | checked_in | served | no_show | cancelled"})
    state_label = fields.String()
    booked_at = fields.String()
    cancellable_until = fields.String(metadata={"description": "cancel or reschedule until then (2 h before)"})
    check_in_from = fields.String()
    check_in_until = fields.String()
    check_in_token = fields.String(allow_none=True, metadata={"description": "what the QR code holds; null once over"})
    ticket = fields.Nested(TicketRefSchema, allow_none=True)
    version = fields.Integer()


# -- the queue (clerks) -------------------------------------------------------------------------------


class CheckInSchema(Schema):
    token = _text(10, 512, metadata={"description": "the booking's QR code, as scanned"})
    appointment_id = _text(1, 60, metadata={"description": "or the booking's id, typed when the phone cannot show the QR"})

    @validates_schema
    def _one(self, data, **kwargs):
        if bool(data.get("token")) == bool(data.get("appointment_id")):
            raise ValidationError("token 与 appointment_id 须且只须填一个", "token")


class WalkInTicketSchema(Schema):
    item = _code(ITEM_CODE, "事项编码格式应为 430200-SCJG-001", required=True)


class WindowCallSchema(Schema):
    window = _code(WINDOW_CODE, "窗口编码格式不正确", required=True, metadata={"description": "the window the clerk sits at"})


class TicketSchema(Schema):
    id = fields.String()
    hall = fields.String()
    day = fields.String()
    number = fields.String()
    group = fields.String()
    item = fields.String()
    item_name = fields.String()
    kind = fields.String(metadata={"description": "booked | walk_in; booked visitors are called first"})
    state = fields.String(metadata={"description": "waiting | called | served | no_show"})
    appointment_id = fields.String(allow_none=True)
    holder_name = fields.String(allow_none=True, metadata={"description": "masked: 张*明"})
    window = fields.String(allow_none=True)
    window_name = fields.String(allow_none=True)
    issued_at = fields.String()
    called_at = fields.String(allow_none=True)
    call_count = fields.Integer()
    finished_at = fields.String(allow_none=True)
    version = fields.Integer()


class CheckInResultSchema(Schema):
    ticket = fields.Nested(TicketSchema)
    appointment = fields.Nested(AppointmentSchema)
    waiting_before = fields.Integer(metadata={"description": "tickets of the same group called before this one"})


class CallResultSchema(Schema):
    ticket = fields.Nested(TicketSchema, allow_none=True, metadata={"description": "null when nobody is waiting"})
    waiting = fields.Integer(metadata={"description": "tickets still waiting for this window"})


class QueueSchema(Schema):
    day = fields.String()
    waiting = fields.List(fields.Nested(TicketSchema))
    called = fields.List(fields.Nested(TicketSchema))


class DayQuerySchema(Schema):
    day = fields.Date(metadata={"description": "local date; default today"})


class ScreenCallSchema(Schema):
    number = fields.String()
    window = fields.String()
    window_name = fields.String()
    called_at = fields.String()
    call_count = fields.Integer()


class ScreenGroupSchema(Schema):
    group = fields.String()
    name = fields.String()
    waiting = fields.Integer()


class ScreenSchema(Schema):
    hall = fields.String()
    hall_name = fields.String()
    day = fields.String()
    calling = fields.List(fields.Nested(ScreenCallSchema), metadata={"description": "newest call first"})
    groups = fields.List(fields.Nested(ScreenGroupSchema))
