"""A small world for service-level tests: applicants, staff, free slots, bookings."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from chalicelib.adapters.tables import Applicant, StaffMember
from chalicelib.contract import AvailabilityQuery, BookingRequest
from chalicelib.clock import clock
from chalicelib.domain.calendar import is_working_day
from chalicelib.domain.catalogue import PROVINCES, directorates_in, find_directorate
from chalicelib.domain.assignment import window_of
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import booking
from chalicelib.settings import get_settings

FATIH = find_directorate("34-fatih")
MERKEZ = find_directorate("34-merkez")
ADMIN = Caller("admin-1", frozenset({Role.ADMIN}))


# Provinces of one directorate each, from the end of the list, for the tests that need a province
# of their own (a queue, a demand mode, its places): each module starts with empty tables
# (conftest.aws), and within it one process hands each province out once, so no two tests share
# one (tests/services/test_assignment.py takes its own from the start of the list).
_OWN_PROVINCES = iter([p.code for p in reversed(PROVINCES) if len(directorates_in(p.code)) == 1 and p.code not in {"34", "06", "35", "27", "43"}])


def a_province_of_its_own() -> str:
    return next(_OWN_PROVINCES)


def at_the_start_of_a_window() -> None:
    """Moves the clock to one second past the next assignment window's start.

    The clock runs on with real time, and a test's filings take seconds: begun late in a window,
    they fell into two, and a test of one window's draw failed (CI, 40 filings across 08:50:00).
    From a window's start, they have the whole window (minutes) to land in it."""
    minutes = get_settings().assignment_window_minutes
    now = clock.now()
    clock.travel(window_of(now, minutes) + timedelta(minutes=minutes, seconds=1) - now)


def applicant(province="34", status="residence_permit", valid_days=400, language="en") -> Caller:
    applicant_id = str(uuid.uuid4())
    now = clock.now()
    Applicant(
        applicant_id, status="active", document_type="foreign_id", document_number=f"99{uuid.uuid4().int % 10**9:09d}",
        nationality="SYR", given_name="Test", family_name="Person", birth_date="1990-01-01",
        email=f"{applicant_id}@example.net", phone=f"+90555{uuid.uuid4().int % 10**7:07d}", language=language,
        province=province, permit_status=status,
        permit_valid_until=(clock.today() + timedelta(days=valid_days)).isoformat(),
        created_at=now, updated_at=now,
    ).save()
    return Caller(applicant_id, frozenset({Role.APPLICANT}))


def staff_of(directorate) -> Caller:
    account_id = str(uuid.uuid4())
    StaffMember(account_id, directorate_id=directorate.id, email="s@example.org", created_at=clock.now()).save()
    return Caller(account_id, frozenset({Role.STAFF}))


def free_slots(caller, directorate=FATIH, service="address_registration", days=14, room=1):
    """The slots on offer with at least `room` places left: the module's earlier tests book
    Fatih's first days too, so a test that seats several people at one time asks for room."""
    query = AvailabilityQuery.model_validate({"directorate": directorate.id, "service": service, "days": days})
    return [slot for slot in booking.availability(caller, query).slots if slot.remaining >= room]


def a_working_day(after_days: int = 3) -> date:
    day = clock.today() + timedelta(days=after_days)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def the_working_day_after(day: date) -> date:
    """The first working day after `day`: never `day` itself, as `a_working_day(n + 1)` would be
    when the days between are closed (on a Tuesday, +4 and +6 both roll on to Monday)."""
    return a_working_day((day - clock.today()).days + 1)


def slot_owing_confirmation_only(caller, directorate=FATIH):
    """The first free slot whose booking owes its confirmation alone: not tomorrow once the
    day-before reminder run (10:00) has passed, when the reminder is owed at once too
    (domain/reminders.due_at_booking). For tests about one notification, whatever the hour."""
    from chalicelib.domain import reminders

    return next(s for s in free_slots(caller, directorate) if not reminders.due_at_booking(s.start, clock.now()))


def book(caller, slot_id, service="address_registration"):
    return booking.book(caller, BookingRequest(slot_id=slot_id, service=service))


_OUTBOX = "outbox"  # the stream consumer these tests are
_streams = None


def drain_outbox() -> None:
    """The notifications table's stream handed to its handler (services/outbox.py) as the event
    pump hands it: every record written since the last drain, in order, none failing."""
    global _streams
    from chalicelib.adapters.tables import Notification
    from chalicelib.local.streams import StreamReader
    from chalicelib.services import outbox
    from tests.services.conftest import REGION

    _streams = _streams or StreamReader(REGION)
    table = Notification.Meta.table_name
    while records := _streams.take(table, _OUTBOX, limit=100):
        assert outbox.handle_stream_batch({"Records": records}) == {"batchItemFailures": []}
        _streams.advance(table, _OUTBOX, len(records))


def capture_queue(monkeypatch) -> list[str]:
    """The ids put on the sender's queue from now on (nothing reaches SQS)."""
    from chalicelib.services import notifications

    queued: list[str] = []
    monkeypatch.setattr(notifications, "queue", lambda ids: queued.extend(ids) or [])
    return queued
