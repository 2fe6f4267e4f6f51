"""The staff console: a staff member sees their own directorate only (the use cases enforce
it, as for the API): today's and tomorrow's appointments with attendance, day closures, and the
in-person amendment of a person's details and the release of an online account (only people of
the directorate's province). Every read of a person's record goes through the audited use case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from pydantic import ValidationError

from chalicelib.api.errors import status_and_code
from chalicelib.adapters.tables import WebSession
from chalicelib.contract import (
    AmendApplicantRequest,
    ApplicantProfile,
    ApplicantSearchRequest,
    AttendanceRequest,
    AuditEntry,
    ClosureRequest,
    ReleaseRequest,
)
from chalicelib.clock import clock
from chalicelib.domain.errors import DomainError, NotFound, ValidationFailed
from chalicelib.domain.profile import AMENDABLE_FIELDS, MIN_REASON_LENGTH
from chalicelib.domain.roles import Caller, Role
from chalicelib.i18n import text
from chalicelib.services import attendance, closures, profile, release
from chalicelib.web.common import field_error, refusal, staff
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.render import render


def works_at_a_directorate(caller: Caller) -> bool:
    """Staff accounts belong to one directorate; an administrator's belongs to none (their
    console is /admin), so the directorate's day list and closures are not theirs to open."""
    return Role.STAFF in caller.roles


def staff_day(request: WebRequest) -> WebResponse:
    """Today's or tomorrow's appointments of the staff member's directorate, each with the
    attendance form (and the check-in code the person was sent)."""
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    if not works_at_a_directorate(caller):
        return redirect("/admin")
    today = clock.today()
    chosen = today + timedelta(days=1) if request.query.get("day") == "tomorrow" else today
    directorate, entries = attendance.day_list(caller, chosen)
    return render(request, "staff_day.html", directorate=directorate, entries=entries, chosen=chosen, tomorrow=chosen != today)


def staff_attendance(request: WebRequest, appointment_id: str) -> WebResponse:
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    if not works_at_a_directorate(caller):
        return redirect("/admin")
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
    if not works_at_a_directorate(caller):
        return redirect("/admin")
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


# --- the person at the counter: finding them, amending their details ------------------------

AMENDMENT_FORM = (*AMENDABLE_FIELDS, "reason")


def staff_find_applicant(request: WebRequest) -> WebResponse:
    """The person at the counter, found by the document they present. The number is posted,
    never put in an address: personal data stays out of URLs, browser histories and access logs."""
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    if request.method == "GET":
        return render(request, "staff_applicant_find.html", document_number="")
    number = request.form.get("document_number", "").strip()
    try:
        query = ApplicantSearchRequest.model_validate({"document_number": number})
        found = profile.locate_by_document(caller, query.document_number)
    except ValidationError:
        return render(request, "staff_applicant_find.html", status=400, document_number=number,
                      errors=[field_error(request, "staff.applicants.error.missing", "document_number")])
    except NotFound as missing:  # nobody with it, or somebody of another province: the same answer
        return render(request, "staff_applicant_find.html", status=status_and_code(missing)[0], document_number=number,
                      errors=[field_error(request, "staff.applicants.error.not_found", "document_number")])
    # The page opened next reads the record, audited as found by the document.
    request.session.update(actions=[WebSession.found_applicant.set(found)])
    return redirect(f"/staff/applicants/{found}")


def _lookup(request: WebRequest, applicant_id: str) -> str:
    """How the staff member reached this person's page: by the document they just looked up (once),
    otherwise by the page's own address."""
    if request.session.found_applicant != applicant_id:
        return profile.BY_ID
    request.session.update(actions=[WebSession.found_applicant.remove()])
    return profile.BY_DOCUMENT


def staff_applicant(request: WebRequest, applicant_id: str) -> WebResponse:
    """The person's details, the amendment form and the audit trail of amendments.

    The form comes prefilled with what is on record and only the fields that differ from it
    are sent, so a prefilled value left alone is never an amendment. Whether a new value is
    valid, and what really changes, stays with the use case the API calls too."""
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    if request.method == "GET":  # outside the province: NotFound, the error page
        person, trail = profile.staff_page(caller, applicant_id, _lookup(request, applicant_id))
        return _ApplicantPage(request, person, lambda: trail).render(
            {**_on_record(person), "reason": ""}, amended=request.query.get("amended") == "1",
            released=request.query.get("released") == "1")
    # A change sent from the page just read: compared with the record, not recorded as another read.
    person = profile.change_target(caller, applicant_id)
    on_record = _on_record(person)
    page = _ApplicantPage(request, person, lambda: profile.changes_of(applicant_id))
    values = {name: request.form.get(name, "").strip() for name in AMENDMENT_FORM}
    changes = {name: values[name] for name in AMENDABLE_FIELDS if values[name] != on_record[name]}
    try:
        body = AmendApplicantRequest.model_validate({**changes, "reason": values["reason"]})
    except ValidationError as invalid:
        named = tuple(str(problem["loc"][0]) for problem in invalid.errors() if problem["loc"])
        return page.render(values, status=400, invalid=named, unchanged=not changes)
    if not changes:
        return page.render(values, status=400, unchanged=True)
    try:
        profile.amend(caller, applicant_id, body)
    except DomainError as refused:
        named = _refused_fields(refused)
        return page.render(values, status=status_and_code(refused)[0], invalid=named, refused=None if named else refused)
    return redirect(f"/staff/applicants/{applicant_id}?amended=1")


