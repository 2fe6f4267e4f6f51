"""A person downloads everything the service holds about them (GET /v1/me/data), at the use-case
level on the in-process emulator: every kind of record is there, nothing of anyone else's, no
secret (code digests, a lottery rank), and the download itself is on their audit trail."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest

from chalicelib.adapters.tables import Applicant, AssignmentRequest, AuditRecord, ResidentRecord, WebSession
from chalicelib.clock import clock
from chalicelib.contract import AssignmentRequestIn, BookingRequest
from chalicelib.domain import sign_ins as kinds
from chalicelib.domain.errors import NotFound
from chalicelib.services import assignment, audit, family, my_data, profile, revocation, sign_ins
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.world import FATIH, applicant, book, free_slots, staff_of


@pytest.fixture(autouse=True)
def open_horizon(aws, frozen_clock):
    extend_slot_horizon(only=(FATIH,))


def child_of(guardian, given_name: str) -> ResidentRecord:
    record = ResidentRecord(
        f"99{uuid.uuid4().int % 10**9:09d}", permit_status="residence_permit",
        permit_valid_until=(clock.today() + timedelta(days=300)).isoformat(), province="34",
        given_name=given_name, family_name="Haddad", birth_date=date(clock.today().year - 7, 1, 15).isoformat(),
        nationality="SY", guardian_document_number=Applicant.get(guardian.account_id).document_number, updated_at=clock.now(),
    )
    record.save()
    return record


def a_life(person, slot_index: int = 0) -> dict:
    """What a person leaves in the service: a request filed and withdrawn, an appointment for
    themselves and one for their child, a staff read of their record, sign-ins, a portal session."""
    stored = Applicant.get(person.account_id)
    ResidentRecord(stored.document_number, permit_status=stored.permit_status, permit_valid_until=stored.permit_valid_until,
                   province="34", given_name=stored.given_name, family_name=stored.family_name, birth_date=stored.birth_date,
                   nationality="SY", updated_at=clock.now()).save()
    filed = assignment.request_assignment(person, AssignmentRequestIn.model_validate({"service": "address_registration", "directorate": FATIH.id}))
    assignment.withdraw_request(person, filed.request_id)
    slots = free_slots(person, room=2)  # the two at one time
    child = child_of(person, "Zeynep")
    [dependant] = family.my_dependants(person)
    together = family.book_together(person, BookingRequest(slot_id=slots[slot_index].slot_id, service="address_registration",
                                                           people=["self", dependant.dependant_id]))
    own = next(a for a in together.appointments if a.applicant_id == person.account_id)
    childs = next(a for a in together.appointments if a.applicant_id != person.account_id)
    profile.view_applicant(staff_of(FATIH), person.account_id)  # a staff read: audited under the reads subject
    sign_ins.record(person.account_id, kinds.PASSWORD)
    sign_ins.record(person.account_id, kinds.EDEVLET)
    now = clock.now()
    WebSession(f"s-{uuid.uuid4()}", csrf_token="csrf-secret", access_token="token-secret", account_id=person.account_id,
               role="applicant", expires=now + timedelta(hours=8), created_at=now).save()
    revocation.revoke(person.account_id, revocation.SIGN_OUT_EVERYWHERE)
    return {"request": filed.request_id, "own": own.appointment_id, "childs": childs.appointment_id, "child": child}


def test_the_download_holds_every_kind_of_record_about_the_person_and_nothing_of_anyone_else():
    person, stranger = applicant(), applicant()
    mine, theirs = a_life(person), a_life(stranger, slot_index=1)
    me = Applicant.get(person.account_id)
    other = Applicant.get(stranger.account_id)

    data = my_data.export(person)
    dumped = json.dumps(data.model_dump(mode="json"), ensure_ascii=False)

    assert data.schema_version == "1" and data.applicant_id == person.account_id
    assert data.profile["document_number"] == me.document_number and data.profile["phone"] == me.phone
    assert data.profile["email"] == me.email and data.profile["status"] == "active"
    assert [r["document_number"] for r in data.registry] == [me.document_number]
    assert [a["appointment_id"] for a in data.appointments] == [mine["own"]]
    assert [a["appointment_id"] for a in data.dependants_appointments] == [mine["childs"]]
    assert [(r["request_id"], r["status"]) for r in data.assignment_requests] == [(mine["request"], "withdrawn")]
    about = {n.get("appointment_id") for n in data.notifications}
    assert {mine["own"], mine["childs"]} <= about  # the confirmations, the child's sent to the guardian
    actions = [e["action"] for e in data.audit]
    assert {"assignment.requested", "assignment.withdrawn", "appointment.booked", "profile.viewed", my_data.EXPORTED} <= set(actions)
    assert [s["method"] for s in data.sign_ins] == ["password", "e-devlet"]
    assert len(data.sessions) == 1 and set(data.sessions[0]) >= {"created_at", "expires", "language"}
    assert [t["reason"] for t in data.token_revocations] == ["sign_out_everywhere"]

    # Nobody else's: not the stranger's identity, contact, appointments or requests.
    for foreign in (stranger.account_id, other.document_number, other.phone, other.email, theirs["own"], theirs["childs"], theirs["request"]):
        assert foreign not in dumped
    # No secret: a request's lottery rank, a session's tokens, a staff member's account id.
    stored_request = AssignmentRequest.get(mine["request"])
    assert stored_request.queue_key and stored_request.queue_key not in dumped and "queue_key" not in dumped
    assert "csrf-secret" not in dumped and "token-secret" not in dumped
    staff_reads = [e for e in data.audit if e["action"] == "profile.viewed"]
    assert staff_reads and all("actor_id" not in e and e["actor_role"] == "staff" for e in staff_reads)
    # Not another person's document number: the child's registry record names the guardian, but
    # the guardian's own record is what is exported, and no guardian number goes out.
    assert "guardian_document_number" not in dumped


def test_the_download_is_audited_before_it_is_served_and_each_download_adds_one_record():
    person = applicant()

    def downloads() -> int:
        return [r.action for r in AuditRecord.query(audit.applicant_subject(person.account_id))].count(my_data.EXPORTED)

    first = my_data.export(person)
    assert downloads() == 1
    [entry] = [e for e in first.audit if e["action"] == my_data.EXPORTED]
    assert (entry["actor_id"], entry["actor_role"]) == (person.account_id, "applicant")
    my_data.export(person)
    assert downloads() == 2


def test_a_person_with_nothing_yet_gets_empty_lists_and_an_account_without_a_profile_gets_not_found():
    person = applicant()
    data = my_data.export(person)
    assert data.appointments == data.assignment_requests == data.notifications == data.sign_ins == data.sessions == []
    assert [e["action"] for e in data.audit] == [my_data.EXPORTED]
    with pytest.raises(NotFound):
        my_data.export(staff_of(FATIH))  # a staff account has no applicant profile
    assert free_slots(person)  # nothing about the download changed what the person may book
    book(person, free_slots(person)[0].slot_id)
    assert len(my_data.export(person).appointments) == 1
