"""The applicant portal's pages: each one calls the same use cases as the API (no rule is
written twice) and renders their answer, or their refusal, in the person's language.

Every step of booking is a plain link or form, so it works without JavaScript; choices travel
in the query string (service codes, directorate ids, days: never personal data).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from pydantic import ValidationError

from chalicelib.adapters.tables import WebSession
from chalicelib.api.errors import status_and_code
from chalicelib.contract import (
    AppointmentPageQuery,
    AssignmentRequestIn,
    AvailabilityQuery,
    ConfirmRequest,
    DirectoratesQuery,
    ForgotPasswordRequest,
    LoginRequest,
    MfaChallengeResponse,
    MfaSetupResponse,
    ResetPasswordRequest,
    SignupRequest,
)
from chalicelib.clock import clock
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import find_directorate, find_service
from chalicelib.domain.documents import what_to_bring
from chalicelib.domain.errors import DomainError, SlotFull, ValidationFailed
from chalicelib.domain.roles import Caller, Role
from chalicelib.i18n import MESSAGES, text
from chalicelib.services import accounts, assignment, booking, catalogue, notifications, profile, revocation
from chalicelib.services import signup as sign_ups
from chalicelib.settings import get_settings
from chalicelib.web import corrections as giving_back_pages
from chalicelib.web import family as family_page
from chalicelib.web import privacy as privacy_pages
from chalicelib.web.common import agreed_to_finality, applicant, field_error, finality_not_agreed, refusal
from chalicelib.web.frame import WebRequest, WebResponse, redirect, renew
from chalicelib.web.render import render

BOOKING_DAYS = 31


def start(request: WebRequest) -> WebResponse:
    return render(request, "start.html", directorates=catalogue.directorates(DirectoratesQuery()))


def sign_in(request: WebRequest) -> WebResponse:
    if request.method == "GET":
        return render(request, "sign_in.html", errors=[], email="", created=request.query.get("created") == "1",
                      password_changed=request.query.get("reset") == "1", again=request.query.get("again") == "1")
    email = request.form.get("email", "").strip()
    try:
        credentials = LoginRequest.model_validate({"email": email, "password": request.form.get("password", "")})
        answer = accounts.login(credentials)
    except ValidationError:
        return render(request, "sign_in.html", status=400, errors=[field_error(request, "error.UNAUTHENTICATED", "email")], email=email, created=False, password_changed=False, again=False)
    except DomainError as error:
        return render(request, "sign_in.html", status=401, errors=[refusal(request, error, "email")], email=email, created=False, password_changed=False, again=False)
    if isinstance(answer, (MfaChallengeResponse, MfaSetupResponse)):  # staff and admin: the TOTP code next
        request.session.update(actions=[WebSession.sign_in_challenge.set(answer.session)])
        return redirect("/sign-in/code")
    return signed_in(request, answer.access_token)


def signed_in(request: WebRequest, token: str) -> WebResponse:
    """A new session holding the access token, and the account's home page."""
    caller = request.authenticate(f"Bearer {token}")
    role = caller.acting_role
    request.session = renew(request.session, access_token=token, account_id=caller.account_id, role=role.value if role else None)
    home = {Role.APPLICANT: "/book", Role.STAFF: "/staff", Role.SUPERVISOR: "/staff", Role.AGENT: "/assisted", Role.ADMIN: "/admin"}.get(role, "/")
    return redirect(privacy_pages.after_sign_in(caller.account_id, home))  # a new privacy notice first, once


def forgot_password(request: WebRequest) -> WebResponse:
    """A forgotten password, step one: the account's email. Whatever the email, the next page
    reads the same ("if an account exists, we sent a code"): the pages reveal no more than the API."""
    if request.method == "GET":
        return render(request, "password_forgot.html", email="")
    email = request.form.get("email", "").strip()
    try:
        body = ForgotPasswordRequest.model_validate({"email": email})
    except ValidationError:
        return render(request, "password_forgot.html", status=400, errors=[field_error(request, "password.error.email", "email")], email=email)
    accounts.forgot_password(body)
    request.session.update(actions=[WebSession.reset_email.set(body.email)])
    return redirect("/password/reset")


