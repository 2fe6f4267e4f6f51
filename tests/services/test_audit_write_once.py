"""An audit record is written once: a put never replaces a record already there, alone or inside
a transaction (the roles' IAM forbids updates and deletes: tests/infrastructure/test_keys.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from pynamodb.exceptions import PutError, TransactWriteError

from chalicelib.adapters.dynamo import NamedTransaction, transaction
from chalicelib.adapters.tables import AuditRecord
from chalicelib.services import audit


def _record(subject: str, entry: str, reason: str) -> AuditRecord:
    return AuditRecord(subject, entry, action="profile.amended", actor_id="staff-1", actor_role="staff",
                       reason=reason, at=datetime(2026, 12, 1, tzinfo=timezone.utc))


def test_a_record_with_the_key_of_another_never_replaces_it(aws):
    subject, entry = f"applicant:{uuid.uuid4()}", f"2026-12-01T09:00:00+00:00#{uuid.uuid4()}"
    _record(subject, entry, "the true reason").save()
    with pytest.raises(PutError):
        _record(subject, entry, "a rewritten reason").save()
    with pytest.raises(TransactWriteError):
        with transaction() as write:
            write.save(_record(subject, entry, "rewritten in a transaction"))
    with pytest.raises(TransactWriteError):
        with NamedTransaction() as write:
            write.save("audit", _record(subject, entry, "rewritten in a named transaction"))
    assert AuditRecord.get(subject, entry).reason == "the true reason"


def test_new_records_are_written_as_before(aws):
    subject = f"applicant:{uuid.uuid4()}"
    at = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    audit.record(subject, "a", actor_id="x", actor_role="staff", at=at).save()
    with NamedTransaction() as write:
        write.save("audit", audit.record(subject, "b", actor_id="x", actor_role="staff", at=at))
    with transaction() as write:
        write.save(audit.record(subject, "c", actor_id="x", actor_role="staff", at=at))
    assert sorted(r.action for r in AuditRecord.query(subject)) == ["a", "b", "c"]
