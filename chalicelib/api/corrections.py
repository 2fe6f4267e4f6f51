"""Endpoints of corrections and appeals, and of giving a place back (issue 12, items 4 and 5).
(Correcting an attendance mark is the attendance endpoint again, with a reason: api/staff.py.)"""

from __future__ import annotations

from chalicelib.api.http import APPLICANT, STAFF, endpoint
from chalicelib.contract import AppointmentOut, FollowUpRequest, GivenBack, LockOut, LockRequest
from chalicelib.domain.errors import AppointmentFinal, Forbidden, NotFound, SlotFull, ValidationFailed
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import corrections, giving_back

SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMIN})


@endpoint(
    "Give a confirmed appointment still to come back (its owner): it is no no-show, the 30-day lock "
    "stays, and the place returns to the pool after a random delay (or at once to the assigned-mode "
    "queue where the directorate assigns this service). The person is told by SMS and email",
    roles=APPLICANT,
    errors=(ValidationFailed, NotFound, AppointmentFinal),
)
def give_back(caller: Caller, appointment_id: str) -> GivenBack:
    return giving_back.give_back(caller, appointment_id)


@endpoint(
    "Lift (`locked_until` null) or shorten a person's lock, on `grounds` from a closed list and with a "
    "`reason`; never lengthened (a later time → VALIDATION_FAILED naming `locked_until`). A supervisor "
    "(people with an appointment at their directorate) or an administrator; audited and shown to the person",
    roles=SUPERVISING,
    errors=(ValidationFailed, NotFound, Forbidden),
)
def change_lock(caller: Caller, applicant_id: str, body: LockRequest) -> LockOut:
    return corrections.change_lock(caller, applicant_id, body)


@endpoint(
    "Issue a follow-up visit for the same matter (e.g. a missing document) on a slot of the appointment's "
    "directorate: it takes a place, starts no lock and is not refused by the lock in force; linked to the "
    "original, audited, announced to the person like a booking",
    status=201,
    roles=STAFF,
    errors=(ValidationFailed, NotFound, AppointmentFinal, SlotFull),
)
def issue_follow_up(caller: Caller, appointment_id: str, body: FollowUpRequest) -> AppointmentOut:
    return corrections.issue_follow_up(caller, appointment_id, body)
