"""Attendance: recorded by staff once the appointment has started, once; what is not recorded
by the end of the appointment's day is a no-show.

Lateness: the person may arrive up to the directorate's grace period (catalogue:
`Directorate.grace_minutes`) after the start, so a no-show is recorded only once it has passed;
from then on staff may refuse a late arrival as a no-show — or still receive them: recording
`attended` stays possible at any time (a counter often records the morning's visits later)."""

from __future__ import annotations

import enum
import hmac
from datetime import date, datetime, timedelta

from chalicelib.domain.calendar import ISTANBUL, WORKING_HOURS
from chalicelib.domain.errors import AppointmentFinal, ValidationFailed
from chalicelib.domain.verification import code_digest

CONFIRMED = "confirmed"
CANCELLED_BY_AUTHORITY = "cancelled_by_authority"


class Outcome(str, enum.Enum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"


def require_recordable(status: str, attendance: str | None, start: datetime, now: datetime) -> None:
    if status != CONFIRMED:
        raise AppointmentFinal("This appointment was cancelled by the directorate; there is no attendance to record.")
    if attendance is not None:
        raise AppointmentFinal(f"Attendance is already recorded for this appointment ({attendance}).", attendance=attendance)
    if now < start:
        raise ValidationFailed("The appointment has not started yet; record attendance once it has.")


def late_from(start: datetime, grace_minutes: int) -> datetime:
    """From this moment on the person is late: staff may refuse the visit as a no-show."""
    return start + timedelta(minutes=grace_minutes)


def require_in_time(outcome: Outcome, start: datetime, now: datetime, grace_minutes: int) -> None:
    """A no-show only once the grace period is over: until then the person may still come."""
    if outcome is Outcome.NO_SHOW and now < late_from(start, grace_minutes):
        late = late_from(start, grace_minutes).astimezone(ISTANBUL)
        raise ValidationFailed(
            f"The person may still come: a no-show can be recorded from {late:%H:%M} (Istanbul time), "
            f"once the directorate's {grace_minutes}-minute grace period has passed.",
            field="outcome",
            grace_minutes=grace_minutes,
            no_show_from=late.isoformat(),
        )


def day_is_over(day: date, now: datetime) -> bool:
    """Working hours of `day` (Istanbul) have ended: its unrecorded appointments are no-shows."""
    closing = datetime.combine(day, WORKING_HOURS.afternoon.end, tzinfo=ISTANBUL)
    return now >= closing


def require_checkin_code(given: str | None, stored_digest: str | None, appointment_id: str) -> None:
    """Staff may pass the code the person received the day before; a wrong code is refused."""
    if given is None:
        return
    if stored_digest is None or not hmac.compare_digest(stored_digest, code_digest(appointment_id, given)):
        raise ValidationFailed("The check-in code is not correct.", field="checkin_code")
