"""Property-based tests of the pure booking rules: the 30-day lock, the no-show extension, the
order in which `check_booking` refuses, and a model of many interleaved bookings decided by the
real domain functions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st

from chalicelib.domain import attendance as attendance_rules
from chalicelib.domain.booking import BookingWindow, SlotState, booking_window, check_booking, require_capacity, seat_together
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import DIRECTORATES, PROVINCES, SERVICES, PermitStatus, find_directorate
from chalicelib.domain.eligibility import Residency
from chalicelib.domain.demand import Mode
from chalicelib.domain.errors import (
    AssignedMode,
    AppointmentFinal,
    DomainError,
    LockedOut,
    NotEligible,
    SlotFull,
    ValidationFailed,
    WrongProvince,
)
from chalicelib.domain.lockout import (
    LOCK_PERIOD,
    lock_after_booking,
    lock_after_no_show,
    lock_in_force,
    require_not_locked,
)

THIRTY_DAYS = timedelta(days=30)
UTC = timezone.utc

# Callers hand the rules UTC instants (the clock, DynamoDB) or Istanbul wall times (slots). A
# fixed foreign offset checks that nothing depends on the zone an instant is written in.
# Istanbul has kept UTC+3 all year since 2016, hence the lower bound.
ZONES = st.sampled_from([UTC, ISTANBUL, timezone(timedelta(hours=-5))])
instants = st.datetimes(
    min_value=datetime(2017, 1, 1), max_value=datetime(2035, 12, 31), timezones=ZONES
)
spans = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90))
signed_spans = st.timedeltas(min_value=timedelta(days=-90), max_value=timedelta(days=90))
maybe_locks = st.none() | instants


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time between two instants (aware subtraction ignores offsets within one zone)."""
    return utc(end) - utc(start)


# --- lock_in_force ------------------------------------------------------------------------------


@given(locked_until=maybe_locks, now=instants)
def test_a_lock_is_in_force_exactly_while_its_end_lies_ahead(locked_until, now):
    result = lock_in_force(locked_until, now)
    if locked_until is not None and utc(locked_until) > utc(now):
        assert result == locked_until
    else:
        assert result is None


@given(locked_until=instants, now=instants, earlier=spans)
def test_a_lock_in_force_now_was_in_force_at_every_earlier_moment(locked_until, now, earlier):
    if lock_in_force(locked_until, now) is not None:
        assert lock_in_force(locked_until, now - earlier) is not None


@given(locked_until=instants)
def test_a_lock_ends_exactly_at_its_end(locked_until):
    assert lock_in_force(locked_until, locked_until) is None
    assert lock_in_force(locked_until, locked_until - timedelta(microseconds=1)) == locked_until


# --- lock_after_booking -------------------------------------------------------------------------


@given(confirmed_at=instants, later=signed_spans)
def test_a_booking_locks_for_exactly_30_days_from_confirmation(confirmed_at, later):
    lock = lock_after_booking(confirmed_at)
    assert elapsed(confirmed_at, lock) == THIRTY_DAYS
    now = confirmed_at + later
    assert (lock_in_force(lock, now) is not None) == (elapsed(confirmed_at, now) < THIRTY_DAYS)


# --- lock_after_no_show -------------------------------------------------------------------------


@given(current=maybe_locks, start=instants)
def test_a_no_show_never_shortens_the_lock_and_waits_30_days_from_the_appointment(current, start):
    lock = lock_after_no_show(current, start)
    assert elapsed(start, lock) >= THIRTY_DAYS
    if current is not None:
        assert utc(lock) >= utc(current)
    # ...and it is no longer than it has to be: one of the two bounds, exactly.
    assert utc(lock) in {utc(start + LOCK_PERIOD)} | ({utc(current)} if current is not None else set())


@given(current=maybe_locks, start=instants)
def test_recording_the_same_no_show_twice_is_recording_it_once(current, start):
    once = lock_after_no_show(current, start)
    assert lock_after_no_show(once, start) == once