RESET_FIELD_ERRORS = {"code": "password.error.code", "password": "password.error.password"}


def reset_password(request: WebRequest) -> WebResponse:
    """Step two: the code from the SMS and a new password. The email stays in the session (never
    in a URL); after the change the person signs in again, with the new password."""
    email = request.session.reset_email
    if not email:
        return redirect("/password/forgot")
    if request.method == "GET":
        return _reset_page(request, email)
    code = request.form.get("code", "").strip()
    try:
        body = ResetPasswordRequest.model_validate({"email": email, "code": code, "password": request.form.get("password", "")})
        accounts.reset_password(body)
    except ValidationError as invalid:
        return _reset_page(request, email, code, {str(problem["loc"][0]) for problem in invalid.errors() if problem["loc"]})
    except ValidationFailed as refused:
        return _reset_page(request, email, code, {str(f.get("field")) for f in refused.details.get("fields", [])})
    request.session.update(actions=[WebSession.reset_email.remove()])
    return redirect("/sign-in?reset=1")


def _reset_page(request: WebRequest, email: str, code: str = "", invalid: set[str] | None = None) -> WebResponse:
    """The code and new-password form, the fields in `invalid` marked and linked from the error
    summary. A code that was not refused stays filled in."""
    marked = {name for name in RESET_FIELD_ERRORS if name in (invalid or ())}
    if invalid and not marked:  # refused for a reason of no field of this form: the code, to ask again
        marked = {"code"}
    field_errors = {name: text(key, request.language) for name, key in RESET_FIELD_ERRORS.items() if name in marked}
    return render(request, "password_reset.html", status=400 if marked else 200, email=email,
                  code="" if "code" in marked else code, field_errors=field_errors,
                  errors=[{"message": message, "field": name} for name, message in field_errors.items()],
                  minutes=get_settings().verification_code_ttl_minutes)


SIGNUP_FIELDS = ("document_type", "document_number", "nationality", "given_name", "family_name", "birth_date", "email", "phone", "password")


def sign_up(request: WebRequest) -> WebResponse:
    """Create an account: the person's document, names, birth date, email and Turkish mobile;
    the registry decides who may (NOT_ELIGIBLE), one account per person (DUPLICATE_ACCOUNT)."""
    notice = privacy_pages.for_sign_up(request)  # shown before the account is created
    if request.method == "GET":
        return render(request, "sign_up.html", values={}, field_errors={}, **notice)
    values = {name: request.form.get(name, "").strip() for name in SIGNUP_FIELDS if name != "password"}
    day, month, year = (request.form.get(f"birth_{part}", "").strip() for part in ("day", "month", "year"))
    values.update(birth_day=day, birth_month=month, birth_year=year)
    body = {**{k: v for k, v in values.items() if not k.startswith("birth_")}, "password": request.form.get("password", ""), "language": request.language}
    body["birth_date"] = _iso_date(year, month, day)
    body["notice_version"] = privacy_pages.seen_on_the_form(request)
    try:
        sign_ups.sign_up(SignupRequest.model_validate(body))
    except ValidationError as invalid:
        field_errors = {str(problem["loc"][0]): text("error.field", request.language) for problem in invalid.errors() if problem["loc"]}
        errors = [{"message": f"{text('field.' + name, request.language)}: {message}", "field": _field_id(name)} for name, message in field_errors.items()]
        return render(request, "sign_up.html", status=400, values=values, field_errors=field_errors, errors=errors, **notice)
    except DomainError as refused:
        return render(request, "sign_up.html", status=status_and_code(refused)[0], values=values, field_errors={}, errors=[refusal(request, refused, None)], **notice)
    request.session.update(actions=[WebSession.signup_email.set(body["email"])])
    return redirect("/sign-up/code")


