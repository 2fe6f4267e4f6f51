"""Signing in with e-Devlet: the person proves who they are at Türkiye's e-Government gateway
(OpenID Connect, chalicelib/adapters/edevlet.py), and the verified identity number is matched
to the residents registry.

- Not in the registry, or the permit not in force: the one refusal sign-up gives (NOT_ELIGIBLE,
  the same message, no dates): the answer tells nobody more than sign-up does.
- The identity already belongs to an active account: the person signs in to THAT account, even
  one made by self-service sign-up; they proved who they are. From then on it is an e-Devlet
  account (its old password stops working: see below).
- First sign-in: the account is made from the registry record (names, birth date, nationality,
  document: nothing typed). The person gives a Turkish mobile number and an email address; a
  6-digit code goes to each (SMS, email). The account is pending as a self-service sign-up is
  (it lapses after 24 hours, removed by the same schedule), and the identity is claimed when the
  phone code is confirmed, by the same transaction (chalicelib/services/signup.py: the
  IdentityClaim put on condition that it is absent, the account activated). The email code then
  confirms the address; only then does the person get a session. Every attempt at a code is
  counted before it is checked, by conditional writes, within the same limits as every other
  code (chalicelib/domain/limits.py), so parallel guesses cannot exceed them.

The access token. An e-Devlet person calls the API with the same token as everyone else: a
Cognito access token, verified by chalicelib/adapters/tokens.py. Cognito issues tokens to a
user who authenticates; the ways to authenticate without a password need Cognito triggers
(custom auth challenges) that neither the service's stack nor the local emulator (moto has no
triggers) provide. So the account is a Cognito user made with AdminCreateUser (no message
sent), and at each e-Devlet sign-in the service sets a fresh random password (256 bits, never
stored, shown or logged: AdminSetUserPassword, permanent) and authenticates with it at once
(InitiateAuth) for the portal session's token. No one knows the password in between, so an
e-Devlet account has no usable password sign-in, and forgotten-password codes are not sent for
it. Two e-Devlet sign-ins of one account at the same moment may overwrite each other's password
between the two calls: the loser tries again (a few times).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta


from chalicelib import wiring
from chalicelib.adapters.cognito import InvalidCredentials
from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.edevlet import AuthorizationRequest, CallbackRefused, InvalidIdToken, ProviderUnavailable
from chalicelib.adapters.tables import Applicant, IdentityClaim, ResidentRecord
from chalicelib.clock import clock
from chalicelib.domain import limits, notices, verification
from chalicelib.domain.identity import DocumentType
from chalicelib.domain.errors import NotEligible, ValidationFailed
from chalicelib.i18n import text
from chalicelib.observability import logger
from chalicelib.services import limits as counters
from chalicelib.services import code_sms, codes, email_feedback, people, phone_accounts, sign_ins, signup
from chalicelib.domain.closure import CLOSED
from chalicelib.domain import sign_ins as sign_in_kinds
from chalicelib.services.registry import find_resident, identity_claim, permit_in_force
from chalicelib.settings import get_settings

EDEVLET = "e-devlet"
PENDING, ACTIVE = signup.PENDING, signup.ACTIVE
# How long a verified identity waits in the portal session for the person's phone and email.
VERIFIED_FOR = timedelta(minutes=30)
SIGN_IN_TRIES = 3


class SignInNotCompleted(Exception):
    """The e-Devlet round trip gave no usable answer: `reason` is `cancelled`, `state_mismatch`,
    `provider_error` or `provider_unavailable`, or `account_closed` (the person closed their
    account and its 30-day wait has not ended); nothing was changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedIn:
    applicant_id: str
    access_token: str


@dataclass(frozen=True)
class NewPerson:
    """Verified, in the registry, no account yet: ask for a phone number and an email."""

    document_number: str
    until: datetime


@dataclass(frozen=True)
class EmailToConfirm:
    """An account whose email address is not confirmed yet (a code was sent, or is on its way)."""

    applicant_id: str
    document_number: str


def begin() -> AuthorizationRequest:
    """A new authorization request: the portal keeps its state, nonce and verifier in the
    server-side session and sends the person to its address."""
    try:
        return wiring.edevlet().authorization_request()
    except ProviderUnavailable as failure:
        logger.warning("e-Devlet unavailable", extra={"error": str(failure)})
        raise SignInNotCompleted("provider_unavailable") from None


