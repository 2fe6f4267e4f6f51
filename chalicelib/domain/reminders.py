"""When an appointment's reminder (with its check-in code) is written.

The day before each appointment, the 10:00 Istanbul run (`REMINDER_RUN`, app.py's schedule
`send_reminders`) reminds every appointment of the next day. An appointment booked once that
run may already have passed it by — booked after 10:00 for tomorrow, or for a day whose run is
over — gets its reminder at booking instead, in the booking's own transaction.

`RUN_MARGIN` before the run counts as "already run": the run reads a secondary index (eventually
consistent) and its schedule may fire a little late or early, so a booking made just before 10:00
might be missed by it. In that margin both write the reminder; both write it on condition that
neither the reminder nor the appointment's check-in code exists, so exactly one is ever written.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from chalicelib.domain.calendar import ISTANBUL, local_day

REMINDER_RUN = time(10, 0)  # Istanbul; the day before the appointment
RUN_MARGIN = timedelta(minutes=15)


def reminder_run_for(day: date) -> datetime:
    """When the run that reminds the appointments of `day` takes place."""
    return datetime.combine(day - timedelta(days=1), REMINDER_RUN, tzinfo=ISTANBUL)


def due_at_booking(start: datetime, now: datetime) -> bool:
    """An appointment starting at `start`, booked at `now`, is reminded at booking: its day's
    reminder run has happened already (or may happen before the new appointment is visible to it)."""
    return now >= reminder_run_for(local_day(start)) - RUN_MARGIN
