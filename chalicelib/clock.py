"""The service's sense of time. Injected, so that tests move time instead of sleeping."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from chalicelib.domain.calendar import local_day


class Clock:
    """Wall-clock time (UTC-aware), and today's date where the service lives: Istanbul."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset

    def today(self) -> date:
        return local_day(self.now())

    def travel(self, delta: timedelta) -> None:
        """Move this clock (tests and the local stack only; production never calls it)."""
        self._offset += delta

    def reset(self) -> None:
        self._offset = timedelta(0)


clock = Clock()
