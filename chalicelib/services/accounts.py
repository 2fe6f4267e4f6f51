"""Use cases of accounts: sign-up, phone confirmation, sign-in, a forgotten password, staff and
admin accounts."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import TransactWriteError

from chalicelib import wiring
from chalicelib.adapters.cognito import EmailTaken, InvalidCredentials, NotConfirmed, PasswordRejected, SignOutFailed
from chalicelib.adapters.dynamo import condition_failed, transaction, update_if
from chalicelib.adapters.tables import Applicant, IdentityClaim, StaffMember
from chalicelib.api.schemas import (
    Accepted,
    ConfirmRequest,
    ConfirmResponse,
    CreateStaffRequest,
    ForgotPasswordRequest,
    LoginRequest,
    LoginResponse,
    PasswordChanged,
    ResendCodeRequest,
    ResetPasswordRequest,
    SignupRequest,
    SignupResponse,
    StaffAccount,
)
from chalicelib.clock import clock
from chalicelib.domain import verification
from chalicelib.domain.eligibility import require_permit_in_force
from chalicelib.domain.errors import (
    DuplicateAccount,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)
from chalicelib.domain.roles import Role
from chalicelib.i18n import text
from chalicelib.observability import logger
from chalicelib.services.registry import find_residency, identity_claim
from chalicelib.settings import get_settings

PENDING = "pending_verification"
ACTIVE = "active"
# A Cognito login older than this with no applicant record is the remains of a sign-up that
# crashed half-way; a younger one may be a sign-up still in flight and is left alone.
ABANDONED_SIGNUP_AGE = timedelta(minutes=10)
RESEND_INTERVAL = timedelta(seconds=60)


def sign_up(request: SignupRequest) -> SignupResponse:
    now = clock.now()
    residency = require_permit_in_force(find_residency(request.document_number), clock.today())
    accounts = wiring.accounts()
    applicant_id = _create_login(request.email, request.password)
    code = verification.new_code()
    applicant = Applicant(
        applicant_id,
        status=PENDING,
        document_type=request.document_type.value,
        document_number=request.document_number,
        nationality=request.nationality,
        given_name=request.given_name,
        family_name=request.family_name,
        birth_date=request.birth_date.isoformat(),
        email=request.email,
        phone=request.phone,
        language=request.language,
        province=residency.province,
        permit_status=residency.permit_status.value,
        permit_valid_until=residency.valid_until.isoformat(),
        verification_code_hash=verification.code_digest(applicant_id, code),
        verification_expires_at=verification.expiry(now, get_settings().verification_code_ttl_minutes),
        verification_attempts=0,
        created_at=now,
        updated_at=now,
    )
    claim = IdentityClaim(identity_claim(request.document_number), applicant_id=applicant_id, created_at=now)
    try:
        # One account per person: the claim on the registry document is written only if absent,
        # in the same transaction as the account, so concurrent sign-ups cannot both succeed.
        with transaction() as write:
            write.save(claim, condition=IdentityClaim.claim.does_not_exist())
            write.save(applicant, condition=Applicant.applicant_id.does_not_exist())
    except TransactWriteError as error:
        accounts.delete(request.email)
        if condition_failed(error):
            raise DuplicateAccount() from None
        raise
    accounts.add_to_group(request.email, Role.APPLICANT.value)
    _send_code(applicant, code)
    logger.info("applicant signed up", extra={"applicant_id": applicant_id})
    return SignupResponse(applicant_id=applicant_id, status=PENDING)


def _create_login(email: str, password: str) -> str:
    accounts = wiring.accounts()
    try:
        return accounts.sign_up(email, password)
    except PasswordRejected:
        raise ValidationFailed(details={"fields": [{"field": "password", "message": "the password is too weak"}]}) from None
    except EmailTaken:
        existing = accounts.find(email)
        abandoned = (
            existing is not None
            and existing.status == "UNCONFIRMED"
            and clock.now() - existing.created_at > ABANDONED_SIGNUP_AGE
            and _applicant_or_none(existing.sub) is None
        )
        if not abandoned:
            raise DuplicateAccount() from None
        accounts.delete(email)
        return accounts.sign_up(email, password)


def confirm(request: ConfirmRequest) -> ConfirmResponse:
    now = clock.now()
    accounts = wiring.accounts()
    user = accounts.find(request.email)
    applicant = _applicant_or_none(user.sub) if user else None
    if user is None or applicant is None:
        raise ValidationFailed("The code is not correct.", reason="code_incorrect")
    if applicant.status == ACTIVE:
        return ConfirmResponse(applicant_id=applicant.applicant_id, status=ACTIVE)
    pending = verification.PendingCode(
        applicant.verification_code_hash, applicant.verification_expires_at, int(applicant.verification_attempts)
    )
    try:
        verification.check_code(
            applicant.applicant_id, request.code, pending, now, get_settings().verification_max_attempts
        )
    except ValidationFailed as refusal:
        if refusal.details.get("reason") == "code_incorrect":
            applicant.update(actions=[Applicant.verification_attempts.add(1)])
        raise
    if user.status == "UNCONFIRMED":
        accounts.confirm(request.email)
    applicant.update(
        actions=[
            Applicant.status.set(ACTIVE),
            Applicant.verification_code_hash.remove(),
            Applicant.verification_expires_at.remove(),
            Applicant.verification_attempts.set(0),
            Applicant.updated_at.set(now),
        ],
        condition=Applicant.status == PENDING,
    )
    logger.info("applicant confirmed", extra={"applicant_id": applicant.applicant_id})
    return ConfirmResponse(applicant_id=applicant.applicant_id, status=ACTIVE)


def resend_code(request: ResendCodeRequest) -> Accepted:
    """A new code for a pending account. The answer is the same whether or not the email is
    known, so this cannot be used to find out who has an account."""
    now = clock.now()
    user = wiring.accounts().find(request.email)
    applicant = _applicant_or_none(user.sub) if user else None
    if applicant is None or applicant.status != PENDING:
        return Accepted(status="accepted")
    minutes = get_settings().verification_code_ttl_minutes
    expires_at = applicant.verification_expires_at
    if expires_at is not None and expires_at > verification.resend_threshold(now, minutes, RESEND_INTERVAL):
        raise RateLimited("A code was sent less than a minute ago. Please wait before asking again.")
    code = verification.new_code()
    applicant.update(
        actions=[
            Applicant.verification_code_hash.set(verification.code_digest(applicant.applicant_id, code)),
            Applicant.verification_expires_at.set(verification.expiry(now, minutes)),
            Applicant.verification_attempts.set(0),
        ]
    )
    _send_code(applicant, code)
    return Accepted(status="accepted")


def login(request: LoginRequest) -> LoginResponse:
    try:
        tokens = wiring.accounts().login(request.email, request.password)
    except InvalidCredentials:
        raise Unauthenticated("The email address or password is not correct.") from None
    except NotConfirmed:
        raise Unauthenticated(
            "Confirm your phone number first, with the code we sent you by SMS.", reason="not_confirmed"
        ) from None
    return LoginResponse(access_token=tokens.access_token, token_type="Bearer", expires_in=tokens.expires_in)


def forgot_password(request: ForgotPasswordRequest) -> Accepted:
    """A code to reset a forgotten password, sent by SMS to the phone of an active applicant's
    account. The answer is the same whether or not the email is known and whether or not a code
    went out, so this cannot be used to find out who has an account. Staff and administrator
    accounts get nothing here."""
    now = clock.now()
    applicant = _active_applicant(request.email)
    if applicant is None:
        return Accepted(status="accepted")
    ttl = get_settings().verification_code_ttl_minutes
    code = verification.new_code()
    # Conditional, so that of two requests within the interval (even at the same moment) one sends.
    sent_long_enough_ago = Applicant.reset_expires_at.does_not_exist() | (
        Applicant.reset_expires_at <= verification.resend_threshold(now, ttl, RESEND_INTERVAL)
    )
    stored = update_if(
        applicant,
        [
            Applicant.reset_code_hash.set(verification.code_digest(applicant.applicant_id, code, verification.PASSWORD_RESET)),
            Applicant.reset_expires_at.set(verification.expiry(now, ttl)),
            Applicant.reset_attempts.set(0),
        ],
        sent_long_enough_ago,
    )
    if not stored:
        logger.info("password reset code not sent: the last one is too recent", extra={"applicant_id": applicant.applicant_id})
        return Accepted(status="accepted")
    wiring.sms().send(applicant.phone, text("sms.password_reset_code", applicant.language, code=code, minutes=ttl))
    logger.info("password reset code sent", extra={"applicant_id": applicant.applicant_id})
    return Accepted(status="accepted")


def reset_password(request: ResetPasswordRequest) -> PasswordChanged:
    """A new password for an applicant who proves with the code sent to their phone that the
    account is theirs. Every refusal of the code reads the same (unknown email, no code pending,
    wrong, expired, tried too often), so the answer tells nobody who has an account. The code
    works once; when the new password is refused, it still works."""
    now = clock.now()
    max_attempts = get_settings().verification_max_attempts
    applicant = _active_applicant(request.email)
    pending = _count_reset_attempt(applicant, max_attempts) if applicant is not None else None
    if applicant is None or pending is None:
        raise _reset_code_refused()
    try:
        verification.check_code(
            applicant.applicant_id, request.code, pending, now, max_attempts, verification.PASSWORD_RESET
        )
    except ValidationFailed as refused:
        logger.info("password reset refused", extra={"applicant_id": applicant.applicant_id, "reason": refused.details.get("reason")})
        raise _reset_code_refused() from None
    if not _use_reset_code(applicant, pending):
        raise _reset_code_refused()
    try:
        wiring.accounts().set_password(request.email, request.password)
    except PasswordRejected:
        _restore_reset_code(applicant, pending)
        raise ValidationFailed(details={"fields": [{"field": "password", "message": "the password is too weak"}]}) from None
    _sign_out_everywhere(request.email, applicant.applicant_id)
    logger.info("password reset", extra={"applicant_id": applicant.applicant_id})
    return PasswordChanged(status="password_changed")


def _reset_code_refused() -> ValidationFailed:
    message = "The code is not correct, or it has expired. Ask for a new code."
    return ValidationFailed(message, reason="code_incorrect", fields=[{"field": "code", "message": message}])


def _count_reset_attempt(applicant: Applicant, max_attempts: int) -> verification.PendingCode | None:
    """Count an attempt before its answer is known, so that guesses sent in parallel cannot
    exceed the allowed number. Returns the pending code as it was before this attempt, or None
    when no code is pending or its attempts are used up."""
    counted = update_if(
        applicant,
        [Applicant.reset_attempts.add(1)],
        Applicant.reset_code_hash.exists() & (Applicant.reset_attempts < max_attempts),
    )
    if not counted:
        return None
    return verification.PendingCode(applicant.reset_code_hash, applicant.reset_expires_at, int(applicant.reset_attempts) - 1)


def _use_reset_code(applicant: Applicant, pending: verification.PendingCode) -> bool:
    """Remove the code on condition that it is still the one just checked: of two requests using
    it at the same moment, one wins and the other is refused."""
    return update_if(
        applicant,
        [Applicant.reset_code_hash.remove(), Applicant.reset_expires_at.remove(), Applicant.reset_attempts.remove()],
        Applicant.reset_code_hash == pending.digest,
    )


def _restore_reset_code(applicant: Applicant, pending: verification.PendingCode) -> None:
    """Put back a code whose password was refused (nothing changed), unless a newer code was sent."""
    update_if(
        applicant,
        [
            Applicant.reset_code_hash.set(pending.digest),
            Applicant.reset_expires_at.set(pending.expires_at),
            Applicant.reset_attempts.set(pending.attempts + 1),
        ],
        Applicant.reset_code_hash.does_not_exist(),
    )


def _sign_out_everywhere(email: str, applicant_id: str) -> None:
    """Whoever knew the old password loses the sessions it opened. The password is changed
    already, so a failure here is logged for the operators and the answer stays a success."""
    try:
        wiring.accounts().sign_out_everywhere(email)
    except SignOutFailed as failure:
        logger.error("sessions not revoked after a password reset", extra={"applicant_id": applicant_id, "error": str(failure)})


def create_staff(request: CreateStaffRequest) -> StaffAccount:
    account_id = _create_confirmed(request.email, request.password, Role.STAFF)
    StaffMember(
        account_id, directorate_id=request.directorate_id, email=request.email, created_at=clock.now()
    ).save()
    logger.info("staff account created", extra={"account_id": account_id, "directorate_id": request.directorate_id})
    return StaffAccount(account_id=account_id, email=request.email, directorate_id=request.directorate_id)


def ensure_admin(email: str, password: str) -> None:
    """The first administrator (the local stack at start; in AWS, an operator once)."""
    try:
        _create_confirmed(email, password, Role.ADMIN)
    except DuplicateAccount:
        pass


def _create_confirmed(email: str, password: str, role: Role) -> str:
    try:
        return wiring.accounts().create_confirmed(email, password, role.value)
    except EmailTaken:
        raise DuplicateAccount("An account already exists for this email address.") from None
    except PasswordRejected:
        raise ValidationFailed(details={"fields": [{"field": "password", "message": "the password is too weak"}]}) from None


def _send_code(applicant: Applicant, code: str) -> None:
    minutes = get_settings().verification_code_ttl_minutes
    wiring.sms().send(applicant.phone, text("sms.verification_code", applicant.language, code=code, minutes=minutes))


def _active_applicant(email: str) -> Applicant | None:
    """An active account that signs in with a password (an e-Devlet account has none to reset)."""
    user = wiring.accounts().find(email)
    applicant = _applicant_or_none(user.sub) if user else None
    if applicant is None or applicant.status != ACTIVE or applicant.sign_in_method is not None:
        return None
    return applicant


def _applicant_or_none(applicant_id: str) -> Applicant | None:
    try:
        return Applicant.get(applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        return None
