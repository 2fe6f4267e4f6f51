"""Public statistics kept from the slots' and appointments' streams (services/statistics.py):
places offered, bookings, releases, no-shows, the assigned share and the wait for a free place,
per day and directorate; duplicate and out-of-order records change nothing. The streams are
synthetic (Lambda's event shape, built from the items before and after each change)."""

from __future__ import annotations

import copy
import itertools
import uuid

import pytest
from pydantic import ValidationError

from chalicelib.adapters.tables import Appointment, Slot
from chalicelib.clock import clock
from chalicelib.contract import StatisticsQuery
from chalicelib.domain import calendar
from chalicelib.domain.catalogue import find_directorate
from chalicelib.services import availability, giving_back, statistics
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.world import applicant, book, free_slots

# A directorate no other service test reads.
KUTAHYA = find_directorate("43-merkez")
SEQUENCE = itertools.count(10**21)


def record(old: dict | None, new: dict | None, keys: tuple[str, ...]) -> dict:
    image = new or old
    body = {"Keys": {k: image[k] for k in keys}, "SequenceNumber": str(next(SEQUENCE)), "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old:
        body["OldImage"] = old
    if new:
        body["NewImage"] = new
    return {"eventID": uuid.uuid4().hex, "eventName": "INSERT" if old is None else "MODIFY", "eventSource": "aws:dynamodb",
            "eventSourceARN": "arn:aws:dynamodb:eu-west-3:123456789012:table/x/stream/x", "dynamodb": body}


def appointment_change(act, appointment_id: str | None = None):
    """The record of what `act` did to one appointment (the one it books, or `appointment_id`)."""
    old = Appointment.get(appointment_id).serialize() if appointment_id else None
    result = act()
    appointment_id = appointment_id or result.appointment_id
    return result, record(old, Appointment.get(appointment_id).serialize(), ("appointment_id",))


def figures(day: str) -> dict:
    answer = statistics.statistics(StatisticsQuery.model_validate({"province": "43", "from": day, "days": 1}))
    [shown] = answer.days
    [directorate] = shown.directorates
    assert directorate.directorate == KUTAHYA.id
    return directorate.model_dump()


@pytest.fixture(scope="module")
def slots(aws):
    availability.forget_completeness()
    extend_slot_horizon(only=(KUTAHYA,))
    availability.rebuild(KUTAHYA.id)  # the wait for a free place is sampled from the summary
    return {slot.start: slot.serialize() for slot in Slot.query(KUTAHYA.id)}


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    yield


def test_places_offered_and_the_wait_for_a_free_place_come_from_the_slots(slots):
    day = next(iter(slots))[:10]
    of_day = [image for start, image in slots.items() if start.startswith(day)]
    answer = statistics.handle_slot_batch({"Records": [record(None, image, ("directorate_id", "start")) for image in of_day]})
    assert answer == {"batchItemFailures": []}
    expected = sum(Slot.from_raw_data(image).capacity + (Slot.from_raw_data(image).internal or 0) for image in of_day)
    assert figures(day)["offered"] == expected
    today = statistics.statistics(StatisticsQuery.model_validate({"province": "43", "from": clock.today().isoformat(), "days": 1}))
    assert today.days[0].province.median_days_to_first_free_place >= 1


def test_bookings_releases_no_shows_and_the_assigned_share_and_no_double_counting(slots):
    person, other = applicant(province="43"), applicant(province="43")
    slot = free_slots(person, directorate=KUTAHYA)[0]
    day = calendar.local_day(calendar.parse_slot_id(slot.slot_id)[1]).isoformat()
    booked, made = appointment_change(lambda: book(person, slot.slot_id))
    _, released = appointment_change(lambda: giving_back.give_back(person, booked.appointment_id), booked.appointment_id)
    other_booked, other_made = appointment_change(lambda: book(other, slot.slot_id))
    no_show = copy.deepcopy(other_made)
    no_show["dynamodb"]["OldImage"] = other_made["dynamodb"]["NewImage"]
    no_show["dynamodb"]["NewImage"] = {**other_made["dynamodb"]["NewImage"], "attendance": {"S": "no_show"}, "assigned": {"BOOL": True}}
    no_show["dynamodb"]["SequenceNumber"] = str(next(SEQUENCE))

    # Shuffled, repeated: the newest state of each appointment counts, once.
    batch = [released, no_show, made, other_made, released, made]
    assert statistics.handle_appointment_batch({"Records": batch}) == {"batchItemFailures": []}
    shown = figures(day)
    assert (shown["booked"], shown["released"], shown["no_shows"], shown["assigned_share"]) == (2, 1, 1, 0.5)


def test_no_personal_data_is_published(slots):
    answer = statistics.statistics(StatisticsQuery.model_validate({"province": "43", "days": 31}))
    text = answer.model_dump_json()
    assert "appointment" not in text and "applicant" not in text and "@" not in text


def test_an_unknown_province_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        StatisticsQuery.model_validate({"province": "99"})
    assert refused.value.errors()[0]["loc"] == ("province",)
