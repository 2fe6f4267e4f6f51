"""Staff endpoints: finding an applicant at the counter (every read audited), amending their
details in person, releasing an online account someone else opened with their identity."""

from __future__ import annotations

from chalicelib.api.http import STAFF, endpoint
from chalicelib.contract import (
    AmendApplicantRequest,
    AmendmentResult,
    ApplicantProfile,
    ApplicantSearchRequest,
    AppointmentOut,
    AttendanceRequest,
    AuditEntry,
    ReleaseRequest,
    ReleaseResult,
)
from chalicelib.domain.errors import AppointmentFinal, DuplicateAccount, NotFound, ValidationFailed
from chalicelib.domain.roles import Caller
from chalicelib.services import attendance, profile, release



@endpoint(
    "Find an applicant by the document they present (the number in the body, never in a URL); "
    "the read is audited with lookup `document`",
    roles=STAFF,
    errors=(ValidationFailed, NotFound),
)
def find_applicant(caller: Caller, body: ApplicantSearchRequest) -> ApplicantProfile:
    return profile.find_by_document(caller, body.document_number)


@endpoint("An applicant's profile; the read is audited with lookup `applicant_id`", roles=STAFF, errors=(NotFound,))
def get_applicant(caller: Caller, applicant_id: str) -> ApplicantProfile:
    return profile.view_applicant(caller, applicant_id)


@endpoint(
    "Release an applicant's online account, with a reason, having seen their document in person: "
    "the identity it holds is freed for the owner's own sign-up, its sign-in disabled and its tokens "
    "refused; audited. Safe to retry",
    roles=STAFF,
    errors=(ValidationFailed, NotFound),
)
def release_applicant(caller: Caller, applicant_id: str, body: ReleaseRequest) -> ReleaseResult:
    return release.release(caller, applicant_id, body)


@endpoint(
    "Amend an applicant's details in person, with a reason; the change is audited",
    roles=STAFF,
    errors=(ValidationFailed, NotFound, DuplicateAccount),
)
def amend_applicant(caller: Caller, applicant_id: str, body: AmendApplicantRequest) -> AmendmentResult:
    return profile.amend(caller, applicant_id, body)


@endpoint(
    "An applicant's audit trail, newest first: the changes and every staff read (with its lookup), this one included",
    roles=STAFF,
    errors=(NotFound,),
)
def applicant_audit(caller: Caller, applicant_id: str) -> list[AuditEntry]:
    return profile.audit_trail(caller, applicant_id)


@endpoint(
    "Record attendance (attended / no-show) once the appointment has started, once. `no_show` is "
    "refused (VALIDATION_FAILED naming `outcome`, with `grace_minutes` and `no_show_from`) until the "
    "directorate's grace period (default 15 minutes) after the start has passed: the person may still "
    "come; after it, a late arrival may be refused as a no-show or still received. Sent again with a "
    "`reason` within 7 days of the appointment, it corrects the mark (no-show → attended gives back the lock "
    "the person had before the no-show; attended → no-show starts the no-show's lock); without a reason → "
    "VALIDATION_FAILED naming `reason`; after 7 days → APPOINTMENT_FINAL",
    roles=STAFF,
    errors=(ValidationFailed, NotFound, AppointmentFinal),
)
def record_attendance(caller: Caller, appointment_id: str, body: AttendanceRequest) -> AppointmentOut:
    return attendance.record(caller, appointment_id, body)
