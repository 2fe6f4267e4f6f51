"""The staff console: a staff member sees their own directorate only (the use cases enforce
it, as for the API): today's and tomorrow's appointments with attendance, and day closures."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import ValidationError

from chalicelib.api.schemas import AttendanceRequest, ClosureRequest
from chalicelib.clock import clock
from chalicelib.domain.errors import DomainError
from chalicelib.services import attendance, closures
from chalicelib.web.common import field_error, refusal, staff
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.render import render


def staff_day(request: WebRequest) -> WebResponse:
    """Today's or tomorrow's appointments of the staff member's directorate, each with the
    attendance form (and the check-in code the person was sent)."""
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    today = clock.today()
    chosen = today + timedelta(days=1) if request.query.get("day") == "tomorrow" else today
    directorate, entries = attendance.day_list(caller, chosen)
    return render(request, "staff_day.html", directorate=directorate, entries=entries, chosen=chosen, tomorrow=chosen != today)


def staff_attendance(request: WebRequest, appointment_id: str) -> WebResponse:
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    back = "/staff?day=tomorrow" if request.form.get("day") == "tomorrow" else "/staff"
    try:
        body = AttendanceRequest.model_validate({"outcome": request.form.get("outcome", ""), "checkin_code": request.form.get("checkin_code") or None})
        attendance.record(caller, appointment_id, body)
    except (ValidationError, DomainError) as refused:
        error = refusal(request, refused, None) if isinstance(refused, DomainError) else field_error(request, "error.code", None)
        directorate, entries = attendance.day_list(caller, clock.today())
        return render(request, "staff_day.html", status=400, directorate=directorate, entries=entries, chosen=clock.today(), tomorrow=False, errors=[error])
    return redirect(back)


def staff_closure(request: WebRequest) -> WebResponse:
    """Close a day: first the impact (how many appointments and people), then the decision."""
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    directorate, _ = attendance.day_list(caller, clock.today())
    source = request.form if request.method == "POST" else request.query
    try:
        day = date.fromisoformat(source.get("date", ""))
    except ValueError:
        day = None
    if day is None:
        return render(request, "staff_closure.html", directorate=directorate, impact=None, reason="",
                      errors=[field_error(request, "error.choose", "date")] if "date" in source else [])
    reason = source.get("reason", "").strip()
    if request.method == "GET" or request.form.get("confirm") != "yes" or not reason:
        impact = closures.preview(caller, directorate.id, day)
        errors = [field_error(request, "error.closure_confirm", "confirm")] if request.method == "POST" else []
        return render(request, "staff_closure.html", status=400 if errors else 200, directorate=directorate, impact=impact, reason=reason, errors=errors)
    result = closures.close_day(caller, directorate.id, ClosureRequest(date=day, reason=reason))
    return render(request, "staff_closed.html", directorate=directorate, result=result)
