"""Domain errors: what went wrong, in the mission's words.

Each error names a situation a caller can act on. How an error is shown over HTTP (status and
contract code) is decided in exactly one place, `chalicelib/api/errors.py`, never here.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every refusal the service gives on purpose."""

    default_message = "The request was refused."

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None, **facts: Any) -> None:
        self.message = message or self.default_message
        self.details = {**(details or {}), **facts}
        super().__init__(self.message)


class ValidationFailed(DomainError):
    default_message = "Some fields are missing or invalid."


class Unauthenticated(DomainError):
    default_message = "Sign in to continue: the access token is missing, invalid or expired."


class Forbidden(DomainError):
    default_message = "Your account is not allowed to do this."


class NotEligible(DomainError):
    default_message = (
        "The residents registry holds no valid residence permit, work permit or protection "
        "status for this document, so it cannot be used here."
    )


class WrongProvince(DomainError):
    default_message = "Appointments are only possible at a directorate in your province of residence."


class NotFound(DomainError):
    default_message = "Nothing was found here."


class DuplicateAccount(DomainError):
    default_message = "An account already exists for this person or email address."


class SlotFull(DomainError):
    default_message = "This time slot has just been fully booked. Please choose another one."


class LockedOut(DomainError):
    default_message = "You cannot book a new appointment yet."


class AppointmentFinal(DomainError):
    default_message = "A confirmed appointment cannot be cancelled or changed."


class ProfileLocked(DomainError):
    default_message = (
        "Personal details cannot be changed online. Bring your document to your migration "
        "directorate; staff there can amend them in person."
    )


class RequestPending(DomainError):
    default_message = "You already have an assignment request waiting."


class AssignedMode(DomainError):
    default_message = (
        "This directorate assigns appointments for this service at the moment: "
        "submit an assignment request instead."
    )


class RateLimited(DomainError):
    default_message = "Too many requests. Please wait a moment and try again."