def confirm_code(request: WebRequest) -> WebResponse:
    """The six-digit code sent by SMS to the phone given at sign-up."""
    email = request.session.signup_email
    if not email:
        return redirect("/sign-up")
    minutes = get_settings().verification_code_ttl_minutes
    if request.method == "GET":
        return render(request, "sign_up_code.html", minutes=minutes)
    try:
        sign_ups.confirm(ConfirmRequest.model_validate({"email": email, "code": request.form.get("code", "").strip()}))
    except ValidationError:
        return render(request, "sign_up_code.html", status=400, minutes=minutes, errors=[field_error(request, "error.code", "code")])
    except DomainError as refused:
        error = field_error(request, "error.code", "code") if isinstance(refused, ValidationFailed) else refusal(request, refused, "code")
        return render(request, "sign_up_code.html", status=status_and_code(refused)[0], minutes=minutes, errors=[error])
    request.session.update(actions=[WebSession.signup_email.remove()])
    return redirect("/sign-in?created=1")


def _iso_date(year: str, month: str, day: str) -> str:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return f"{year}-{month}-{day}"  # invalid: the model says so, on the birth date field


def _field_id(name: str) -> str:
    return "birth_day" if name == "birth_date" else name


def sign_out(request: WebRequest) -> WebResponse:
    request.session = renew(request.session, access_token=None, account_id=None)
    return redirect("/")


def sign_out_everywhere(request: WebRequest) -> WebResponse:
    """Every session of the account ends, on this device and on any other (a lost phone, a
    shared computer): their tokens are refused from now on."""
    caller = request.caller()
    if caller is not None:
        revocation.revoke(caller.account_id, revocation.SIGN_OUT_EVERYWHERE)
    return sign_out(request)


def me(request: WebRequest) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    return render(request, "me.html", me=profile.my_profile(caller), language_saved=request.query.get("saved") == "language", language_invalid=False)


def my_appointments(request: WebRequest) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    appointments = booking.my_appointments(caller, AppointmentPageQuery(limit=50))
    return render(request, "appointments.html", appointments=appointments, me=profile.my_profile(caller),
                  childrens=family_page.childrens_appointments(caller), family_booked=request.query.get("booked") == "family")


def choose_service(request: WebRequest) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    me = profile.my_profile(caller)
    allowed = [s for s in catalogue.services() if me.permit_status in s.eligible_statuses]
    chosen = request.query.get("service")
    if chosen is not None:
        if chosen in {s.code for s in allowed}:
            return redirect(f"/book/directorate?service={chosen}")
        return render(request, "book_service.html", status=400, services=allowed, errors=[field_error(request, "error.choose", "service")])
    return render(request, "book_service.html", services=allowed, errors=[])


def choose_directorate(request: WebRequest) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    me = profile.my_profile(caller)
    service = find_service(request.query.get("service", ""))
    if service is None:
        return redirect("/book")
    offering = [d for d in catalogue.directorates(DirectoratesQuery(province=me.province)) if service.code in d.services]
    chosen = request.query.get("directorate")
    if chosen is not None:
        if chosen in {d.id for d in offering}:
            return redirect(f"/book/day?service={service.code}&directorate={chosen}")
        return render(request, "book_directorate.html", status=400, service=service, directorates=offering, errors=[field_error(request, "error.choose", "directorate")])
    if len(offering) == 1:
        return redirect(f"/book/day?service={service.code}&directorate={offering[0].id}")
    return render(request, "book_directorate.html", service=service, directorates=offering, errors=[])


def choose_day(request: WebRequest) -> WebResponse:
    """The booking calendar: the coming weeks, a day with free times is a link to its times."""
    caller, service, directorate = _booking_choices(request)
    if caller is None:
        return redirect("/sign-in")
    if service is None or directorate is None:
        return redirect("/book")
    return _calendar_page(request, caller, service, directorate)


