"""Use cases of accounts: sign-up, phone confirmation, sign-in, staff and admin accounts."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import TransactWriteError

from chalicelib import wiring
from chalicelib.adapters.cognito import EmailTaken, InvalidCredentials, NotConfirmed, PasswordRejected
from chalicelib.adapters.dynamo import condition_failed, transaction
from chalicelib.adapters.tables import Applicant, IdentityClaim, StaffMember
from chalicelib.api.schemas import (
    Accepted,
    ConfirmRequest,
    ConfirmResponse,
    CreateStaffRequest,
    LoginRequest,
    LoginResponse,
    ResendCodeRequest,
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
    ttl = timedelta(minutes=get_settings().verification_code_ttl_minutes)
    expires_at = applicant.verification_expires_at
    if expires_at is not None and now < expires_at - ttl + RESEND_INTERVAL:
        raise RateLimited("A code was sent less than a minute ago. Please wait before asking again.")
    code = verification.new_code()
    applicant.update(
        actions=[
            Applicant.verification_code_hash.set(verification.code_digest(applicant.applicant_id, code)),
            Applicant.verification_expires_at.set(now + ttl),
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


def _applicant_or_none(applicant_id: str) -> Applicant | None:
    try:
        return Applicant.get(applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        return None
