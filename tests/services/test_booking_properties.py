"""A state machine against the real booking and attendance services on the emulator: people
book, time passes, staff record attendance, and after every step what DynamoDB holds must still
satisfy the seed's rules (capacity never exceeded, 30 days between confirmed bookings, a no-show
waits 30 days from the missed appointment).

Every example gets fresh applicants and slots nobody else touched (the emulator keeps its state
between examples), in a directorate no other service test uses, and gives the clock back at the
end."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, time, timedelta, timezone

from hypothesis import HealthCheck, Phase, settings, target
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chalicelib.adapters.tables import Applicant, Appointment, Slot, StaffMember
from chalicelib.contract import AttendanceRequest, AvailabilityQuery, BookingRequest, SlotCapacityRequest
from chalicelib.clock import clock
from chalicelib.domain import calendar
from chalicelib.domain.attendance import late_from
from chalicelib.domain.catalogue import find_directorate
from chalicelib.domain.errors import (
    AppointmentFinal,
    LockedOut,
    NotEligible,
    SlotFull,
    ValidationFailed,
    WrongProvince,
)
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import attendance, booking
from chalicelib.services.catalogue import extend_slot_horizon
from chalicelib.settings import get_settings
from tests.clock_at import restore_clock
from tests.services.world import ADMIN

MERKEZ = find_directorate("35-merkez")  # İzmir's provincial directorate: no other service test books here
THIRTY_DAYS = timedelta(days=30)
MAX_SLOTS = 6
MAX_TRAVEL = timedelta(days=100)
# Mostly a service everyone may book; sometimes one that depends on the permit status.
SERVICES = ["address_registration"] * 4 + ["biometrics", "residence_permit_application", "temporary_protection"]
REFUSALS = (ValidationFailed, WrongProvince, NotEligible, LockedOut, SlotFull)

# Slots handed to an example: never handed out again, so each example's slots start untouched.
CLAIMED: set[str] = set()


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def slot_start(key: str) -> datetime:
    return calendar.from_wall_time(key)


def slot_id(key: str) -> str:
    return calendar.slot_id_for(MERKEZ.id, slot_start(key))


def new_applicant(province: str, status: str, valid_days: int) -> Caller:
    applicant_id = str(uuid.uuid4())
    now = clock.now()
    Applicant(
        applicant_id, status="active", document_type="foreign_id", document_number=f"98{uuid.uuid4().int % 10**9:09d}",
        nationality="AFG", given_name="Prop", family_name="Erty", birth_date="1991-02-03",
        email=f"{applicant_id}@example.net", phone="+905551234567", language="en", province=province,
        permit_status=status, permit_valid_until=(clock.today() + timedelta(days=valid_days)).isoformat(),
        created_at=now, updated_at=now,
    ).save()
    return Caller(applicant_id, frozenset({Role.APPLICANT}))


def new_clerk() -> Caller:
    account_id = str(uuid.uuid4())
    StaffMember(account_id, directorate_id=MERKEZ.id, email="clerk@example.org", created_at=clock.now()).save()
    return Caller(account_id, frozenset({Role.STAFF}))


def claim_slot(pick: int, capacity: int) -> str:
    """An untouched slot of the current horizon (from tomorrow on), its capacity set to `capacity`.

    `pick` chooses the day and then the slot; days already used up are skipped. Slots are read
    by key (a Query would make the emulator walk the directorate's whole partition)."""
    while True:
        days = calendar.horizon_days(clock.today(), get_settings().slot_horizon_days)
        for offset in range(len(days)):
            day = days[(pick + offset) % len(days)]
            keys = [calendar.wall_time(spec.start) for spec in calendar.slots_for_day(MERKEZ, day)]
            keys = [key for key in keys if key not in CLAIMED]
            if not keys:
                continue
            untouched = sorted(
                slot.start
                for slot in Slot.batch_get([(MERKEZ.id, key) for key in keys])
                if slot.booked == 0 and slot.capacity == MERKEZ.desks
            )
            if untouched:
                key = untouched[pick % len(untouched)]
                CLAIMED.add(key)
                booking.set_slot_capacity(ADMIN, MERKEZ.id, key, SlotCapacityRequest(capacity=capacity))
                return key
        clock.travel(timedelta(days=7))  # this stretch is used up by earlier examples: look further ahead
        extend_slot_horizon(only=(MERKEZ,))


class BookingWorld(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.people: list[Caller] = []
        self.slots: list[str] = []
        self.appointments: list = []  # AppointmentOut, in booking order
        self.recorded: dict[str, str] = {}
        self.clerk = new_clerk()
        # Every example begins at 10:00 in Istanbul tomorrow, whatever the hour the suite runs
        # at: rules compare with "now" and "today", and a replayed example must see the same.
        clock.travel(datetime.combine(clock.today() + timedelta(days=1), time(10), tzinfo=calendar.ISTANBUL) - clock.now())
        self.began = clock.now()

    # --- the world ------------------------------------------------------------------------------

    @initialize(
        people=st.lists(
            st.tuples(
                st.sampled_from(["35"] * 5 + ["06"]),  # now and then someone registered in Ankara
                st.sampled_from(["residence_permit"] * 3 + ["work_permit", "temporary_protection", "international_protection"]),
                st.sampled_from([400] * 4 + [90, 10]),  # permit valid for so many days more
            ),
            min_size=1,
            max_size=3,
        ),
        slots=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 3)), min_size=2, max_size=3),
    )
    def world(self, people, slots):
        # The first is a regular: registered here, a long valid permit; the others vary.
        self.people = [new_applicant(*person) for person in [("35", "residence_permit", 400), *people]]
        extend_slot_horizon(only=(MERKEZ,))
        self.slots = [claim_slot(pick, capacity) for pick, capacity in slots]

    def travel(self, delta: timedelta, pick: int, capacity: int) -> None:
        """Move time; the horizon rolls on, and there is always some slot still ahead to book."""
        clock.travel(delta)
        extend_slot_horizon(only=(MERKEZ,))
        if len(self.slots) < MAX_SLOTS or not any(slot_start(key) > clock.now() for key in self.slots):
            self.slots.append(claim_slot(pick, capacity))

    def teardown(self) -> None:
        # Steer the search towards people who come back after their 30 days.
        most = max((sum(a.applicant_id == p.account_id for a in self.appointments) for p in self.people), default=0)
        target(most, label="bookings by one person")
        restore_clock()

    # --- what people and staff do ---------------------------------------------------------------

    @rule(
        who=st.sampled_from([0, 0, 0, 1, 2, 3]),  # mostly the regular, who comes back again and again
        which=st.integers(0, MAX_SLOTS - 1),
        service=st.sampled_from(SERVICES),
        any_slot=st.integers(0, 3),
    )
    def book(self, who, which, service, any_slot):
        person = self.people[who % len(self.people)]
        # Mostly a slot still ahead (the interesting case); sometimes any, past ones included.
        ahead = [key for key in self.slots if slot_start(key) > clock.now()]
        choices = ahead if ahead and any_slot else self.slots
        key = choices[which % len(choices)]
        slot_before = Slot.get(MERKEZ.id, key, consistent_read=True)
        lock_before = Applicant.get(person.account_id, consistent_read=True).locked_until
        try:
            made = booking.book(person, BookingRequest(slot_id=slot_id(key), service=service))
        except REFUSALS as refused:
            # A refusal changes nothing.
            assert Slot.get(MERKEZ.id, key, consistent_read=True).booked == slot_before.booked
            assert Applicant.get(person.account_id, consistent_read=True).locked_until == lock_before
            if isinstance(refused, LockedOut):
                assert lock_before is not None and lock_before > clock.now()
                assert refused.details.get("locked_until")
            if isinstance(refused, SlotFull):
                assert slot_before.booked >= slot_before.capacity
            return
        self.appointments.append(made)
        assert made.start.astimezone(calendar.ISTANBUL).date() > clock.today()  # from tomorrow on only
        assert lock_before is None or lock_before <= made.created_at
        assert Slot.get(MERKEZ.id, key, consistent_read=True).booked == slot_before.booked + 1
        assert Applicant.get(person.account_id, consistent_read=True).locked_until == made.created_at + THIRTY_DAYS

    # Short waits, and waits around the 30 days of a lock; some 100 days in all at most, which
    # is room for three or four bookings by one person (and keeps the emulator's tables small).
    @precondition(lambda self: clock.now() - self.began < MAX_TRAVEL)
    @rule(
        days=st.sampled_from([1, 3, 7, 14, 29, 30, 31, 40]),
        hours=st.integers(0, 23),
        pick=st.integers(0, 10**6),
        capacity=st.integers(1, 3),
    )
    def time_passes(self, days, hours, pick, capacity):
        self.travel(timedelta(days=days, hours=hours), pick, capacity)

    def upcoming(self):
        now = clock.now()
        return [a for a in self.appointments if a.start > now and a.appointment_id not in self.recorded]

    @precondition(lambda self: self.upcoming())
    @rule(which=st.integers(0, 10), minutes=st.integers(0, 8 * 60), pick=st.integers(0, 10**6), capacity=st.integers(1, 3))
    def the_appointment_begins(self, which, minutes, pick, capacity):
        upcoming = self.upcoming()
        appointment = upcoming[which % len(upcoming)]
        self.travel(appointment.start - clock.now() + timedelta(minutes=minutes), pick, capacity)

    @precondition(lambda self: self.appointments)
    @rule(which=st.integers(0, 10), outcome=st.sampled_from(["attended", "no_show", "no_show"]), any_one=st.integers(0, 3))
    def staff_record_attendance(self, which, outcome, any_one):
        # Mostly one that has started and is unrecorded; sometimes any (too early, or twice).
        due = [a for a in self.appointments if a.start <= clock.now() and a.appointment_id not in self.recorded]
        choices = due if due and any_one else self.appointments
        appointment = choices[which % len(choices)]
        lock_before = Applicant.get(appointment.applicant_id, consistent_read=True).locked_until
        try:
            attendance.record(self.clerk, appointment.appointment_id, AttendanceRequest(outcome=outcome))
        except ValidationFailed as refused:
            if appointment.appointment_id in self.recorded:  # a second mark is a correction: it needs a reason
                assert refused.details.get("field") in {"reason", "outcome"}
            elif refused.details.get("field") == "outcome":  # a no-show within the grace: they may still come
                assert outcome == "no_show" and clock.now() < late_from(appointment.start, find_directorate(appointment.directorate).grace_minutes)
            else:
                assert clock.now() < appointment.start  # not started yet
            return
        except AppointmentFinal:
            assert appointment.appointment_id in self.recorded  # past the week in which a mark may be corrected
            return
        assert appointment.appointment_id not in self.recorded and clock.now() >= appointment.start
        self.recorded[appointment.appointment_id] = outcome
        lock = Applicant.get(appointment.applicant_id, consistent_read=True).locked_until
        if outcome == "no_show":
            floor = utc(appointment.start + THIRTY_DAYS)
            assert lock == (max(lock_before, floor) if lock_before else floor)
        else:
            assert lock == lock_before

    @rule(which=st.integers(0, MAX_SLOTS - 1))
    def availability_shows_what_is_left(self, which):
        key = self.slots[which % len(self.slots)]
        query = AvailabilityQuery.model_validate(
            {"directorate": MERKEZ.id, "service": "address_registration", "from": key[:10], "days": 1}
        )
        offered = {s.slot_id: s.remaining for s in booking.availability(self.people[0], query).slots}
        slot = Slot.get(MERKEZ.id, key, consistent_read=True)
        remaining = int(slot.capacity) - int(slot.booked)
        if slot_start(key).date() <= clock.today() or remaining <= 0:  # started, today, or full
            assert slot_id(key) not in offered
        elif slot_id(key) in offered:  # offered while inside the horizon
            assert offered[slot_id(key)] == remaining

    # --- what must hold after every step, read back from DynamoDB -----------------------------

    @invariant()
    def what_is_stored_keeps_the_rules(self):
        """Three reads: our slots, our people, and every appointment in our slots' stretch of time
        (all of our people's appointments are in our slots; others' appointments there count too)."""
        if not self.slots:
            return
        keys = sorted(self.slots)
        stored = [
            a
            for a in Appointment.by_directorate.query(
                MERKEZ.id, Appointment.start.between(utc(slot_start(keys[0])), utc(slot_start(keys[-1])))
            )
            if a.status == "confirmed"
        ]
        per_slot = Counter(a.slot_start for a in stored)
        for slot in Slot.batch_get([(MERKEZ.id, key) for key in keys]):
            assert 0 <= slot.booked <= slot.capacity, (slot.start, slot.booked, slot.capacity)
            assert slot.booked == per_slot[slot.start], (slot.start, slot.booked, per_slot[slot.start])
        locks = {a.applicant_id: a.locked_until for a in Applicant.batch_get([p.account_id for p in self.people])}
        assert len(stored) >= len(self.appointments)
        for person in self.people:
            mine = sorted((a for a in stored if a.applicant_id == person.account_id), key=lambda a: a.created_at)
            check_thirty_days(mine, locks[person.account_id])