def request_assignment(request: WebRequest) -> WebResponse:
    """In assigned mode: ask the directorate for an appointment instead of picking one."""
    caller, service, directorate = _booking_choices(request)
    if caller is None:
        return redirect("/sign-in")
    if service is None or directorate is None:
        return redirect("/book")
    part = request.form.get("part_of_day", "any")
    if not agreed_to_finality(request):  # the same agreement as booking: an assigned appointment is final too
        return _calendar_page(request, caller, service, directorate, 400, [finality_not_agreed(request)], part_of_day=part)
    try:
        body = AssignmentRequestIn.model_validate(
            {"service": service.code, "directorate": directorate.id, "preferences": {"part_of_day": part}}
        )
        filed = assignment.request_assignment(caller, body)
    except ValidationError:
        return redirect(f"/book/day?service={service.code}&directorate={directorate.id}")
    except DomainError as refused:
        if refused.details.get("request_id"):  # one waiting already: show it
            return redirect(f"/requests/{refused.details['request_id']}")
        return _calendar_page(request, caller, service, directorate, status_and_code(refused)[0], [refusal(request, refused, None)])
    return redirect(f"/requests/{filed.request_id}")


def assignment_status(request: WebRequest, request_id: str) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    if request.method == "POST":
        assignment.withdraw_request(caller, request_id)
        return redirect(f"/requests/{request_id}")
    status = assignment.request_status(caller, request_id)
    why = f"request.withdrawn.{status.reason}"  # a withdrawn request says why (closure ids etc. have no text)
    reason = text(why, request.language) if status.status == "withdrawn" and why in MESSAGES else None
    return render(request, "request.html", filed=status, service=find_service(status.service),
                  directorate=find_directorate(status.directorate) if status.directorate else None, reason=reason)


def choose_time(request: WebRequest) -> WebResponse:
    caller, service, directorate = _booking_choices(request)
    if caller is None:
        return redirect("/sign-in")
    try:
        day = date.fromisoformat(request.query.get("day", ""))
    except ValueError:
        day = None
    if service is None or directorate is None or day is None:
        return redirect("/book")
    offered = _availability(caller, service.code, directorate.id, day, 1)
    return render(request, "book_time.html", service=service, directorate=directorate, chosen_day=day, slots=offered.slots, mode=offered.mode, errors=[])


def check_answers(request: WebRequest) -> WebResponse:
    caller, service, directorate = _booking_choices(request)
    if caller is None:
        return redirect("/sign-in")
    if service is None or directorate is None:
        return redirect("/book")
    slot_id = request.query.get("slot") or request.form.get("slot", "")
    offered = family_page.dependants(caller)  # a guardian ticks who comes (web/family.py)

    def page(slot, status: int = 200, errors: list | None = None) -> WebResponse:
        return render(request, "book_check.html", status=status, service=service, directorate=directorate, slot=slot,
                      dependants=offered, ticked=set(request.form) if request.method == "POST" else None, errors=errors or [])

    if request.method == "POST" and agreed_to_finality(request):
        # Booking reads the slot itself: no second look at availability before it.
        try:
            next_page = family_page.book(caller, slot_id, service.code, family_page.chosen(request, offered))
        except DomainError as error:
            # A full time is gone whatever the calendar (a summary a few seconds behind) still says.
            slot = None if isinstance(error, SlotFull) else _slot_of(caller, service, directorate, slot_id)
            status = status_and_code(error)[0]
            refused = family_page.refusal_shown(request, error, offered)
            if slot is None:  # the time is gone (full, or never offered): back to the calendar
                return render(request, "error.html", status=status, errors=[refused],
                              back=f"/book/day?service={service.code}&directorate={directorate.id}")
            return page(slot, status, [refused])
        return redirect(next_page)
    slot = _slot_of(caller, service, directorate, slot_id)
    if slot is None:
        return redirect("/book")
    if request.method == "GET":
        return page(slot)
    return page(slot, 400, [finality_not_agreed(request)])


