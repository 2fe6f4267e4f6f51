"""Daily limits, counted in DynamoDB (the numbers and their arithmetic: `domain/limits.py`).

Each event is one conditional ADD on a per-day counter that succeeds only while the count is
below the limit, so requests sent in parallel can never overrun it (no read-then-write)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.tables import RateCounter
from chalicelib.domain import limits
from chalicelib.domain.errors import RateLimited

# What is counted.
CODE_GUESS = "code-guess"  # an attempt to type a one-time code, per account
CODE_SENT = "code-sent"  # a one-time code sent, per account and purpose
SIGN_UP_PHONE = "sign-up-phone"  # a sign-up naming a phone number, per number

_KEEP = timedelta(days=2)  # a day's counter is kept a day longer, then TTL removes it


def spend(kind: str, subject: str, limit: int, now: datetime) -> bool:
    """Count one event; False (nothing counted) when `limit` events were counted already today."""
    day = limits.day_of(now).isoformat()
    digest = hashlib.sha256(f"{kind}:{subject}".encode()).hexdigest()[:32]
    counter = RateCounter(f"{kind}#{digest}#{day}")
    return update_if(
        counter,
        [RateCounter.count.add(1), RateCounter.expires.set(now + _KEEP)],
        RateCounter.count.does_not_exist() | (RateCounter.count < limit),
    )


def spend_or_refuse(kind: str, subject: str, limit: int, now: datetime, message: str) -> None:
    """Count one event, or refuse it with 429 and the seconds until the limit resets."""
    if not spend(kind, subject, limit, now):
        raise RateLimited(message, retry_after_seconds=limits.seconds_until_next_day(now))
