"""Honest assigned mode (issue 12, item 8): days are offered only while the permit is in force,
and a request the system can no longer serve is withdrawn with a reason a person can be told."""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.domain import assignment as rules
from chalicelib.domain.catalogue import PermitStatus, find_directorate, find_service
from chalicelib.domain.eligibility import Residency, last_day_offered, permit_ends_before

HORIZON_END = date(2026, 12, 21)
SERVICE = find_service("address_registration")
TOMORROW = date(2026, 12, 1)


def residency(valid_until: date, province: str = "34", status: PermitStatus = PermitStatus.RESIDENCE_PERMIT) -> Residency:
    return Residency(document_number="99000000000", permit_status=status, valid_until=valid_until, province=province)


def test_the_last_day_offered_is_the_permits_last_day_when_it_ends_inside_the_horizon():
    ends = HORIZON_END - timedelta(days=5)
    assert last_day_offered(residency(ends), HORIZON_END) == ends
    assert permit_ends_before(residency(ends), HORIZON_END) == ends


def test_a_permit_in_force_through_the_horizon_cuts_nothing_and_is_not_mentioned():
    for valid_until in (HORIZON_END, HORIZON_END + timedelta(days=1), HORIZON_END + timedelta(days=400)):
        assert last_day_offered(residency(valid_until), HORIZON_END) == HORIZON_END
        assert permit_ends_before(residency(valid_until), HORIZON_END) is None


def test_without_a_registry_record_nothing_is_cut_here_the_booking_refuses():
    assert last_day_offered(None, HORIZON_END) == HORIZON_END
    assert permit_ends_before(None, HORIZON_END) is None


def test_a_request_is_withdrawn_for_the_reason_a_person_can_be_told():
    fatih = find_directorate("34-fatih")
    good = residency(TOMORROW + timedelta(days=100))
    assert rules.reason_to_withdraw(SERVICE, good, "34", fatih, TOMORROW) is None
    assert rules.reason_to_withdraw(SERVICE, good, "34", None, TOMORROW) is None
    moved = residency(TOMORROW + timedelta(days=100), province="06")
    assert rules.reason_to_withdraw(SERVICE, moved, "34", fatih, TOMORROW) == rules.MOVED_PROVINCE
    assert rules.reason_to_withdraw(SERVICE, moved, "34", None, TOMORROW) == rules.MOVED_PROVINCE
    assert rules.reason_to_withdraw(SERVICE, residency(TOMORROW - timedelta(days=1)), "34", fatih, TOMORROW) == rules.PERMIT_ENDED
    assert rules.reason_to_withdraw(SERVICE, residency(TOMORROW), "34", fatih, TOMORROW) is None  # valid on the day itself
    assert rules.reason_to_withdraw(SERVICE, None, "34", fatih, TOMORROW) == rules.NOT_ELIGIBLE
    application = find_service("residence_permit_application")  # not for temporary protection
    protected = residency(TOMORROW + timedelta(days=100), status=PermitStatus.TEMPORARY_PROTECTION)
    assert rules.reason_to_withdraw(application, protected, "34", fatih, TOMORROW) == rules.NOT_ELIGIBLE
    protection = find_service("temporary_protection")  # offered at 34-merkez only
    assert rules.reason_to_withdraw(protection, protected, "34", fatih, TOMORROW) == rules.NOT_OFFERED

def test_every_reason_the_system_gives_has_a_text_in_six_languages():
    from chalicelib.i18n import MESSAGES

    for reason in (*rules.SYSTEM_REASONS, rules.BY_APPLICANT):
        assert set(MESSAGES[f"request.withdrawn.{reason}"]) >= {"tr", "en", "ar", "fa", "ru", "uk"}, reason
