"""Availability served from the summary the slots' stream keeps (services/availability.py): after a
rebuild the page shows what the slots say; bookings, capacity changes and closures reach it as
stream records; duplicate, out-of-order and broken records do not corrupt it.

The stream is synthetic here (Lambda's DynamoDB-stream event, built from the slot items before
and after each change); tests/http checks the same through the local stack's pump."""

from __future__ import annotations

import itertools
import time
import uuid
from datetime import date, timedelta

import pytest

from chalicelib.adapters import availability_summary as store
from chalicelib.adapters.tables import AvailabilityDay, Slot
from chalicelib.clock import clock
from chalicelib.contract import AvailabilityQuery, ClosureRequest, SlotCapacityRequest
from chalicelib.domain import calendar
from chalicelib.domain.catalogue import find_directorate
from chalicelib.domain.errors import SlotFull
from chalicelib.services import availability, booking, closures
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.world import ADMIN, applicant, book

# A directorate no other service test reads, so its summary (once complete) misleads no one.
KONYA = find_directorate("42-merkez")
SERVICE = "address_registration"


class Stream:
    """The slots table's stream, as Lambda delivers it: each change of a slot of `directorate`
    made inside `changes()` becomes one record with its old and new image."""

    def __init__(self, directorate_id: str) -> None:
        self.directorate_id = directorate_id
        self.sequence = itertools.count(10**21)

    def _slots(self, within: str) -> dict[str, dict]:
        in_range = Slot.start.startswith(within) if within else None
        return {slot.start: slot.serialize() for slot in Slot.query(self.directorate_id, in_range)}

    def record(self, old: dict | None, new: dict | None) -> dict:
        image = new or old
        body = {"Keys": {"directorate_id": image["directorate_id"], "start": image["start"]},
                "SequenceNumber": str(next(self.sequence)), "StreamViewType": "NEW_AND_OLD_IMAGES"}
        if old:
            body["OldImage"] = old
        if new:
            body["NewImage"] = new
        return {"eventID": uuid.uuid4().hex, "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
                "eventSource": "aws:dynamodb", "eventSourceARN": "arn:aws:dynamodb:eu-west-3:123456789012:table/slots/stream/x",
                "dynamodb": body}

    def changes(self, act, within: str = "") -> list[dict]:
        """The records of what `act` changed among the slots whose start begins with `within`."""
        before = self._slots(within)
        act()
        after = self._slots(within)
        return [self.record(before.get(start), after.get(start))
                for start in sorted(before.keys() | after.keys()) if before.get(start) != after.get(start)]


def deliver(records: list[dict]) -> dict:
    return availability.handle_stream_batch({"Records": records})


def offered(caller=ADMIN, days=14) -> dict[str, int]:
    query = AvailabilityQuery.model_validate({"directorate": KONYA.id, "service": SERVICE, "days": days})
    return {slot.slot_id: slot.remaining for slot in booking.availability(caller, query).slots}


@pytest.fixture(scope="module")
def stream(aws):
    """Konya's slots generated as INSERT records, the first of which completes its summary."""
    feed = Stream(KONYA.id)
    availability.forget_completeness()
    generated = feed.changes(lambda: extend_slot_horizon(only=(KONYA,)))
    feed.read_from_slots = offered()
    assert deliver(generated[:100]) == {"batchItemFailures": []}  # one Lambda batch: the first completes it
    feed.unused = iter(list(feed.read_from_slots)[:-40])  # each test its own slot; the last days are closed
    return feed


def pick(stream) -> tuple[str, str]:
    slot_id = next(stream.unused)
    return slot_id, calendar.wall_time(calendar.parse_slot_id(slot_id)[1])


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    yield


def test_a_complete_summary_shows_exactly_what_the_slots_show(stream):
    assert AvailabilityDay.count(KONYA.id, AvailabilityDay.day == "#built") == 1  # the "complete" mark
    assert stream.read_from_slots and offered() == stream.read_from_slots


def test_the_page_shows_a_booking_once_its_record_is_folded_in_not_before(stream):
    person = applicant(province="42")
    slot_id, start = pick(stream)
    remaining = offered(person)[slot_id]
    records = stream.changes(lambda: book(person, slot_id), start)
    assert len(records) == 1
    assert offered()[slot_id] == remaining  # served from the summary: the change is not folded in yet
    deliver(records)
    assert offered().get(slot_id, 0) == remaining - 1


def test_a_full_slot_disappears_and_a_stale_page_never_oversells(stream):
    slot_id, start = pick(stream)
    records = stream.changes(lambda: booking.set_slot_capacity(ADMIN, KONYA.id, start, SlotCapacityRequest(capacity=1, internal=0)), start)
    deliver(records)
    assert offered()[slot_id] == 1
    first, second = applicant(province="42"), applicant(province="42")
    taken = stream.changes(lambda: book(first, slot_id), start)
    with pytest.raises(SlotFull):  # the summary still says 1: the booking transaction judges
        book(second, slot_id)
    deliver(taken)
    assert slot_id not in offered()