@given(current=maybe_locks, starts=st.lists(instants, min_size=1, max_size=5), data=st.data())
def test_the_order_no_shows_are_recorded_in_does_not_matter(current, starts, data):
    shuffled = data.draw(st.permutations(starts))
    lock_a, lock_b = current, current
    for start in starts:
        lock_a = lock_after_no_show(lock_a, start)
    for start in shuffled:
        lock_b = lock_after_no_show(lock_b, start)
    assert utc(lock_a) == utc(lock_b)


# --- require_not_locked -------------------------------------------------------------------------


@given(locked_until=maybe_locks, now=instants)
def test_require_not_locked_refuses_exactly_while_the_lock_is_in_force(locked_until, now):
    in_force = lock_in_force(locked_until, now)
    if in_force is None:
        require_not_locked(locked_until, now)
        return
    with pytest.raises(LockedOut) as refused:
        require_not_locked(locked_until, now)
    shown = datetime.fromisoformat(refused.value.details["locked_until"])
    assert shown.tzinfo is not None
    # The refusal says until when: the lock's end (to the second; it is written for people).
    assert abs(elapsed(in_force, shown)) < timedelta(seconds=1)


# --- SlotState.remaining ------------------------------------------------------------------------


def slot_state(start: datetime, capacity: int, booked: int, services=frozenset({"address_registration"}), is_open=True):
    return SlotState("34-fatih", start, start + timedelta(minutes=30), capacity, booked, frozenset(services), is_open)


@given(capacity=st.integers(0, 500), booked=st.integers(0, 600))
def test_remaining_is_never_negative_and_full_means_nothing_remains(capacity, booked):
    state = slot_state(datetime(2026, 3, 2, 9, tzinfo=ISTANBUL), capacity, booked)
    assert state.remaining >= 0
    assert state.remaining == max(capacity - booked, 0)
    if booked < capacity:
        require_capacity(state)
    else:
        with pytest.raises(SlotFull):
            require_capacity(state)


# --- check_booking: which refusal, in which order -----------------------------------------------

SLOT_FAULTS = ("slot_missing", "slot_closed", "slot_started", "same_day", "beyond_horizon", "service_not_offered")
ELIGIBILITY_FAULTS = ("status_not_eligible", "permit_expires_before_day")
FAULTS = SLOT_FAULTS + ("wrong_province",) + ELIGIBILITY_FAULTS + ("locked", "assigned_mode", "full")

# The order a person hears about problems in: what, where, who, when, whether slots are picked
# here now, how full.
EXPECTED = [
    (set(SLOT_FAULTS), ValidationFailed),
    ({"wrong_province"}, WrongProvince),
    (set(ELIGIBILITY_FAULTS), NotEligible),
    ({"locked"}, LockedOut),
    ({"assigned_mode"}, AssignedMode),
    ({"full"}, SlotFull),
]


@dataclass
class Case:
    directorate: object
    service: object
    slot: SlotState | None
    residency: Residency | None
    locked_until: datetime | None
    mode: Mode
    now: datetime
    window: BookingWindow

    def check(self):
        return check_booking(
            directorate=self.directorate,
            service=self.service,
            slot=self.slot,
            residency=self.residency,
            locked_until=self.locked_until,
            mode=self.mode,
            now=self.now,
            window=self.window,
        )


# No broken rule, one, or two anywhere in the order.
fault_sets = st.one_of(
    st.just(frozenset()),
    st.sampled_from(FAULTS).map(lambda fault: {fault}),
    st.builds(lambda first, second: {first, second}, st.sampled_from(FAULTS), st.sampled_from(FAULTS)),
)