def complete(params: dict[str, str], state: str | None, nonce: str | None, verifier: str | None) -> SignedIn | NewPerson | EmailToConfirm:
    """The provider's answer at the callback: checked, exchanged, matched to the registry."""
    client = wiring.edevlet()
    try:
        code = client.read_callback(params, state)
        if not nonce or not verifier:
            raise CallbackRefused("state_mismatch")
        identity = client.exchange(code, verifier, nonce)
    except CallbackRefused as refused:
        logger.info("e-Devlet sign-in not completed", extra={"reason": refused.reason})
        raise SignInNotCompleted(refused.reason) from None
    except (ProviderUnavailable, InvalidIdToken) as failure:
        logger.warning("e-Devlet answer refused", extra={"error": str(failure)})
        raise SignInNotCompleted("provider_error") from None
    number = identity.identity_number or ""
    _registry_record_in_force(number)  # refuses a stranger or an expired permit
    account = _claimed_account(number)
    if account is not None:
        return _sign_in_to(account)
    if _held_by_closed_account(number):  # closing never frees a person to book sooner (domain/closure.py)
        logger.info("e-Devlet sign-in refused: the identity's closed account still holds it")
        raise SignInNotCompleted("account_closed")
    logger.info("e-Devlet first sign-in: contact details next")
    return NewPerson(number, clock.now() + VERIFIED_FOR)


def _registry_record_in_force(number: str) -> ResidentRecord:
    """The person's registry record (a foreigner ID: e-Devlet's identity number), if their permit
    is in force today and the record says who they are; otherwise sign-up's one refusal (no
    dates, whatever the reason)."""
    record = find_resident(DocumentType.FOREIGN_ID, number) if number else None
    if record is None or not permit_in_force(record, clock.today()) or not (
        record.given_name and record.family_name and record.birth_date and record.nationality
    ):
        raise NotEligible(signup.NOT_ELIGIBLE)
    return record


def _claimed_account(number: str) -> Applicant | None:
    """The active account that holds this identity, if one does."""
    try:
        claim = IdentityClaim.get(identity_claim(number), consistent_read=True)
        applicant = Applicant.get(claim.applicant_id, consistent_read=True)
    except (IdentityClaim.DoesNotExist, Applicant.DoesNotExist):
        return None
    return applicant if applicant.status == ACTIVE else None


def _held_by_closed_account(number: str) -> bool:
    """Whether a closed account holds this identity still (its lock has not ended)."""
    holder = people.claimed_by(number)
    return holder is not None and holder.status == CLOSED and people.freed_holder(holder, clock.now()) is None


def _sign_in_to(applicant: Applicant) -> SignedIn | EmailToConfirm:
    if applicant.email_code_hash is not None:  # an e-Devlet account whose email is not confirmed
        _send_email_code(applicant)
        return EmailToConfirm(applicant.applicant_id, applicant.document_number)
    if applicant.sign_in_method != EDEVLET:
        applicant.update(actions=[Applicant.sign_in_method.set(EDEVLET), Applicant.updated_at.set(clock.now())])
        logger.info("account signs in with e-Devlet from now on", extra={"applicant_id": applicant.applicant_id})
    return _signed_in(applicant.applicant_id, applicant.email)


def _signed_in(applicant_id: str, email: str) -> SignedIn:
    """A session's token for the account, and the sign-in recorded (when, and that it was e-Devlet)."""
    signed_in = SignedIn(applicant_id, _access_token(email))
    sign_ins.record(applicant_id, sign_in_kinds.EDEVLET)
    return signed_in


def _access_token(email: str) -> str:
    accounts = wiring.accounts()
    for _ in range(SIGN_IN_TRIES):
        password = _one_time_password()
        accounts.set_password(email, password)
        try:
            return accounts.login(email, password).access_token
        except InvalidCredentials:
            continue  # another e-Devlet sign-in of this account set its own password in between
    raise SignInNotCompleted("provider_error")


def _one_time_password() -> str:
    """256 random bits, in a form every password policy accepts (upper, lower, digit, symbol)."""
    return f"{secrets.token_urlsafe(32)}Aa1!"


# -- first sign-in: the phone and the email -------------------------------------------------


def start_account(
    document_number: str, phone: str, email: str, language: str, replacing: str | None = None, notice_version: str | None = None,
) -> str:
    """The account of a verified person from their registry record, pending until the phone
    code is confirmed; sends a code to the phone and one to the email address. `replacing`: a
    pending account this session made before (the person went back and changed their details).
    `notice_version`: the privacy notice the contact page showed (recorded as at sign-up)."""
    now = clock.now()
    code_sms.refuse_while_open(now)
    record = _registry_record_in_force(document_number)
    signup.count_sign_up_on(phone, now)
    signup.admit_phone(phone, now)
    if replacing:
        discard_pending(replacing)
    applicant_id = signup.create_login(email, _one_time_password())  # the role comes with activation
    settings = get_settings()
    sms_code, email_code = verification.new_code(), verification.new_code()
    applicant = signup.pending_applicant(applicant_id, record, email, phone, language, sms_code, now, notice_version)
    applicant.sign_in_method = EDEVLET
    applicant.email_code_hash = verification.code_digest(applicant_id, email_code, verification.EMAIL)
    applicant.email_code_expires_at = verification.expiry(now, settings.verification_code_ttl_minutes)
    applicant.email_code_attempts = 0
    applicant.save(condition=Applicant.applicant_id.does_not_exist())
    counters.spend(counters.CODE_SENT, f"{verification.SIGN_UP}:{applicant_id}", limits.CODES_PER_DAY, now)
    counters.spend(counters.CODE_SENT, f"{verification.EMAIL}:{applicant_id}", limits.CODES_PER_DAY, now)
    minutes = settings.verification_code_ttl_minutes
    code_sms.send(phone, notices.person_sms("sms.verification_code", language, applicant.given_name or "", code=sms_code, minutes=minutes), now)
    _email_code(applicant, email_code)
    logger.info("e-Devlet account pending its phone and email codes", extra={"applicant_id": applicant_id})
    return applicant_id


