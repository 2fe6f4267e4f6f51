"""The one-time codes that prove a person holds the Turkish mobile number of their account:
to confirm it at sign-up, and to reset a forgotten password."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import ValidationFailed

CODE_DIGITS = 6
# What a code was sent for: a code only ever passes for the purpose it was sent for.
SIGN_UP = "sign-up"
PASSWORD_RESET = "password-reset"
EMAIL = "email"  # an e-Devlet account's email address


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(applicant_id: str, code: str, purpose: str = SIGN_UP) -> str:
    """Only a digest is stored; salted with the account so equal codes differ at rest, and bound
    to the purpose so that a sign-up code can never reset a password. Sign-up digests keep the
    form they had before purposes existed, so codes already sent stay valid."""
    subject = applicant_id if purpose == SIGN_UP else f"{purpose}:{applicant_id}"
    return hashlib.sha256(f"{subject}:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class PendingCode:
    digest: str | None
    expires_at: datetime | None
    attempts: int


def check_code(
    applicant_id: str, code: str, pending: PendingCode, now: datetime, max_attempts: int, purpose: str = SIGN_UP
) -> None:
    """Raise unless `code` is the pending one for `purpose`, unexpired, within the allowed attempts."""
    if pending.digest is None or pending.expires_at is None or now > pending.expires_at:
        raise ValidationFailed("This code has expired. Ask for a new code.", reason="code_expired")
    if pending.attempts >= max_attempts:
        raise ValidationFailed("Too many wrong codes. Ask for a new code.", reason="too_many_attempts")
    if not hmac.compare_digest(pending.digest, code_digest(applicant_id, code, purpose)):
        raise ValidationFailed("The code is not correct.", reason="code_incorrect")


def expiry(now: datetime, ttl_minutes: int) -> datetime:
    return now + timedelta(minutes=ttl_minutes)


def resend_threshold(now: datetime, ttl_minutes: int, interval: timedelta) -> datetime:
    """A code whose expiry is later than this was sent less than `interval` ago: too soon to
    send another (a phone is not flooded, and a new code does not overtake one in transit)."""
    return expiry(now, ttl_minutes) - interval


CODE_REFUSED = "The code is not correct, or it has expired. Ask for a new code."


def code_refused() -> ValidationFailed:
    """The one answer to any code that does not pass (unknown email, no code pending, wrong,
    expired, tried too often): the same status, message and details, so a refusal tells nobody
    whether an account exists or what state it is in."""
    return ValidationFailed(CODE_REFUSED, reason="code_incorrect", fields=[{"field": "code", "message": CODE_REFUSED}])
