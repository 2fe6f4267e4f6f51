"""Assisted booking: the phone line (agents) and the counter (staff) book for a person identified
by the registry (document number and birth date), through the same rules as an online booking."""

from __future__ import annotations

from chalicelib.api.http import endpoint
from chalicelib.contract import AppointmentOut, AssistedBookingRequest
from chalicelib.domain.errors import Forbidden, LockedOut, NotEligible, NotFound, SlotFull, ValidationFailed, WrongProvince
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import assisted

ASSISTING = frozenset({Role.AGENT, Role.STAFF})


@endpoint(
    "Book for a person by phone or at the counter (staff: their own directorate; agent: any directorate of the "
    "person's province). The person is identified by document number and birth date; without an online account, "
    "the `phone` (and optional `email`) given receive the confirmation. Kept-back places are bookable here only, "
    "before public ones; otherwise the same refusals as POST /v1/appointments",
    status=201,
    roles=ASSISTING,
    errors=(ValidationFailed, Forbidden, NotFound, SlotFull, LockedOut, WrongProvince, NotEligible),
)
def book(caller: Caller, body: AssistedBookingRequest) -> AppointmentOut:
    return assisted.book(caller, body)
