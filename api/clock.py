"""Time as the store keeps it: UTC ISO-8601 strings with a Z, fixed width so that they sort as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """2026-05-03T06:30:00.000Z — millisecond precision, always 24 characters."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous: pass an aware UTC datetime")
    # isoformat ends "+00:00" in UTC; it is a third faster than strftime and pads years below 1000 to four digits
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def from_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_zone(name: str = "Asia/Shanghai"):
    """The zone the people live in; China has kept UTC+8 without DST since 1991, the fallback if tzdata is absent."""
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        if name == "Asia/Shanghai":
            return timezone(timedelta(hours=8), "CST")
        raise


def now_iso() -> str:
    return to_iso(utcnow())


def iso_in(seconds: float) -> str:
    """The moment `seconds` from now, as the store keeps it."""
    return to_iso(utcnow() + timedelta(seconds=seconds))
