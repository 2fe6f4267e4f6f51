"""The 30-day lockout: once an appointment is confirmed, no new booking of any kind for 30 days;
a no-show means a 30-day wait too (counted from the missed appointment)."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.errors import LockedOut, ValidationFailed

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


def lock_after_corrected_no_show(current_lock: datetime | None, set_by_no_show: datetime | None, lock_before: datetime | None) -> datetime | None:
    """A no-show corrected to attended: the lock the no-show started gives way to the one the
    person had before it (the booking's, if still running). A lock changed since (shortened or
    lifted by a supervisor, or a new booking) stays as it is."""
    return lock_after_cancellation(current_lock, set_by_no_show, lock_before) if set_by_no_show is not None else current_lock


def adjusted_lock(current_lock: datetime | None, requested: datetime | None, now: datetime) -> datetime | None:
    """A supervisor's or admin's change of a lock in force: lifted (None, or a moment already
    past) or shortened (an earlier end); never started, never lengthened."""
    in_force = lock_in_force(current_lock, now)
    if in_force is None:
        raise ValidationFailed("This person has no lock in force: there is nothing to lift or shorten.", field="locked_until")
    if requested is None or requested <= now:
        return None
    if requested >= in_force:
        raise ValidationFailed(
            "A lock may only be shortened or lifted: give an end earlier than the current one, or null to lift it.",
            field="locked_until",
            locked_until=in_force.astimezone(ISTANBUL).isoformat(),
        )
    return requested
