"""The second step of a staff or admin sign-in: the TOTP code (see services/second_factor.py)."""

from __future__ import annotations

from chalicelib.api.http import endpoint
from chalicelib.contract import LoginResponse, MfaRequest
from chalicelib.domain.errors import Unauthenticated, ValidationFailed
from chalicelib.services import second_factor


@endpoint(
    "Finish a staff or admin sign-in with the TOTP code of the authenticator app (RFC 6238: 6 digits, "
    "30-second steps, SHA-1); returns the bearer access token. A wrong code is 401 UNAUTHENTICATED with "
    "details.reason code_incorrect; an unknown, expired (3 minutes), used or exhausted (5 codes) session is "
    "401 UNAUTHENTICATED with details.reason sign_in_again; a code that is not 6 digits is 400 "
    "VALIDATION_FAILED naming the field `code`",
    errors=(ValidationFailed, Unauthenticated),
    tag="accounts",
    idempotent=False,
)
def answer_challenge(body: MfaRequest) -> LoginResponse:
    return second_factor.answer(body)
