"""When a new appointment's reminder is written at booking rather than by the day-before run."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.reminders import REMINDER_RUN, RUN_MARGIN, due_at_booking

START = datetime(2026, 3, 4, 9, 0, tzinfo=ISTANBUL)  # a Wednesday; its run: Tuesday 10:00


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=ISTANBUL)


def test_booked_for_tomorrow_before_the_run_the_run_reminds():
    assert not due_at_booking(START, at(3, 9, 0))
    assert not due_at_booking(START, at(3, 10, 0) - RUN_MARGIN - timedelta(seconds=1))


def test_booked_for_tomorrow_once_the_run_is_over_or_about_to_start_the_booking_reminds():
    assert due_at_booking(START, at(3, 10, 0) - RUN_MARGIN)
    assert due_at_booking(START, at(3, 15, 0))
    assert due_at_booking(START, at(3, 23, 59))


def test_booked_further_ahead_the_run_reminds():
    assert not due_at_booking(START, at(2, 15, 0))
    assert not due_at_booking(START + timedelta(days=7), at(3, 15, 0))


def test_the_rule_reads_istanbul_time_whatever_the_clock_zone():
    assert due_at_booking(START, datetime(2026, 3, 3, 7, 0, tzinfo=timezone.utc))  # 10:00 Istanbul
    assert not due_at_booking(START, datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc))  # 09:00


def test_the_schedule_runs_at_the_time_the_rule_assumes():
    import app

    [schedule] = [s for s in app.app.event_sources if getattr(s, "name", None) == "send_reminders"]
    utc = datetime.combine(START.date(), REMINDER_RUN, tzinfo=ISTANBUL).astimezone(timezone.utc)
    assert schedule.schedule_expression == f"cron({utc.minute} {utc.hour} * * ? *)"
