"""A person's own data, all of it, as JSON (GET /v1/me/data; the portal's "My data"): KVKK's
right to learn what is processed and to obtain it.

Everything is read with Queries on keys and indexes, a page at a time (never a Scan): the account
(GetItem), the registry records of the documents it holds (GetItem each), appointments (the
account's index, and the guardian's index for those booked for dependants), assignment requests,
notifications (their indexes by applicant), the audit trail (its two subjects), sign-ins, portal
sessions (the sessions' index by account) and the token revocation. What is left out of each kind
of record, and why, is `domain/my_data.LEFT_OUT` (a request's `queue_key` never goes out).

The download is audited before anything is read (`data.exported`, the person as actor): an
export that cannot be recorded is not served, and the record is in the export it announces.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pynamodb.models import Model

from chalicelib.adapters.tables import Applicant, Appointment, AssignmentRequest, AuditRecord, Notification, ResidentRecord, TokenValidity, WebSession
from chalicelib.clock import clock
from chalicelib.contract import MyData
from chalicelib.domain import my_data as rules
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.errors import NotFound
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.services import audit, sign_ins

EXPORTED = "data.exported"  # the audit action of a download
PAGE = 100  # items per Query page


def export(caller: Caller) -> MyData:
    person = _own_account(caller)
    now = clock.now()
    audit.record(audit.applicant_subject(person.applicant_id), EXPORTED, actor_id=person.applicant_id,
                 actor_role=Role.APPLICANT.value, at=now).save()
    appointments = list(Appointment.by_applicant.query(person.applicant_id, page_size=PAGE))
    booked_for_dependants = list(Appointment.by_guardian.query(person.applicant_id, page_size=PAGE))
    data = MyData(
        generated_at=now,
        applicant_id=person.applicant_id,
        profile=fields_of(person),
        registry=[fields_of(record) for record in _registry_records(person)],
        appointments=[fields_of(a) for a in appointments],
        dependants_appointments=[fields_of(a) for a in booked_for_dependants if a.applicant_id != person.applicant_id],
        assignment_requests=[fields_of(r) for r in AssignmentRequest.by_applicant.query(person.applicant_id, page_size=PAGE)],
        notifications=[fields_of(n) for n in _notifications(person.applicant_id, booked_for_dependants, now)],
        audit=[_audit_entry(r, person.applicant_id) for r in _audit_records(person.applicant_id)],
        sign_ins=[fields_of(s) for s in sign_ins.of(person.applicant_id)],
        sessions=[fields_of(s) for s in _open_sessions(person.applicant_id, now)],
        token_revocations=[fields_of(t) for t in _revocations(person.applicant_id)],
    )
    logger.info("personal data exported", extra={"applicant_id": person.applicant_id})
    return data


def _own_account(caller: Caller) -> Applicant:
    try:
        return Applicant.get(caller.account_id, consistent_read=True)
    except Applicant.DoesNotExist:
        raise NotFound("No applicant profile belongs to this account.") from None


def _registry_records(person: Applicant) -> Iterable[ResidentRecord]:
    for number in sorted(set(person.document_numbers or ()) | {person.document_number}):
        try:
            yield ResidentRecord.get(number)
        except ResidentRecord.DoesNotExist:
            continue


def _notifications(applicant_id: str, booked_for_dependants: list[Appointment], now: datetime) -> list[Notification]:
    """Messages about the person, and those sent to them about the appointments they booked for
    their dependants (filed under the dependant), oldest first; not a delivery record past its
    time (domain/retention.py), which DynamoDB's TTL deletes but may not have yet."""
    found = list(Notification.by_applicant.query(applicant_id, page_size=PAGE))
    theirs = {a.appointment_id for a in booked_for_dependants}
    for dependant in sorted({a.applicant_id for a in booked_for_dependants} - {applicant_id}):
        found += [n for n in Notification.by_applicant.query(dependant, page_size=PAGE) if n.appointment_id in theirs]
    return sorted((n for n in found if n.expires is None or n.expires > now), key=lambda n: n.created_at)


def _audit_records(applicant_id: str) -> list[AuditRecord]:
    """Changes to the record and staff reads of it, oldest first ("<ISO time>#<uuid>" keys)."""
    subjects = (audit.applicant_subject(applicant_id), audit.applicant_reads_subject(applicant_id))
    records = [r for subject in subjects for r in AuditRecord.query(subject, page_size=PAGE)]
    return sorted(records, key=lambda r: r.entry)


def _audit_entry(record: AuditRecord, person_id: str) -> dict[str, Any]:
    entry = fields_of(record)
    if rules.kept_actor(record.actor_id, person_id):
        entry["actor_id"] = record.actor_id
    return entry


def _open_sessions(account_id: str, now: datetime) -> list[WebSession]:
    sessions = []
    for key in WebSession.by_account.query(account_id, page_size=PAGE):
        try:
            session = WebSession.get(key.session_id)
        except WebSession.DoesNotExist:
            continue
        if session.expires > now:
            sessions.append(session)
    return sorted(sessions, key=lambda s: s.created_at)


def _revocations(account_id: str) -> list[TokenValidity]:
    try:
        return [TokenValidity.get(account_id)]
    except TokenValidity.DoesNotExist:
        return []


def fields_of(item: Model) -> dict[str, Any]:
    """A stored item as JSON: every attribute it holds, except those `domain/my_data.LEFT_OUT`
    names for its kind; times in Istanbul time."""
    left_out = rules.LEFT_OUT.get(type(item).__name__, {})
    out: dict[str, Any] = {}
    for name in type(item).get_attributes():
        value = getattr(item, name, None)
        if name not in left_out and value is not None:
            out[name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(ISTANBUL).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
