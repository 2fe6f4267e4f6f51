"""Use case: the second factor of every account that acts for the authority (staff, admin, any
role but applicant): after the password, a TOTP code from an authenticator app.

In AWS and locally alike this is Cognito's software-token MFA; the service never sees nor checks
a code itself, it only keeps the half-finished sign-in on the server:

- an enrolled account: Cognito answers the password with the SOFTWARE_TOKEN_MFA challenge; the
  caller gets `{"challenge": "mfa", "session"}` and answers it with the code (RespondToAuthChallenge);
- an account without a second factor yet (its first sign-in): Cognito issues tokens, which are
  *withheld*; a new secret is associated with the account (AssociateSoftwareToken) and sent to
  the caller (`mfa_setup`, with an otpauth:// address for a QR code); the first right code
  verifies it (VerifySoftwareToken), makes TOTP the account's second factor, and only then is the
  access token handed out.

The caller's `session` is an opaque random id of a `SignInChallenge` item: Cognito's session,
the email and a withheld token never leave the server. A challenge takes at most
`MAX_CODE_ATTEMPTS` codes — each attempt is counted by a conditional write *before* the code is
checked, so parallel guesses cannot exceed it — and expires after `CHALLENGE_LIFETIME`.

A wrong code is 401 UNAUTHENTICATED (`details.reason`: `code_incorrect`); an unknown, expired,
used or exhausted session is 401 UNAUTHENTICATED too (`details.reason`: `sign_in_again`).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError

from chalicelib import wiring
from chalicelib.adapters.cognito import ChallengeExpired, CodeMismatch, MfaRequired, Tokens
from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.tables import SignInChallenge
from chalicelib.contract import LoginResponse, MfaChallengeResponse, MfaRequest, MfaSetupResponse
from chalicelib.clock import clock
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.roles import Caller, needs_second_factor
from chalicelib.domain.second_factor import MAX_CODE_ATTEMPTS, challenge_expiry, challenge_open, otpauth_uri
from chalicelib.observability import logger

MFA = "mfa"
MFA_SETUP = "mfa_setup"

SignInAnswer = LoginResponse | MfaChallengeResponse | MfaSetupResponse


def challenge(email: str, answer: MfaRequired) -> MfaChallengeResponse:
    """An enrolled account's password was right: its TOTP code next."""
    opened = _open(MFA, email, clock.now(), cognito_session=answer.session)
    return MfaChallengeResponse(challenge=MFA, session=opened.challenge_id)


def after_password(email: str, answer: Tokens, caller: Caller) -> SignInAnswer:
    """What a sign-in that Cognito answered with tokens answers: the token for an applicant; for
    an account that needs a second factor and has none yet, its enrolment before any token."""
    if not needs_second_factor(caller.roles):
        return _token_response(answer.access_token, answer.expires_in)
    now = clock.now()
    secret = wiring.accounts().new_totp_secret(answer.access_token)
    opened = _open(
        MFA_SETUP,
        email,
        now,
        access_token=answer.access_token,
        token_expires_at=now + timedelta(seconds=answer.expires_in),
        secret=secret,
    )
    logger.info("second factor enrolment started", extra={"account_id": caller.account_id})
    return MfaSetupResponse(challenge=MFA_SETUP, session=opened.challenge_id, secret=secret, otpauth_uri=otpauth_uri(secret, email))


def answer(request: MfaRequest) -> LoginResponse:
    """The code for a challenge: the access token, or a refusal."""
    now = clock.now()
    challenge = _count_attempt(request.session, now)
    if challenge is None:
        raise _sign_in_again()
    accounts = wiring.accounts()
    try:
        if challenge.kind == MFA:
            tokens = accounts.answer_mfa(challenge.email, challenge.cognito_session, request.code)
            access_token, expires_in = tokens.access_token, tokens.expires_in
        else:
            accounts.enable_totp(challenge.access_token, request.code)
            access_token = challenge.access_token
            expires_in = int((challenge.token_expires_at - now).total_seconds())
    except CodeMismatch:
        logger.info("second factor refused", extra={"reason": "code_incorrect", "kind": challenge.kind})
        raise Unauthenticated(
            "The code is not correct. Type the 6 digits your authenticator app shows now.", reason="code_incorrect",
            attempts_left=MAX_CODE_ATTEMPTS - int(challenge.attempts),
        ) from None
    except ChallengeExpired:
        # Cognito's session is spent: expired, or used by a right answer sent at the same time.
        # That answer closes the challenge itself and must find it still open; this one leaves
        # it as it is (it expires on its own) and only asks to sign in again.
        raise _sign_in_again() from None
    # Of two right answers sent at once, the one that closes the challenge gets the token.
    if not _close(challenge) or expires_in <= 0:
        raise _sign_in_again()
    if challenge.kind == MFA_SETUP:
        logger.info("second factor enrolled")
    return _token_response(access_token, expires_in)


def pending(session_id: str | None) -> SignInChallenge | None:
    """A challenge still open (for the portal's code page: which form, and the secret to show)."""
    if not session_id:
        return None
    try:
        challenge = SignInChallenge.get(session_id, consistent_read=True)
    except SignInChallenge.DoesNotExist:
        return None
    return challenge if challenge_open(challenge.expires_at, int(challenge.attempts), clock.now()) else None


def setup_details(challenge: SignInChallenge) -> MfaSetupResponse:
    return MfaSetupResponse(
        challenge=MFA_SETUP,
        session=challenge.challenge_id,
        secret=challenge.secret,
        otpauth_uri=otpauth_uri(challenge.secret, challenge.email),
    )


def _open(kind: str, email: str, now: datetime, **fields) -> SignInChallenge:
    expires_at = challenge_expiry(now)
    challenge = SignInChallenge(
        secrets.token_urlsafe(32), kind=kind, email=email, attempts=0, expires_at=expires_at, expires=expires_at, **fields
    )
    challenge.save(condition=SignInChallenge.challenge_id.does_not_exist())
    return challenge


def _count_attempt(session_id: str, now: datetime) -> SignInChallenge | None:
    """Count this attempt before its code is checked, in one conditional write on condition that
    the challenge is open (it exists, has not expired, has attempts left): parallel guesses
    cannot exceed the limit. The challenge as it is after this attempt, or None."""
    challenge = SignInChallenge(session_id)
    counted = update_if(
        challenge,
        [SignInChallenge.attempts.add(1)],
        SignInChallenge.challenge_id.exists() & (SignInChallenge.attempts < MAX_CODE_ATTEMPTS) & (SignInChallenge.expires_at > now),
    )
    return challenge if counted else None


def _close(challenge: SignInChallenge) -> bool:
    """Delete the challenge, once: False when another request closed it first."""
    try:
        challenge.delete(condition=SignInChallenge.challenge_id.exists())
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _sign_in_again() -> Unauthenticated:
    return Unauthenticated(
        "This sign-in has expired or had too many wrong codes. Sign in again with your email and password.",
        reason="sign_in_again",
    )


def _token_response(access_token: str, expires_in: int) -> LoginResponse:
    return LoginResponse(access_token=access_token, token_type="Bearer", expires_in=expires_in)
