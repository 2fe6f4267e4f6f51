"""A person closes their online account (DELETE /v1/me; the portal's "Close my account").

Rules: `chalicelib/domain/closure.py`. What a closure does, in order, each step idempotent so a
retry (or the same call after a crash half-way, with a token still valid) completes it:

1. One transaction: the account `closed` (only from `active`), `closed_at`, the audit record
   (pseudonymous: ids and statuses, no personal values), and one live account fewer on its phone
   number (the authority's three-per-phone rule counts live accounts). Its appointments and its
   audit trail are not touched: they are the directorate's records.
2. A waiting assignment request is withdrawn (reason `account_closed`; its person asked for
   nothing more, so no notice is sent).
3. Every portal session of the account is deleted; the login is disabled; every access token
   issued until now is refused (reason `closed`), this very second's too (the account is never
   signed in to again): a token kept by anyone answers 401 from now on.

Messages stop at the sender (services/notifications.py): whatever is owed to a closed account,
queued before or after the closure — a confirmation, a reminder of a confirmed appointment that
stays, a cancellation by the authority — is marked skipped (`account_closed`), never sent. The
person asked for no more messages; the portal's closure page says so before they confirm, and that
the appointments they keep stand (the reference, or the document at the counter, is all they need:
a check-in code is optional).

The identity stays claimed by the closed account with its lock. Once the lock has ended the
person's next item takes it over (`people.take_over`): a new online account (sign-up's
activation), or an offline item when the phone line, the counter or a guardian books for them.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import condition_failed, transaction
from chalicelib.adapters.tables import Applicant, WebSession
from chalicelib.clock import clock
from chalicelib.contract import AccountClosed
from chalicelib.domain import closure as rules
from chalicelib.domain import retention
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.lockout import lock_in_force
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.services import assignment, audit, phone_accounts, revocation

ATTEMPTS = 3


def close(caller: Caller) -> AccountClosed:
    applicant = _own_account(caller)
    if applicant.status != rules.CLOSED:
        if not rules.may_close(applicant.status):
            raise ValidationFailed("This account cannot be closed online.")
        applicant = _close_record(caller, applicant)
    if applicant.waiting_request:
        assignment.withdraw_on_closure(applicant.applicant_id, applicant.waiting_request)
    ended = end_sessions(applicant.applicant_id)
    revocation.end_access(applicant.email, applicant.applicant_id, rules.TOKEN_REASON, final=True)  # this second's tokens too
    logger.info("online account closed", extra={"applicant_id": applicant.applicant_id, "sessions_ended": ended})
    return AccountClosed(
        applicant_id=applicant.applicant_id,
        status=rules.CLOSED,
        closed_at=applicant.closed_at,
        identity_held_until=lock_in_force(applicant.locked_until, clock.now()),
    )


def _own_account(caller: Caller) -> Applicant:
    try:
        return Applicant.get(caller.account_id, consistent_read=True)
    except Applicant.DoesNotExist:
        raise NotFound("No applicant profile belongs to this account.") from None


def _close_record(caller: Caller, applicant: Applicant) -> Applicant:
    """In one transaction: the status, the audit record, the phone's live-account count."""
    for _ in range(ATTEMPTS):
        now = clock.now()
        record = audit.record(
            audit.applicant_subject(applicant.applicant_id),
            rules.ACTION,
            actor_id=caller.account_id,
            actor_role=Role.APPLICANT.value,
            at=now,
            before={"status": applicant.status},
            after={"status": rules.CLOSED},
        )
        try:
            with transaction() as write:
                write.update(
                    applicant,
                    actions=[
                        Applicant.status.set(rules.CLOSED),
                        Applicant.closed_at.set(now),
                        Applicant.updated_at.set(now),
                        # when the retention run anonymises the profile: after its lock, then the grace
                        Applicant.retention_due.set(retention.due_key(retention.profile_due(now, applicant.locked_until), applicant.applicant_id)),
                    ],
                    condition=(Applicant.status == applicant.status) & (Applicant.updated_at == applicant.updated_at),
                )
                write.save(record)
                if phone_accounts.live_accounts(applicant.phone) > 0:
                    phone_accounts.let_go(write, applicant.phone)  # no longer one of the phone's live accounts
            applicant.status, applicant.closed_at = rules.CLOSED, now
            return applicant
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
        applicant = Applicant.get(applicant.applicant_id, consistent_read=True)
        if applicant.status == rules.CLOSED:  # closed meanwhile, by another call
            return applicant
        if not rules.may_close(applicant.status):
            raise ValidationFailed("This account cannot be closed online.")
    raise ValidationFailed("Your account changed while you were closing it. Please try again.")


def end_sessions(account_id: str) -> int:
    """Delete every portal session signed in to the account (one Query of the sparse index)."""
    ended = 0
    for session in WebSession.by_account.query(account_id):
        WebSession(session.session_id).delete()
        ended += 1
    return ended