def appointment(request: WebRequest, appointment_id: str) -> WebResponse:
    caller = request.caller()
    if caller is None:
        return redirect("/sign-in")
    found = booking.get_appointment(caller, appointment_id)
    directorate = find_directorate(found.directorate)
    return render(request, "appointment.html", appointment=found, service=find_service(found.service), grace=directorate.grace_minutes if directorate else None,
                  can_give_back=Role.APPLICANT in caller.roles and giving_back_pages.can_give_back(found), given_back=request.query.get("given_back") == "1",
                  bring=what_to_bring(found.service, request.language), can_download_receipt=Role.APPLICANT in caller.roles)


def invitation(request: WebRequest, appointment_id: str) -> WebResponse:
    caller = request.caller()
    if caller is None:
        return redirect("/sign-in")
    found = booking.get_appointment(caller, appointment_id)  # only its owner (or its staff) get here
    ics = notifications.invitation_for(found.appointment_id)
    return WebResponse(200, ics.decode("utf-8"), content_type="text/calendar; charset=utf-8; method=REQUEST",
                       headers={"Content-Disposition": 'attachment; filename="appointment.ics"'})


# --- helpers ------------------------------------------------------------------------------------


def _booking_choices(request: WebRequest):
    caller = applicant(request)
    source = {**request.query, **request.form}
    return caller, find_service(source.get("service", "")), find_directorate(source.get("directorate", ""))


def _calendar_page(request: WebRequest, caller: Caller, service, directorate, status: int = 200, errors: list | None = None,
                   part_of_day: str = "any") -> WebResponse:
    """The coming weeks of a directorate for a service, month by month: a day with free times
    links to them (or, in assigned mode, the request form instead). When the person's permit
    ends within them, the page says so (no later day is offered, nor assigned)."""
    offered = _availability(caller, service.code, directorate.id, clock.today(), BOOKING_DAYS)
    free = Counter(slot.start.astimezone(ISTANBUL).date() for slot in offered.slots)
    months = _months(clock.today() + timedelta(days=1), BOOKING_DAYS)
    return render(request, "book_day.html", status=status, errors=errors or [], service=service, directorate=directorate,
                  months=months, free=free, mode=offered.mode, permit_valid_until=offered.permit_valid_until,
                  part_of_day=part_of_day if part_of_day in ("any", "morning", "afternoon") else "any")


def _availability(caller: Caller, service: str, directorate: str, first: date, days: int):
    query = AvailabilityQuery.model_validate({"directorate": directorate, "service": service, "from": first.isoformat(), "days": days})
    return booking.availability(caller, query)


def _slot_of(caller, service, directorate, slot_id: str):
    if service is None or directorate is None or not slot_id.startswith(f"{directorate.id}@"):
        return None
    try:
        day = date.fromisoformat(slot_id.split("@", 1)[1][:10])
    except ValueError:
        return None
    return next((s for s in _availability(caller, service.code, directorate.id, day, 1).slots if s.slot_id == slot_id), None)


def _months(first: date, days: int) -> list[tuple[date, list[list[date | None]]]]:
    """The calendar of `days` days from `first`, one month at a time (its first day, and its
    rows Monday to Sunday; None pads a row, so each day appears under its own month)."""
    last = first + timedelta(days=days - 1)
    months = []
    start = first
    while start <= last:
        following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = min(last, following - timedelta(days=1))
        months.append((start.replace(day=1), _weeks(start, end)))
        start = following
    return months


def _weeks(first: date, last: date) -> list[list[date | None]]:
    """Calendar rows Monday to Sunday covering `first` to `last` (None pads the ends)."""
    cursor = first - timedelta(days=first.weekday())
    weeks = []
    while cursor <= last:
        weeks.append([cursor + timedelta(days=i) if first <= cursor + timedelta(days=i) <= last else None for i in range(7)])
        cursor += timedelta(days=7)
    return weeks
