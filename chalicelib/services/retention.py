"""The retention run: what the retention schedule (domain/retention.py) says is due is
anonymised, every hour, a bounded amount per invocation.

What is deleted outright goes by DynamoDB's TTL (pending sign-ups also by their own hourly
clean-up, services/signup.py); readers refuse such items after their time themselves. What is
anonymised is found here through each table's sparse `retention-due` index: an item carries
`retention_due` = "<due day>#<shard>" from the moment it is written (an appointment, an audit
record), ended (an assignment request) or let go (a released or closed account), and this run
reads the due days' shards, a page at a time, never a Scan.

- Bounded: at most `MAX_ITEMS_PER_INVOCATION` items and never past the Lambda's time
  (`fanout.Budget`); what is left stays on the index for the next hour's run, because an item
  leaves the index only when it is done (its `retention_due` is removed in the same write that
  anonymises it). It looks back `LOOKBACK_DAYS` days, so a run missed for that long loses
  nothing.
- Idempotent: every write is conditional on the item still carrying the `retention_due` read,
  so a second run, or two runs at once, change nothing more.
- Statistics stay true: anonymising touches no attribute a public statistic counts (directorate,
  slot, status, attendance, assigned), so the statistics stream folds the change to the same
  figures.

Audit records are write-once for everyone; this run's only write to them is an UpdateItem that
REMOVEs `retention.AUDIT_ERASED_ATTRIBUTES` (the IAM condition of this function's role allows
exactly those).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError

from chalicelib import wiring
from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.tables import Applicant, Appointment, AssignmentRequest, AuditRecord, IdentityClaim
from chalicelib.clock import clock
from chalicelib.domain import retention
from chalicelib.domain.calendar import local_day
from chalicelib.observability import logger
from chalicelib.services.fanout import Budget
from chalicelib.services.profile import RELEASED
from chalicelib.services.registry import identity_claim
from chalicelib.domain.closure import CLOSED
from chalicelib.services.release import held_document_numbers

# Items one invocation anonymises at most (each one or two writes; a profile a few more).
MAX_ITEMS_PER_INVOCATION = 500
# Due days looked back on (today's included): what a run missed for that long is still found.
LOOKBACK_DAYS = 7
# A closed account's status (domain/closure.py) and a released one's: only such accounts'
# profiles are ever anonymised.
LET_GO = (RELEASED, CLOSED)


@dataclass(frozen=True)
class Kind:
    name: str
    due: Callable[[str, int], Iterable[Any]]  # (a due day's shard, at most) -> the items' keys, from the due index
    anonymise: Callable[[Any, str, datetime], bool]  # (item's keys, its retention_due, now) -> done


def apply_due(now: datetime | None = None, context: Any = None, budget: Budget | None = None, lookback_days: int = LOOKBACK_DAYS) -> dict[str, int]:
    """The schedule: anonymise what is due, as much as the budget allows; how many of each kind."""
    now = now or clock.now()
    budget = budget or Budget(context, MAX_ITEMS_PER_INVOCATION)
    today = local_day(now)
    done = dict.fromkeys((kind.name for kind in KINDS), 0)
    for kind in KINDS:
        for back in range(lookback_days, -1, -1):
            for key in retention.due_keys(today - timedelta(days=back)):
                if not _page(kind, key, now, budget, done):
                    logger.info("retention run stopped at its budget", extra={"done": done})
                    return done
    if any(done.values()):
        logger.info("retention run done", extra={"done": done})
    return done


def _page(kind: Kind, key: str, now: datetime, budget: Budget, done: dict[str, int]) -> bool:
    """Anonymise what one shard of one due day holds; False when the budget ran out first."""
    if budget.items_left <= 0 or not budget.time_left():
        return False
    for item in kind.due(key, budget.items_left):
        if budget.items_left <= 0 or not budget.time_left():
            return False
        budget.spend(1)
        if kind.anonymise(item, key, now):
            done[kind.name] += 1
    return True


# -- each kind ------------------------------------------------------------------------------------


def anonymise_appointment(item: Appointment, key: str, now: datetime) -> bool:
    """The account and guardian it belonged to, its check-in code and the reasons staff typed go;
    directorate, slot, service, status, attendance and lock dates stay."""
    return update_if(
        Appointment(item.appointment_id),
        [
            Appointment.applicant_id.set(retention.anonymous_id(item.appointment_id)),
            Appointment.guardian_id.remove(),
            Appointment.checkin_code_hash.remove(),
            Appointment.cancel_reason.remove(),
            Appointment.correction_reason.remove(),
            Appointment.lock_change_reason.remove(),
            Appointment.follow_up_reason.remove(),
            Appointment.retention_due.remove(),
        ],
        Appointment.retention_due == key,
    )


def anonymise_request(item: AssignmentRequest, key: str, now: datetime) -> bool:
    """The account and the queue position (a lottery rank) go; province, service, the choices,
    status, the reason's code and the dates stay."""
    return update_if(
        AssignmentRequest(item.request_id),
        [
            AssignmentRequest.applicant_id.set(retention.anonymous_id(item.request_id)),
            AssignmentRequest.queue_key.remove(),
            AssignmentRequest.retention_due.remove(),
        ],
        AssignmentRequest.retention_due == key,
    )


