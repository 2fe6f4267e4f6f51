"""Self-service sign-up: a person the residents registry knows opens an account by typing who
they are, and claims their identity by confirming the code sent to their phone.

- The typed names, birth date and nationality must match the registry's record of the document
  (`domain/matching.py`); the account then holds the registry's data, not what was typed.
- To a caller without a token, "not in the registry", "permit expired" and "details do not
  match" are one answer (403 NOT_ELIGIBLE, one message, no details), reached by the same work:
  one registry read, one match, one claim read, whatever the case.
- A sign-up is pending until its phone code is confirmed, and lapses after 24 hours. Pending
  sign-ups claim nothing: several may exist for one person, and the identity is claimed (the
  conditional put of its IdentityClaim) in the transaction that makes one of them active — the
  first to confirm wins; the others are told the person has an account. A stranger who knows a
  document number, or even everything the registry holds, therefore cannot block the person.
- An email address is not reserved by a pending sign-up: a new registry-matched sign-up with that
  email replaces it (its login removed, its code void). So a squatter who typed the person's email
  cannot keep them out either; only a confirmed account keeps its email.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError, TransactWriteError

from chalicelib import wiring
from chalicelib.adapters.cognito import CognitoUser, EmailTaken, PasswordRejected
from chalicelib.adapters.dynamo import condition_failed, transaction
from chalicelib.adapters.tables import Applicant, IdentityClaim, ResidentRecord
from chalicelib.contract import Accepted, ConfirmRequest, ConfirmResponse, ResendCodeRequest, SignupRequest, SignupResponse
from chalicelib.clock import clock
from chalicelib.domain import limits, matching, notices, retention, verification
from chalicelib.domain.errors import DuplicateAccount, NotEligible, RateLimited, ValidationFailed
from chalicelib.domain.roles import Role
from chalicelib.observability import logger
from chalicelib.services import code_sms, codes, phone_accounts, privacy_notice
from chalicelib.services import limits as counters
from chalicelib.services.accounts import ACTIVE, PENDING, applicant_or_none
from chalicelib.services import people
from chalicelib.domain.closure import CLOSED
from chalicelib.domain.identity import document_type_of
from chalicelib.services.registry import details_of, find_resident, identity_claim, permit_in_force
from chalicelib.settings import get_settings

PENDING_FOR = retention.PENDING_SIGN_UP
# DynamoDB's TTL removes a lapsed pending item this long after it lapsed, if the clean-up
# schedule has not removed it (and its login) first.
TTL_GRACE = timedelta(days=7)
# A login with no applicant record and no group, older than this, is the remains of a sign-up
# that crashed half-way; a younger one may be a sign-up still in flight and is left alone.
ABANDONED_SIGNUP_AGE = timedelta(minutes=10)
RESEND_INTERVAL = codes.RESEND_INTERVAL
NOT_ELIGIBLE = (
    "We cannot open an account with these details. Check that the document number, your names, "
    "birth date and nationality are written as on your residence permit, and that the permit is "
    "valid. If they are, your migration directorate can help."
)
# A claim key no document ever has: read when the registry has no record, so that every refusal
# costs the same reads.
_NO_CLAIM = identity_claim("-")


def sign_up(request: SignupRequest) -> SignupResponse:
    now = clock.now()
    # A paused SMS service is answered to everyone alike, first: after the registry match it
    # would tell a stranger's "details match" from "not eligible".
    code_sms.refuse_while_open(now)
    count_sign_up_on(request.phone, now)
    counters.spend_or_refuse(
        counters.SIGN_UP_DOCUMENT, request.document_number, get_settings().rate_limits.document_sign_ups_per_day, now,
        "Too many sign-ups with this document number today. Try again tomorrow.",
    )
    record = find_resident(request.document_type, request.document_number)
    typed = matching.PersonalDetails(request.given_name, request.family_name, request.birth_date.isoformat(), request.nationality)
    matched = matching.same_person(typed, details_of(record) if record is not None else matching.NOBODY)
    in_force = permit_in_force(record, clock.today())
    claimed = _claimed(identity_claim(record.document_number) if record is not None else _NO_CLAIM)
    if record is None or not matched or not in_force:
        raise NotEligible(NOT_ELIGIBLE)
    if claimed:
        raise DuplicateAccount("This person already has an account. Sign in, or reset the password.")
    admit_phone(request.phone, now)  # before anything is written
    applicant_id = create_login(request.email, request.password)
    code = verification.new_code()
    applicant = pending_applicant(applicant_id, record, request.email, request.phone, request.language, code, now, request.notice_version)
    applicant.save(condition=Applicant.applicant_id.does_not_exist())
    counters.spend(counters.CODE_SENT, f"{verification.SIGN_UP}:{applicant_id}", limits.CODES_PER_DAY, now)
    _send_code(applicant, code, now)
    logger.info("applicant signed up", extra={"applicant_id": applicant_id})
    return SignupResponse(applicant_id=applicant_id, status=PENDING)


def _claimed(claim_key: str) -> bool:
    """Whether an online account holds the identity. A person the phone line, the counter or a
    guardian booked for holds it through an offline item with no login: they may still open an
    account, which takes the item over (`people.adopt_in`, at activation). So may a person whose
    closed account's lock has ended (`people.take_over`, at activation)."""
    try:
        claim = IdentityClaim.get(claim_key, consistent_read=True)
    except IdentityClaim.DoesNotExist:
        return False
    holder = applicant_or_none(claim.applicant_id)
    if holder is None:
        return True  # a claim whose account is gone (a sign-up that failed half-way) still holds
    # A closed account holds it until its lock has ended (domain/closure.py); then it is the person's again.
    return holder.status != people.OFFLINE and people.freed_holder(holder, clock.now()) is None


