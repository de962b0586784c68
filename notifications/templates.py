"""Message templates: one per event, Chinese, rendered with the event's data (texts in templates_zh.py).

Each template states its data contract as `sample`: every placeholder its texts use, with a realistic,
long example value. `enqueue()` refuses data that misses a field of the contract, so a wrong
placeholder fails the caller's test rather than a message to a resident; tests render every
template with its sample and check the SMS length.

Placeholders are `{name}` or `{name:format}` with a format from FORMATS: `yuan` (integer fen →
"1234.56元"), `time` / `date` (UTC ISO-8601 → Asia/Shanghai "5月3日14:30" / "5月3日").
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api.clock import from_iso, local_zone

SMS_SIGNATURE = "【一次办】"
SMS_SEGMENT_CHARS = 70  # one segment of a Chinese (UCS-2) SMS
SMS_LONG_SEGMENT_CHARS = 67  # each segment of a concatenated SMS loses 3 characters to its header


class TemplateError(ValueError):
    """A template cannot be rendered with the data given: a programming error, never the resident's."""


def _yuan(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TemplateError(f"an amount must be integer fen, not {value!r}")
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}元"


def _local(value: Any):
    try:
        return from_iso(value).astimezone(local_zone())
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"a time must be an ISO-8601 string, not {value!r}") from exc


def _time(value: Any) -> str:
    moment = _local(value)
    return f"{moment.month}月{moment.day}日{moment:%H:%M}"


def _date(value: Any) -> str:
    moment = _local(value)
    return f"{moment.month}月{moment.day}日"


def _plain(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        raise TemplateError(f"{value!r} cannot be shown in a message")
    return str(value)


FORMATS = {"": _plain, "yuan": _yuan, "time": _time, "date": _date}


class _StrictFormatter(string.Formatter):
    """str.format without attribute or index access, with our formats, and no silent gaps."""

    def get_field(self, field_name: str, args: Any, kwargs: Mapping[str, Any]):
        if not field_name.isidentifier():
            raise TemplateError(f"placeholder {{{field_name}}}: plain names only")
        if field_name not in kwargs:
            raise TemplateError(f"placeholder {{{field_name}}} has no value in the data")
        return kwargs[field_name], field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec not in FORMATS:
            raise TemplateError(f"unknown format {format_spec!r}; known: {sorted(FORMATS)}")
        return FORMATS[format_spec](value)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion:
            raise TemplateError("conversions (!r, !s) are not used in templates")
        return value


_FORMATTER = _StrictFormatter()


def placeholders(text: str) -> set[str]:
    """The data fields a text uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def format_text(text: str, data: Mapping[str, Any]) -> str:
    try:
        return _FORMATTER.vformat(text, (), data)
    except (IndexError, KeyError, ValueError) as exc:
        raise TemplateError(str(exc)) from exc


def sms_segments(text: str) -> int:
    if len(text) <= SMS_SEGMENT_CHARS:
        return 1
    return math.ceil(len(text) / SMS_LONG_SEGMENT_CHARS)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    sms: str | None  # with the signature
    link: str | None


@dataclass(frozen=True)
class Template:
    event: str
    title: str  # inbox and push
    body: str  # inbox and push
    sample: dict[str, Any]  # the data contract, with realistic long values
    sms: str | None = None  # without the signature; None: no SMS for this event
    link: str | None = None  # where the PWA opens it
    urgent: bool = False  # sent at once, even in quiet hours
    account_channels: bool = True  # inbox and Web Push; False when the recipient may have no account yet
    secret_fields: tuple[str, ...] = ()  # blanked in the outbox once the message is sent or dead
    texts: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "texts", tuple(t for t in (self.title, self.body, self.sms, self.link) if t))

    @property
    def fields(self) -> set[str]:
        return set().union(*(placeholders(text) for text in self.texts))

    def missing(self, data: Mapping[str, Any]) -> list[str]:
        return sorted(name for name in self.sample if name not in data)

    def render(self, data: Mapping[str, Any]) -> Rendered:
        return Rendered(
            title=format_text(self.title, data),
            body=format_text(self.body, data),
            sms=SMS_SIGNATURE + format_text(self.sms, data) if self.sms else None,
            link=format_text(self.link, data) if self.link else None,
        )


def template_for(event: str) -> Template:
    from .templates_zh import TEMPLATES

    try:
        return TEMPLATES[event]
    except KeyError:
        raise TemplateError(f"no template for event {event!r}") from None


def render(event: str, data: Mapping[str, Any]) -> Rendered:
    return template_for(event).render(data)
