"""Use cases of booking: availability, booking, finality, reading appointments.

A booking is one transaction, written without reading first: take a unit of the slot's capacity
(conditions: a place left, open, offering the service), lock the applicant for 30 days
(conditions: may book, no lock in force, living in the directorate's province, eligible for the
service on the day), check the demand mode (not assigned), write the appointment, its audit record
and the notifications owed for it. Either all of it happens or none of it does, under any
concurrency. Only a cancelled transaction reads (once, consistently) to say why, by the rules of
domain/booking.py. The notifications table's stream then queues the notification for the sender
(services/outbox.py): nothing but the transaction is on the request path.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactGet

from chalicelib.adapters.dynamo import NamedTransaction, condition_failed, connection
from chalicelib.adapters import availability_summary as summary_store
from chalicelib.adapters.tables import Applicant, Appointment, AvailabilityDay, DemandMode, Notification, Slot
from chalicelib.contract import Page
from chalicelib.contract import (
    AppointmentOut,
    AttendanceCorrection,
    LockChange,
    AppointmentPageQuery,
    Availability,
    AvailabilityQuery,
    BookingRequest,
    SlotCapacity,
    SlotCapacityRequest,
    SlotOut,
)
from chalicelib.clock import clock
from chalicelib.domain import booking, calendar, kept_back, retention
from chalicelib.domain.attendance import CONFIRMED
from chalicelib.domain.catalogue import Directorate, Service, find_directorate, find_service
from chalicelib.domain.demand import Mode, Setting
from chalicelib.domain.eligibility import Residency, last_day_offered, permit_ends_before
from chalicelib.domain.errors import AppointmentFinal, LockedOut, NotFound, SlotFull, ValidationFailed
from chalicelib.domain.kept_back import INTERNAL, PUBLIC
from chalicelib.domain.lockout import lock_after_booking
from chalicelib.domain.roles import Caller, Role
from chalicelib import observability
from chalicelib.observability import logger
from chalicelib.services import audit, demand, notifications
from chalicelib.services.admission import Admission
from chalicelib.services import kept_back as kept_back_days
from chalicelib.services.accounts import ACTIVE
from chalicelib.services.auth import staff_directorate
from chalicelib.services.people import OFFLINE
from chalicelib.services.registry import residency_of
from chalicelib.settings import get_settings

CAPACITY_CHANGED = "slot.capacity_changed"  # the audit action of an administrator's change


def availability(caller: Caller, query: AvailabilityQuery) -> Availability:
    """The bookable slots of a directorate for a service. Public places only: kept-back places
    are never offered online (domain/kept_back.py). An applicant is offered only days within
    their permit's validity (eligibility.last_day_offered), and `permit_valid_until` says so
    when it cuts the window. The slots come from the availability summary, one small Query
    over the days shown (services/availability.py keeps it from the slots' stream); until the
    directorate's summary is complete, from the slots themselves."""
    directorate = find_directorate(query.directorate)
    service = find_service(query.service)
    assert directorate is not None and service is not None  # validated by the query model
    window = booking.booking_window(clock.today(), get_settings().slot_horizon_days)
    residency, mode, summarised = _read_for_availability(caller, directorate.id, service.code)
    span = days_shown(directorate, service, query.from_, query.days, last_day=last_day_offered(residency, window.last_day))
    now = clock.now()
    if span is None:
        offers = []
    elif summarised:
        offers = summary_store.offers(directorate.id, service.code, *span)
    else:
        offers = [(state.start, state.end, state.remaining) for state in _slots_in(directorate, service, *span)]
    slots = [
        SlotOut(slot_id=calendar.slot_id_for(directorate.id, start), start=start, end=end, remaining=left)
        for start, end, left in offers
        if left > 0 and start > now
    ]
    return Availability(
        mode=mode.value, directorate=directorate.id, service=service.code, slots=slots,
        permit_valid_until=permit_ends_before(residency, window.last_day),
    )


def _read_for_availability(caller: Caller, directorate_id: str, service_code: str) -> tuple[Residency | None, Mode, bool]:
    """The demand mode, whether the directorate's availability summary is complete and, for an
    applicant, their registry record as copied onto their account, in one round trip (the
    slots are then one Query). Staff and the phone line look for someone else: no permit
    bounds their view."""
    applicant = Role.APPLICANT in caller.roles
    with TransactGet(connection=connection()) as get:
        applicant_future = get.get(Applicant, caller.account_id) if applicant else None
        mode_future = get.get(DemandMode, directorate_id, service_code)
        built_future = get.get(AvailabilityDay, *summary_store.built_item(directorate_id))
    person = _resolved(applicant_future, Applicant) if applicant_future else None
    summarised = _resolved(built_future, AvailabilityDay) is not None
    return (residency_of(person) if person else None), demand.mode_of(_resolved(mode_future, DemandMode)), summarised


def days_shown(
    directorate: Directorate, service: Service, from_: date | None, days: int, last_day: date | None = None
) -> tuple[date, date] | None:
    """The days asked for, within the booking window (and up to `last_day`, when given); None
    when there are none or the directorate does not offer the service."""
    window = booking.booking_window(clock.today(), get_settings().slot_horizon_days)
    until = min(window.last_day, last_day) if last_day else window.last_day
    asked_from = from_ or clock.today()
    first = max(asked_from, window.first_day)
    if first > until or service.code not in directorate.services:
        return None
    return first, min(asked_from + timedelta(days=days - 1), until)


def coming_slots(
    directorate: Directorate, service: Service, from_: date | None, days: int, last_day: date | None = None
) -> list[booking.SlotState]:
    """The open slots offering `service` in the days asked for, within the booking window (and
    up to `last_day`, when given) and still ahead, whatever places they have left: the caller
    says which kind it offers. Read from the slots themselves (the assisted channel sees
    kept-back places, which the availability summary does not hold)."""
    span = days_shown(directorate, service, from_, days, last_day)
    if span is None:
        return []
    now = clock.now()
    return [state for state in _slots_in(directorate, service, *span) if state.start > now]


def _slots_in(directorate: Directorate, service: Service, first: date, last: date) -> list[booking.SlotState]:
    items = Slot.query(
        directorate.id,
        Slot.start.between(first.isoformat(), f"{last.isoformat()}T99:99"),
        filter_condition=Slot.services.contains(service.code) & (Slot.is_open == True),  # noqa: E712
    )
    return list(map(slot_state, items))


@dataclass(frozen=True)
class Booker:
    """Who books: the person themselves online (no channel), or the phone line or the counter
    for them (`channel`), which may take a kept-back place."""

    actor_id: str
    actor_role: str
    channel: str | None = None  # None: online | "phone" | "counter"

    @property
    def assisted(self) -> bool:
        return self.channel is not None


def book(caller: Caller, request: BookingRequest, admission: Admission | None = None) -> AppointmentOut:
    return book_for(caller.account_id, request.slot_id, request.service, Booker(caller.account_id, Role.APPLICANT.value),
                    admission=admission)


def book_for(applicant_id: str, slot_id: str, service_code: str, booker: Booker, *, guardian_id: str | None = None,
             admission: Admission | None = None) -> AppointmentOut:
    """The one booking path of one person, online and assisted: every rule of a booking
    (domain/booking.py `check_booking`: the slot's time, state and service, province, eligibility
    on the day, 30-day lock, demand mode, a place left) holds as a condition of one transaction,
    written without reading first. Only a cancelled transaction costs a read: one consistent read
    of what the booking names, judged by `check_booking`, says exactly why (or, when nothing
    refuses it any more, a race since: the transaction is tried again, up to ATTEMPTS times).

    `guardian_id`: the guardian of a dependant booked for by the phone line or the counter (their
    caller read the person's item already); an online account is never a dependant's (children
    have no account: services/people.py), so an online booking names none. The assisted channel
    takes a kept-back place first (domain/kept_back.py); when the slot has none left the cancelled
    transaction's read says which kind of place to take instead.

    `admission`: the request's own checks (its token not revoked, its account's booking limit:
    services/admission.py), made as items of the first transaction; a cancelled one that they
    refused answers 401 or 429 before any read, one they passed counts the attempt on its own."""
    now = clock.now()
    asked = asked_for(slot_id, service_code)
    window = booking.booking_window(clock.today(), get_settings().slot_horizon_days)
    place = INTERNAL if booker.assisted else PUBLIC
    if not booking.bookable_time(asked.start, now, window):
        # Known from the slot's key, and not a condition of the transaction: `check_booking` judges
        # the time by the same rule (`require_bookable_slot`), so the read below always refuses.
        diagnose(applicant_id, asked, now, window, booker.assisted)
        raise AssertionError("check_booking passed a slot bookable_time refused")
    for _ in range(ATTEMPTS):
        made = try_booking(applicant_id, asked, booker, place, now, guardian_id=guardian_id, admission=admission)
        if made is None:
            place = diagnose(applicant_id, asked, now, window, booker.assisted)
            continue
        appointment, _ = made
        logger.info("appointment booked", extra={"appointment_id": appointment.appointment_id, "directorate_id": asked.directorate.id,
                                                  "channel": booker.channel or "online", "place": place})
        observability.record(observability.BOOKINGS)
        return appointment_out(appointment)
    raise SlotFull("The places of this time changed while you were booking. Please try again.")


def try_booking(applicant_id: str, asked: "Asked", booker: Booker, place: str, now: datetime, *,
                guardian_id: str | None = None, admission: Admission | None = None) -> tuple[Appointment, list[Notification]] | None:
    """The booking's one transaction, taking a place of kind `place` (with the request's checks,
    `admission`, until they are settled): the appointment and the notifications written, or None
    when a condition of the booking refused it (nothing written)."""
    appointment = new_appointment(Applicant(applicant_id), asked.slot, asked.service, asked.start, now, guardian_id=guardian_id,
                                  place=place, channel=booker.channel)
    facts = {"channel": booker.channel, "place": place} if booker.assisted else None
    write = NamedTransaction()
    try:
        with write:
            notices = confirm_in(write, asked.slot, Applicant(applicant_id), appointment, now, actor_id=booker.actor_id,
                                 actor_role=booker.actor_role, place=place, audit_facts=facts, offering=asked.service.code,
                                 applicant_condition=eligible_at(asked.directorate, asked.service, asked.start))
            if place == PUBLIC:  # a kept-back place is the assisted channel's whatever the mode
                require_open_mode_in(write, asked.directorate.id, asked.service.code)
            if admission is not None:
                admission.write_in(write)
    except TransactWriteError as error:
        if admission is not None:
            admission.refused_in(write, error)  # 401 or 429 first; else the attempt is counted
        if condition_failed(error):
            return None
        raise
    if admission is not None:
        admission.admitted()
    return appointment, notices


ATTEMPTS = 3  # transactions one booking may try: the first, and retries after a race the read saw pass


@dataclass(frozen=True)
class Asked:
    """What a booking names, known without a read: the directorate, the service, the slot's key
    (an item holding only its key, enough to update it) and its start."""

    directorate: Directorate
    service: Service
    slot: Slot
    start: datetime


def asked_for(slot_id: str, service_code: str) -> Asked:
    parsed = calendar.parse_slot_id(slot_id)
    directorate = find_directorate(parsed[0]) if parsed else None
    if parsed is None or directorate is None:
        raise ValidationFailed("This time slot does not exist.", field="slot_id")
    service = find_service(service_code)
    assert service is not None  # validated by the request model
    key = calendar.wall_time(parsed[1])
    return Asked(directorate, service, Slot(directorate.id, key), calendar.from_wall_time(key))


def eligible_at(directorate: Directorate, service: Service, start: datetime):
    """The applicant item's condition for `domain/eligibility.py` on the day of `start`, on the
    registry's copy on the account (services/registry.py `residency_of`): living in the
    directorate's province (`require_in_province`), a permit status the service names and a
    permit in force on the day (`require_eligible_for`). All three attributes are written as
    `residency_copy` writes them (the status's value, the day as `date.isoformat()`), so a string
    comparison of the day is the comparison of dates. Each comparison also fails on an absent
    attribute, as `residency_of` gives no residency then. `check_booking` judges the same item
    when the transaction is cancelled; tests/services/test_booking_conditions.py holds the two
    to the same verdict."""
    day = calendar.local_day(start).isoformat()
    return (
        (Applicant.province == directorate.province)
        & Applicant.permit_status.is_in(*(status.value for status in service.eligible_statuses))
        & (Applicant.permit_valid_until >= day)
    )


def require_open_mode_in(write: NamedTransaction, directorate_id: str, service_code: str, name: str = "mode") -> None:
    """A ConditionCheck of the demand mode item (services/demand.py `mode_of`): no item (auto,
    which starts open), or a mode in force that is not `assigned` — the admin's `open`, or `auto`
    while the rule's last decision is not `assigned`."""
    open_mode = (
        DemandMode.setting.does_not_exist()
        | (DemandMode.setting == Setting.OPEN.value)
        | ((DemandMode.setting == Setting.AUTO.value) & (DemandMode.auto_mode != Mode.ASSIGNED.value))
    )
    write.condition_check(name, DemandMode, directorate_id, service_code, condition=open_mode)


def diagnose(applicant_id: str, asked: Asked, now: datetime, window: booking.BookingWindow, assisted: bool) -> str:
    """Why a booking cannot be made, from one consistent read of what it names (applicant, slot,
    demand mode in one TransactGetItems), judged by the booking rules (`judge`): raises the
    refusal. When nothing refuses it (a race: a place or a lock freed since), the kind of place
    a booking takes now."""
    applicant, slot, mode = _read_for_booking(applicant_id, asked.directorate.id, asked.slot.start, asked.service.code)
    if applicant is None:
        raise NotFound("No applicant profile belongs to this account.")
    return judge(Target(asked.directorate, asked.service, slot, mode, applicant), applicant, now, window, assisted)


def judge(target: "Target", person: Applicant, now: datetime, window: booking.BookingWindow, assisted: bool = False) -> str:
    """Every rule of a booking on stored items: `check_booking` (the rules, in the order a person
    should hear them), then the account's status (`may_book`); the kind of place it takes."""
    bookable = _checked(target, person, now, window, assisted)
    if person.status not in MAY_BOOK:
        raise LockedOut("Your account cannot book right now. Please try again.")  # closed, released, not yet confirmed
    return booking.place_to_take(bookable, assisted)


@dataclass(frozen=True)
class Target:
    """What a booking asks for, as read in one round trip: the directorate, the service,
    the slot and the demand mode, and the booking person's applicant item."""

    directorate: Directorate
    service: Service
    slot: Slot | None
    mode: DemandMode | None
    applicant: Applicant


def read_target(applicant_id: str, slot_id: str, service_code: str) -> Target:
    """The slot a booking names and the person's item, in one round trip (TransactGetItems): for a
    family's booking, which seats several people by the slot's places left."""
    asked = asked_for(slot_id, service_code)
    applicant, slot, mode = _read_for_booking(applicant_id, asked.directorate.id, asked.slot.start, asked.service.code)
    if applicant is None:
        raise NotFound("No applicant profile belongs to this account.")
    return Target(asked.directorate, asked.service, slot, mode, applicant)


def check_person(target: Target, person: Applicant, now: datetime, assisted: bool = False) -> booking.SlotState:
    """Every rule of a booking (domain/booking.py), for one person on the target's slot."""
    return _checked(target, person, now, booking.booking_window(clock.today(), get_settings().slot_horizon_days), assisted)


def _checked(target: Target, person: Applicant, now: datetime, window: booking.BookingWindow, assisted: bool) -> booking.SlotState:
    return booking.check_booking(
        directorate=target.directorate,
        service=target.service,
        slot=slot_state(target.slot) if target.slot else None,
        residency=residency_of(person),
        locked_until=person.locked_until,
        mode=demand.mode_of(target.mode),
        now=now,
        window=window,
        assisted=assisted,
    )


def new_appointment(
    applicant: Applicant, slot: Slot, service: Service, start: datetime, now: datetime, *,
    guardian_id: str | None = None, place: str = PUBLIC, channel: str | None = None,
) -> Appointment:
    """An appointment for `applicant` (only its id and, for an offline dependant, its guardian
    are used: an online booking builds it from the key alone). `lock_before` (the lock to give
    back if the authority cancels it, services/closures.py) is left empty: every booking's
    transaction requires that no lock be in force (`may_book`), so the lock before it is none."""
    appointment_id = str(uuid.uuid4())
    return Appointment(
        appointment_id,
        reference=booking.new_reference(),
        applicant_id=applicant.applicant_id,
        directorate_id=slot.directorate_id,
        slot_start=slot.start,
        start=start,
        end=start + timedelta(minutes=service.duration_minutes),
        service=service.code,
        status=CONFIRMED,
        place=place,
        channel=channel,
        unmarked_day=calendar.local_day(start).isoformat(),
        guardian_id=guardian_id or applicant.guardian_id,  # a child's, whoever books: the guardian sees and acts on it
        created_at=now,
        retention_due=retention.due_key(retention.appointment_due(start), appointment_id),
    )


def confirm_in(
    write: NamedTransaction,
    slot: Slot,
    applicant: Applicant,
    appointment: Appointment,
    now: datetime,
    *,
    actor_id: str,
    actor_role: str,
    applicant_actions: tuple = (),
    applicant_condition=None,
    audit_facts: dict | None = None,
    place: str = PUBLIC,
    offering: str | None = None,
) -> list[Notification]:
    """The writes that confirm an appointment, booked or assigned, added to `write`: a place of
    the slot (`take_places`: a public one, or a kept-back one for the assisted channel; of a slot
    offering the service `offering`, when given) and the person's part (`confirm_person_in`)."""
    take_places(write, slot, 1, place, offering=offering)
    return confirm_person_in(
        write, applicant, appointment, now, actor_id=actor_id, actor_role=actor_role,
        applicant_actions=applicant_actions, applicant_condition=applicant_condition, audit_facts=audit_facts,
    )


def take_places(write: NamedTransaction, slot: Slot, count: int, place: str = PUBLIC, name: str = "slot", offering: str | None = None) -> None:
    """`count` places of one kind of `slot` (item `name`; condition: that many of that kind left,
    slot open, and offering the service `offering` when given): public places (`booked` of
    `capacity`: what every online booking, a family's and the assigner take), or kept-back ones
    (`internal_booked` of `internal`: the assisted channel only). A slot that does not exist has
    neither attribute, so the comparison fails on it. DynamoDB's conditions have no arithmetic:
    for more than one place the condition holds the limit as read, and a taken count that leaves
    room for everyone on it."""
    taken, limit = (Slot.internal_booked, Slot.internal) if place == INTERNAL else (Slot.booked, Slot.capacity)
    if count == 1:
        room = taken < limit
    else:
        value = int(getattr(slot, limit.attr_name) or 0)
        room = (limit == value) & (taken <= value - count)
    condition = room & (Slot.is_open == True)  # noqa: E712
    if offering is not None:
        condition = condition & Slot.services.contains(offering)
    write.update(name, slot, actions=[taken.add(count)], condition=condition)


def confirm_person_in(
    write: NamedTransaction,
    applicant: Applicant,
    appointment: Appointment,
    now: datetime,
    *,
    actor_id: str,
    actor_role: str,
    name: str = "applicant",
    applicant_actions: tuple = (),
    applicant_condition=None,
    audit_facts: dict | None = None,
) -> list[Notification]:
    """One person's writes of a confirmed appointment, added to `write`: their 30-day lock (item
    `name`; condition: active or offline, no lock in force), the appointment, its audit record and
    the notifications owed for it (returned; the table's stream queues them, services/outbox.py): its
    confirmation, and its reminder with the check-in code when the day-before reminder run has
    passed already (domain/reminders.py)."""
    booked = audit.record(
        audit.applicant_subject(applicant.applicant_id),
        "appointment.booked",
        actor_id=actor_id,
        actor_role=actor_role,
        at=now,
        after={
            "appointment_id": appointment.appointment_id,
            "slot_id": calendar.slot_id_for(appointment.directorate_id, appointment.start),
            "service": appointment.service,
            **(audit_facts or {}),
        },
    )
    notices = notifications.owed_for_new(appointment, now)
    condition = may_book(now)
    if applicant_condition is not None:
        condition = condition & applicant_condition
    write.update(
        name,
        applicant,
        actions=[Applicant.locked_until.set(lock_after_booking(now)), *applicant_actions],
        condition=condition,
    )
    write.save("appointment", appointment, condition=Appointment.appointment_id.does_not_exist())
    write.save("audit", booked)
    notifications.save_in(write, notices)
    return notices


MAY_BOOK = (ACTIVE, OFFLINE)  # an applicant item's statuses that may take an appointment


def may_book(now: datetime):
    """The applicant item's condition for taking a new appointment or request: an active
    account, or a person without one booked for by the phone line or the counter (offline,
    services/people.py), with no lock in force (the same boundary as lockout.lock_in_force: a
    lock ending now is over)."""
    return Applicant.status.is_in(*MAY_BOOK) & (Applicant.locked_until.does_not_exist() | (Applicant.locked_until <= now))


def refuse_person(target: Target, applicant_id: str, now: datetime) -> None:
    """A person's item refused a booking in its transaction (a family's): one fresh read of it,
    judged by every rule (`judge`), says why; the slot as read before."""
    current = Applicant.get(applicant_id, consistent_read=True)
    judge(target, current, now, booking.booking_window(clock.today(), get_settings().slot_horizon_days))
    raise LockedOut("Your account cannot book right now. Please try again.")


def _read_for_booking(
    applicant_id: str, directorate_id: str, slot_key: str, service_code: str
) -> tuple[Applicant | None, Slot | None, DemandMode | None]:
    """The applicant, the slot and the demand mode, in one round trip."""
    with TransactGet(connection=connection()) as get:
        applicant_future = get.get(Applicant, applicant_id)
        slot_future = get.get(Slot, directorate_id, slot_key)
        mode_future = get.get(DemandMode, directorate_id, service_code)
    return _resolved(applicant_future, Applicant), _resolved(slot_future, Slot), _resolved(mode_future, DemandMode)


def _resolved(future, model_cls):
    try:
        return future.get()
    except model_cls.DoesNotExist:
        return None


def slot_state(slot: Slot) -> booking.SlotState:
    return booking.SlotState(
        directorate_id=slot.directorate_id,
        start=calendar.from_wall_time(slot.start),
        end=calendar.from_wall_time(slot.end),
        capacity=int(slot.capacity),
        booked=int(slot.booked),
        services=frozenset(slot.services or ()),
        is_open=bool(slot.is_open),
        internal=int(slot.internal or 0),
        internal_booked=int(slot.internal_booked or 0),
    )


def refuse_change(caller: Caller, appointment_id: str) -> None:
    """Confirmed appointments are final for the applicant: never cancelled, never moved."""
    _visible_appointment(caller, appointment_id)
    raise AppointmentFinal(
        "A confirmed appointment cannot be cancelled or changed online. If you cannot come, "
        "you do not need to do anything, but a missed appointment blocks new bookings for 30 days. "
        "If the directorate has to close, it cancels the appointment itself and tells you.",
    )


def get_appointment(caller: Caller, appointment_id: str) -> AppointmentOut:
    appointment = _visible_appointment(caller, appointment_id)
    return appointment_out(appointment, person=person_named(appointment))


def person_named(appointment: Appointment) -> str | None:
    """The given name of the dependant a guardian booked this appointment for (None for a
    person's own appointment)."""
    if appointment.guardian_id is None:
        return None
    try:
        return Applicant.get(appointment.applicant_id).given_name
    except Applicant.DoesNotExist:
        return None


def my_appointments(caller: Caller, query: AppointmentPageQuery) -> Page:
    last_key = decode_cursor(query.cursor, "applicant_id", caller.account_id)
    results = Appointment.by_applicant.query(
        caller.account_id, scan_index_forward=False, limit=query.limit, last_evaluated_key=last_key
    )
    items = [appointment_out(a) for a in results]
    return Page(items, next_cursor=encode_cursor(results.last_evaluated_key))


def set_slot_capacity(caller: Caller, directorate_id: str, start: str, request: SlotCapacityRequest) -> SlotCapacity:
    """Change a slot's places in total and how many of them are kept back (`internal`; omitted:
    as many as now); never below what is booked of either kind (`domain/kept_back.py`, held here
    by the update's condition), audited in the same transaction. A day whose kept-back places
    went to the public already keeps no more back."""
    directorate = find_directorate(directorate_id)
    try:
        slot = Slot.get(directorate_id, start, consistent_read=True) if directorate else None
    except Slot.DoesNotExist:
        slot = None
    if slot is None:
        raise NotFound("There is no such slot.")
    before = slot_state(slot).places
    internal = before.internal if request.internal is None else request.internal
    _require_places(before, request.capacity, internal)
    if internal > before.internal_booked and internal > before.internal and kept_back_days.released_on(directorate_id, date.fromisoformat(start[:10])):
        raise ValidationFailed("This day's kept-back places went to the public already; none can be kept back now.", field="internal")
    public, internal = kept_back.split(request.capacity, internal)
    now = clock.now()
    record = audit.record(
        audit.directorate_subject(directorate_id), CAPACITY_CHANGED, actor_id=caller.account_id, actor_role=audit.actor_role(caller),
        at=now, before={"slot": start, "capacity": before.total, "internal": before.internal},
        after={"slot": start, "capacity": request.capacity, "internal": internal},
    )
    try:
        with NamedTransaction() as write:
            # Conditional on the places read, so the audit's "before" is what was replaced.
            write.update("slot", slot, actions=[Slot.capacity.set(public), Slot.internal.set(internal)],
                         condition=(Slot.booked <= public) & (Slot.internal_booked <= internal)
                         & (Slot.capacity == slot.capacity) & (Slot.internal == before.internal))
            write.save("audit", record)
    except TransactWriteError as error:
        if "slot" not in write.failed(error):
            raise
        _require_places(slot_state(Slot.get(directorate_id, start, consistent_read=True)).places, request.capacity, internal)
        raise ValidationFailed("The capacity changed meanwhile. Reload and try again.") from None
    if internal > before.internal_booked:
        kept_back_days.arm(directorate_id, start[:10])  # unused kept-back places: released before the day
    logger.info("slot capacity changed", extra={"directorate_id": directorate_id, "slot": start, "actor_id": caller.account_id})
    state = slot_state(slot)
    return SlotCapacity(slot_id=calendar.slot_id_for(directorate_id, state.start), capacity=request.capacity, booked=before.booked,
                        internal=internal, internal_booked=before.internal_booked)


def _require_places(places: kept_back.Places, total: int, internal: int) -> None:
    field = kept_back.refusal(places, total, internal)
    if field == "internal":
        raise ValidationFailed("The kept-back places cannot be more than the places, nor fewer than those already booked by the "
                               "phone line or the counter.", field="internal", internal_booked=places.internal_booked)
    if field is not None:
        raise ValidationFailed("The capacity cannot be lower than the appointments already booked.", field="capacity",
                               booked=places.booked)


def holds(caller: Caller, appointment: Appointment) -> bool:
    """Whether the appointment is the caller's to act on: theirs, or booked by them as the
    guardian of the person it is for (reading it, its receipt, giving its place back)."""
    return caller.account_id in (appointment.applicant_id, appointment.guardian_id)


def _visible_appointment(caller: Caller, appointment_id: str) -> Appointment:
    """The appointment, for its owner, the guardian who booked it for a dependant, or staff of
    its directorate; anyone else learns nothing (404, as if it did not exist)."""
    not_found = NotFound("There is no appointment with this id.")
    try:
        appointment = Appointment.get(appointment_id)
    except Appointment.DoesNotExist:
        raise not_found from None
    if holds(caller, appointment):
        return appointment
    if Role.ADMIN in caller.roles:
        return appointment
    if Role.STAFF in caller.roles:
        directorate = staff_directorate(caller)
        if directorate is not None and directorate.id == appointment.directorate_id:
            return appointment
    raise not_found


def appointment_out(appointment: Appointment, person: str | None = None) -> AppointmentOut:
    directorate: Directorate | None = find_directorate(appointment.directorate_id)
    return AppointmentOut(
        appointment_id=appointment.appointment_id,
        reference=appointment.reference,
        status=appointment.status,
        start=appointment.start,
        end=appointment.end,
        directorate=appointment.directorate_id,
        directorate_name=directorate.name if directorate else appointment.directorate_id,
        directorate_address=directorate.address if directorate else "",
        service=appointment.service,
        applicant_id=appointment.applicant_id,
        attendance=appointment.attendance,
        created_at=appointment.created_at,
        person=person,
        **corrections_out(appointment),
    )


def corrections_out(appointment: Appointment) -> dict:
    """What corrections, appeals and giving back did to it (issue 12), as the person sees it;
    never the moment a given-back place returns to the pool."""
    correction = lock_change = None
    if appointment.corrected_from:
        correction = AttendanceCorrection(corrected_from=appointment.corrected_from, reason=appointment.correction_reason or "", corrected_at=appointment.corrected_at)
    if appointment.lock_change:
        lock_change = LockChange(change=appointment.lock_change, locked_until=appointment.lock_changed_until, grounds=appointment.lock_change_grounds or "other",
                                 reason=appointment.lock_change_reason or "", changed_at=appointment.lock_changed_at)
    return {"correction": correction, "lock_change": lock_change, "follow_up_of": appointment.follow_up_of, "follow_up_id": appointment.follow_up_id,
            "follow_up_reason": appointment.follow_up_reason, "released_at": appointment.released_at}


def encode_cursor(key: dict | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def decode_cursor(cursor: str | None, owner_key: str, owner_id: str) -> dict | None:
    """The position a previous page ended at; only a cursor this service gave this caller: the
    keys of a page of an index whose partition (`owner_key`: applicant_id, or guardian_id) is
    the caller's."""
    if not cursor:
        return None
    refused = ValidationFailed("The cursor is not one this service gave out.", field="cursor")
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise refused from None
    well_formed = (
        isinstance(key, dict)
        and set(key) == {"appointment_id", owner_key, "start"}
        and all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) and v["S"] for v in key.values())
    )
    if not well_formed or key[owner_key]["S"] != owner_id:
        raise refused
    return key
