"""Corrections and appeals (issue 12, item 4): what staff may correct, and on which grounds a
supervisor or an administrator lifts or shortens a lock.

- An attendance mark (recorded by staff, or by the end-of-day sweep) may be corrected by staff of
  the directorate within 7 days of the appointment, with a reason; after that it stands.
- A follow-up visit for the same matter (a missing document) is issued by staff on a slot of
  their directorate; it starts no lock, and a lock in force does not stop it.
The lock rules themselves (what a correction or a lift does to the lock) are in `lockout.py`."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from chalicelib.domain.attendance import CONFIRMED
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.errors import AppointmentFinal, ValidationFailed

CORRECTION_WINDOW = timedelta(days=7)


class LockGrounds(str, enum.Enum):
    """Why a lock is lifted or shortened: a closed list (with a free-text reason beside it)."""

    FORCE_MAJEURE = "force_majeure"  # illness, accident, disaster, a death in the family…
    AUTHORITY_ERROR = "authority_error"  # the directorate's or the system's mistake
    WRONG_ATTENDANCE = "wrong_attendance"  # a mark that should not have been recorded
    OTHER = "other"


def correctable_until(start: datetime) -> datetime:
    return start + CORRECTION_WINDOW


def require_correctable(status: str, recorded: str | None, outcome: str, start: datetime, now: datetime, reason: str | None) -> None:
    """An attendance already recorded may be corrected, with a reason, within 7 days of the
    appointment, to the other outcome."""
    if status != CONFIRMED or recorded is None:
        raise AppointmentFinal("There is no attendance mark on this appointment to correct.")
    if not reason:
        raise ValidationFailed(
            f"Attendance is already recorded ({recorded}); to correct it, give a reason.", field="reason", attendance=recorded
        )
    until = correctable_until(start)
    if now > until:
        raise AppointmentFinal(
            f"An attendance mark can be corrected only within 7 days of the appointment (until "
            f"{until.astimezone(ISTANBUL):%d.%m.%Y %H:%M}, Istanbul time); this one stands.",
            attendance=recorded,
            correctable_until=until.astimezone(ISTANBUL).isoformat(),
        )
    if outcome == recorded:
        raise ValidationFailed(f"Attendance is already recorded as {recorded}: there is nothing to correct.", field="outcome")


def require_follow_up_of(status: str) -> None:
    """A follow-up continues a matter the person was booked for: not one the authority
    cancelled (that person is re-queued with priority) nor one given back."""
    if status != CONFIRMED:
        raise AppointmentFinal("A follow-up visit can only continue an appointment that took place or is still to come.")
