"""The 30-day lockout: after a confirmed appointment (or a no-show) no new booking of any kind."""

from __future__ import annotations

from datetime import datetime, timedelta

LOCK_PERIOD = timedelta(days=30)


def lock_in_force(locked_until: datetime | None, now: datetime) -> datetime | None:
    """The end of the lock when one is in force now, else None (an expired lock is no lock)."""
    if locked_until is not None and locked_until > now:
        return locked_until
    return None
