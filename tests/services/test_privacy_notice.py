"""The privacy notice at the use-case level: the version a person was shown at sign-up is on
their account once it is active, and audited then (not before: a sign-up that lapses leaves no
trace in the audit); a sign-up that did not say it showed the notice records nothing; a new
version is to be shown until the person has read it, once. A new version is published by the
test (`versions.publish`), never by editing the code."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends
from pydantic import ValidationError
from stdnum.tr import tckimlik

from chalicelib.adapters.tables import Applicant, AuditRecord
from chalicelib.contract import ConfirmRequest, ImportResidentsRequest, SignupRequest
from chalicelib.clock import clock
from chalicelib.domain import privacy_notice as rules
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.roles import Caller, Role
from chalicelib.i18n import text
from chalicelib.services import audit, edevlet, privacy_notice, profile, registry, signup
from tests.services.conftest import REGION

GIVEN, FAMILY, BIRTH = "Zahra", "Rezaei", "1992-07-14"


@pytest.fixture
def new_version():
    """A later version of the notice, published the way the local stack's route does it."""
    later = rules.NoticeVersion("2027-01-15", date(2027, 1, 15))
    rules.versions.publish(later)
    yield later
    rules.versions.reset()


def _resident() -> str:
    body = "99" + f"{uuid.uuid4().int % 10**7:07d}"
    number = body + tckimlik.calc_check_digits(body)
    registry.import_residents(ImportResidentsRequest.model_validate({"records": [{
        "document_number": number, "permit_status": "international_protection", "province": "34",
        "permit_valid_until": (clock.today() + timedelta(days=400)).isoformat(),
        "given_name": GIVEN, "family_name": FAMILY, "birth_date": BIRTH, "nationality": "IR",
    }]}))
    return number


def _sign_up(**extra) -> tuple[str, str, str, str]:
    number = _resident()
    email, phone = f"notice.{uuid.uuid4().hex[:10]}@example.net", f"+90555{uuid.uuid4().int % 10**7:07d}"
    answer = signup.sign_up(SignupRequest.model_validate({
        "document_type": "foreign_id", "document_number": number, "nationality": "IR", "given_name": GIVEN,
        "family_name": FAMILY, "birth_date": BIRTH, "email": email, "phone": phone,
        "password": "Secret123pass", "language": "fa", **extra,
    }))
    code = re.search(r"\b(\d{6})\b", [b for to, b in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == phone][-1]).group(1)
    return answer.applicant_id, email, code, number


def _acknowledgements(applicant_id: str) -> list[AuditRecord]:
    return [r for r in AuditRecord.query(audit.applicant_subject(applicant_id)) if r.action == privacy_notice.ACKNOWLEDGED]


def _as_applicant(applicant_id: str) -> Caller:
    return Caller(applicant_id, frozenset({Role.APPLICANT}))


def test_the_version_shown_at_sign_up_is_recorded_on_the_account_and_audited_when_it_becomes_active(aws, frozen_clock):
    in_force = rules.versions.current()
    applicant_id, email, code, number = _sign_up(notice_version=in_force.id)
    shown_at = clock.now()
    pending = Applicant.get(applicant_id)
    assert pending.notice_version == in_force.id and abs(pending.notice_seen_at - shown_at) < timedelta(seconds=5)
    assert _acknowledgements(applicant_id) == []  # pending: nothing audited yet

    frozen_clock.travel(timedelta(minutes=3))
    signup.confirm(ConfirmRequest(email=email, code=code))

    me = profile.my_profile(_as_applicant(applicant_id))
    assert me.notice_version == in_force.id and me.notice_seen_at == pending.notice_seen_at  # when shown, not when confirmed
    [record] = _acknowledgements(applicant_id)
    assert record.actor_id == applicant_id and record.actor_role == "applicant"
    assert record.after.as_dict() == {"notice_version": in_force.id, "notice_seen_at": pending.notice_seen_at.isoformat()}
    # The audit record names the person by their pseudonymous id only.
    written = " ".join(str(v) for v in record.attribute_values.values())
    for personal in (number, email, GIVEN, FAMILY, BIRTH, pending.phone):
        assert personal not in written
    assert privacy_notice.to_show(applicant_id) is None  # seen: not shown at sign-in


