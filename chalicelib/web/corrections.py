"""Portal and console pages of corrections, appeals and giving a place back (issue 12, items 4
and 5). Each page calls the same use cases as the API and works without JavaScript.

- The person: "give my place back" with a confirmation step (what it means, until when the
  30-day wait stays), then the appointment page says it was given back.
- Staff: the appointment's console page, with the attendance correction (a reason, within 7
  days), the follow-up visit (a slot of the directorate, a reason) and, for a supervisor, lifting
  or shortening the wait (grounds from the closed list, a reason)."""

from __future__ import annotations

from collections.abc import Callable

from datetime import datetime


from chalicelib.api.errors import status_and_code
from chalicelib.clock import clock
from chalicelib.contract import AppointmentOut, AttendanceRequest, AvailabilityQuery, FollowUpRequest, LockRequest
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import find_service
from chalicelib.domain.corrections import LockGrounds
from chalicelib.domain.errors import DomainError
from chalicelib.domain.giving_back import releasable
from chalicelib.domain.profile import MIN_REASON_LENGTH
from chalicelib.domain.roles import Caller, Role
from chalicelib.i18n import text
from chalicelib.services import attendance, booking, corrections, giving_back, profile
from chalicelib.web.common import applicant, field_error, refusal, staff
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.render import render


# --- the person: giving a place back ------------------------------------------------------------


def can_give_back(appointment: AppointmentOut) -> bool:
    return releasable(appointment.status, appointment.attendance, appointment.start, clock.now())


def give_back(request: WebRequest, appointment_id: str) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    found = booking.get_appointment(caller, appointment_id)  # someone else's: NotFound, the error page
    if not can_give_back(found):
        return redirect(f"/appointments/{appointment_id}")
    me = profile.my_profile(caller)
    if request.method == "GET":
        return _give_back_page(request, found, me.locked_until)
    if request.form.get("confirm") != "yes":
        return _give_back_page(request, found, me.locked_until, status=400, errors=[field_error(request, "giveback.error.confirm", "confirm")])
    try:
        giving_back.give_back(caller, appointment_id)
    except DomainError as refused:
        return _give_back_page(request, found, me.locked_until, status=status_and_code(refused)[0], errors=[refusal(request, refused, None)])
    return redirect(f"/appointments/{appointment_id}?given_back=1")


def _give_back_page(request: WebRequest, appointment: AppointmentOut, locked_until: datetime | None, *, status: int = 200, errors: list | None = None) -> WebResponse:
    return render(request, "give_back.html", status=status, appointment=appointment, service=find_service(appointment.service),
                  locked_until=locked_until, errors=errors or [])


def _reason_error(request: WebRequest, field: str) -> dict:
    return {"message": text("console.error.reason", request.language, min=MIN_REASON_LENGTH), "field": field}


# --- staff: the appointment's console page -------------------------------------------------------


def _staff(request: WebRequest) -> Caller | None:
    """A staff member of a directorate (an administrator's console is /admin; the API serves them)."""
    caller = staff(request)
    return caller if caller is not None and Role.STAFF in caller.roles else None


def _elsewhere(request: WebRequest) -> WebResponse:
    return redirect("/admin" if staff(request) is not None else "/sign-in")


def staff_appointment(request: WebRequest, appointment_id: str, *, status: int = 200, errors: list | None = None,
                      values: dict | None = None) -> WebResponse:
    caller = _staff(request)
    if caller is None:
        return _elsewhere(request)
    found = booking.get_appointment(caller, appointment_id)  # another directorate's: NotFound, the error page
    query = AvailabilityQuery.model_validate({"directorate": found.directorate, "service": found.service, "days": 14})
    slots = booking.availability(caller, query).slots if found.status == "confirmed" and not found.follow_up_id else []
    return render(request, "staff_appointment.html", status=status, appointment=found, service=find_service(found.service),
                  slots=slots[:60], supervisor=Role.SUPERVISOR in caller.roles, grounds=[g.value for g in LockGrounds],
                  saved=request.query.get("saved") == "1", errors=errors or [], values=values or {}, min_reason=MIN_REASON_LENGTH)


def _answer(request: WebRequest, appointment_id: str, values: dict, reason_field: str, act: Callable[[], str]) -> WebResponse:
    """A console form's action (`act` returns the appointment to show after it); a refusal comes
    back on the appointment's page with what was typed: a missing or short reason named at its
    field, a refusal of the rules as the rules say it."""
    try:
        shown = act()
    except ValueError:  # pydantic's ValidationError is one; so is a correction without a reason
        return staff_appointment(request, appointment_id, status=400, values=values, errors=[_reason_error(request, reason_field)])
    except DomainError as refused:
        return staff_appointment(request, appointment_id, status=status_and_code(refused)[0], values=values, errors=[refusal(request, refused, None)])
    return redirect(f"/staff/appointments/{shown}?saved=1")


def staff_correct(request: WebRequest, appointment_id: str) -> WebResponse:
    caller = _staff(request)
    if caller is None:
        return _elsewhere(request)
    values = {"outcome": request.form.get("outcome", ""), "reason": request.form.get("reason", "").strip()}

    def correct() -> str:
        body = AttendanceRequest.model_validate({"outcome": values["outcome"], "reason": values["reason"] or None})
        if body.reason is None:
            raise ValueError("a correction needs its reason")
        attendance.record(caller, appointment_id, body)
        return appointment_id

    return _answer(request, appointment_id, values, "correct-reason", correct)


def staff_follow_up(request: WebRequest, appointment_id: str) -> WebResponse:
    caller = _staff(request)
    if caller is None:
        return _elsewhere(request)
    values = {"slot_id": request.form.get("slot_id", ""), "follow_up_reason": request.form.get("reason", "").strip()}

    def issue() -> str:
        body = FollowUpRequest.model_validate({"slot_id": values["slot_id"], "reason": values["follow_up_reason"]})
        return corrections.issue_follow_up(caller, appointment_id, body).appointment_id

    return _answer(request, appointment_id, values, "follow-up-reason", issue)


def staff_lock(request: WebRequest, appointment_id: str) -> WebResponse:
    caller = _staff(request)
    if caller is None:
        return _elsewhere(request)
    found = booking.get_appointment(caller, appointment_id)
    until_text = request.form.get("locked_until", "").strip()
    values = {"locked_until": until_text, "grounds": request.form.get("grounds", ""), "lock_reason": request.form.get("reason", "").strip()}
    try:
        until = datetime.fromisoformat(until_text).replace(tzinfo=ISTANBUL) if until_text else None
    except ValueError:
        return staff_appointment(request, appointment_id, status=400, values=values, errors=[field_error(request, "error.field", "lock-until")])

    def change() -> str:
        body = LockRequest.model_validate({"locked_until": until, "grounds": values["grounds"] or "other", "reason": values["lock_reason"]})
        corrections.change_lock(caller, found.applicant_id, body)
        return appointment_id

    return _answer(request, appointment_id, values, "lock-reason", change)
