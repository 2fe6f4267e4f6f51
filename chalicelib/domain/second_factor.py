"""The second factor of the authority's accounts: a time-based one-time password (TOTP, RFC 6238:
30-second steps, 6 digits, SHA-1, a base32 secret), what an authenticator app needs to enrol it,
and how long a half-finished sign-in may wait for its code."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

ISSUER = "GÖÇ İDARESİ Randevu"
DIGITS = 6
PERIOD_SECONDS = 30
ALGORITHM = "SHA1"
# A sign-in waiting for its code expires after this long (Cognito's own session lasts 3 minutes)...
CHALLENGE_LIFETIME = timedelta(minutes=3)
# ...and accepts this many codes: a guesser gets 5 in 1,000,000 per password typed right.
MAX_CODE_ATTEMPTS = 5


def otpauth_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The `otpauth://totp/...` address an authenticator app reads from the QR code (the Key Uri
    Format of Google Authenticator): label `issuer:account`, each part percent-encoded as UTF-8
    (a space is %20, never +), and the parameters of the RFC 6238 profile spelled out."""
    label = f"{quote(issuer, safe='')}:{quote(account, safe='@')}"
    parameters = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": ALGORITHM, "digits": DIGITS, "period": PERIOD_SECONDS},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{parameters}"


def challenge_expiry(started_at: datetime) -> datetime:
    return started_at + CHALLENGE_LIFETIME


def challenge_open(expires_at: datetime, attempts: int, now: datetime) -> bool:
    """A sign-in waiting for its code still takes one: not expired, attempts left. (Counting an
    attempt writes the same rule as its condition: services/second_factor.py.)"""
    return now < expires_at and attempts < MAX_CODE_ATTEMPTS
