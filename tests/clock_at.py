"""Run the suite at a chosen hour of the Istanbul day: `TEST_ISTANBUL_TIME=23:58 make test`.

The service's "today" is Istanbul's; a test that moves the clock by hours, or compares the
stack's date with the machine's, breaks only near midnight. This starts the service clock (the
in-process one, and the local stack's) at that time of the next such moment, so that hour can
be tried at will instead of waiting for it."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta, timezone

from chalicelib.clock import clock
from chalicelib.domain.calendar import ISTANBUL

VARIABLE = "TEST_ISTANBUL_TIME"


def chosen_moment(now: datetime) -> datetime | None:
    """The next moment at the chosen Istanbul time of day from `now` (None: not chosen)."""
    chosen = os.environ.get(VARIABLE)
    if not chosen:
        return None
    local = now.astimezone(ISTANBUL)
    moment = datetime.combine(local.date(), time.fromisoformat(chosen), tzinfo=ISTANBUL)
    return moment if moment >= local else moment + timedelta(days=1)


def restore_clock() -> None:
    """Back to the real time, or to the chosen hour when one is set (instead of clock.reset())."""
    clock.reset()
    moment = chosen_moment(datetime.now(timezone.utc))
    if moment is not None:
        clock.travel(moment - datetime.now(timezone.utc))
