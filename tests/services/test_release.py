"""Staff reads, amended document numbers and the release of an online account, at the use-case
level on the in-process emulator: what is stored, and that every step survives a retry."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.adapters.cognito import InvalidCredentials
from chalicelib.adapters.tables import Applicant, AuditRecord, IdentityClaim
from chalicelib.contract import AmendApplicantRequest, ImportResidentsRequest, ReleaseRequest
from chalicelib.clock import clock
from chalicelib.domain.errors import DuplicateAccount, NotFound, ValidationFailed
from chalicelib.services import audit, profile, registry, release, revocation
from chalicelib.services.registry import identity_claim
from tests.http.client import unique_foreign_id
from chalicelib.domain.catalogue import find_directorate
from tests.services.world import ADMIN, FATIH, staff_of

PASSWORD = "Secret123pass"
SEEN = "Residence permit seen at the counter"


@pytest.fixture
def person(aws, frozen_clock) -> Applicant:
    """An active applicant with a confirmed login and the claim on their document, as a
    confirmed sign-up leaves one."""
    email = f"release.{uuid.uuid4().hex[:12]}@example.net"
    login = wiring.accounts()
    applicant_id = login.create_login(email, PASSWORD)
    login.add_to_group(email, "applicant")
    now = clock.now()
    number = unique_foreign_id()
    applicant = Applicant(
        applicant_id, status="active", document_type="foreign_id", document_number=number,
        nationality="SYR", given_name="Test", family_name="Person", birth_date="1990-01-01",
        email=email, phone=f"+90555{uuid.uuid4().int % 10**7:07d}", language="en", province="34",
        permit_status="residence_permit", permit_valid_until=(clock.today() + timedelta(days=300)).isoformat(),
        created_at=now, updated_at=now,
    )
    applicant.save()
    IdentityClaim(identity_claim(number), applicant_id=applicant_id, created_at=now).save()
    return applicant


def claimed_by(number: str) -> str | None:
    try:
        return IdentityClaim.get(identity_claim(number), consistent_read=True).applicant_id
    except IdentityClaim.DoesNotExist:
        return None


def amend_number(person: Applicant, number: str, caller=ADMIN):
    return profile.amend(caller, person.applicant_id, AmendApplicantRequest(document_number=number, reason="New permit card seen"))


def signs_in(email: str) -> bool:
    try:
        wiring.accounts().login(email, PASSWORD)
    except InvalidCredentials:
        return False
    return True


def actions(applicant_id: str) -> list[str]:
    return [r.action for r in AuditRecord.query(audit.applicant_subject(applicant_id))]


def test_an_amended_number_keeps_the_old_claim_and_adds_the_new_one(person):
    old, new = person.document_number, unique_foreign_id()
    amend_number(person, new)
    assert claimed_by(old) == person.applicant_id and claimed_by(new) == person.applicant_id
    stored = Applicant.get(person.applicant_id, consistent_read=True)
    assert stored.document_number == new and stored.document_numbers == {old, new}
    # Staff presented with either number find the same person.
    assert profile.find_by_document(ADMIN, old).applicant_id == person.applicant_id
    # Amending back to a number the account already holds is not a duplicate of itself.
    amend_number(person, old)
    assert claimed_by(old) == person.applicant_id


def test_a_number_another_account_holds_is_refused_and_nothing_is_written(person):
    taken = unique_foreign_id()
    IdentityClaim(identity_claim(taken), applicant_id="someone-else", created_at=clock.now()).save()
    with pytest.raises(DuplicateAccount):
        amend_number(person, taken)
    stored = Applicant.get(person.applicant_id, consistent_read=True)
    assert stored.document_number == person.document_number and stored.document_numbers is None
    assert claimed_by(taken) == "someone-else"


def test_the_registry_feed_of_an_old_number_does_not_overwrite_the_account(person):
    old, new = person.document_number, unique_foreign_id()
    amend_number(person, new)
    record = {"document_number": old, "permit_status": "work_permit", "province": "06",
              "permit_valid_until": (clock.today() + timedelta(days=30)).isoformat(),
              "given_name": "Test", "family_name": "Person", "birth_date": "1990-01-01", "nationality": "SY"}
    registry.import_residents(ImportResidentsRequest.model_validate({"records": [record]}))
    stored = Applicant.get(person.applicant_id, consistent_read=True)
    assert (stored.province, stored.permit_status) == ("34", "residence_permit")


def test_release_frees_every_number_held_ends_access_and_is_audited_once(person):
    old, new = person.document_number, unique_foreign_id()
    amend_number(person, new)
    token_issued = revocation.token_clock() - 1
    staff = staff_of(FATIH)

    result = release.release(staff, person.applicant_id, ReleaseRequest(reason=SEEN))
    assert (result.applicant_id, result.status) == (person.applicant_id, "released")
    assert claimed_by(old) is None and claimed_by(new) is None
    assert Applicant.get(person.applicant_id, consistent_read=True).status == "released"
    assert not signs_in(person.email)
    assert revocation.is_revoked(person.applicant_id, token_issued)
    [record] = [r for r in AuditRecord.query(audit.applicant_subject(person.applicant_id)) if r.action == release.ACTION]
    assert (record.actor_id, record.actor_role, record.reason) == (staff.account_id, "staff", SEEN)
    assert sorted(record.after.as_dict()["document_numbers_freed"]) == sorted([old, new])

    # Again (a retry, or a second click): the same answer, nothing more written.
    again = release.release(staff, person.applicant_id, ReleaseRequest(reason="Clicked twice by mistake"))
    assert again.status == "released"
    assert actions(person.applicant_id).count(release.ACTION) == 1


def test_a_release_interrupted_before_the_login_is_disabled_completes_on_retry(person, monkeypatch):
    def unavailable(email):
        raise ConnectionError("Cognito unavailable")

    monkeypatch.setattr(type(wiring.accounts()), "disable", lambda self, email: unavailable(email))
    with pytest.raises(ConnectionError):
        release.release(ADMIN, person.applicant_id, ReleaseRequest(reason=SEEN))
    assert claimed_by(person.document_number) is None  # the record is released already
    assert signs_in(person.email)  # but the login still works: the retry must finish the job
    monkeypatch.undo()

    issued_before = revocation.token_clock() - 1  # a token of the second before the retry (read now, not after it)
    assert release.release(ADMIN, person.applicant_id, ReleaseRequest(reason=SEEN)).status == "released"
    assert not signs_in(person.email)
    assert revocation.is_revoked(person.applicant_id, issued_before)
    assert actions(person.applicant_id).count(release.ACTION) == 1


def test_release_frees_only_the_claims_the_account_holds(person):
    # The account's number is claimed by another account (say the owner confirmed first, or the
    # claim was never this account's): a release leaves that claim alone.
    IdentityClaim(identity_claim(person.document_number), applicant_id="the-owner", created_at=clock.now()).save()
    release.release(ADMIN, person.applicant_id, ReleaseRequest(reason=SEEN))
    assert claimed_by(person.document_number) == "the-owner"
    assert Applicant.get(person.applicant_id, consistent_read=True).status == "released"


def test_a_released_account_is_not_amended(person):
    release.release(ADMIN, person.applicant_id, ReleaseRequest(reason=SEEN))
    with pytest.raises(ValidationFailed):
        amend_number(person, unique_foreign_id())


def test_staff_of_another_province_can_neither_release_nor_read(person):
    izmir = staff_of(find_directorate("35-merkez"))
    with pytest.raises(NotFound):
        release.release(izmir, person.applicant_id, ReleaseRequest(reason=SEEN))
    with pytest.raises(NotFound):
        profile.view_applicant(izmir, person.applicant_id)
    assert Applicant.get(person.applicant_id, consistent_read=True).status == "active"
    assert list(AuditRecord.query(audit.applicant_reads_subject(person.applicant_id))) == []


def test_every_staff_read_is_in_the_trail_with_who_when_and_the_lookup(person, frozen_clock):
    staff = staff_of(FATIH)
    profile.find_by_document(staff, person.document_number)
    frozen_clock.travel(timedelta(seconds=5))
    profile.view_applicant(staff, person.applicant_id)
    trail = profile.audit_trail(staff, person.applicant_id)
    reads = [(e.action, e.lookup, e.actor_id, e.actor_role) for e in trail]
    assert reads[0] == (profile.TRAIL_VIEWED, "applicant_id", staff.account_id, "staff")
    assert set(reads[1:]) == {(profile.VIEWED, "document", staff.account_id, "staff"),
                              (profile.VIEWED, "applicant_id", staff.account_id, "staff")}
    assert all(e.at is not None for e in trail)
