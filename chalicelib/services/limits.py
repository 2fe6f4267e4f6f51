"""Rate limits, counted in DynamoDB (the numbers and their arithmetic: `domain/limits.py`; which
route counts what: `chalicelib/api/rate_limits.py`).

Each event is one conditional ADD on the counter of its window that succeeds only while the
count is below the limit, so requests sent in parallel can never overrun it (no read-then-write):
on its own (`spend`), or as one item of a use case's transaction (`spend_in`, see
services/admission.py).
Counters expire through the table's TTL a window after theirs ends. Subjects (an IP, an account,
a phone, an email, a document number) are stored as digests, never in clear."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters.dynamo import NamedTransaction, update_if
from chalicelib.adapters.tables import RateCounter
from chalicelib.domain import limits
from chalicelib.domain.errors import RateLimited

# What is counted.
CODE_GUESS = "code-guess"  # an attempt to type a one-time code, per account
CODE_SENT = "code-sent"  # a one-time code sent, per account and purpose
SIGN_UP_PHONE = "sign-up-phone"  # a sign-up naming a phone number, per number
SIGN_UP_DOCUMENT = "sign-up-document"  # a sign-up naming a document number, per number
PHONE_CODE = "phone-code"  # a one-time code sent by SMS to a phone number, whatever the account
VERIFICATION_SMS = "verification-sms"  # every one-time code sent by SMS, nationally (one subject)
LIVE_ACCOUNTS = "live-accounts"  # active accounts holding a phone number (no window, no TTL)

_TTL_MARGIN = timedelta(days=1)  # a window's counter is kept a day longer, then TTL removes it


@dataclass(frozen=True)
class Limit:
    """A limit on one kind of event per subject and window (a route's rule,
    chalicelib/api/rate_limits.py), and how it refuses."""

    kind: str
    limit: int
    period: int  # seconds
    message: str

    def refusal(self, now: datetime) -> RateLimited:
        """429 RATE_LIMITED naming the limit, with the seconds until its window ends."""
        return RateLimited(self.message, retry_after_seconds=limits.seconds_until_window_ends(now, self.period), limit=self.kind)


def _key(kind: str, subject: str, window: str | None) -> str:
    digest = hashlib.sha256(f"{kind}:{subject}".encode()).hexdigest()[:32]
    return f"{kind}#{digest}" + (f"#{window}" if window else "")


def _spending(kind: str, subject: str, limit: int, now: datetime, period: int) -> tuple[RateCounter, list, object]:
    """The counter of this window, the ADD that counts one event, and its condition: fewer than
    `limit` counted so far."""
    counter = RateCounter(_key(kind, subject, limits.window_of(now, period)))
    actions = [RateCounter.count.add(1), RateCounter.expires.set(now + timedelta(seconds=period) + _TTL_MARGIN)]
    return counter, actions, RateCounter.count.does_not_exist() | (RateCounter.count < limit)


def spend(kind: str, subject: str, limit: int, now: datetime, period: int = limits.DAY) -> bool:
    """Count one event; False (nothing counted) when `limit` events were counted in this window."""
    return update_if(*_spending(kind, subject, limit, now, period))


def spend_in(write: NamedTransaction, name: str, kind: str, subject: str, limit: int, now: datetime, period: int) -> None:
    """Count one event as item `name` of `write`: the transaction is cancelled, with that item's
    condition failed, when `limit` events were counted in this window (nothing counted then)."""
    counter, actions, condition = _spending(kind, subject, limit, now, period)
    write.update(name, counter, actions=actions, condition=condition)


def spend_or_refuse(kind: str, subject: str, limit: int, now: datetime, message: str, period: int = limits.DAY) -> None:
    """Count one event, or refuse it with 429 and the seconds until its window ends."""
    if not spend(kind, subject, limit, now, period):
        raise RateLimited(message, retry_after_seconds=limits.seconds_until_window_ends(now, period))


def add(kind: str, subject: str, now: datetime, period: int) -> None:
    """Count one event with no limit on it (what a circuit breaker reads)."""
    counter = RateCounter(_key(kind, subject, limits.window_of(now, period)))
    counter.update(actions=[RateCounter.count.add(1), RateCounter.expires.set(now + timedelta(seconds=2 * period) + _TTL_MARGIN)])


def counted(kind: str, subject: str, now: datetime, period: int) -> int:
    """How many events the window holding `now` has counted."""
    try:
        return int(RateCounter.get(_key(kind, subject, limits.window_of(now, period)), consistent_read=True).count)
    except RateCounter.DoesNotExist:
        return 0


def tally_key(kind: str, subject: str) -> str:
    """The key of a count with no window (live accounts per phone)."""
    return _key(kind, subject, None)
