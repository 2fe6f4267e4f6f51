"""How often a person may be sent a one-time code, and guess one.

A code has 6 digits: 10^6 values. Every attempt to type a code (a sign-up's or a password
reset's) is counted before its answer is known, per account and per Istanbul day, and at most
GUESSES_PER_DAY are evaluated; the rest are refused unseen. Over any 30 days (which touch at most
31 calendar days) someone who guesses at random is evaluated at most 31 × 3 = 93 times, so the
chance to hit a reset code is at most 93 / 10^6 = 9.3 × 10^-5, below 1 in 10,000. Each code also
takes at most ATTEMPTS_PER_CODE tries, and at most CODES_PER_DAY codes go out per account and day
(a new code does not buy new guesses). Pure, no I/O.
"""

from __future__ import annotations

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
