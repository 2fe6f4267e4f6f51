"""What every page module shares: who is signed in (and in which role), and how a refusal or
a field error becomes a message in the person's language for the error summary."""

from __future__ import annotations

from datetime import datetime

from chalicelib.api.errors import status_and_code
from chalicelib.domain.errors import DomainError, RateLimited, Unauthenticated, ValidationFailed
from chalicelib.domain.roles import Caller, Role
from chalicelib.i18n import MESSAGES, text
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.render import format_when, render


def applicant(request: WebRequest) -> Caller | None:
    caller = request.caller()
    return caller if caller is not None and Role.APPLICANT in caller.roles else None


def staff(request: WebRequest) -> Caller | None:
    """A staff member (bound to one directorate); an admin may use the staff pages too."""
    caller = request.caller()
    return caller if caller is not None and (Role.STAFF in caller.roles or Role.ADMIN in caller.roles) else None


def admin(request: WebRequest) -> Caller | None:
    caller = request.caller()
    return caller if caller is not None and Role.ADMIN in caller.roles else None


def field_error(request: WebRequest, key: str, field: str | None) -> dict:
    """A message of the catalogue for the error summary, linked to the field it is about."""
    return {"message": text(key, request.language), "field": field}


def agreed_to_finality(request: WebRequest) -> bool:
    """The person ticked "I understand this appointment cannot be cancelled …": asked before
    anything that ends in a confirmed appointment (booking a time, asking to be assigned one)."""
    return request.form.get("agree") == "yes"


def finality_not_agreed(request: WebRequest) -> dict:
    """The error summary's entry when the box was left unticked, linked to it."""
    return field_error(request, "error.agree", "agree")


# Refusals whose own message (error.<reason>) says more than their code's.
SPECIFIC_REASONS = frozenset({"sms_paused", "phone_full"})


def refusal(request: WebRequest, error: DomainError, field: str | None) -> dict:
    """A refusal from the error table, in the person's language, with what to do next."""
    _, code = status_and_code(error)
    key = f"error.{code}"
    reason = error.details.get("reason")
    if reason in SPECIFIC_REASONS:  # a refusal the table's code alone does not explain
        key = f"error.{reason}"
    message = text(key, request.language) if key in MESSAGES else error.message
    if error.details.get("locked_until"):
        until = format_when(datetime.fromisoformat(str(error.details["locked_until"])), request.language)
        message = f"{message} {text('me.locked_until', request.language, until=until)}"
    seconds = error.details.get("retry_after_seconds") if isinstance(error, RateLimited) else None
    if isinstance(seconds, (int, float)):
        request.retry_after = int(seconds)
        message = f"{message} {wait_text(int(seconds), request.language)}"
    if isinstance(error, ValidationFailed) and error.details.get("field"):
        field = str(error.details["field"])
    return {"message": message, "field": field}


def wait_text(seconds: int, language: str) -> str:
    """How long to wait, in words: minutes (rounded up), or hours past two hours."""
    minutes = max(1, -(-seconds // 60))
    if minutes > 120:
        return text("error.retry_after_hours", language, hours=-(-minutes // 60))
    return text("error.retry_after_minutes", language, minutes=minutes)


def error_page(request: WebRequest, error: DomainError | None) -> WebResponse:
    """A refusal that escaped a page, or (None) a failure on our side, in the person's language."""
    if error is None:
        return render(request, "error.html", status=500, errors=[field_error(request, "error.INTERNAL", None)])
    if isinstance(error, Unauthenticated):
        return redirect("/sign-in")
    status, _ = status_and_code(error)
    return render(request, "error.html", status=status, errors=[refusal(request, error, None)])
