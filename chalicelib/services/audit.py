"""The audit trail: every state change leaves a record of who, when, what before, what after
and why. Records are written in the same transaction as the change they describe.

Staff reads of a person's record are audited too (who, when, through which lookup), under a
subject of their own beside the person's changes: the views, which grow with every look, never
crowd the changes out of a page of the trail, and the person's whole trail is both, merged."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from chalicelib.adapters.tables import AuditRecord
from chalicelib.contract import AuditEntry
from chalicelib.domain import retention
from chalicelib.domain.roles import Caller


def applicant_subject(applicant_id: str) -> str:
    return f"applicant:{applicant_id}"


def applicant_reads_subject(applicant_id: str) -> str:
    """The trail of staff reads of a person's record (see the module's note)."""
    return f"applicant-reads:{applicant_id}"


def directorate_subject(directorate_id: str) -> str:
    """The trail of a directorate's own settings: its capacity and its demand modes."""
    return f"directorate:{directorate_id}"


def actor_role(caller: Caller) -> str:
    """The role an audit record names for `caller`: the one it acts in (`Caller.acting_role`)."""
    role = caller.acting_role
    return role.value if role else "unknown"


def record(
    subject: str,
    action: str,
    *,
    actor_id: str,
    actor_role: str,
    at: datetime,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    lookup: str | None = None,
) -> AuditRecord:
    """A new audit record (not yet saved: put it in the change's transaction), due for the
    erasure of its values when the retention schedule says (domain/retention.py)."""
    entry = f"{at.isoformat()}#{uuid.uuid4()}"
    return AuditRecord(
        subject,
        entry,
        action=action,
        actor_id=actor_id,
        actor_role=actor_role,
        reason=reason,
        before=before,
        after=after,
        lookup=lookup,
        at=at,
        retention_due=retention.due_key(retention.audit_due(at), entry),
    )


def trail(*subjects: str, limit: int = 100) -> list[AuditEntry]:
    """The newest `limit` records of the `subjects` together, newest first."""
    records = [r for subject in subjects for r in AuditRecord.query(subject, scan_index_forward=False, limit=limit)]
    records.sort(key=lambda r: r.entry, reverse=True)  # "<ISO time>#<uuid>": time order
    return [as_entry(r) for r in records[:limit]]


def as_entry(audit: AuditRecord) -> AuditEntry:
    return AuditEntry(
        entry_id=audit.entry,
        action=audit.action,
        actor_id=audit.actor_id,
        actor_role=audit.actor_role,
        reason=audit.reason,
        before=_plain(audit.before),
        after=_plain(audit.after),
        lookup=audit.lookup,
        at=audit.at,
    )


def _plain(value: Any) -> dict[str, Any] | None:
    """A raw MapAttribute read back from DynamoDB, or the dict it was written from."""
    return value.as_dict() if hasattr(value, "as_dict") else value