def count_sign_up_on(phone: str, now: datetime) -> None:
    """Every sign-up naming a phone number counts (self-service and e-Devlet): a bounded number a day."""
    counters.spend_or_refuse(
        counters.SIGN_UP_PHONE, phone, limits.SIGN_UPS_PER_PHONE_PER_DAY, now,
        "Too many sign-ups with this phone number today. Try again tomorrow.",
    )


def admit_phone(phone: str, now: datetime) -> None:
    """A phone number takes a new account: it serves fewer than three live ones, and has codes left."""
    phone_accounts.refuse_if_full(phone)
    code_sms.reserve(phone, now)


def pending_applicant(
    applicant_id: str, record: ResidentRecord, email: str, phone: str, language: str, code: str, now: datetime,
    notice_version: str | None = None,
) -> Applicant:
    """The registry's data, the contact details typed, the phone code, and the version of the
    privacy notice the sign-up page showed (None: the caller did not say it showed one): pending
    for 24 hours (self-service and e-Devlet alike)."""
    lapses = now + PENDING_FOR
    return Applicant(
        applicant_id,
        status=PENDING,
        document_type=document_type_of(record.document_number).value,
        document_number=record.document_number,
        nationality=record.nationality,
        given_name=record.given_name,
        family_name=record.family_name,
        birth_date=record.birth_date,
        email=email,
        phone=phone,
        language=language,
        province=record.province,
        permit_status=record.permit_status,
        permit_valid_until=record.permit_valid_until,
        verification_code_hash=verification.code_digest(applicant_id, code),
        verification_expires_at=verification.expiry(now, get_settings().verification_code_ttl_minutes),
        verification_attempts=0,
        pending_expires_at=lapses,
        pending_day=pending_day(lapses),
        notice_version=notice_version,
        notice_seen_at=now if notice_version else None,
        expires=lapses + TTL_GRACE,
        created_at=now,
        updated_at=now,
    )


def pending_day(moment: datetime) -> str:
    """The key of the sparse index of pending sign-ups: the UTC day they lapse."""
    return moment.date().isoformat()


