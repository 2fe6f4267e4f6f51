"""Booking endpoints: availability, booking, the appointment's finality, reading appointments."""

from __future__ import annotations

from chalicelib.api.http import ANY_ACCOUNT, APPLICANT, endpoint
from chalicelib.contract import (
    AnyBody,
    AppointmentOut,
    AppointmentPageQuery,
    Availability,
    AvailabilityQuery,
    BookingRequest,
    DependantOut,
    FamilyBookingOut,
)
from chalicelib.domain.errors import (
    AppointmentFinal,
    LockedOut,
    NotEligible,
    NotFound,
    SlotFull,
    ValidationFailed,
    WrongProvince,
)
from chalicelib.domain.roles import Caller
from chalicelib.services import booking, family
from chalicelib.services.admission import Admission



@endpoint("Bookable slots of a directorate for a service, with remaining capacity", roles=ANY_ACCOUNT)
def availability(caller: Caller, query: AvailabilityQuery) -> Availability:
    return booking.availability(caller, query)


@endpoint(
    "Book a slot: one unit of capacity, and no new booking for 30 days. With `people`, the caller "
    "and/or their dependants together on the slot, all or nothing: each person gets their own "
    "appointment and lock (a refusal about one person names them in details.person)",
    status=201,
    roles=APPLICANT,
    errors=(ValidationFailed, SlotFull, LockedOut, WrongProvince, NotEligible, NotFound),
)
def book(caller: Caller, body: BookingRequest, admission: Admission) -> AppointmentOut | FamilyBookingOut:
    if body.people is None:
        return booking.book(caller, body, admission)  # the token's check and the counter: in the booking's transaction
    admission.settle()  # a family's booking: the checks first, on their own
    return family.book_together(caller, body)


@endpoint("The minors the residents registry names me the guardian of (from the registry)", roles=APPLICANT, errors=(NotFound,))
def my_dependants(caller: Caller) -> list[DependantOut]:
    return family.my_dependants(caller)


@endpoint("An appointment (its applicant, or staff of its directorate)", roles=ANY_ACCOUNT, errors=(NotFound,))
def get_appointment(caller: Caller, appointment_id: str) -> AppointmentOut:
    return booking.get_appointment(caller, appointment_id)


@endpoint("Always refused: a confirmed appointment cannot be cancelled", roles=ANY_ACCOUNT, errors=(AppointmentFinal, NotFound))
def cancel_appointment(caller: Caller, appointment_id: str) -> None:
    booking.refuse_change(caller, appointment_id)


@endpoint("Always refused: a confirmed appointment cannot be rescheduled", roles=ANY_ACCOUNT, errors=(AppointmentFinal, NotFound))
def change_appointment(caller: Caller, appointment_id: str, body: AnyBody) -> None:
    booking.refuse_change(caller, appointment_id)


@endpoint("My appointments, newest first (next page: the X-Next-Cursor header); whose=dependants: my children's", roles=APPLICANT)
def my_appointments(caller: Caller, query: AppointmentPageQuery) -> list[AppointmentOut]:
    return (family.dependants_appointments if query.whose == "dependants" else booking.my_appointments)(caller, query)
