"""The one table that turns a domain error into an HTTP status and a contract error code.

Every refusal the API gives goes through `refusal`, so the envelope
`{"error": {"code", "message", "details"}}` and the status codes of `api-contract.md`
are decided here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from chalicelib import observability
from chalicelib.domain import errors

ERROR_TABLE: dict[type[errors.DomainError], tuple[int, str]] = {
    errors.ValidationFailed: (400, "VALIDATION_FAILED"),
    errors.Unauthenticated: (401, "UNAUTHENTICATED"),
    errors.Forbidden: (403, "FORBIDDEN"),
    errors.NotEligible: (403, "NOT_ELIGIBLE"),
    errors.WrongProvince: (403, "WRONG_PROVINCE"),
    errors.NotFound: (404, "NOT_FOUND"),
    errors.DuplicateAccount: (409, "DUPLICATE_ACCOUNT"),
    errors.SlotFull: (409, "SLOT_FULL"),
    errors.LockedOut: (409, "LOCKED_OUT"),
    errors.AppointmentFinal: (409, "APPOINTMENT_FINAL"),
    errors.ProfileLocked: (409, "PROFILE_LOCKED"),
    errors.RequestPending: (409, "REQUEST_PENDING"),
    errors.AssignedMode: (409, "ASSIGNED_MODE"),
    errors.RateLimited: (429, "RATE_LIMITED"),
}

INTERNAL = (500, "INTERNAL")

# Refusals produced by the framework before our code runs (Chalice's own error bodies), by
# status: the status and code we answer instead. API Gateway and `chalice local` answer 403
# "Missing Authentication Token" for an unknown path: to the caller that is a 404.
FRAMEWORK_ERRORS: dict[int, tuple[int, str, str]] = {
    400: (400, "VALIDATION_FAILED", "The request could not be read."),
    403: (404, "NOT_FOUND", "There is no such resource."),
    404: (404, "NOT_FOUND", "There is no such resource."),
    405: (405, "METHOD_NOT_ALLOWED", "This resource does not support that method."),
    415: (400, "VALIDATION_FAILED", "Send the request body as application/json."),
}


def status_and_code(error: errors.DomainError) -> tuple[int, str]:
    for cls in type(error).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return INTERNAL


def envelope(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def refusal(error: errors.DomainError) -> tuple[int, dict[str, Any]]:
    """The status and envelope that answer `error`."""
    status, code = status_and_code(error)
    observability.record(observability.REFUSALS, code=code)  # the dashboard's "refusals by code"
    return status, envelope(code, error.message, error.details)


def refusal_headers(error: errors.DomainError) -> dict[str, str]:
    """Headers a refusal carries: a rate limit's Retry-After (seconds), when it knows one."""
    seconds = error.details.get("retry_after_seconds") if isinstance(error, errors.RateLimited) else None
    return {"Retry-After": str(int(seconds))} if isinstance(seconds, (int, float)) else {}


def internal_error() -> tuple[int, dict[str, Any]]:
    status, code = INTERNAL
    return status, envelope(code, "Something went wrong on our side. Nothing was changed; please try again.")