def create_login(email: str, password: str) -> str:
    """The Cognito login of a new sign-up (self-service or e-Devlet); its `sub`. A pending
    sign-up holds no email (module docstring): one that has it is replaced, and so are the
    remains of a sign-up that crashed half-way; an active account keeps it."""
    accounts = wiring.accounts()
    try:
        return accounts.create_login(email, password)
    except PasswordRejected:
        raise ValidationFailed(details={"fields": [{"field": "password", "message": "the password is too weak"}]}) from None
    except EmailTaken:
        pass
    existing = accounts.find(email)
    applicant = applicant_or_none(existing.sub) if existing else None
    if applicant is not None and applicant.status == PENDING:
        remove_pending(applicant, existing)
    elif applicant is not None and applicant.status == CLOSED:
        accounts.delete(email)  # a closed account's login (disabled) keeps no address: it never signs in again
    elif not (existing is not None and applicant is None and clock.now() - existing.created_at > ABANDONED_SIGNUP_AGE and not accounts.groups(email)):
        raise DuplicateAccount("An account already exists for this email address.", field="email")
    else:
        accounts.delete(email)
    try:
        return accounts.create_login(email, password)
    except EmailTaken:  # another sign-up took it in between
        raise DuplicateAccount("An account already exists for this email address.", field="email") from None


def remove_pending(applicant: Applicant, login: CognitoUser | None = None) -> bool:
    """Remove a pending sign-up and its login (`login`: when the caller has read it already),
    unless it was confirmed meanwhile."""
    try:
        applicant.delete(condition=Applicant.status == PENDING)
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False  # confirmed in between: it stays
        raise
    accounts = wiring.accounts()
    login = login or accounts.find(applicant.email)
    if login is not None and login.sub == applicant.applicant_id:  # not a newer sign-up's login
        accounts.delete(applicant.email)
    return True


def confirm(request: ConfirmRequest) -> ConfirmResponse:
    """The phone code of a pending sign-up: the identity is claimed and the account active.
    Every refusal of the code reads the same, whether the email is unknown, pending or active,
    and whatever went wrong (wrong, expired, tried too often), so it tells nobody who has an
    account; only someone holding the right code learns that the person is already claimed."""
    now = clock.now()
    user = wiring.accounts().find(request.email)
    applicant = applicant_or_none(user.sub) if user else None
    if applicant is None or applicant.status != PENDING or applicant.pending_expires_at is None or applicant.pending_expires_at <= now:
        raise verification.code_refused()
    pending = codes.count_attempt(applicant, codes.SIGN_UP, now)
    if pending is None:
        raise verification.code_refused()
    try:
        verification.check_code(applicant.applicant_id, request.code, pending, now, limits.ATTEMPTS_PER_CODE)
    except ValidationFailed:
        raise verification.code_refused() from None
    if not activate(applicant, pending, now):
        if _claimed(identity_claim(applicant.document_number)):
            remove_pending(applicant)
            raise DuplicateAccount("This person already has an account: another sign-up was confirmed first.")
        phone_accounts.refuse_if_full(applicant.phone)  # three accounts were activated on it meanwhile
        raise verification.code_refused()
    logger.info("applicant confirmed", extra={"applicant_id": applicant.applicant_id})
    return ConfirmResponse(applicant_id=applicant.applicant_id, status=ACTIVE)


