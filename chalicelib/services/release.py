"""Staff release a person's online account, having seen their document at the counter: so the
rightful owner can sign up again when someone else opened an account with their identity.

A release, audited with who, when and why:
- frees every identity claim the account holds (each document number it has held, however and
  whenever the claim was written; a number claimed by another account is not this account's to
  free), so the owner's own sign-up is no longer refused as a duplicate;
- marks the account `released`: booking, requests and every use case that wants an active
  account refuse it;
- disables its sign-in and revokes its access tokens at once.

Its appointments, attendance, lock and audit trail stay as records of that account; the account
itself is anonymised once its lock has ended and the retention schedule's grace has passed
(domain/retention.py). A 30-day
no-show lock belongs to the account that booked and did not come, not to the document: the owner's
new account is a new applicant, and a squatter's no-show never binds them. (The same rule keeps a
person from shedding their own lock by release: only staff release, with the document seen and a
reason on the audit trail.)

Every step is idempotent and safe to retry: a second release of a released account writes nothing
more and completes the sign-in and token steps a failed first attempt may have left undone.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import condition_failed, transaction
from chalicelib.adapters.tables import Applicant, IdentityClaim
from chalicelib.contract import ReleaseRequest, ReleaseResult
from chalicelib.clock import clock
from chalicelib.domain import retention
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.roles import Caller
from chalicelib.observability import logger
from chalicelib.services import audit, phone_accounts, revocation
from chalicelib.services.accounts import ACTIVE
from chalicelib.services.profile import RELEASED, reachable_applicant
from chalicelib.services.registry import CLAIM_PREFIX, identity_claim

ACTION = "account.released"
# A release races only with an amendment of the same record (or another release): it is tried
# again on the fresh record a few times before the caller is asked to retry.
ATTEMPTS = 3


def release(caller: Caller, applicant_id: str, request: ReleaseRequest) -> ReleaseResult:
    applicant = reachable_applicant(caller, applicant_id)
    if applicant.status != RELEASED:
        _release_record(caller, applicant, request.reason)
    revocation.end_access(applicant.email, applicant.applicant_id, revocation.RELEASED)
    logger.info("online account released", extra={"applicant_id": applicant_id})
    return ReleaseResult(applicant_id=applicant_id, status=RELEASED)


def held_document_numbers(applicant: Applicant) -> set[str]:
    """Every number the account has held: the current one and any amended away."""
    return set(applicant.document_numbers or ()) | {applicant.document_number}


def _claims_held(applicant: Applicant) -> list[str]:
    """The numbers whose claim this account holds now (read consistently)."""
    keys = [identity_claim(number) for number in sorted(held_document_numbers(applicant))]
    claims = IdentityClaim.batch_get(keys, consistent_read=True)
    return sorted(c.claim.removeprefix(CLAIM_PREFIX) for c in claims if c.applicant_id == applicant.applicant_id)


def _due_for_retention(applicant: Applicant, released_at: datetime):
    """A released identity is kept until its lock has ended, then the grace, then anonymised
    (domain/retention.py, services/retention.py)."""
    due = retention.profile_due(released_at, applicant.locked_until)
    return Applicant.retention_due.set(retention.due_key(due, applicant.applicant_id))


def _release_record(caller: Caller, applicant: Applicant, reason: str) -> None:
    """In one transaction: the account's status, its claims freed, the audit record."""
    for _ in range(ATTEMPTS):
        now = clock.now()
        freed = _claims_held(applicant)
        record = audit.record(
            audit.applicant_subject(applicant.applicant_id),
            ACTION,
            actor_id=caller.account_id,
            actor_role=audit.actor_role(caller),
            at=now,
            reason=reason,
            before={"status": applicant.status},
            after={"status": RELEASED, "document_numbers_freed": freed},
        )
        try:
            with transaction() as write:
                # On the record read: an amendment made meanwhile (a number claimed) is seen on retry.
                write.update(
                    applicant,
                    actions=[Applicant.status.set(RELEASED), Applicant.updated_at.set(now), _due_for_retention(applicant, now)],
                    condition=Applicant.updated_at == applicant.updated_at,
                )
                write.save(record)
                if applicant.status == ACTIVE and phone_accounts.live_accounts(applicant.phone) > 0:
                    phone_accounts.let_go(write, applicant.phone)  # no longer one of the phone's live accounts
                for number in freed:
                    write.delete(
                        IdentityClaim(identity_claim(number)),
                        condition=IdentityClaim.applicant_id == applicant.applicant_id,
                    )
            return
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
        applicant = Applicant.get(applicant.applicant_id, consistent_read=True)
        if applicant.status == RELEASED:  # released meanwhile, by another call
            return
    raise ValidationFailed("The record changed while you were releasing it. Reload it and try again.")