def _on_record(person: ApplicantProfile) -> dict[str, str]:
    """The amendable details as the form shows them: dates as YYYY-MM-DD, codes as stored."""
    return {name: str(value) for name, value in person.model_dump(mode="json", include=set(AMENDABLE_FIELDS)).items()}


def _refused_fields(refused: DomainError) -> tuple[str, ...]:
    """The fields of the form a refusal of the use case names (a number that does not fit its
    document type); none, and the refusal is shown as it is."""
    if not isinstance(refused, ValidationFailed):
        return ()
    named = (str(problem.get("field")) for problem in refused.details.get("fields", []))
    return tuple(name for name in named if name in AMENDMENT_FORM)


class _ApplicantPage:
    """The page as it stands: a message beside each invalid field and, in the form's order, the
    error summary linking to each of them; below the form, the amendments and release newest first."""

    SHOWN = (profile.AMENDED, release.ACTION)

    def __init__(self, request: WebRequest, person: ApplicantProfile, trail: Callable[[], list[AuditEntry]]) -> None:
        """`trail` is read only when the page is shown (a change that succeeds redirects)."""
        self.request, self.person, self._trail = request, person, trail

    def render(self, values: dict[str, str], *, status: int = 200, amended: bool = False, released: bool = False,
               invalid: tuple[str, ...] = (), unchanged: bool = False, refused: DomainError | None = None) -> WebResponse:
        request = self.request
        marked = [name for name in AMENDMENT_FORM if name in invalid]
        field_errors = {name: _field_message(request, name) for name in marked}
        errors = [field_error(request, "staff.amend.error.unchanged", AMENDABLE_FIELDS[0])] if unchanged else []
        errors += [{"message": f"{text(_label(name), request.language)}: {field_errors[name]}", "field": name} for name in marked]
        if refused is not None:
            errors.append(refusal(request, refused, None))
        return render(request, "staff_applicant.html", status=status, person=self.person, values=values, field_errors=field_errors,
                      errors=errors, trail=[entry for entry in self._trail() if entry.action in self.SHOWN], amended=amended, released=released, min_reason=MIN_REASON_LENGTH,
                      is_released=self.person.status == profile.RELEASED, release_action=release.ACTION)


def staff_release(request: WebRequest, applicant_id: str) -> WebResponse:
    """Release a person's online account: first what it does (and whose account it is), then the
    decision with a reason. The use case does it, as for the API; a retry changes nothing more."""
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    # Outside the province: NotFound, the error page. The confirmation page is a read; the
    # decision sent from it is compared with the record and audited as the release.
    person = profile.view_applicant(caller, applicant_id) if request.method == "GET" else profile.change_target(caller, applicant_id)
    if person.status == profile.RELEASED:
        return redirect(f"/staff/applicants/{applicant_id}")
    reason = request.form.get("reason", "").strip() if request.method == "POST" else ""
    if request.method == "GET":
        return _release_page(request, person, reason)
    try:
        body = ReleaseRequest.model_validate({"reason": reason})
    except ValidationError:
        error = {"message": text("staff.release.error.reason", request.language, min=MIN_REASON_LENGTH), "field": "reason"}
        return _release_page(request, person, reason, status=400, errors=[error])
    try:
        release.release(caller, applicant_id, body)
    except DomainError as refused:
        return _release_page(request, person, reason, status=status_and_code(refused)[0], errors=[refusal(request, refused, None)])
    return redirect(f"/staff/applicants/{applicant_id}?released=1")


def _release_page(request: WebRequest, person: ApplicantProfile, reason: str, *, status: int = 200, errors: list | None = None) -> WebResponse:
    return render(request, "staff_release.html", status=status, person=person, reason=reason, errors=errors or [],
                  min_reason=MIN_REASON_LENGTH)


def _field_message(request: WebRequest, name: str) -> str:
    if name == "reason":
        return text("staff.amend.error.reason", request.language, min=MIN_REASON_LENGTH)
    return text("error.field", request.language)


def _label(name: str) -> str:
    return "staff.amend.reason" if name == "reason" else f"field.{name}"