@st.composite
def booking_cases(draw, faults=None):
    """A booking that meets every rule, then the chosen rules broken on purpose."""
    chosen = set(draw(faults if faults is not None else fault_sets))
    directorate = draw(st.sampled_from(DIRECTORATES))
    offered = [s for s in SERVICES if s.code in directorate.services]
    if "status_not_eligible" in chosen:
        restricted = [s for s in offered if s.eligible_statuses != frozenset(PermitStatus)]
        if restricted:
            service = draw(st.sampled_from(restricted))
            status = draw(st.sampled_from(sorted(frozenset(PermitStatus) - service.eligible_statuses)))
        else:
            chosen.discard("status_not_eligible")
    if "status_not_eligible" not in chosen:
        service = draw(st.sampled_from(offered))
        status = draw(st.sampled_from(sorted(service.eligible_statuses)))

    now = draw(instants)
    today = now.astimezone(ISTANBUL).date()
    horizon_days = draw(st.integers(1, 40))
    # A start from tomorrow (Istanbul) through the horizon's last day.
    start = draw(
        st.datetimes(
            min_value=datetime.combine(today + timedelta(days=1), datetime.min.time()),
            max_value=datetime.combine(today + timedelta(days=horizon_days), datetime.max.time()),
            timezones=st.just(ISTANBUL),
        )
    )
    if "slot_started" in chosen:
        start = now - draw(spans)  # includes exactly now
    elif "same_day" in chosen:  # later today: still ahead, but too soon to prepare for
        end_of_today = datetime.combine(today, datetime.max.time(), tzinfo=ISTANBUL)
        start = now + (end_of_today - utc(now)) * draw(st.floats(0, 1))
    day = start.astimezone(ISTANBUL).date()
    if "beyond_horizon" in chosen and "slot_started" not in chosen and "same_day" not in chosen:
        horizon_days = (day - today).days - draw(st.integers(1, 30))
    window = booking_window(today, horizon_days)

    capacity = draw(st.integers(1, 8))
    booked = draw(st.integers(0, capacity - 1))
    if "full" in chosen:
        capacity = draw(st.integers(0, 8))
        booked = draw(st.integers(capacity, capacity + 3))
    services = set(draw(st.sets(st.sampled_from([s.code for s in SERVICES])))) | {service.code}
    if "service_not_offered" in chosen:
        services.discard(service.code)
    slot = None if "slot_missing" in chosen else slot_state(
        start, capacity, booked, services, is_open="slot_closed" not in chosen
    )

    province = directorate.province
    if "wrong_province" in chosen:
        province = draw(st.sampled_from([p.code for p in PROVINCES if p.code != directorate.province]))
    valid_until = day + timedelta(days=draw(st.integers(0, 800)))  # valid on the day itself counts
    if "permit_expires_before_day" in chosen:
        valid_until = day - timedelta(days=draw(st.integers(1, 800)))
    residency = Residency("99123456789", status, valid_until, province)

    locked_until = draw(st.none() | st.builds(lambda ago: now - ago, spans))  # an expired lock is no lock
    if "locked" in chosen:
        locked_until = now + draw(st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=60)))

    mode = Mode.ASSIGNED if "assigned_mode" in chosen else Mode.OPEN
    return chosen, Case(directorate, service, slot, residency, locked_until, mode, now, window)


@settings(max_examples=400)
@given(booking_cases())
def test_check_booking_refuses_with_the_first_broken_rule_and_accepts_when_none_is(drawn):
    broken, case = drawn
    expected = next((error for faults, error in EXPECTED if faults & broken), None)
    event(f"expected: {expected.__name__ if expected else 'accepted'}")
    if expected is None:
        assert case.check() is case.slot
        return
    with pytest.raises(DomainError) as refused:
        case.check()
    assert type(refused.value) is expected, (sorted(broken), refused.value)


@given(booking_cases(faults=st.just(set())))
def test_a_booking_on_the_boundary_of_every_rule_at_once_is_accepted(drawn):
    _, case = drawn
    day = case.slot.start.astimezone(ISTANBUL).date()
    case.locked_until = case.now  # a lock ending exactly now is over
    case.slot = replace(case.slot, booked=case.slot.capacity - 1)  # the last place
    case.residency = replace(case.residency, valid_until=day)  # valid through the appointment day
    today = case.now.astimezone(ISTANBUL).date()
    case.window = booking_window(today, (day - today).days)  # the horizon's last day
    assert case.check() is case.slot


