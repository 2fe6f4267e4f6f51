"""The booking transaction's conditions are the booking rules (domain/booking.py `check_booking`).

A booking is written without reading first (services/booking.py): whether it commits is decided
by its conditions alone, and a refusal is explained by `check_booking` on what is read after. So
for any state of the applicant's item, the slot and the demand mode, the transaction must commit
exactly when the rules let the booking through, and the refusal a person hears must be the one
`check_booking` gives. Hypothesis draws such states (each example on items nobody else touches),
and three things are compared:

1. the one transaction (`try_booking`) commits iff the rules pass, for the kind of place the rules
   choose (and refuses every kind of place when they refuse);
2. `book_for` gives the rules' verdict: the same refusal (code and details), or the booking;
3. a successful online booking costs no read at all (one round trip: the transaction).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from chalicelib.adapters.tables import Applicant, Appointment, DemandMode, Slot
from chalicelib.clock import clock
from chalicelib.domain import booking as rules
from chalicelib.domain import calendar
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import PermitStatus, find_directorate, find_service
from chalicelib.domain.errors import DomainError
from chalicelib.domain.kept_back import INTERNAL, PUBLIC
from chalicelib.services import booking
from chalicelib.settings import get_settings

DIRECTORATE = find_directorate("48-merkez")  # Muğla: no other service test books here
SERVICES = ["address_registration", "residence_permit_application", "temporary_protection"]
STATUSES = ["active", "offline", "released", "pending_verification"]
# Slot keys at odd minutes no seeded slot uses, each example its own.
_MINUTES = itertools.count(1)


@pytest.fixture(autouse=True)
def _stack(aws, frozen_clock):
    # Noon in İstanbul: the property test runs for minutes, and reads "today" and "now" apart from
    # the booking path it checks; begun just before midnight, the two would judge different days.
    local = clock.now().astimezone(ISTANBUL)
    noon = datetime.combine(local.date() + timedelta(days=1), time(12), tzinfo=ISTANBUL)
    clock.travel(noon - clock.now())
    yield


def _fresh_key(day_offset: int) -> str:
    n = next(_MINUTES)
    minute = [m for m in range(60) if m % 15][n % 56]
    day = clock.today() + timedelta(days=day_offset)
    return f"{day.isoformat()}T{(n // 56) % 24:02d}:{minute:02d}"


# A state is a passing booking with up to three faults (the rules' verdict then depends on which
# comes first) and free choices that must not matter (a lock already over, the mode's other field).
FAULTS = [
    "no_applicant", "status", "other_province", "no_province", "permit_status", "no_permit", "permit_ends_before_day",
    "locked", "no_slot", "closed", "not_offered", "public_full", "internal_full", "too_soon", "mode_assigned",
    "auto_assigned",
]


@st.composite
def states(draw) -> dict:
    faults = set(draw(st.lists(st.sampled_from(FAULTS), max_size=3)))
    service = draw(st.sampled_from(SERVICES))
    eligible = sorted(s.value for s in find_service(service).eligible_statuses)
    other = sorted({s.value for s in PermitStatus} - set(eligible))
    applicant = None if "no_applicant" in faults else {
        "status": draw(st.sampled_from(["released", "pending_verification"])) if "status" in faults else draw(st.sampled_from(["active", "offline"])),
        "province": "34" if "other_province" in faults else None if "no_province" in faults else DIRECTORATE.province,
        "permit_status": (draw(st.sampled_from(other)) if other and "permit_status" in faults
                          else None if "no_permit" in faults else draw(st.sampled_from(eligible))),
        "valid_days_after_slot": -1 if "permit_ends_before_day" in faults else draw(st.sampled_from([0, 1, 400])),
        "lock_hours": 1 if "locked" in faults else draw(st.sampled_from([None, -1, 0])),
    }
    capacity, internal = draw(st.integers(1, 2)), draw(st.integers(0, 2))
    slot = None if "no_slot" in faults else {
        "is_open": "closed" not in faults,
        "offers": "not_offered" not in faults,
        "capacity": capacity,
        "booked": capacity if "public_full" in faults else draw(st.integers(0, capacity - 1)),
        "internal": internal,
        "internal_booked": internal if "internal_full" in faults else draw(st.integers(0, max(internal - 1, 0))),
    }
    if "mode_assigned" in faults:
        mode = ("assigned", draw(st.sampled_from(["open", "assigned"])))
    elif "auto_assigned" in faults:
        mode = ("auto", "assigned")
    else:
        mode = draw(st.sampled_from([None, ("open", "open"), ("open", "assigned"), ("auto", "open")]))
    return {
        "service": service, "applicant": applicant, "slot": slot, "mode": mode, "assisted": draw(st.booleans()),
        "day_offset": 0 if "too_soon" in faults else draw(st.integers(1, 3)), "faults": sorted(faults),
    }


def _write(state: dict, applicant_id: str, key: str, now: datetime) -> None:
    """The state's items, as the service writes them (registry copies, slot counters)."""
    service = state["service"]
    slot_day = calendar.local_day(calendar.from_wall_time(key))
    person = state["applicant"]
    try:
        Applicant(applicant_id).delete()
    except Exception:  # noqa: BLE001 - absent already
        pass
    if person is not None:
        valid = person["valid_days_after_slot"]
        Applicant(
            applicant_id, status=person["status"], document_type="foreign_id", document_number="99" + uuid.uuid4().hex[:9],
            nationality="AF", given_name="Cond", family_name="Ition", birth_date="1990-01-01", email=f"{applicant_id}@example.net",
            phone="+905551234567", language="en", province=person["province"], permit_status=person["permit_status"],
            permit_valid_until=(slot_day + timedelta(days=valid)).isoformat() if valid is not None else None,
            locked_until=now + timedelta(hours=person["lock_hours"]) if person["lock_hours"] is not None else None,
            created_at=now, updated_at=now,
        ).save()
    slot = state["slot"]
    if slot is not None:
        start = calendar.from_wall_time(key)
        Slot(DIRECTORATE.id, key, end=calendar.wall_time(start + timedelta(minutes=30)), capacity=slot["capacity"],
             booked=slot["booked"], internal=slot["internal"], internal_booked=slot["internal_booked"],
             services={service} if slot["offers"] else {"biometrics"}, is_open=slot["is_open"]).save()
    else:
        Slot(DIRECTORATE.id, key).delete()
    if state["mode"] is None:
        DemandMode(DIRECTORATE.id, service).delete()
    else:
        DemandMode(DIRECTORATE.id, service, setting=state["mode"][0], auto_mode=state["mode"][1]).save()


