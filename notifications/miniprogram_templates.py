"""Subscription-message templates of the mini-program (订阅消息模板): one per event, configuration.

Each event maps to the template id chosen in the mini-program's admin console, the page the message
opens, and the template's data fields. A field key is its platform type followed by a number
(`thing1`, `character_string2`, `time3` …): the type sets what the value may hold, and `fit()` cuts a
value to that rule. Values are our template placeholders (templates.py), with two more formats for
the platform's time and date types: `{starts_at:wxtime}` → "2026年5月3日 14:30", `{due_at:wxdate}` →
"2026年5月3日".

MINIPROGRAM_TEMPLATES (api/config.py) holds a JSON object {event: {template_id, page, data} | null}
merged over DEFAULTS (null switches an event off). The default template ids are the sandbox's; a
real mini-program configures its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .templates import FORMATS, TemplateError, _local, _StrictFormatter, placeholders, template_for

_APPLICATION_PAGE = "pages/applications/detail?id={application_id}"
_APPOINTMENT_PAGE = "pages/appointments/detail?id={appointment_id}"
_CASE = {"thing1": "{bundle_name}", "character_string2": "{application_no}"}
_PAID = {"thing1": "{bundle_name}", "amount2": "{amount_fen:yuan}"}
_VISIT = {"thing1": "{service_name}", "thing2": "{hall_name}", "time3": "{starts_at:wxtime}"}


def _entry(template_id: str, page: str, data: dict[str, str]) -> dict[str, Any]:
    return {"template_id": template_id, "page": page, "data": data}


DEFAULTS: dict[str, dict[str, Any]] = {
    "application.submitted": _entry("sandbox-application-submitted", _APPLICATION_PAGE, {**_CASE, "phrase3": "已提交"}),
    "application.accepted": _entry(
        "sandbox-application-accepted",
        _APPLICATION_PAGE,
        {**_CASE, "phrase3": "已受理", "thing4": "承诺{promised_days}个工作日内办结"},
    ),  # fmt: skip
    "application.correction_requested": _entry(
        "sandbox-application-correction", _APPLICATION_PAGE, {**_CASE, "thing3": "{reason}", "date4": "{deadline:wxdate}"}
    ),
    "application.approved": _entry(
        "sandbox-application-approved", _APPLICATION_PAGE, {**_CASE, "phrase3": "已办结", "thing4": "电子证照可在一次办查看"}
    ),
    "application.rejected": _entry(
        "sandbox-application-rejected", _APPLICATION_PAGE, {**_CASE, "phrase3": "未通过", "thing4": "{reason}"}
    ),
    "payment.due": _entry("sandbox-payment-due", _APPLICATION_PAGE, {**_PAID, "date3": "{due_at:wxdate}"}),
    "payment.received": _entry("sandbox-payment-received", _APPLICATION_PAGE, {**_PAID, "phrase3": "已缴费"}),
    "payment.refunded": _entry("sandbox-payment-refunded", _APPLICATION_PAGE, {**_PAID, "phrase3": "已退款"}),
    "shipment.created": _entry(
        "sandbox-shipment-created",
        _APPLICATION_PAGE,
        {
            "thing1": "{bundle_name}",
            "character_string2": "{waybill_no}",
            "character_string3": "{pickup_code}",
            "phrase4": "已寄出",
        },
    ),  # fmt: skip
    "shipment.out_for_delivery": _entry(
        "sandbox-shipment-out",
        _APPLICATION_PAGE,
        {"character_string1": "{waybill_no}", "character_string2": "{pickup_code}", "phrase3": "派送中"},
    ),  # fmt: skip
    "shipment.delivered": _entry(
        "sandbox-shipment-delivered", _APPLICATION_PAGE, {"character_string1": "{waybill_no}", "phrase2": "已签收"}
    ),
    "shipment.failed": _entry(
        "sandbox-shipment-failed",
        _APPLICATION_PAGE,
        {"character_string1": "{waybill_no}", "thing2": "{reason}", "phrase3": "投递未成功"},
    ),  # fmt: skip
    "appointment.booked": _entry("sandbox-appointment-booked", _APPOINTMENT_PAGE, {**_VISIT, "phrase4": "预约成功"}),
    "appointment.reminder": _entry("sandbox-appointment-reminder", _APPOINTMENT_PAGE, {**_VISIT, "phrase4": "即将开始"}),
    "appointment.cancelled": _entry("sandbox-appointment-cancelled", _APPOINTMENT_PAGE, {**_VISIT, "phrase4": "已取消"}),
}

# -- the platform's value rules (订阅消息参数值内容限制), and cutting a value to fit them -----------------

_KEY = re.compile(r"^([a-z_]+?)(\d+)$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
ELLIPSIS = "…"
LIMITS = {  # type: (most characters, what the characters may be)
    "thing": 20,  # any characters
    "character_string": 32,  # printable ASCII: digits, letters, symbols
    "number": 32,  # digits, with decimals
    "letter": 32,  # letters only
    "symbol": 5,  # symbols only
    "phrase": 5,  # Chinese characters only
    "name": 10,  # 10 Chinese characters, or 20 letters/symbols with no Chinese
    "phone_number": 17,
    "car_number": 8,
    "time": 64,
    "date": 64,
    "amount": 14,  # a currency sign, 10 digits, 2 decimals, 元
}
_KEEP = {  # characters each type may hold; others are dropped before cutting
    "character_string": re.compile(r"[\x21-\x7e]"),
    "number": re.compile(r"[0-9.]"),
    "letter": re.compile(r"[A-Za-z]"),
    "symbol": re.compile(r"[^\w\s]"),
    "phrase": _HAN,
    "phone_number": re.compile(r"[0-9+\-() ]"),
}


def field_type(key: str) -> str:
    """`thing1` → `thing`; TemplateError for a key that names no type of the platform."""
    match = _KEY.match(key)
    if match is None or match.group(1) not in LIMITS:
        raise TemplateError(f"data field {key!r}: not <type><number> with a type of {sorted(LIMITS)}")
    return match.group(1)


def fit(kind: str, value: str) -> str:
    """`value` cut cleanly to the rule of the platform's field type `kind`.

    thing: at most 20 characters, the 20th an ellipsis when cut (the reader sees it was cut);
    character_string / number / letter / symbol / phrase / phone_number: the characters the type
    allows, then cut to its length (no ellipsis: it is not one of those characters); name: 10
    characters if it holds Chinese, else 20; other types are kept to their length.
    """
    value = " ".join(str(value).split())  # no line breaks or runs of spaces in a one-line field
    if kind in _KEEP:
        value = "".join(_KEEP[kind].findall(value))
    limit = LIMITS[kind]
    if kind == "name" and not _HAN.search(value):
        limit = 20
    if len(value) <= limit:
        return value
    if kind == "thing":
        return value[: limit - 1].rstrip() + ELLIPSIS
    return value[:limit]


# -- rendering -----------------------------------------------------------------------------------


def _wxtime(value: Any) -> str:
    moment = _local(value)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _wxdate(value: Any) -> str:
    moment = _local(value)
    return f"{moment.year}年{moment.month}月{moment.day}日"


class _Formatter(_StrictFormatter):
    formats = {**FORMATS, "wxtime": _wxtime, "wxdate": _wxdate}

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec not in self.formats:
            raise TemplateError(f"unknown format {format_spec!r}; known: {sorted(self.formats)}")
        return self.formats[format_spec](value)


_FORMATTER = _Formatter()


@dataclass(frozen=True)
class MiniprogramTemplate:
    event: str
    template_id: str
    page: str
    data: dict[str, str]

    def render(self, values: Mapping[str, Any]) -> tuple[str, dict[str, dict[str, str]]]:
        """(page, data) for subscribeMessage.send, every value cut to its field's rule."""
        try:
            page = _FORMATTER.vformat(self.page, (), values)
            data = {key: {"value": fit(field_type(key), _FORMATTER.vformat(text, (), values))} for key, text in self.data.items()}
        except (IndexError, KeyError, ValueError) as exc:
            raise TemplateError(f"{self.event}: {exc}") from exc
        return page, data


