"""Use cases of accounts: sign-in, a forgotten password, staff and admin accounts (sign-up and
its phone confirmation: `services/signup.py`)."""

from __future__ import annotations


from chalicelib import wiring
from chalicelib.adapters.cognito import EmailTaken, InvalidCredentials, MfaRequired, NotConfirmed, PasswordRejected, SignOutFailed
from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.tables import Applicant, StaffMember
from chalicelib.contract import (
    Accepted,
    CreateStaffRequest,
    ForgotPasswordRequest,
    LoginRequest,
    PasswordChanged,
    ResetPasswordRequest,
    StaffAccount,
)
from chalicelib.clock import clock
from chalicelib.domain import limits, notices, verification
from chalicelib.domain.closure import CLOSED
from chalicelib.domain.errors import (
    DuplicateAccount,
    Unauthenticated,
    ValidationFailed,
)
from chalicelib.domain.roles import Role
from chalicelib.observability import logger
from chalicelib.services import limits as counters
from chalicelib.services import auth, code_sms, codes, revocation, second_factor, sign_ins
from chalicelib.domain import sign_ins as sign_in_kinds
from chalicelib.settings import get_settings

PENDING = "pending_verification"
ACTIVE = "active"


def login(request: LoginRequest) -> second_factor.SignInAnswer:
    try:
        answer = wiring.accounts().login(request.email, request.password)
    except InvalidCredentials:
        raise Unauthenticated("The email address or password is not correct.") from None
    except NotConfirmed:
        raise _not_confirmed() from None
    if isinstance(answer, MfaRequired):  # an enrolled staff or admin account: its TOTP code next
        return second_factor.challenge(request.email, answer)
    caller = auth.fresh_caller(answer.access_token)
    # Cognito knows only the password: whether an applicant's sign-up is confirmed is ours to say.
    applicant = applicant_or_none(caller.account_id)
    if applicant is not None and applicant.status == CLOSED:  # its login is disabled; should that have failed
        raise Unauthenticated("This account was closed. You can open a new account once any 30-day wait has ended.", reason="closed")
    if applicant is not None and applicant.status != ACTIVE:
        raise _not_confirmed()
    if applicant is not None:  # an applicant's sign-in is recorded for them (their data export)
        sign_ins.record(applicant.applicant_id, sign_in_kinds.PASSWORD)
    return second_factor.after_password(request.email, answer, caller)  # staff and admin: enrol first


def _not_confirmed() -> Unauthenticated:
    return Unauthenticated("Confirm your phone number first, with the code we sent you by SMS.", reason="not_confirmed")


def forgot_password(request: ForgotPasswordRequest) -> Accepted:
    """A code to reset a forgotten password, sent by SMS to the phone of an active applicant's
    account. The answer is the same whether or not the email is known and whether or not a code
    went out, so this cannot be used to find out who has an account. Staff and administrator
    accounts get nothing here."""
    now = clock.now()
    code_sms.refuse_while_open(now)  # a paused SMS service is answered to everyone alike
    applicant = _active_applicant(request.email)
    if applicant is None:
        return Accepted(status="accepted")
    ttl = get_settings().verification_code_ttl_minutes
    code = verification.new_code()
    # Conditional, so that of two requests within the interval (even at the same moment) one sends.
    stored = codes.store_new(applicant, codes.PASSWORD_RESET, code, now, ttl)
    if not stored:
        logger.info("password reset code not sent: the last one is too recent", extra={"applicant_id": applicant.applicant_id})
        return Accepted(status="accepted")
    if not counters.spend(counters.CODE_SENT, f"{verification.PASSWORD_RESET}:{applicant.applicant_id}", limits.CODES_PER_DAY, now) or not code_sms.reserve_quietly(applicant.phone, now):
        # Silent, like every other case here: a 429 would tell that the email has an account.
        update_if(applicant, [Applicant.reset_code_hash.remove(), Applicant.reset_expires_at.remove(), Applicant.reset_attempts.remove()],
                  Applicant.reset_code_hash == verification.code_digest(applicant.applicant_id, code, verification.PASSWORD_RESET))
        logger.info("password reset code not sent: the account's or the phone's limit is reached", extra={"applicant_id": applicant.applicant_id})
        return Accepted(status="accepted")
    code_sms.send(applicant.phone, notices.person_sms("sms.password_reset_code", applicant.language, applicant.given_name, code=code, minutes=ttl), now)
    logger.info("password reset code sent", extra={"applicant_id": applicant.applicant_id})
    return Accepted(status="accepted")


def reset_password(request: ResetPasswordRequest) -> PasswordChanged:
    """A new password for an applicant who proves with the code sent to their phone that the
    account is theirs. Every refusal of the code reads the same (unknown email, no code pending,
    wrong, expired, tried too often), so the answer tells nobody who has an account. The code
    works once; when the new password is refused, it still works."""
    now = clock.now()
    max_attempts = limits.ATTEMPTS_PER_CODE
    applicant = _active_applicant(request.email)
    pending = codes.count_attempt(applicant, codes.PASSWORD_RESET, now) if applicant is not None else None
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
    return verification.code_refused()


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
    """Whoever knew the old password loses the sessions it opened: its access tokens are refused
    from now on, and Cognito revokes its refresh tokens. The password is changed already, so a
    failure of the latter is logged for the operators and the answer stays a success."""
    revocation.revoke(applicant_id, revocation.PASSWORD_RESET)
    try:
        wiring.accounts().sign_out_everywhere(email)
    except SignOutFailed as failure:
        logger.error("sessions not revoked after a password reset", extra={"applicant_id": applicant_id, "error": str(failure)})


# The Cognito groups of each role an administrator gives (domain/roles.py): a supervisor is
# staff too (every staff check passes), an agent is in its own group only.
STAFF_GROUPS: dict[str, tuple[Role, ...]] = {
    "staff": (Role.STAFF,),
    "supervisor": (Role.STAFF, Role.SUPERVISOR),
    "agent": (Role.AGENT,),
}


def create_staff(request: CreateStaffRequest) -> StaffAccount:
    """An account acting for the authority: staff and supervisors bound to one directorate (the
    staff record), an agent of the phone line bound to none (no staff record)."""
    first, *more = STAFF_GROUPS[request.role]
    account_id = _create_confirmed(request.email, request.password, first)
    for role in more:
        wiring.accounts().add_to_group(request.email, role.value)
    # Every such account has its record (an administrator disables it there), agents included.
    StaffMember(
        account_id, directorate_id=request.directorate_id, role=request.role, email=request.email, created_at=clock.now()
    ).save()
    logger.info("staff account created", extra={"account_id": account_id, "role": request.role, "directorate_id": request.directorate_id})
    return StaffAccount(account_id=account_id, email=request.email, role=request.role, directorate_id=request.directorate_id)


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


def _active_applicant(email: str) -> Applicant | None:
    """An active account that signs in with a password (an e-Devlet account has none to reset)."""
    user = wiring.accounts().find(email)
    applicant = applicant_or_none(user.sub) if user else None
    if applicant is None or applicant.status != ACTIVE or applicant.sign_in_method is not None:
        return None
    return applicant


def applicant_or_none(applicant_id: str) -> Applicant | None:
    try:
        return Applicant.get(applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        return None
