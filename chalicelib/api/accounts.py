"""Account endpoints: sign-up, phone confirmation, sign-in, a forgotten password."""

from __future__ import annotations

from chalicelib.api.http import ANY_ACCOUNT, endpoint
from chalicelib.contract import (
    Accepted,
    ConfirmRequest,
    ConfirmResponse,
    ForgotPasswordRequest,
    LoginRequest,
    LoginResponse,
    MfaChallengeResponse,
    MfaSetupResponse,
    PasswordChanged,
    ResendCodeRequest,
    ResetPasswordRequest,
    SignedOut,
    SignupRequest,
    SignupResponse,
)
from chalicelib.domain.errors import DuplicateAccount, NotEligible, RateLimited, Unauthenticated, ValidationFailed
from chalicelib.domain.roles import Caller
from chalicelib.services import accounts, revocation, signup as sign_ups


@endpoint(
    "Create an applicant account; a code is sent by SMS to the phone",
    status=201,
    errors=(ValidationFailed, NotEligible, DuplicateAccount, RateLimited),
)
def signup(body: SignupRequest) -> SignupResponse:
    return sign_ups.sign_up(body)


@endpoint(
    "Confirm the phone number with the SMS code; the person's identity is claimed now (the first sign-up to confirm wins)",
    errors=(ValidationFailed, DuplicateAccount),
)
def confirm(body: ConfirmRequest) -> ConfirmResponse:
    return sign_ups.confirm(body)


@endpoint("Send a new SMS code to a pending account", status=202, errors=(ValidationFailed, RateLimited))
def resend_code(body: ResendCodeRequest) -> Accepted:
    return sign_ups.resend_code(body)


@endpoint(
    "Sign in. An applicant gets a bearer access token; a staff or admin account gets a TOTP challenge "
    "(`mfa`, or `mfa_setup` with the secret to enrol at the first sign-in), answered at POST /v1/auth/mfa",
    errors=(ValidationFailed, Unauthenticated),
    idempotent=False,
)
def login(body: LoginRequest) -> LoginResponse | MfaChallengeResponse | MfaSetupResponse:
    return accounts.login(body)


@endpoint(
    "Send a code to reset a forgotten password by SMS; the same answer whether or not the email has an account",
    status=202,
    errors=(ValidationFailed,),
)
def forgot_password(body: ForgotPasswordRequest) -> Accepted:
    return accounts.forgot_password(body)


@endpoint("Choose a new password with the code sent by SMS; the code works once", errors=(ValidationFailed,))
def reset_password(body: ResetPasswordRequest) -> PasswordChanged:
    return accounts.reset_password(body)


@endpoint(
    "Sign out everywhere: every access token of this account issued until now is refused from now on",
    roles=ANY_ACCOUNT,
    errors=(Unauthenticated,),
)
def sign_out_everywhere(caller: Caller) -> SignedOut:
    revocation.revoke(caller.account_id, revocation.SIGN_OUT_EVERYWHERE)
    return SignedOut(status="signed_out")
