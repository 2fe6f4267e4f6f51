"""Giving a place back (issue 12, item 5): a person who cannot come releases their confirmed
appointment. It is no no-show, and the 30-day lock stays (the rule forbids booking again, not
returning a place). The freed place goes back to the pool at a random moment within a window,
drawn with `secrets` and never shown, so that nobody can hand a place over to someone waiting
for it; or, where the directorate assigns this service, to the waiting queue first."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.attendance import CONFIRMED
from chalicelib.domain.errors import AppointmentFinal, ValidationFailed

RELEASED = "released"


@dataclass(frozen=True)
class ReturnDelay:
    """How long after its release a place returns to the pool: uniformly within [low, high]
    minutes, to the second."""

    low_minutes: int = 15
    high_minutes: int = 90

    def __post_init__(self) -> None:
        if not 0 <= self.low_minutes <= self.high_minutes:
            raise ValueError("the place-return delay needs 0 <= low <= high minutes")


def releasable(status: str, attendance: str | None, start: datetime, now: datetime) -> bool:
    """Whether the person may give this appointment's place back now (`require_releasable` says why not)."""
    try:
        require_releasable(status, attendance, start, now)
    except (AppointmentFinal, ValidationFailed):
        return False
    return True


def require_releasable(status: str, attendance: str | None, start: datetime, now: datetime) -> None:
    if status == RELEASED:
        raise AppointmentFinal("You have already given this place back.")
    if status != CONFIRMED or attendance is not None:
        raise AppointmentFinal("Only a confirmed appointment that is still to come can be given back.")
    if start <= now:
        raise ValidationFailed("This appointment has already started: it can no longer be given back.", field="appointment_id")


def return_moment(released_at: datetime, delay: ReturnDelay) -> datetime:
    """The secret moment the place returns to the pool (a cryptographic draw: not guessable
    from the release time)."""
    span = (delay.high_minutes - delay.low_minutes) * 60
    return released_at + timedelta(minutes=delay.low_minutes, seconds=secrets.randbelow(span + 1))