def _verdict(call) -> tuple:
    try:
        return ("booked", call())
    except DomainError as error:
        return (type(error).__name__, error.message, error.details)


def _rules_verdict(state: dict, applicant_id: str, key: str, now: datetime) -> tuple:
    """What the rules say on the stored items (read directly, not through the booking path)."""
    service = find_service(state["service"])
    window = rules.booking_window(clock.today(), get_settings().slot_horizon_days)
    try:
        person = Applicant.get(applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        return ("NotFound", "No applicant profile belongs to this account.", {})
    slot = Slot.get(DIRECTORATE.id, key, consistent_read=True) if state["slot"] is not None else None
    mode = DemandMode.get(DIRECTORATE.id, service.code, consistent_read=True) if state["mode"] is not None else None
    target = booking.Target(DIRECTORATE, service, slot, mode, person)
    return _verdict(lambda: booking.judge(target, person, now, window, state["assisted"]))


# No shrinking: a failing state prints its faults, which say what it is; shrinking one through the
# emulator takes minutes.
@settings(max_examples=100, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(state=states())
def test_the_transaction_commits_exactly_when_check_booking_lets_the_booking_through(state, monkeypatch):
    now = clock.now()
    applicant_id = f"cond-{uuid.uuid4()}"
    key = _fresh_key(state["day_offset"])
    slot_id = calendar.slot_id_for(DIRECTORATE.id, calendar.from_wall_time(key))
    booker = booking.Booker("agent-1", "agent", channel="phone") if state["assisted"] else booking.Booker(applicant_id, "applicant")
    _write(state, applicant_id, key, now)
    expected = _rules_verdict(state, applicant_id, key, now)
    asked = booking.asked_for(slot_id, state["service"])
    window = rules.booking_window(clock.today(), get_settings().slot_horizon_days)

    # 1. The transaction alone (the time rule is the key's, checked before any write).
    if rules.bookable_time(asked.start, now, window):
        places = [expected[1]] if expected[0] == "booked" else ([INTERNAL, PUBLIC] if state["assisted"] else [PUBLIC])
        for place in places:
            made = booking.try_booking(applicant_id, asked, booker, place, now)
            assert (made is not None) == (expected[0] == "booked"), (state, place, expected)
            if made is not None:
                _undo(made, state, applicant_id, key, now)

    # 2. and 3. The booking path: the rules' verdict, and no read when it goes through at once.
    reads = []
    read = booking._read_for_booking
    monkeypatch.setattr(booking, "_read_for_booking", lambda *args: reads.append(args) or read(*args))
    got = _verdict(lambda: booking.book_for(applicant_id, slot_id, state["service"], booker))
    if expected[0] == "booked":
        assert got[0] == "booked", (state, got)
        stored = Appointment.get(got[1].appointment_id, consistent_read=True)
        assert stored.place == expected[1]
        first_guess = INTERNAL if state["assisted"] else PUBLIC
        assert len(reads) == (0 if expected[1] == first_guess else 1), (state, reads)
    else:
        assert got == expected, state
        assert len(reads) == 1


def _undo(made, state: dict, applicant_id: str, key: str, now: datetime) -> None:
    """Put the state back as drawn, so the booking path sees what the transaction saw."""
    appointment, notices = made
    Appointment.get(appointment.appointment_id, consistent_read=True).delete()
    for notice in notices:
        notice.delete()
    _write(state, applicant_id, key, now)