def erase_audit_values(item: AuditRecord, key: str, now: datetime) -> bool:
    """Only REMOVE, only `retention.AUDIT_ERASED_ATTRIBUTES`, the list the IAM condition is built
    from (infrastructure/stacks/permissions.py): who, what and when stay."""
    return update_if(
        AuditRecord(item.subject, item.entry),
        [getattr(AuditRecord, name).remove() for name in retention.AUDIT_ERASED_ATTRIBUTES],
        AuditRecord.retention_due == key,
    )


def anonymise_profile(item: Applicant, key: str, now: datetime) -> bool:
    """A released or closed account, once its lock has ended and the grace passed: its identity
    claims are freed and its login deleted, then every name, number, date and address on it is
    erased. An account whose lock still runs (or that is neither released nor closed) moves to
    the day it will be due, or off the index."""
    try:
        applicant = Applicant.get(item.applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        return False
    if applicant.status not in LET_GO:
        update_if(applicant, [Applicant.retention_due.remove()], Applicant.retention_due == key)
        return False
    free_at = retention.profile_free_at(_let_go_at(applicant), applicant.locked_until)
    if free_at > now:
        later = retention.due_key(local_day(free_at), applicant.applicant_id)
        update_if(applicant, [Applicant.retention_due.set(later)], Applicant.retention_due == key)
        return False
    _free_claims(applicant)
    _delete_login(applicant)
    return update_if(
        applicant,
        [
            Applicant.document_number.set(retention.ERASED),
            Applicant.given_name.set(retention.ERASED),
            Applicant.family_name.set(retention.ERASED),
            Applicant.birth_date.set(retention.ERASED),
            Applicant.phone.set(retention.ERASED),
            Applicant.document_numbers.remove(),
            Applicant.email.remove(),
            Applicant.email_undeliverable.remove(),
            Applicant.email_undeliverable_since.remove(),
            Applicant.verification_code_hash.remove(),
            Applicant.reset_code_hash.remove(),
            Applicant.email_code_hash.remove(),
            Applicant.updated_at.set(now),
            Applicant.retention_due.remove(),
        ],
        Applicant.retention_due == key,
    )


def _let_go_at(applicant: Applicant) -> datetime:
    """When the account was closed (`closed_at`) or released (its last change: a released account
    changes no more)."""
    return getattr(applicant, "closed_at", None) or applicant.updated_at


def _free_claims(applicant: Applicant) -> None:
    """Delete the identity claims this account still holds (a claim another account holds is not
    its to free): their keys are document numbers."""
    for number in sorted(held_document_numbers(applicant)):
        try:
            IdentityClaim(identity_claim(number)).delete(condition=IdentityClaim.applicant_id == applicant.applicant_id)
        except DeleteError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise


def _delete_login(applicant: Applicant) -> None:
    """Delete the account's Cognito user (its email, its phone), unless the address now names a
    newer account's login."""
    if applicant.email is None:
        return
    accounts = wiring.accounts()
    login = accounts.find(applicant.email)
    if login is not None and login.sub == applicant.applicant_id:
        accounts.delete(applicant.email)


# The order the run takes them in: the accounts first (rare, and their claims free people to sign
# up again), then the records.
def _due_profiles(key: str, limit: int) -> Iterable[Applicant]:
    return Applicant.due_for_retention.query(key, limit=limit)


def _due_appointments(key: str, limit: int) -> Iterable[Appointment]:
    return Appointment.due_for_retention.query(key, limit=limit)


def _due_requests(key: str, limit: int) -> Iterable[AssignmentRequest]:
    return AssignmentRequest.due_for_retention.query(key, limit=limit)


def _due_audit(key: str, limit: int) -> Iterable[AuditRecord]:
    return AuditRecord.due_for_retention.query(key, limit=limit)


KINDS: tuple[Kind, ...] = (
    Kind("profiles", _due_profiles, anonymise_profile),
    Kind("appointments", _due_appointments, anonymise_appointment),
    Kind("requests", _due_requests, anonymise_request),
    Kind("audit", _due_audit, erase_audit_values),
)