def activate(applicant: Applicant, pending: verification.PendingCode, now: datetime) -> bool:
    """One transaction: the identity's claim, put only if absent, and the account active, only if
    still pending with this very code; then the login gets the applicant's role. False when
    either condition fails.

    The role comes only now, so that a pending sign-up's login (whose password its creator
    knows, and which Cognito would sign in directly) carries no role any route accepts."""
    claim_key = identity_claim(applicant.document_number)
    holder = people.claimed_by(applicant.document_number)
    offline = holder if holder is not None and holder.status == people.OFFLINE else None  # booked for by phone, at the counter or as a child
    closed = people.freed_holder(holder, now)  # the person's closed account, its lock ended
    try:
        with transaction() as write:
            if offline is not None:
                taken_over = people.adopt_in(write, claim_key, offline, applicant.applicant_id, now)
            elif closed is not None:
                taken_over = people.take_over(write, claim_key, closed, applicant.applicant_id, now)
            else:
                claim = IdentityClaim(claim_key, applicant_id=applicant.applicant_id, created_at=now)
                write.save(claim, condition=IdentityClaim.claim.does_not_exist())
                taken_over = []
            phone_accounts.hold(write, applicant.phone)  # at most three live accounts per phone
            write.update(
                applicant,
                actions=[
                    Applicant.status.set(ACTIVE),
                    Applicant.verification_code_hash.remove(),
                    Applicant.verification_expires_at.remove(),
                    Applicant.verification_attempts.set(0),
                    Applicant.pending_expires_at.remove(),
                    Applicant.pending_day.remove(),
                    Applicant.expires.remove(),
                    Applicant.updated_at.set(now),
                    *taken_over,
                ],
                condition=(Applicant.status == PENDING) & (Applicant.verification_code_hash == pending.digest),
            )
            for record in privacy_notice.acknowledged_at_sign_up(applicant, now):  # the notice shown at sign-up, audited
                write.save(record)
    except TransactWriteError as error:
        if condition_failed(error):
            return False
        raise
    if offline is not None:
        people.move_appointments(offline.applicant_id, applicant.applicant_id)
    if closed is not None:
        people.move_appointments(closed.applicant_id, applicant.applicant_id)  # with their lock history
    wiring.accounts().add_to_group(applicant.email, Role.APPLICANT.value)
    return True


def resend_code(request: ResendCodeRequest) -> Accepted:
    """A new code for a pending sign-up. The answer is the same whether or not the email is
    known, so this cannot be used to find out who has an account (a paused SMS service is
    answered to everyone, before the email is looked up)."""
    now = clock.now()
    code_sms.refuse_while_open(now)
    user = wiring.accounts().find(request.email)
    applicant = applicant_or_none(user.sub) if user else None
    if applicant is None or applicant.status != PENDING or applicant.pending_expires_at is None or applicant.pending_expires_at <= now:
        return Accepted(status="accepted")
    minutes = get_settings().verification_code_ttl_minutes
    too_soon = _refusal_of_a_resend(applicant, now, minutes)
    if too_soon is not None:
        raise too_soon
    counters.spend_or_refuse(
        counters.CODE_SENT, f"{verification.SIGN_UP}:{applicant.applicant_id}", limits.CODES_PER_DAY, now,
        "No more codes can be sent today. Try again tomorrow.",
    )
    code_sms.reserve(applicant.phone, now)
    code = verification.new_code()
    if not codes.store_new(applicant, codes.SIGN_UP, code, now, minutes):  # another resend at the same moment won
        raise _refusal_of_a_resend(Applicant.get(applicant.applicant_id, consistent_read=True), now, minutes) or RateLimited()
    _send_code(applicant, code, now)
    return Accepted(status="accepted")


def _refusal_of_a_resend(applicant: Applicant, now: datetime, minutes: int) -> RateLimited | None:
    """The refusal of a new code while the last one is less than a minute old, saying when to ask again."""
    threshold = verification.resend_threshold(now, minutes, RESEND_INTERVAL)
    expires_at = applicant.verification_expires_at
    if expires_at is None or expires_at <= threshold:
        return None
    return RateLimited(
        "A code was sent less than a minute ago. Please wait before asking again.",
        retry_after_seconds=int((expires_at - threshold).total_seconds()) + 1,
    )


def remove_lapsed(now: datetime | None = None, days_back: int = 7) -> dict[str, int]:
    """The schedule: remove pending sign-ups older than 24 h and their logins, read through the
    sparse index (days the schedule may have missed included), never a Scan."""
    now = now or clock.now()
    removed = 0
    for back in range(days_back, -1, -1):
        day = pending_day(now - timedelta(days=back))
        for applicant in Applicant.pending_by_day.query(day, Applicant.pending_expires_at <= now):
            if applicant.status == PENDING and remove_pending(applicant):
                removed += 1
    if removed:
        logger.info("lapsed sign-ups removed", extra={"removed": removed})
    return {"removed": removed}


def _send_code(applicant: Applicant, code: str, now: datetime) -> None:
    minutes = get_settings().verification_code_ttl_minutes
    code_sms.send(applicant.phone, notices.person_sms("sms.verification_code", applicant.language, applicant.given_name, code=code, minutes=minutes), now)