def check_thirty_days(mine: list, lock: datetime | None) -> None:
    """One person's confirmed appointments (in order of booking) against their stored lock."""
    for earlier, later in zip(mine, mine[1:]):
        assert later.created_at - earlier.created_at >= THIRTY_DAYS, (earlier.created_at, later.created_at)
    for appointment in mine:
        assert lock >= appointment.created_at + THIRTY_DAYS, (lock, appointment.created_at)
        assert appointment.lock_before is None or appointment.lock_before <= appointment.created_at
    for missed in (a for a in mine if a.attendance == "no_show"):
        assert lock >= missed.start + THIRTY_DAYS, (lock, missed.start)
        for later in mine:  # once the no-show is known, nothing is booked for 30 days after it
            if later.created_at > missed.attendance_at:
                assert later.created_at >= missed.start + THIRTY_DAYS, (missed.start, later.created_at)


# Small and quick: some 20 worlds of up to 15 steps each (every step is a few emulator calls).
# No shrinking: each replay costs a second of emulator work, so shrinking a failure runs into
# minutes (and the suite's 300 s timeout); a failure prints its steps unshrunk, 15 at most.
WORLD_SETTINGS = settings(
    max_examples=20,
    stateful_step_count=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_bookings_attendance_and_time_keep_the_seed_rules(aws, frozen_clock):
    run_state_machine_as_test(BookingWorld, settings=WORLD_SETTINGS)
