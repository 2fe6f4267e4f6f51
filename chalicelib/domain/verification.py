"""The one-time code that proves a person holds the Turkish mobile number they signed up with."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import ValidationFailed

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(applicant_id: str, code: str) -> str:
    """Only a digest is stored; salted with the account so equal codes differ at rest."""
    return hashlib.sha256(f"{applicant_id}:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class PendingCode:
    digest: str | None
    expires_at: datetime | None
    attempts: int


def check_code(applicant_id: str, code: str, pending: PendingCode, now: datetime, max_attempts: int) -> None:
    """Raise unless `code` is the pending one, unexpired, within the allowed attempts."""
    if pending.digest is None or pending.expires_at is None or now > pending.expires_at:
        raise ValidationFailed("This code has expired. Ask for a new code.", reason="code_expired")
    if pending.attempts >= max_attempts:
        raise ValidationFailed("Too many wrong codes. Ask for a new code.", reason="too_many_attempts")
    if not hmac.compare_digest(pending.digest, code_digest(applicant_id, code)):
        raise ValidationFailed("The code is not correct.", reason="code_incorrect")


def expiry(now: datetime, ttl_minutes: int) -> datetime:
    return now + timedelta(minutes=ttl_minutes)
