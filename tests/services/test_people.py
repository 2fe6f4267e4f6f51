"""One item per person, whichever channel books for them (services/people.py)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from chalicelib.adapters.tables import Applicant, IdentityClaim, ResidentRecord
from chalicelib.clock import clock
from chalicelib.services import people
from chalicelib.services.registry import identity_claim


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def resident() -> ResidentRecord:
    record = ResidentRecord(
        f"99{uuid.uuid4().int % 10**9:09d}", permit_status="residence_permit",
        permit_valid_until=(clock.today() + timedelta(days=300)).isoformat(), province="34",
        given_name="Zeynep", family_name="Haddad", birth_date="2015-04-02", nationality="SYR",
        updated_at=clock.now(),
    )
    record.save()
    return record


def test_a_person_without_an_account_becomes_one_offline_item_holding_the_identity():
    record = resident()
    person = people.person_for(record, phone="+905551112233", email=None, language="ar", now=clock.now(), guardian_id="g-1")

    stored = Applicant.get(person.applicant_id)
    assert (stored.status, stored.email, stored.guardian_id, stored.province) == (people.OFFLINE, None, "g-1", "34")
    assert IdentityClaim.get(identity_claim(record.document_number)).applicant_id == person.applicant_id
    # Asked again (another channel, another day), the same person: never a second item.
    again = people.person_for(record, phone="+905559998877", email="x@example.net", language="en", now=clock.now())
    assert again.applicant_id == person.applicant_id


def test_two_channels_at_once_make_one_person():
    record = resident()
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(
            lambda _: people.person_for(record, phone="+905551112233", email=None, language="tr", now=clock.now()).applicant_id,
            range(4),
        ))
    assert len(set(found)) == 1