@given(booking_cases(faults=st.sets(st.sampled_from(ELIGIBILITY_FAULTS + ("locked", "full")), max_size=3)))
def test_a_person_without_a_registry_record_is_refused_before_anything_about_them(drawn):
    _, case = drawn
    case.residency = None
    with pytest.raises((WrongProvince, NotEligible)):
        case.check()


# --- a model of many bookings, decided by the real rules ----------------------------------------

HORIZON_DAYS = 21
MODEL_DIRECTORATE = find_directorate("34-fatih")
MODEL_SERVICE = next(s for s in SERVICES if s.code == "address_registration")
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday, 09:00 in Istanbul


@dataclass
class ModelPerson:
    residency: Residency
    locked_until: datetime | None = None
    bookings: list = field(default_factory=list)  # (confirmed_at, slot index)
    no_shows: list = field(default_factory=list)  # (recorded_at, appointment start)


@dataclass
class Model:
    """Slots and people in memory: every decision is the domain's, the model only keeps state."""

    slots: list[SlotState]
    people: list[ModelPerson]
    now: datetime = T0
    recorded: dict = field(default_factory=dict)  # (person, booking index) -> outcome

    def book(self, who: int, which: int) -> DomainError | None:
        person, slot = self.people[who], self.slots[which]
        try:
            check_booking(
                directorate=MODEL_DIRECTORATE,
                service=MODEL_SERVICE,
                slot=slot,
                residency=person.residency,
                locked_until=person.locked_until,
                mode=Mode.OPEN,
                now=self.now,
                window=booking_window(self.now.astimezone(ISTANBUL).date(), HORIZON_DAYS),
            )
        except DomainError as refused:
            return refused
        self.slots[which] = replace(slot, booked=slot.booked + 1)
        person.locked_until = lock_after_booking(self.now)
        person.bookings.append((self.now, which))
        return None

    def record(self, who: int, nth: int, outcome: str) -> DomainError | None:
        person = self.people[who]
        _, which = person.bookings[nth]
        start = self.slots[which].start
        try:
            attendance_rules.require_recordable("confirmed", self.recorded.get((who, nth)), start, self.now)
        except DomainError as refused:
            return refused
        self.recorded[(who, nth)] = outcome
        if outcome == "no_show":
            person.locked_until = lock_after_no_show(person.locked_until, start)
            person.no_shows.append((self.now, start))
        return None

    def check_invariants(self) -> None:
        for slot in self.slots:
            assert 0 <= slot.booked <= max(slot.capacity, 0), slot
            assert slot.remaining >= 0
        for person in self.people:
            times = sorted(at for at, _ in person.bookings)
            for earlier, later in zip(times, times[1:]):
                assert elapsed(earlier, later) >= THIRTY_DAYS, (earlier, later)
            for at, _ in person.bookings:
                assert utc(person.locked_until) >= utc(at + THIRTY_DAYS)
            for recorded_at, start in person.no_shows:
                assert utc(person.locked_until) >= utc(start + THIRTY_DAYS)
                # Once the no-show is known, nothing more is booked until 30 days after it.
                for at, _ in person.bookings:
                    if at > recorded_at:
                        assert elapsed(start, at) >= THIRTY_DAYS, (start, at)


def opened_slot(now: datetime, days: int, half_hour: int, capacity: int, is_open: bool) -> SlotState:
    """A slot `days` ahead of `now` (Istanbul days), the way the rolling horizon opens them."""
    day = now.astimezone(ISTANBUL) + timedelta(days=days)
    start = day.replace(hour=8, minute=30, second=0, microsecond=0) + timedelta(minutes=30 * half_hour)
    return slot_state(start, capacity, 0, is_open=is_open)


