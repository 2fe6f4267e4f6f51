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


def test_a_person_booked_for_by_phone_opens_an_online_account_that_takes_their_identity_and_lock_over(frozen_clock):
    import re

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    from chalicelib.contract import AssistedBookingRequest, ConfirmRequest, SignupRequest
    from chalicelib.domain.catalogue import find_directorate
    from chalicelib.domain.errors import LockedOut
    from chalicelib.domain.roles import Caller, Role
    from chalicelib.contract import AppointmentPageQuery
    from chalicelib.services import assisted, booking, signup
    from chalicelib.services.catalogue import extend_slot_horizon
    from tests.services.conftest import REGION
    from tests.services.world import applicant, free_slots

    from stdnum.tr import tckimlik

    merkez = find_directorate("34-merkez")
    extend_slot_horizon(only=(merkez,))
    body = "99" + f"{uuid.uuid4().int % 10**7:07d}"
    record = resident()
    record.delete()
    record.document_number, record.birth_date = body + tckimlik.calc_check_digits(body), "1990-06-01"
    record.save()
    agent = Caller("agent-7", frozenset({Role.AGENT}))
    slots = free_slots(applicant(), merkez, days=21)
    booked = assisted.book(agent, AssistedBookingRequest.model_validate({
        "document_number": record.document_number, "birth_date": record.birth_date, "slot_id": slots[0].slot_id,
        "service": "address_registration", "channel": "phone", "phone": "0532 555 44 33",
    }))
    offline_id = booked.applicant_id
    lock = Applicant.get(offline_id).locked_until

    # Later the person gets a smartphone and signs up: not "you already have an account".
    email, phone = f"{uuid.uuid4().hex[:10]}@example.net", f"+90555{uuid.uuid4().int % 10**7:07d}"
    answer = signup.sign_up(SignupRequest.model_validate({
        "document_type": "foreign_id", "document_number": record.document_number, "nationality": "SYR",
        "given_name": "Zeynep", "family_name": "Haddad", "birth_date": record.birth_date, "email": email, "phone": phone,
        "password": "Secret123pass", "language": "ar",
    }))
    code = re.search(r"\b(\d{6})\b", [b for to, b in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == phone][-1]).group(1)
    signup.confirm(ConfirmRequest(email=email, code=code))

    account = Applicant.get(answer.applicant_id)
    assert (account.status, account.locked_until, account.adopted_from) == ("active", lock, offline_id)  # the lock came along
    assert IdentityClaim.get(identity_claim(record.document_number)).applicant_id == account.applicant_id
    assert Applicant.get(offline_id).status == people.ADOPTED
    # The appointment booked by phone is the account's now: on My appointments, and a no-show on it locks the account.
    assert [a.appointment_id for a in booking.my_appointments(Caller(account.applicant_id, frozenset({Role.APPLICANT})), AppointmentPageQuery())] \
        == [booked.appointment_id]
    # The phone line now books on the account, and the 30-day lock still holds.
    with pytest.raises(LockedOut):
        assisted.book(agent, AssistedBookingRequest.model_validate({
            "document_number": record.document_number, "birth_date": record.birth_date, "slot_id": slots[-1].slot_id,
            "service": "address_registration", "channel": "phone", "phone": "0532 555 44 33",
        }))
