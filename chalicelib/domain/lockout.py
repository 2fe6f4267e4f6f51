"""The 30-day lockout: once an appointment is confirmed, no new booking of any kind for 30 days;
a no-show means a 30-day wait too (counted from the missed appointment)."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.errors import LockedOut

LOCK_PERIOD = timedelta(days=30)


def lock_in_force(locked_until: datetime | None, now: datetime) -> datetime | None:
    """The end of the lock when one is in force now, else None (an expired lock is no lock)."""
    if locked_until is not None and locked_until > now:
        return locked_until
    return None


def require_not_locked(locked_until: datetime | None, now: datetime) -> None:
    until = lock_in_force(locked_until, now)
    if until is not None:
        local = until.astimezone(ISTANBUL)
        # The message shows the next whole minute: never a time at which booking is still refused.
        shown = (local + timedelta(minutes=1)).replace(second=0, microsecond=0) if local.second or local.microsecond else local
        raise LockedOut(
            "You have a confirmed appointment, or missed one, within the last 30 days: you can book "
            f"again from {shown:%d.%m.%Y %H:%M} (Istanbul time).",
            locked_until=local.isoformat(),
        )


def lock_after_booking(confirmed_at: datetime) -> datetime:
    """Confirming an appointment locks the person out of booking for 30 days from confirmation."""
    return confirmed_at + LOCK_PERIOD


def lock_after_no_show(current_lock: datetime | None, appointment_start: datetime) -> datetime:
    """A no-show locks for 30 days from the missed appointment: it extends a lock, never shortens it."""
    candidate = appointment_start + LOCK_PERIOD
    return max(candidate, current_lock) if current_lock is not None else candidate


def lock_after_cancellation(current_lock: datetime | None, set_by_booking: datetime, lock_before: datetime | None) -> datetime | None:
    """The authority cancelled an appointment: the lock that booking set gives way to the one
    the person had before it. A lock set since by something else (a no-show) stays."""
    if current_lock is not None and current_lock == set_by_booking:
        return lock_before
    return current_lock