def test_a_sign_up_that_does_not_say_it_showed_the_notice_records_nothing_and_is_shown_it_at_sign_in(aws, frozen_clock):
    applicant_id, email, code, _ = _sign_up()
    signup.confirm(ConfirmRequest(email=email, code=code))
    stored = Applicant.get(applicant_id)
    assert stored.notice_version is None and stored.notice_seen_at is None
    assert _acknowledgements(applicant_id) == []
    assert privacy_notice.to_show(applicant_id) == rules.versions.current()
    assert privacy_notice.seen(applicant_id) is None


def test_a_sign_up_naming_a_version_never_published_is_refused_before_anything_is_written():
    with pytest.raises(ValidationError) as refused:
        SignupRequest.model_validate({
            "document_type": "foreign_id", "document_number": "99000000042", "nationality": "IR", "given_name": GIVEN,
            "family_name": FAMILY, "birth_date": BIRTH, "email": "x@example.net", "phone": "+905551234567",
            "password": "Secret123pass", "language": "fa", "notice_version": "2099-01-01",
        })
    assert [e["loc"] for e in refused.value.errors()] == [("notice_version",)]


def test_a_sign_up_that_lapses_leaves_nothing_in_the_audit(aws, frozen_clock):
    applicant_id, _, _, _ = _sign_up(notice_version=rules.versions.current().id)
    frozen_clock.travel(timedelta(hours=24, seconds=1))
    signup.remove_lapsed()
    with pytest.raises(Applicant.DoesNotExist):
        Applicant.get(applicant_id)
    assert _acknowledgements(applicant_id) == []


def test_a_new_version_is_shown_until_read_once_and_only_the_version_in_force_can_be_read(aws, frozen_clock, new_version):
    earlier = rules.PUBLISHED[-1]
    rules.versions.reset()
    applicant_id, email, code, _ = _sign_up(notice_version=earlier.id)
    signup.confirm(ConfirmRequest(email=email, code=code))
    assert privacy_notice.to_show(applicant_id) is None
    rules.versions.publish(new_version)  # published after the person signed up

    assert privacy_notice.to_show(applicant_id) == new_version
    person = _as_applicant(applicant_id)
    with pytest.raises(ValidationFailed) as refused:  # a page left open on the old version
        privacy_notice.acknowledge(person, earlier.id)
    assert refused.value.details["reason"] == "notice_changed"
    assert privacy_notice.to_show(applicant_id) == new_version

    frozen_clock.travel(timedelta(days=40))
    read = privacy_notice.acknowledge(person, new_version.id)
    assert read.notice_version == new_version.id and abs(read.notice_seen_at - clock.now()) < timedelta(seconds=5)
    assert privacy_notice.to_show(applicant_id) is None
    at_sign_up, again = sorted(_acknowledgements(applicant_id), key=lambda r: r.entry)
    assert again.before.as_dict() == {"notice_version": earlier.id}
    assert again.after.as_dict()["notice_version"] == new_version.id

    assert privacy_notice.acknowledge(person, new_version.id) == read  # pressed twice: one record
    assert len(_acknowledgements(applicant_id)) == 2


def test_the_e_devlet_contact_step_records_the_version_it_showed(aws, frozen_clock):
    in_force = rules.versions.current()
    number = _resident()
    applicant_id = edevlet.start_account(
        number, f"+90555{uuid.uuid4().int % 10**7:07d}", f"edevlet.{uuid.uuid4().hex[:8]}@example.net", "fa", notice_version=in_force.id,
    )
    stored = Applicant.get(applicant_id)
    assert stored.sign_in_method == edevlet.EDEVLET and stored.notice_version == in_force.id and stored.notice_seen_at is not None


def test_the_notice_reads_the_same_in_the_api_s_answer_as_in_the_catalogue(aws):
    answer = privacy_notice.notice("fa")
    assert answer.version == rules.versions.current().id and answer.language == "fa"
    assert [s.heading for s in answer.sections] == [text(s.heading, "fa") for s in rules.SECTIONS]
    assert all("{" not in item for s in answer.sections for item in [*s.paragraphs, *s.items])
