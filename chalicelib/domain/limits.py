"""Rate limits: how often a person may be sent a one-time code and guess one, how windows count,
the national circuit breaker on verification SMS, and every configurable limit (`RateLimits`).

A code has 6 digits: 10^6 values. Every attempt to type a code (a sign-up's or a password
reset's) is counted before its answer is known, per account and per Istanbul day, and at most
GUESSES_PER_DAY are evaluated; the rest are refused unseen. Over any 30 days (which touch at most
31 calendar days) someone who guesses at random is evaluated at most 31 × 3 = 93 times, so the
chance to hit a reset code is at most 93 / 10^6 = 9.3 × 10^-5, below 1 in 10,000. Each code also
takes at most ATTEMPTS_PER_CODE tries, and at most CODES_PER_DAY codes go out per account and day
(a new code does not buy new guesses). Pure, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.verification import CODE_DIGITS

CODE_SPACE = 10**CODE_DIGITS
GUESSES_PER_DAY = 3
ATTEMPTS_PER_CODE = 3
CODES_PER_DAY = 3
SIGN_UPS_PER_PHONE_PER_DAY = 10  # sign-up attempts naming one phone: SMS to one number stay bounded
TARGET = 1e-4  # the chance of guessing a reset code within 30 days must stay below this


def chance_of_guessing(days: int, guesses_per_day: int = GUESSES_PER_DAY) -> float:
    """The worst chance of hitting a code by random guesses within `days` consecutive days."""
    return (days + 1) * guesses_per_day / CODE_SPACE


def day_of(now: datetime) -> date:
    """The Istanbul day a counter counts in."""
    return now.astimezone(ISTANBUL).date()


def seconds_until_next_day(now: datetime) -> int:
    """The Retry-After of a daily limit: until midnight in Istanbul."""
    local = now.astimezone(ISTANBUL)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=ISTANBUL)
    return max(1, int((midnight - local).total_seconds()) + 1)


# -- Windows: how every limit counts ------------------------------------------------------------
#
# A limit is a number of events per window; each (what, whom, window) has one counter, raised by a
# conditional ADD that succeeds only while it is below the limit (a fixed-window counter). A window
# is a minute, an hour, or an Istanbul calendar day (so the guess bound above holds by calendar
# day). A burst at a boundary can pass up to twice a limit within one window's length; the limits
# below are chosen with that in mind, and the day limits bound the total.

MINUTE, HOUR, DAY = 60, 3600, 86_400


def window_of(now: datetime, period: int) -> str:
    """The window `now` falls in, as part of a counter's key."""
    if period == DAY:
        return day_of(now).isoformat()
    return f"{period}s{int(now.timestamp()) // period}"


def seconds_until_window_ends(now: datetime, period: int) -> int:
    """The Retry-After of a limit that is spent: until its window ends."""
    if period == DAY:
        return seconds_until_next_day(now)
    elapsed = now.timestamp() % period
    return max(1, math.ceil(period - elapsed))


# -- The national circuit breaker: verification SMS in the last hour -----------------------------
#
# The last hour's count is estimated from two hourly counters, the sliding-window counter's
# estimate: the current hour's count plus the previous hour's weighted by the share of it that
# still lies within the last 60 minutes. Sending pauses while the estimate reaches the threshold
# and resumes by itself as the previous hour's share falls.


def last_hour_estimate(previous: int, current: int, now: datetime) -> float:
    elapsed_share = (now.timestamp() % HOUR) / HOUR
    return current + previous * (1 - elapsed_share)


def breaker_open(previous: int, current: int, now: datetime, threshold: int) -> bool:
    return last_hour_estimate(previous, current, now) >= threshold


def seconds_until_breaker_closes(previous: int, current: int, now: datetime, threshold: int) -> int:
    """How long until the estimate falls below the threshold, if nothing more is sent (0: closed)."""
    elapsed = now.timestamp() % HOUR
    if current < threshold:
        if previous <= 0:
            return 0
        # current + previous·(1 − t/HOUR) < threshold  ⇔  t > HOUR·(1 − (threshold − current)/previous)
        closes_at = HOUR * (1 - (threshold - current) / previous)
        return max(0, math.floor(closes_at - elapsed) + 1)
    # This hour alone reached it: in the next hour its count is the previous one's.
    closes_at = HOUR * (1 - threshold / current)
    return math.floor(HOUR - elapsed + closes_at) + 1


# -- Per-phone, per-person rules of the authority -------------------------------------------------

LIVE_ACCOUNTS_PER_PHONE = 3  # the authority's rule for e-appointments: at most 3 accounts hold a phone


@dataclass(frozen=True)
class RateLimits:
    """Every configurable limit (settings: `RATE_LIMIT_<FIELD>` in the environment; the table of
    which route counts what is `chalicelib/api/rate_limits.py`, and the README lists both)."""

    # Per client IP, as API Gateway reports it.
    ip_requests_per_minute: int = 300  # every public API route and every portal page
    ip_sign_ups_per_hour: int = 20  # sign-ups (API, portal, e-Devlet contact step)
    ip_codes_per_hour: int = 10  # requests that send a code: resend, forgotten password
    ip_sign_ins_per_minute: int = 20  # password and TOTP sign-ins, e-Devlet round trips
    ip_code_checks_per_hour: int = 60  # typing a code: confirm a sign-up, reset a password
    # Per account.
    account_bookings_per_hour: int = 30  # book, change, cancel, request, withdraw
    account_staff_actions_per_hour: int = 600  # staff writes that message people or change records
    account_settings_per_hour: int = 20  # a person's own settings: the notification language; closing the account
    account_data_exports_per_day: int = 10  # downloads of one's own data (each reads every table about the person)
    # Per phone number, across all accounts (SMS pumping).
    phone_codes_per_hour: int = 3
    phone_codes_per_day: int = 6
    # Per document number: sign-up attempts naming it (registry look-ups), per day.
    document_sign_ups_per_day: int = 10
    # Nationally: verification SMS in the last hour before code sending pauses.
    verification_sms_per_hour: int = 3000

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> "RateLimits":
        values = {}
        for item in fields(cls):
            raw = env.get(f"RATE_LIMIT_{item.name.upper()}")
            if raw is not None:
                values[item.name] = int(raw)
        return cls(**values)
