"""The appointment rules' numbers, read from the app's config with the defaults the issue states.

Keys (all optional; values may arrive as text): APPOINTMENTS_HORIZON_DAYS (14), APPOINTMENTS_BOOKING_CLOSES_MINUTES
(60: booking closes 1 h before the slot), APPOINTMENTS_CANCEL_UNTIL_MINUTES (120), APPOINTMENTS_CHECK_IN_EARLY_MINUTES
(30), APPOINTMENTS_CHECK_IN_LATE_MINUTES (15), APPOINTMENTS_NO_SHOW_LIMIT (3), APPOINTMENTS_NO_SHOW_WINDOW_DAYS (90),
APPOINTMENTS_SUSPENSION_DAYS (30), APPOINTMENTS_REMINDER_HOURS ("24,1": reminders that many hours before),
APPOINTMENTS_AVAILABILITY_MAX_AGE (10 seconds of public caching), APPOINTMENTS_MIN_REAL_NAME_LEVEL (2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

_PREFIX = "APPOINTMENTS_"


def _hours(value: Any) -> tuple[float, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    hours = tuple(sorted((float(part) for part in value), reverse=True))
    if any(hour <= 0 for hour in hours):
        raise ValueError(f"APPOINTMENTS_REMINDER_HOURS {value!r}: positive hours")
    return hours


@dataclass(frozen=True)
class AppointmentSettings:
    horizon_days: int = 14
    booking_closes_minutes: int = 60
    cancel_until_minutes: int = 120
    check_in_early_minutes: int = 30
    check_in_late_minutes: int = 15
    no_show_limit: int = 3
    no_show_window_days: int = 90
    suspension_days: int = 30
    reminder_hours: tuple[float, ...] = (24.0, 1.0)
    availability_max_age: int = 10
    min_real_name_level: int = 2

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AppointmentSettings:
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = config.get(_PREFIX + field.name.upper())
            if raw is None or raw == "":
                continue
            values[field.name] = _hours(raw) if field.name == "reminder_hours" else int(raw)
        settings = cls(**values)
        if settings.horizon_days < 1 or settings.no_show_limit < 1 or settings.check_in_early_minutes < 0:
            raise ValueError("APPOINTMENTS_HORIZON_DAYS and APPOINTMENTS_NO_SHOW_LIMIT must be at least 1")
        return settings


def settings_of(app=None) -> AppointmentSettings:
    """The app's settings, parsed once and kept in app.extensions."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    settings = app.extensions.get("appointment_settings")
    if settings is None:
        settings = app.extensions["appointment_settings"] = AppointmentSettings.from_config(app.config)
    return settings