def confirm_phone(applicant_id: str, document_number: str, code: str) -> SignedIn | EmailToConfirm:
    """The phone code: on success the identity is claimed and the account activated, by
    self-service sign-up's own transaction. If the identity was claimed by an active account
    meanwhile (another sign-up confirmed first), the person signs in to that account and this
    pending one is removed: e-Devlet has proved they are its owner."""
    now = clock.now()
    applicant = _pending(applicant_id, document_number)
    if applicant.pending_expires_at is None or applicant.pending_expires_at <= now:
        raise verification.code_refused()
    pending = codes.count_attempt(applicant, codes.SIGN_UP, now)
    if pending is None:
        raise verification.code_refused()
    try:
        verification.check_code(applicant_id, code, pending, now, limits.ATTEMPTS_PER_CODE)
    except ValidationFailed:
        raise verification.code_refused() from None
    if not signup.activate(applicant, pending, now):
        holder = _claimed_account(document_number)
        if holder is None or holder.applicant_id == applicant_id:
            phone_accounts.refuse_if_full(applicant.phone)  # three accounts were activated on it meanwhile
            raise verification.code_refused()
        discard_pending(applicant_id)
        logger.info("identity already claimed: signed in to its account", extra={"applicant_id": holder.applicant_id})
        return _sign_in_to(holder)
    logger.info("e-Devlet account activated: identity claimed", extra={"applicant_id": applicant_id})
    return EmailToConfirm(applicant_id, document_number)


def confirm_email(applicant_id: str, document_number: str, code: str) -> SignedIn:
    """The email code of an active e-Devlet account: the address is confirmed, the person is in."""
    now = clock.now()
    applicant = _account(applicant_id, document_number)
    if applicant.status != ACTIVE:
        raise verification.code_refused()
    if applicant.email_code_hash is None:
        return _signed_in(applicant_id, applicant.email)  # confirmed already
    pending = codes.count_attempt(applicant, codes.EMAIL, now)
    if pending is None:
        raise verification.code_refused()
    try:
        verification.check_code(applicant_id, code, pending, now, limits.ATTEMPTS_PER_CODE, verification.EMAIL)
    except ValidationFailed:
        raise verification.code_refused() from None
    update_if(
        applicant,
        [Applicant.email_code_hash.remove(), Applicant.email_code_expires_at.remove(), Applicant.email_code_attempts.remove(), Applicant.updated_at.set(now)],
        Applicant.email_code_hash == pending.digest,
    )
    logger.info("e-Devlet account's email confirmed", extra={"applicant_id": applicant_id})
    return _signed_in(applicant_id, applicant.email)


def discard_pending(applicant_id: str) -> None:
    """Remove a pending e-Devlet account and its login (an active one is left alone)."""
    applicant = signup.applicant_or_none(applicant_id)
    if applicant is not None and applicant.status == PENDING and applicant.sign_in_method == EDEVLET:
        signup.remove_pending(applicant)


def _pending(applicant_id: str, document_number: str) -> Applicant:
    applicant = _account(applicant_id, document_number)
    if applicant.status != PENDING:
        raise verification.code_refused()
    return applicant


def _account(applicant_id: str, document_number: str) -> Applicant:
    """The e-Devlet account this session made, for the identity this session verified."""
    try:
        applicant = Applicant.get(applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        raise verification.code_refused() from None
    if applicant.document_number != document_number or applicant.sign_in_method != EDEVLET:
        raise verification.code_refused()
    return applicant


def _send_email_code(applicant: Applicant) -> None:
    """A new email code in place of the pending one, at most one a minute (a conditional write
    decides which request sends)."""
    now = clock.now()
    minutes = get_settings().verification_code_ttl_minutes
    code = verification.new_code()
    stored = codes.store_new(applicant, codes.EMAIL, code, now, minutes, replacing_only=True)
    if stored and counters.spend(counters.CODE_SENT, f"{verification.EMAIL}:{applicant.applicant_id}", limits.CODES_PER_DAY, now):
        _email_code(applicant, code)


def _email_code(applicant: Applicant, code: str) -> None:
    if email_feedback.is_undeliverable(applicant):  # SES said it never arrives: not sent again
        logger.info("email code not sent", extra={"applicant_id": applicant.applicant_id, "reason": email_feedback.UNDELIVERABLE})
        return
    minutes = get_settings().verification_code_ttl_minutes
    language = applicant.language
    wiring.email().send(
        applicant.email,
        text("email.verification_code.subject", language),
        text("email.verification_code.body", language, code=code, minutes=minutes, name=applicant.given_name),
    )
