"""One-time codes by SMS, within the SMS-pumping defences (issue 11): whoever sends a code by SMS
(a sign-up, a resend, a forgotten password, e-Devlet's phone step) goes through here.

- The national circuit breaker: when the verification SMS of the last hour (estimated from two
  hourly counters: `domain/limits.py`) reach `verification_sms_per_hour`, no code is sent, the
  caller is told to try again later (429 with Retry-After), and the metric
  `VerificationSmsCircuitOpen` and an error log are emitted for the alarm. It closes by itself as
  the last hour's count falls. Concurrent senders may pass the threshold by a few: it is a
  breaker, not a quota.
- Per phone number, across all accounts: at most `phone_codes_per_hour` and `phone_codes_per_day`
  codes (fixed windows, conditional writes: parallel requests cannot overrun them).
- Only Turkish mobile numbers get here: every request model validates the phone as one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import observability, wiring
from chalicelib.domain import limits
from chalicelib.domain.errors import RateLimited
from chalicelib.observability import logger
from chalicelib.services import limits as counters
from chalicelib.settings import get_settings

NATION = "TR"
CIRCUIT_OPEN_MESSAGE = (
    "We cannot send codes by SMS at the moment because of unusually many requests. "
    "Nothing was changed; please try again later."
)
PHONE_HOUR_MESSAGE = "Too many codes were sent to this phone number in the last hour. Please wait before asking again."
PHONE_DAY_MESSAGE = "Too many codes were sent to this phone number today. Try again tomorrow."


def refuse_while_open(now: datetime) -> None:
    """429 "try again later" while the national breaker is open (nothing is counted)."""
    threshold = get_settings().rate_limits.verification_sms_per_hour
    previous = counters.counted(counters.VERIFICATION_SMS, NATION, now - timedelta(seconds=limits.HOUR), limits.HOUR)
    current = counters.counted(counters.VERIFICATION_SMS, NATION, now, limits.HOUR)
    if limits.breaker_open(previous, current, now, threshold):
        wait = max(60, limits.seconds_until_breaker_closes(previous, current, now, threshold))
        observability.record(observability.VERIFICATION_SMS_CIRCUIT_OPEN)  # the alarm of monitoring.py watches it
        logger.error("verification SMS circuit open: code sending paused", extra={"last_hour": int(limits.last_hour_estimate(previous, current, now)), "threshold": threshold, "retry_after_seconds": wait})
        raise RateLimited(CIRCUIT_OPEN_MESSAGE, retry_after_seconds=wait, reason="sms_paused")


def reserve(phone: str, now: datetime) -> None:
    """Spend one of the phone's codes (hour, then day), or refuse with 429. The caller has asked
    `refuse_while_open` first, before looking anyone up."""
    settings = get_settings().rate_limits
    counters.spend_or_refuse(counters.PHONE_CODE, phone, settings.phone_codes_per_hour, now, PHONE_HOUR_MESSAGE, limits.HOUR)
    counters.spend_or_refuse(counters.PHONE_CODE, phone, settings.phone_codes_per_day, now, PHONE_DAY_MESSAGE, limits.DAY)


def reserve_quietly(phone: str, now: datetime) -> bool:
    """As `reserve`, but False instead of a refusal (answers that must not tell whether an
    account exists)."""
    try:
        reserve(phone, now)
    except RateLimited:
        return False
    return True


def send(phone: str, message: str, now: datetime) -> None:
    """Send a code reserved with `reserve`, and count it nationally."""
    wiring.sms().send(phone, message)
    counters.add(counters.VERIFICATION_SMS, NATION, now, limits.HOUR)

