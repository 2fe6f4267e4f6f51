"""Staff endpoints: finding an applicant at the counter and amending their details in person."""

from __future__ import annotations

from chalicelib.api.http import endpoint
from chalicelib.api.schemas import (
    AmendApplicantRequest,
    AmendmentResult,
    ApplicantLookupQuery,
    ApplicantProfile,
    AppointmentOut,
    AttendanceRequest,
    AuditEntry,
)
from chalicelib.domain.errors import AppointmentFinal, DuplicateAccount, NotFound, ValidationFailed
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import attendance, profile

STAFF = frozenset({Role.STAFF, Role.ADMIN})


@endpoint("Find an applicant by the document they present", roles=STAFF, errors=(NotFound,))
def find_applicant(caller: Caller, query: ApplicantLookupQuery) -> ApplicantProfile:
    return profile.find_by_document(caller, query.document_number)


@endpoint("An applicant's profile", roles=STAFF, errors=(NotFound,))
def get_applicant(caller: Caller, applicant_id: str) -> ApplicantProfile:
    return profile.view_applicant(caller, applicant_id)


@endpoint(
    "Amend an applicant's details in person, with a reason; the change is audited",
    roles=STAFF,
    errors=(ValidationFailed, NotFound, DuplicateAccount),
)
def amend_applicant(caller: Caller, applicant_id: str, body: AmendApplicantRequest) -> AmendmentResult:
    return profile.amend(caller, applicant_id, body)


@endpoint("An applicant's audit trail, newest first", roles=STAFF, errors=(NotFound,))
def applicant_audit(caller: Caller, applicant_id: str) -> list[AuditEntry]:
    return profile.audit_trail(caller, applicant_id)


@endpoint(
    "Record attendance (attended / no-show) once the appointment has started, once",
    roles=STAFF,
    errors=(ValidationFailed, NotFound, AppointmentFinal),
)
def record_attendance(caller: Caller, appointment_id: str, body: AttendanceRequest) -> AppointmentOut:
    return attendance.record(caller, appointment_id, body)
