"""Cognito's software-token MFA (TOTP) in the emulator, made real: one secret per user.

moto's own TOTP support does not protect anything: by default RespondToAuthChallenge
(SOFTWARE_TOKEN_MFA) and VerifySoftwareToken accept any code; with
MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true, AssociateSoftwareToken hands every user the same
fixed secret (stack-notes 12). A staff sign-in "protected" that way would pass any test. This
replaces three methods of moto's Cognito backend so that, as in AWS:

- AssociateSoftwareToken returns a new random base32 secret (160 bits, as Cognito's), kept on
  the user as pending until a code made with it is verified;
- VerifySoftwareToken checks the code (RFC 6238: 30 s, 6 digits, SHA-1, with pyotp) against
  that pending secret; a wrong code raises CodeMismatchException and enables nothing; a right
  one makes it the user's secret;
- RespondToAuthChallenge(SOFTWARE_TOKEN_MFA) checks the code against the user's secret before
  moto's own handling issues tokens; a wrong code raises CodeMismatchException and the session
  stays (moto's behaviour for retries).

A code of the step before or after the current one is accepted too (clock drift), as
authenticator apps and Cognito allow. `enrol` gives a user a known secret directly (the local
admin's `LOCAL_ADMIN_TOTP_SECRET`). The service's code is the same as in AWS: only the
emulator changes. Safe because the emulator serialises every request under one lock
(emulator.py); call `enrol` holding that lock.
"""

from __future__ import annotations

from typing import Any

import pyotp
from moto.cognitoidp.exceptions import CodeMismatchException, NotAuthorizedError, ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, cognitoidp_backends
from moto.core import DEFAULT_ACCOUNT_ID

VALID_WINDOW = 1  # steps either side of now
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"

_original_respond = CognitoIdpBackend.respond_to_auth_challenge


def install() -> None:
    """Replace moto's TOTP handling in every Cognito backend (idempotent)."""
    CognitoIdpBackend.associate_software_token = associate_software_token
    CognitoIdpBackend.verify_software_token = verify_software_token
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge


def code_matches(secret: str | None, code: str | None) -> bool:
    if not secret or not code:
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=VALID_WINDOW)


def enrol(region: str, user_pool_id: str, username: str, secret: str, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Make `secret` the user's TOTP secret and TOTP their preferred second factor, as a
    completed enrolment would (every sign-in then gets the SOFTWARE_TOKEN_MFA challenge)."""
    pyotp.TOTP(secret).now()  # refuses a secret that is not base32, here rather than at sign-in
    backend = cognitoidp_backends[account_id][region]
    user = backend.admin_get_user(user_pool_id, username)
    user.totp_secret = secret
    user.pending_totp_secret = None
    user.token_verified = True
    user.software_token_mfa_enabled = True
    user.preferred_mfa_setting = SOFTWARE_TOKEN_MFA


def associate_software_token(self: CognitoIdpBackend, access_token: str, session: str) -> dict[str, str]:
    user = _user(self, access_token, session)
    user.pending_totp_secret = pyotp.random_base32(32)
    answer = {"SecretCode": user.pending_totp_secret}
    if session:
        answer["Session"] = session
    return answer


def verify_software_token(
    self: CognitoIdpBackend, access_token: str, session: str, user_code: str, friendly_device_name: str
) -> dict[str, str]:
    user = _user(self, access_token, session)
    pending = getattr(user, "pending_totp_secret", None)
    if not code_matches(pending, user_code):
        raise CodeMismatchException("Code mismatch and fail enable Software Token MFA")
    user.totp_secret = pending
    user.pending_totp_secret = None
    user.token_verified = True
    return {"Status": "SUCCESS"}


def respond_to_auth_challenge(
    self: CognitoIdpBackend, session: str, client_id: str, challenge_name: str, challenge_responses: dict[str, str]
) -> dict[str, Any]:
    if challenge_name == SOFTWARE_TOKEN_MFA:
        if session not in self.sessions:
            raise NotAuthorizedError("Invalid session for the user, session is expired.")
        username, user_pool = self.sessions[session]
        user = user_pool._get_user(username)
        if user is None:
            raise NotAuthorizedError("Invalid session for the user.")
        if not code_matches(getattr(user, "totp_secret", None), (challenge_responses or {}).get("SOFTWARE_TOKEN_MFA_CODE")):
            raise CodeMismatchException("Invalid code received for user")
    return _original_respond(self, session, client_id, challenge_name, challenge_responses)


def _user(backend: CognitoIdpBackend, access_token: str, session: str) -> CognitoIdpUser:
    """The user of an access token (or of a sign-in session), as moto finds them."""
    if session:
        if session not in backend.sessions:
            raise ResourceNotFoundError(session)
        username, user_pool = backend.sessions[session]
        return backend.admin_get_user(user_pool.id, username)
    for user_pool in backend.user_pools.values():
        if access_token in user_pool.access_tokens:
            _, username = user_pool.access_tokens[access_token]
            return backend.admin_get_user(user_pool.id, username)
    raise NotAuthorizedError("Invalid Access Token")


def main() -> None:
    """`make totp` (or `python -m chalicelib.local.totp [SECRET]`): the current code of SECRET,
    by default the local admin's (LOCAL_ADMIN_TOTP_SECRET)."""
    import os
    import sys

    from chalicelib.local.stack import DEFAULT_ADMIN_TOTP_SECRET

    secret = (sys.argv[1:] or [os.environ.get("LOCAL_ADMIN_TOTP_SECRET", DEFAULT_ADMIN_TOTP_SECRET)])[0]
    print(pyotp.TOTP(secret).now())


if __name__ == "__main__":
    main()