slot_shapes = st.tuples(
    st.integers(0, HORIZON_DAYS + 5),  # mostly inside the horizon, sometimes today or just beyond
    st.integers(0, 17),
    st.integers(1, 3) | st.just(0),
    st.just(True) | st.just(True) | st.booleans(),
)
model_people = st.lists(
    st.builds(
        lambda days, province: ModelPerson(
            Residency("99123456789", PermitStatus.RESIDENCE_PERMIT, T0.date() + timedelta(days=days), province)
        ),
        days=st.integers(90, 400) | st.integers(0, 90),
        province=st.sampled_from(["34", "34", "34", "06"]),
    ),
    min_size=1,
    max_size=4,
)
people_index = st.integers(0, 3)
slot_index = st.integers(0, 15)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("book"), people_index, slot_index),
        st.tuples(st.just("book"), people_index, slot_index),
        st.tuples(st.just("wait"), st.builds(timedelta, hours=st.integers(0, 20 * 24), seconds=st.integers(0, 3599))),
        st.tuples(st.just("open"), slot_shapes),
        st.tuples(st.just("record"), people_index, st.integers(0, 5), st.sampled_from(["attended", "no_show"])),
    ),
    min_size=10,
    max_size=80,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(first_slots=st.lists(slot_shapes, min_size=1, max_size=4), people=model_people, ops=operations)
def test_no_interleaving_of_bookings_overfills_a_slot_or_books_twice_within_30_days(first_slots, people, ops):
    model = Model([opened_slot(T0, *shape) for shape in first_slots], people)
    for op in ops:
        if op[0] == "book":
            refused = model.book(op[1] % len(people), op[2] % len(model.slots))
            event(f"book: {type(refused).__name__ if refused else 'ok'}")
            assert refused is None or isinstance(refused, (ValidationFailed, WrongProvince, NotEligible, LockedOut, SlotFull))
        elif op[0] == "wait":
            model.now += op[1]  # time only moves forward
        elif op[0] == "open":
            model.slots.append(opened_slot(model.now, *op[1]))
        else:
            person = model.people[op[1] % len(people)]
            if person.bookings:
                refused = model.record(op[1] % len(people), op[2] % len(person.bookings), op[3])
                assert refused is None or isinstance(refused, (ValidationFailed, AppointmentFinal))
        model.check_invariants()
    most = max(len(p.bookings) for p in model.people)
    target(most, label="bookings by one person")  # steer towards people who book again and again
    event(f"most bookings by one person: {min(most, 3)}")
    event(f"no-shows recorded: {min(sum(len(p.no_shows) for p in model.people), 2)}")
    event(f"full slots: {min(sum(s.remaining == 0 and s.booked > 0 for s in model.slots), 2)}")


def test_a_party_is_seated_on_the_chosen_time_then_on_the_times_right_after_it_never_across_a_gap():
    def slot(hour: int, minute: int, left: int) -> SlotState:
        start = datetime(2027, 1, 4, hour, minute, tzinfo=ISTANBUL)
        return SlotState("34-fatih", start, start + timedelta(minutes=30), capacity=4, booked=4 - left,
                         services=frozenset({"address_registration"}), is_open=True)

    assert seat_together(3, slot(9, 0, 3)) == [3]
    assert seat_together(3, slot(9, 0, 1), [slot(9, 30, 1), slot(10, 0, 4)]) == [1, 1, 1]
    assert seat_together(4, slot(9, 0, 2), [slot(9, 30, 4)]) == [2, 2]
    with pytest.raises(SlotFull):
        seat_together(3, slot(9, 0, 1), [slot(10, 0, 4)])  # 09:30 is missing: a gap
    with pytest.raises(SlotFull):
        seat_together(3, slot(9, 0, 1), [slot(9, 30, 0), slot(10, 0, 4)])  # a full time in between
    with pytest.raises(SlotFull):
        seat_together(2, slot(9, 0, 0), [slot(9, 30, 4)])  # the chosen time itself must have a place
