"""Run the suite at a chosen hour of the Istanbul day: `TEST_ISTANBUL_TIME=23:58 make test`,
or of a chosen weekday: `TEST_ISTANBUL_TIME="Tue 09:00" make test`.

The service's "today" is Istanbul's; a test that moves the clock by hours, or compares the
stack's date with the machine's, breaks only near midnight. This starts the service clock (the
in-process one, and the local stack's) at that time of the next such moment, so that hour can
be tried at will instead of waiting for it. A test that counts working days breaks only on some
weekdays (on a Tuesday, today + 4 and today + 5 are a weekend and roll on to the same Monday):
with a weekday the clock starts at the next such weekday and time."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta, timezone

from chalicelib.clock import clock
from chalicelib.domain.calendar import ISTANBUL

VARIABLE = "TEST_ISTANBUL_TIME"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def chosen_moment(now: datetime) -> datetime | None:
    """The next moment at the chosen Istanbul time of day from `now` (None: not chosen)."""
    chosen = os.environ.get(VARIABLE)
    if not chosen:
        return None
    *weekday, hour = chosen.split()
    local = now.astimezone(ISTANBUL)
    moment = datetime.combine(local.date(), time.fromisoformat(hour), tzinfo=ISTANBUL)
    if moment < local:
        moment += timedelta(days=1)
    if weekday:
        name = weekday[0][:3].capitalize()
        if len(weekday) > 1 or name not in WEEKDAYS:
            raise ValueError(f"{VARIABLE}={chosen!r}: give HH:MM, or one weekday ({', '.join(WEEKDAYS)}) and HH:MM")
        moment += timedelta(days=(WEEKDAYS.index(name) - moment.weekday()) % 7)
    return moment


def restore_clock() -> None:
    """Back to the real time, or to the chosen hour when one is set (instead of clock.reset())."""
    clock.reset()
    moment = chosen_moment(datetime.now(timezone.utc))
    if moment is not None:
        clock.travel(moment - datetime.now(timezone.utc))