def test_kept_back_places_are_never_shown(stream):
    slot_id, start = pick(stream)
    deliver(stream.changes(lambda: booking.set_slot_capacity(ADMIN, KONYA.id, start, SlotCapacityRequest(capacity=5, internal=3)), start))
    assert offered()[slot_id] == 2


def test_duplicate_and_out_of_order_records_leave_the_newest_state(stream):
    slot_id, start = pick(stream)
    to_four = stream.changes(lambda: booking.set_slot_capacity(ADMIN, KONYA.id, start, SlotCapacityRequest(capacity=4, internal=0)), start)
    to_two = stream.changes(lambda: booking.set_slot_capacity(ADMIN, KONYA.id, start, SlotCapacityRequest(capacity=2, internal=0)), start)
    deliver(to_two + to_two)
    deliver(to_four)  # older, delivered late and again
    deliver(to_four)
    assert offered()[slot_id] == 2


def test_a_closed_day_disappears(stream):
    closing = calendar.local_day(calendar.parse_slot_id(list(offered())[-1])[1])
    records = stream.changes(lambda: closures.close_day(ADMIN, KONYA.id, ClosureRequest(date=closing, reason="Power cut")),
                             closing.isoformat())
    assert records
    deliver(records)
    assert all(calendar.local_day(calendar.parse_slot_id(s)[1]) != closing for s in offered())


def test_a_broken_record_is_retried_alone(stream):
    slot_id, start = pick(stream)
    good = stream.changes(lambda: booking.set_slot_capacity(ADMIN, KONYA.id, start, SlotCapacityRequest(capacity=3, internal=0)), start)
    broken = stream.record(None, {"directorate_id": {"S": KONYA.id}, "start": {"S": "2026-13-99T99:99"}})
    answer = deliver([broken] + good)
    assert answer == {"batchItemFailures": [{"itemIdentifier": broken["dynamodb"]["SequenceNumber"]}]}
    assert offered()[slot_id] == 3


def test_past_slots_and_days_beyond_the_permit_are_not_shown(stream):
    person = applicant(province="42", valid_days=3)
    shown = offered(person)
    last = clock.today() + timedelta(days=3)
    assert shown and all(calendar.local_day(calendar.parse_slot_id(s)[1]) <= last for s in shown)
    clock.travel(timedelta(days=2))
    assert all(calendar.parse_slot_id(s)[1] > clock.now() for s in offered())


def test_a_rebuild_never_undoes_a_folded_change(stream):
    slot_id, start = pick(stream)
    deliver(stream.changes(lambda: booking.set_slot_capacity(ADMIN, KONYA.id, start, SlotCapacityRequest(capacity=7, internal=0)), start))
    Slot(KONYA.id, start).update(actions=[Slot.capacity.set(1)])  # a change whose record has not come yet
    availability.rebuild(KONYA.id)
    assert offered()[slot_id] == 7


def test_a_record_written_well_before_the_rebuild_is_not_folded_again(stream):
    """A fresh deploy streams every slot it generated: the rebuild read them already, so those
    records cost nothing (the local stack's start would otherwise fold thousands)."""
    slot_id, start = pick(stream)
    before = offered()[slot_id]
    [stale] = stream.changes(lambda: booking.set_slot_capacity(ADMIN, KONYA.id, start, SlotCapacityRequest(capacity=before + 3, internal=0)), start)
    stale["dynamodb"]["ApproximateCreationDateTime"] = 1_000_000_000  # 2001: long before the rebuild
    assert deliver([stale]) == {"batchItemFailures": []}
    assert offered()[slot_id] == before
    fresh = dict(stale, dynamodb={**stale["dynamodb"], "ApproximateCreationDateTime": int(time.time())})
    deliver([fresh])
    assert offered()[slot_id] == before + 3


def test_the_first_day_with_a_place_is_found_past_a_run_of_full_days_longer_than_a_page():
    """The statistics' wait sample reads the summary a few days a page and stops at the first day
    with a public place; days with every place taken (more than a page of them) are passed over,
    and a horizon with no place at all is no day."""
    key = f"test-{uuid.uuid4().hex[:8]}"  # a summary of its own, no directorate's

    def day(on: date, *lefts: int) -> None:
        AvailabilityDay(key, on.isoformat(), slots={
            f"{on.isoformat()}T{9 + i:02d}:00": {"end": f"{on.isoformat()}T{9 + i:02d}:15", "services": [SERVICE], "left": left, "v": "1"}
            for i, left in enumerate(lefts)
        }).save()

    first = date(2027, 3, 1)
    full_days = store.DAYS_PER_PAGE + 2
    for n in range(full_days):
        day(first + timedelta(days=n), 0, 0)
    assert store.first_day_with_places(key, first, first + timedelta(days=20)) is None
    day(first + timedelta(days=full_days + 1), 0, 3)  # a day with no item (a weekend) before it
    day(first + timedelta(days=full_days + 2), 5)
    assert store.first_day_with_places(key, first, first + timedelta(days=20)) == first + timedelta(days=full_days + 1)
    assert store.first_day_with_places(key, first, first + timedelta(days=full_days)) is None  # past `last`: not seen
