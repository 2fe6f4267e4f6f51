"""High-demand endpoints: assignment requests, demand modes, day closures."""

from __future__ import annotations

from chalicelib.api.http import ADMIN, APPLICANT, STAFF, endpoint
from chalicelib.contract import (
    AssignmentRequestIn,
    AssignmentStatus,
    ClosureOut,
    ClosureRequest,
    DemandModeOut,
    DemandModeRequest,
)
from chalicelib.domain.errors import (
    AppointmentFinal,
    LockedOut,
    NotEligible,
    NotFound,
    RequestPending,
    ValidationFailed,
    WrongProvince,
)
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import assignment, closures, demand

APPLICANT_OR_ADMIN = frozenset({Role.APPLICANT, Role.ADMIN})


@endpoint(
    "Ask to be assigned an appointment (high demand): checked like a booking, one waiting request per person; "
    "the appointment given is confirmed and final like a booked one, within the permit's validity",
    status=202,
    roles=APPLICANT,
    errors=(ValidationFailed, WrongProvince, NotEligible, LockedOut, RequestPending, NotFound),
)
def request_assignment(caller: Caller, body: AssignmentRequestIn) -> AssignmentStatus:
    return assignment.request_assignment(caller, body)


@endpoint("An assignment request: status, position, estimated date, its window's seed", roles=APPLICANT_OR_ADMIN, errors=(NotFound,))
def get_assignment_request(caller: Caller, request_id: str) -> AssignmentStatus:
    return assignment.request_status(caller, request_id)


@endpoint(
    "Withdraw a waiting request (an assigned one is a confirmed, final appointment)",
    roles=APPLICANT,
    errors=(AppointmentFinal, NotFound),
)
def withdraw_assignment_request(caller: Caller, request_id: str) -> AssignmentStatus:
    return assignment.withdraw_request(caller, request_id)


@endpoint(
    "Close a directorate's day: its slots close, its appointments are cancelled by the authority, "
    "locks restored, people notified and re-queued with priority",
    roles=STAFF,
    errors=(ValidationFailed, NotFound),
)
def close_day(caller: Caller, directorate_id: str, body: ClosureRequest) -> ClosureOut:
    return closures.close_day(caller, directorate_id, body)


@endpoint("Set how a directorate gives out a service's appointments: open, assigned, or auto (the demand rule)", roles=ADMIN, errors=(NotFound,))
def set_demand_mode(caller: Caller, directorate_id: str, service_code: str, body: DemandModeRequest) -> DemandModeOut:
    return demand.set_mode(caller, directorate_id, service_code, body)
