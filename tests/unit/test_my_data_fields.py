"""The data export's list of what it leaves out (domain/my_data.LEFT_OUT) names real attributes
with a reason each, and keeps out what the issue forbids: a request's lottery rank (`queue_key`),
digests of one-time codes, a session's tokens."""

from __future__ import annotations

import pytest

from chalicelib.adapters import tables
from chalicelib.domain.my_data import LEFT_OUT, kept_actor


@pytest.mark.parametrize("kind", sorted(LEFT_OUT))
def test_every_field_left_out_is_a_stored_attribute_with_a_reason(kind):
    attributes = getattr(tables, kind).get_attributes()
    for name, reason in LEFT_OUT[kind].items():
        assert name in attributes, f"{kind}.{name} is not stored: a stale entry"
        assert len(reason) > 10


def test_secrets_and_the_lottery_rank_never_go_out():
    assert {"queue_key", "waiting_province"} <= set(LEFT_OUT["AssignmentRequest"])
    code_digests = {n for n in tables.Applicant.get_attributes() if n.endswith("_hash")}
    assert code_digests and code_digests <= set(LEFT_OUT["Applicant"])
    assert "checkin_code_hash" in LEFT_OUT["Appointment"]
    assert {"access_token", "csrf_token", "session_id"} <= set(LEFT_OUT["WebSession"])


def test_an_audit_records_actor_is_exported_only_when_it_is_the_person_or_the_system():
    assert kept_actor("person-1", "person-1")
    assert kept_actor("system:no-show-sweep", "person-1")
    assert not kept_actor("staff-7", "person-1")
