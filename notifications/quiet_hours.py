"""Quiet hours (22:00–08:00 Asia/Shanghai by default): non-urgent SMS wait until the morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from api.clock import local_zone


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    zone_name: str = "Asia/Shanghai"

    @classmethod
    def parse(cls, spec: str | None, zone_name: str = "Asia/Shanghai") -> QuietHours | None:
        """ "22:00-08:00" → QuietHours; "" or "off" → None (no quiet hours)."""
        if not spec or spec.strip().lower() in ("off", "none"):
            return None
        try:
            start, end = (time.fromisoformat(part.strip()) for part in spec.split("-"))
        except ValueError as exc:
            raise ValueError(f"quiet hours {spec!r}: expected HH:MM-HH:MM") from exc
        if start == end:
            raise ValueError(f"quiet hours {spec!r}: start and end are the same")
        local_zone(zone_name)  # fail at start-up, not at 22:00
        return cls(start, end, zone_name)

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(local_zone(self.zone_name))

    def contains(self, moment: datetime) -> bool:
        now = self._local(moment).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # the span crosses midnight

    def ends_after(self, moment: datetime) -> datetime:
        """The first moment after `moment` (UTC) when the quiet hours are over."""
        local = self._local(moment)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)
