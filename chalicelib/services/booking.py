"""Use cases of booking: availability, booking, finality, reading appointments.

A booking costs one read (the applicant and the slot, in one TransactGetItems) and one
transaction: take a unit of the slot's capacity (condition: capacity left, day open), lock the
applicant for 30 days (condition: no lock in force), write the appointment, its audit record and
the notification owed for it. Either all of it happens or none of it does, under any
concurrency. The notification is then queued for the sender.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactGet

from chalicelib.adapters.dynamo import NamedTransaction, connection
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
from chalicelib.domain import booking, calendar, kept_back
from chalicelib.domain.attendance import CONFIRMED
from chalicelib.domain.catalogue import Directorate, Service, find_directorate, find_service
from chalicelib.domain.demand import Mode
from chalicelib.domain.eligibility import Residency, last_day_offered, permit_ends_before
from chalicelib.domain.errors import AppointmentFinal, LockedOut, NotFound, SlotFull, ValidationFailed
from chalicelib.domain.kept_back import INTERNAL, PUBLIC
from chalicelib.domain.lockout import lock_after_booking, require_not_locked
from chalicelib.domain.roles import Caller, Role
from chalicelib import observability
from chalicelib.observability import logger
from chalicelib.services import audit, demand, notifications
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


def book(caller: Caller, request: BookingRequest) -> AppointmentOut:
    return book_for(caller.account_id, request.slot_id, request.service, Booker(caller.account_id, Role.APPLICANT.value))


def book_for(applicant_id: str, slot_id: str, service_code: str, booker: Booker) -> AppointmentOut:
    """The one booking path of one person, online and assisted: the same reads, rules (province,
    eligibility, 30-day lock, finality, demand mode) and transaction; only the kind of place
    differs. (A family's booking, services/family.py, is built of the same pieces.)"""
    now = clock.now()
    target = read_target(applicant_id, slot_id, service_code)
    applicant, slot = target.applicant, target.slot
    bookable = check_person(target, applicant, now, assisted=booker.assisted)
    place = booking.place_to_take(bookable, booker.assisted)
    appointment = new_appointment(applicant, slot, target.service, bookable.start, now, place=place, channel=booker.channel)
    facts = {"channel": booker.channel, "place": place} if booker.assisted else None
    write = NamedTransaction()
    try:
        with write:
            notices = confirm_in(write, slot, applicant, appointment, now, actor_id=booker.actor_id, actor_role=booker.actor_role,
                                 place=place, audit_facts=facts)
    except TransactWriteError as error:
        failed = write.failed(error)
        if "applicant" in failed:
            refuse_for_lock(applicant.applicant_id, now)
        if "slot" in failed:
            raise SlotFull() from None
        raise
    logger.info("appointment booked", extra={"appointment_id": appointment.appointment_id, "directorate_id": target.directorate.id,
                                              "channel": booker.channel or "online", "place": place})
    observability.record(observability.BOOKINGS)
    notifications.enqueue([notice.notification_id for notice in notices])
    return appointment_out(appointment)


@dataclass(frozen=True)
class Target:
    """What a booking asks for, as read in its one round trip: the directorate, the service,
    the slot and the demand mode, and the booking person's applicant item."""

    directorate: Directorate
    service: Service
    slot: Slot | None
    mode: DemandMode | None
    applicant: Applicant


def read_target(applicant_id: str, slot_id: str, service_code: str) -> Target:
    """The slot a booking names and the person's item, in one round trip (TransactGetItems)."""
    parsed = calendar.parse_slot_id(slot_id)
    directorate = find_directorate(parsed[0]) if parsed else None
    if parsed is None or directorate is None:
        raise ValidationFailed("This time slot does not exist.", field="slot_id")
    service = find_service(service_code)
    assert service is not None  # validated by the request model
    slot_key = calendar.wall_time(parsed[1])
    applicant, slot, mode = _read_for_booking(applicant_id, directorate.id, slot_key, service.code)
    if applicant is None:
        raise NotFound("No applicant profile belongs to this account.")
    return Target(directorate, service, slot, mode, applicant)


def check_person(target: Target, person: Applicant, now: datetime, assisted: bool = False) -> booking.SlotState:
    """Every rule of a booking (domain/booking.py), for one person on the target's slot."""
    return booking.check_booking(
        directorate=target.directorate,
        service=target.service,
        slot=slot_state(target.slot) if target.slot else None,
        residency=residency_of(person),
        locked_until=person.locked_until,
        mode=demand.mode_of(target.mode),
        now=now,
        window=booking.booking_window(clock.today(), get_settings().slot_horizon_days),
        assisted=assisted,
    )


def new_appointment(
    applicant: Applicant, slot: Slot, service: Service, start: datetime, now: datetime, *,
    guardian_id: str | None = None, place: str = PUBLIC, channel: str | None = None,
) -> Appointment:
    return Appointment(
        str(uuid.uuid4()),
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
        lock_before=applicant.locked_until,
        unmarked_day=calendar.local_day(start).isoformat(),
        guardian_id=guardian_id or applicant.guardian_id,  # a child's, whoever books: the guardian sees and acts on it
        created_at=now,
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
) -> list[Notification]:
    """The writes that confirm an appointment, booked or assigned, added to `write`: a place of
    the slot (`take_places`: a public one, or a kept-back one for the assisted channel) and the
    person's part (`confirm_person_in`)."""
    take_places(write, slot, 1, place)
    return confirm_person_in(
        write, applicant, appointment, now, actor_id=actor_id, actor_role=actor_role,
        applicant_actions=applicant_actions, applicant_condition=applicant_condition, audit_facts=audit_facts,
    )


def take_places(write: NamedTransaction, slot: Slot, count: int, place: str = PUBLIC, name: str = "slot") -> None:
    """`count` places of one kind of `slot` (item `name`; condition: that many of that kind left,
    slot open): public places (`booked` of `capacity`: what every online booking, a family's and
    the assigner take), or kept-back ones (`internal_booked` of `internal`: the assisted channel
    only). DynamoDB's conditions have no arithmetic: for more than one place the condition holds
    the limit as read, and a taken count that leaves room for everyone on it."""
    taken, limit = (Slot.internal_booked, Slot.internal) if place == INTERNAL else (Slot.booked, Slot.capacity)
    if count == 1:
        room = taken < limit
    else:
        value = int(getattr(slot, limit.attr_name) or 0)
        room = (limit == value) & (taken <= value - count)
    write.update(name, slot, actions=[taken.add(count)], condition=room & (Slot.is_open == True))  # noqa: E712


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
    the notifications owed for it (returned, to be queued once the transaction is through): its
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


def may_book(now: datetime):
    """The applicant item's condition for taking a new appointment or request: an active
    account, or a person without one booked for by the phone line or the counter (offline,
    services/people.py), with no lock in force (the same boundary as lockout.lock_in_force: a
    lock ending now is over)."""
    return Applicant.status.is_in(ACTIVE, OFFLINE) & (Applicant.locked_until.does_not_exist() | (Applicant.locked_until <= now))


def refuse_for_lock(applicant_id: str, now: datetime) -> None:
    """The applicant item's condition failed: say until when the lock runs (a fresh read)."""
    current = Applicant.get(applicant_id, consistent_read=True)
    require_not_locked(current.locked_until, now)
    raise LockedOut("Your account cannot book right now. Please try again.")  # not active any more


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