def _template(event: str, entry: Any) -> MiniprogramTemplate:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("template_id"), str) or not entry["template_id"]:
        raise TemplateError(f"MINIPROGRAM_TEMPLATES[{event!r}]: an object with a template_id")
    data = entry.get("data")
    if not isinstance(data, Mapping) or not data or not all(isinstance(v, str) for v in data.values()):
        raise TemplateError(f"MINIPROGRAM_TEMPLATES[{event!r}].data: an object of field → text")
    for key in data:
        field_type(key)
    known = set(template_for(event).sample)
    used = set().union(placeholders(str(entry.get("page") or "")), *(placeholders(text) for text in data.values()))
    if used - known:
        raise TemplateError(f"MINIPROGRAM_TEMPLATES[{event!r}]: {sorted(used - known)} are not in the event's data")
    return MiniprogramTemplate(event, entry["template_id"], str(entry.get("page") or ""), dict(data))


def load(raw: Any = None) -> dict[str, MiniprogramTemplate]:
    """DEFAULTS with MINIPROGRAM_TEMPLATES (a JSON text or a mapping) merged over them, checked."""
    overrides = json.loads(raw) if isinstance(raw, str) and raw.strip() else (raw or {})
    if not isinstance(overrides, Mapping):
        raise TemplateError("MINIPROGRAM_TEMPLATES: a JSON object of event → template")
    merged = {**DEFAULTS, **overrides}
    return {event: _template(event, entry) for event, entry in merged.items() if entry is not None}


_ACTIVE: dict[str, dict[str, MiniprogramTemplate]] = {}


def configure(raw: Any) -> dict[str, MiniprogramTemplate]:
    """The app's templates, set at start-up: enqueue() gives a message the mini-program channel by them."""
    _ACTIVE["templates"] = load(raw)
    return _ACTIVE["templates"]


def active() -> dict[str, MiniprogramTemplate]:
    if "templates" not in _ACTIVE:
        _ACTIVE["templates"] = load()
    return _ACTIVE["templates"]
