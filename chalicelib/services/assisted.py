"""Assisted booking (issue 12): the phone line (agents, national) and the counter (staff, their own
directorate) book for a person who cannot or does not use the portal.

The person is identified by the registry: document number AND birth date. A wrong birth date gets
the same answer as an unknown number, so the pair cannot be used to learn who is registered. The
person is booked on the one applicant item that holds their identity (`services/people.py`): their
online account if they have one, otherwise an offline item carrying the contact the caller gave
(one that takes over from an account the person closed, once its lock has ended).
The booking itself is `booking.book_for`, the path of every online booking (province, eligibility
on the day, 30-day lock, finality, one transaction with the audit record and the notifications),
with one difference: it may take a kept-back place (`domain/kept_back.py`), internal ones first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.adapters.tables import ResidentRecord
from chalicelib.clock import clock
from chalicelib.contract import AppointmentOut, AssistedBookingRequest
from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Directorate, Service, directorates_in, find_directorate
from chalicelib.domain.closure import CLOSED
from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.services import audit, booking, people
from chalicelib.services.auth import staff_directorate

CHANNELS = ("phone", "counter")


def default_channel(caller: Caller) -> str:
    """Where a booking for someone comes from when the form does not say: the phone line for an
    agent, the counter for staff of a directorate."""
    return "phone" if Role.AGENT in caller.roles else "counter"
DEFAULT_LANGUAGE = "tr"


def _not_found() -> NotFound:
    # One answer for "not in the registry" and "the birth date does not match" (no oracle).
    return NotFound("No person with this document number and birth date is in the registry.")


@dataclass(frozen=True)
class Person:
    """Who the caller is booking for, as the registry knows them (shown to confirm on the phone)."""

    document_number: str
    given_name: str
    family_name: str
    province: str
    has_account: bool  # booked on their online account (messages go to its phone and email); not a closed one


def registered(document_number: str, birth_date: date) -> ResidentRecord:
    """The registry's record of the person with this document number and birth date."""
    try:
        resident = ResidentRecord.get(document_number, consistent_read=True)
    except ResidentRecord.DoesNotExist:
        raise _not_found() from None
    if resident.birth_date != birth_date.isoformat():
        raise _not_found()
    return resident


def identify(document_number: str, birth_date: date) -> tuple[ResidentRecord, Person]:
    """The person as the registry knows them, and whether they have an online account."""
    resident = registered(document_number, birth_date)
    holder = people.claimed_by(document_number)
    return resident, Person(
        document_number=resident.document_number, given_name=resident.given_name or "", family_name=resident.family_name or "",
        province=resident.province, has_account=holder is not None and holder.status not in (people.OFFLINE, CLOSED),
    )


def directorates_for(caller: Caller, person: Person) -> list[Directorate]:
    """Where the caller may book for the person: staff, their own directorate (if it is in the
    person's province); an agent, every directorate of the person's province."""
    if Role.STAFF in caller.roles:
        own = staff_directorate(caller)
        return [own] if own is not None and own.province == person.province else []
    return list(directorates_in(person.province))


@dataclass(frozen=True)
class AssistedSlot:
    slot_id: str
    start: datetime
    end: datetime
    public_free: int
    internal_free: int

    @property
    def free(self) -> int:
        return self.public_free + self.internal_free


def slots(directorate: Directorate, service: Service, from_: date | None = None, days: int = 14) -> list[AssistedSlot]:
    """The slots the assisted channel can book: kept-back places beside the public ones."""
    out = []
    for state in booking.coming_slots(directorate, service, from_, days):
        places = state.places
        if places.public_free + places.internal_free > 0:
            out.append(AssistedSlot(calendar.slot_id_for(directorate.id, state.start), state.start, state.end,
                                    places.public_free, places.internal_free))
    return out


def book(caller: Caller, request: AssistedBookingRequest) -> AppointmentOut:
    """Book for the person identified by `request` (see the module's note)."""
    resident = registered(request.document_number, request.birth_date)  # the claim is read once, below
    parsed = calendar.parse_slot_id(request.slot_id)
    directorate = find_directorate(parsed[0]) if parsed else None
    if directorate is None:
        raise ValidationFailed("This time slot does not exist.", field="slot_id")
    if Role.STAFF in caller.roles:
        own = staff_directorate(caller)
        if own is None or own.id != directorate.id:
            raise Forbidden("Staff book at their own directorate only.")
    person = people.claimed_by(resident.document_number)
    if person is None or person.status == CLOSED:  # a closed account sends nothing: they give a contact
        if request.phone is None:
            raise ValidationFailed("This person has no online account: give a mobile number to send the confirmation to.", field="phone")
        # An offline item; or the closed account still, while its lock runs (the booking refuses then).
        person = people.person_for(resident, phone=request.phone, email=request.email,
                                   language=request.language or DEFAULT_LANGUAGE, now=clock.now())
    elif request.phone is not None:  # someone booked for before: the contact they give now
        person = people.refresh_contact(person, caller, phone=request.phone, email=request.email, language=request.language, now=clock.now())
    booker = booking.Booker(caller.account_id, audit.actor_role(caller), channel=request.channel)
    appointment = booking.book_for(person.applicant_id, request.slot_id, request.service, booker, guardian_id=person.guardian_id)
    logger.info("assisted booking", extra={"appointment_id": appointment.appointment_id, "channel": request.channel,
                                           "actor_id": caller.account_id})
    return appointment
