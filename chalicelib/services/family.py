"""Use cases of families (issue 12): a guardian sees the children the registry names them the
guardian of, and books for any of them, with or without themselves, in one step.

One booking for several people is one DynamoDB transaction: everyone's place on the one slot
(`booking.take_places`: booked + N within the capacity, condition held on the item), and for each
person their own 30-day lock (condition: none in force), appointment, audit record and
notifications (`booking.confirm_person_in`, the same writes as a booking for one). Either everyone
is booked or nobody is. Each person is judged by the booking rules on their own item (their
province, their own registry permit on the day, their lock): a dependant is an offline person
(`services/people.py`) whose messages go to the guardian.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import TransactWriteError

from chalicelib import observability, wiring
from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import Applicant, Appointment, ResidentRecord, Slot
from chalicelib.clock import clock
from chalicelib.contract import AppointmentPageQuery, BookingRequest, DependantOut, FamilyBookingOut, Page
from chalicelib.domain import booking as rules
from chalicelib.domain import family
from chalicelib.domain.errors import AssignedMode, LockedOut, NotEligible, NotFound, SlotFull, WrongProvince
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.services import booking, people

# The refusals that concern one person (not the slot): they say whom (details.person).
_ABOUT_A_PERSON = (LockedOut, NotEligible, WrongProvince)


def my_dependants(caller: Caller) -> list[DependantOut]:
    guardian = _guardian(caller)
    return [
        DependantOut(dependant_id=key, given_name=record.given_name or "", birth_date=record.birth_date)
        for key, record in dependants_of(guardian).items()
    ]


def dependants_of(guardian: Applicant) -> dict[str, ResidentRecord]:
    """The minors whose registry record names a document this account holds (its current one, and
    any it held before an amendment), by dependant id: one Query of the sparse guardian index per
    document number."""
    key, today = wiring.family_key(), clock.today()
    numbers = sorted({guardian.document_number, *(guardian.document_numbers or ())})
    found: dict[str, ResidentRecord] = {}
    for number in numbers:
        for record in ResidentRecord.by_guardian.query(number):
            if family.is_minor(record.birth_date, today):
                found[family.dependant_id(key, record.document_number)] = record
    return dict(sorted(found.items(), key=lambda item: (item[1].birth_date or "", item[0])))


def book_together(caller: Caller, request: BookingRequest) -> FamilyBookingOut:
    """Book `request.people` (the caller as "self", and their dependants) together, all or
    nothing: on the slot named when it has a place for everyone, else on it and the slots right
    after it (domain/booking.py `seat_together`), one transaction either way."""
    assert request.people is not None  # the endpoint sends a booking without people to booking.book
    now = clock.now()
    target = booking.read_target(caller.account_id, request.slot_id, request.service)
    guardian = target.applicant
    dependants = dependants_of(guardian) if any(p != family.SELF for p in request.people) else {}
    family.require_people(request.people, set(dependants))
    party = [(choice, _person(choice, guardian, dependants, now)) for choice in request.people]

    for choice, person in party:  # every rule for every person first: province, eligibility, lock
        with _about(choice):
            booking.check_person(target, person, now)
    assert target.slot is not None
    # Then a place for each, in the order named: the chosen time, or it and the times right after.
    placed = [(choice, person, slot) for (choice, person), slot in zip(party, _seats(target, len(party)))]
    slots = [slot for _, _, slot in placed]

    appointments = [
        booking.new_appointment(person, slot, target.service, booking.slot_state(slot).start, now,
                                guardian_id=None if choice == family.SELF else guardian.applicant_id)
        for choice, person, slot in placed
    ]
    write = NamedTransaction()
    try:
        with write:
            for index, (slot, count) in enumerate(_counted(slots)):
                booking.take_places(write, slot, count, name="slot" if index == 0 else f"slot:{index}", offering=target.service.code)
            for (choice, person, slot), appointment in zip(placed, appointments):
                booking.confirm_person_in(
                    write, person, appointment, now, actor_id=caller.account_id, actor_role=Role.APPLICANT.value,
                    name=f"applicant:{choice}", audit_facts={"people": len(party)},
                    applicant_condition=booking.eligible_at(target.directorate, target.service, booking.slot_state(slot).start),
                )
            booking.require_open_mode_in(write, target.directorate.id, target.service.code)
    except TransactWriteError as error:
        # The same conditions as a booking for one (services/booking.py); a person's item that
        # refused is read again and judged by every rule, so the refusal names them and says why.
        failed = write.failed(error)
        for choice, person in party:
            if f"applicant:{choice}" in failed:
                with _about(choice):
                    booking.refuse_person(target, person.applicant_id, now)
        if "mode" in failed:
            raise AssignedMode() from None
        if any(name == "slot" or name.startswith("slot:") for name in failed):
            raise SlotFull() from None
        raise
    logger.info("family booked", extra={"directorate_id": target.directorate.id, "people": len(party), "slots": len(_counted(slots)),
                                        "appointment_ids": [a.appointment_id for a in appointments]})
    observability.record(observability.BOOKINGS, len(party))
    names = {choice: person.given_name for choice, person in party}
    return FamilyBookingOut(appointments=[
        booking.appointment_out(appointment, person=None if choice == family.SELF else names[choice])
        for (choice, _, _), appointment in zip(placed, appointments)
    ])


def _seats(target: booking.Target, count: int) -> list[Slot]:
    """The slot of each person, in the order they were named: the slot named for everyone when it
    has room; else it and the slots right after it (one Query of the rest of that day, only then)."""
    assert target.slot is not None
    chosen = booking.slot_state(target.slot)
    following: list[Slot] = []
    if chosen.remaining < count:
        day = target.slot.start[:10]
        following = list(Slot.query(
            target.directorate.id,
            Slot.start.between(f"{target.slot.start}!", f"{day}T99:99"),  # after the chosen one ("!" sorts first)
            filter_condition=Slot.services.contains(target.service.code) & (Slot.is_open == True),  # noqa: E712
            consistent_read=True,
        ))
    seats = rules.seat_together(count, chosen, [booking.slot_state(slot) for slot in following])
    slots = [target.slot, *following]
    return [slots[index] for index, taken in enumerate(seats) for _ in range(taken)]


def _counted(slots: list[Slot]) -> list[tuple[Slot, int]]:
    """Each distinct slot with how many of the party it takes, in order."""
    counted: list[tuple[Slot, int]] = []
    for slot in slots:
        if counted and counted[-1][0] is slot:
            counted[-1] = (slot, counted[-1][1] + 1)
        else:
            counted.append((slot, 1))
    return counted


def dependants_appointments(caller: Caller, query: AppointmentPageQuery | None = None) -> Page:
    """The appointments the caller booked for their dependants, newest first, each naming the
    person it is for: a page of the sparse by-guardian index (My appointments, API and portal)."""
    query = query or AppointmentPageQuery(limit=50)
    last_key = booking.decode_cursor(query.cursor, "guardian_id", caller.account_id)
    results = Appointment.by_guardian.query(caller.account_id, scan_index_forward=False, limit=query.limit, last_evaluated_key=last_key)
    found = list(results)
    names: dict[str, str] = {}
    ids = sorted({a.applicant_id for a in found})
    for start in range(0, len(ids), 100):
        for person in Applicant.batch_get(ids[start:start + 100]):
            names[person.applicant_id] = person.given_name
    items = [booking.appointment_out(a, person=names.get(a.applicant_id)) for a in found]
    return Page(items, next_cursor=booking.encode_cursor(results.last_evaluated_key))


def _guardian(caller: Caller) -> Applicant:
    try:
        return Applicant.get(caller.account_id)
    except Applicant.DoesNotExist:
        raise NotFound("No applicant profile belongs to this account.") from None


def _person(choice: str, guardian: Applicant, dependants: dict[str, ResidentRecord], now: datetime) -> Applicant:
    """The item a choice stands for: the guardian's own, or the dependant's (an offline person
    reached through the guardian, or the child's own account if they have one)."""
    if choice == family.SELF:
        return guardian
    return people.person_for(
        dependants[choice], phone=guardian.phone, email=guardian.email, language=guardian.language,
        guardian_id=guardian.applicant_id, now=now,
    )


class _about:
    """A refusal about one person says whom it concerns (`details.person`: "self" or the
    dependant id), so the guardian knows who cannot come."""

    def __init__(self, choice: str) -> None:
        self.choice = choice

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, _ABOUT_A_PERSON):
            error.details["person"] = self.choice
        return False
