"""Lateness: a no-show is recorded only once the directorate's grace period after the start has
passed (the person may still come until then); a late arrival may then be refused, or still
received; the grace is in the confirmation and the reminder."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from chalicelib.domain import notices
from chalicelib.domain.attendance import Outcome, late_from, require_in_time
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import DEFAULT_GRACE_MINUTES, DIRECTORATES, find_directorate, find_service
from chalicelib.domain.errors import ValidationFailed

START = datetime(2026, 3, 4, 10, 0, tzinfo=ISTANBUL)


def test_a_no_show_is_recorded_only_once_the_grace_period_has_passed():
    with pytest.raises(ValidationFailed) as refused:
        require_in_time(Outcome.NO_SHOW, START, START + timedelta(minutes=14, seconds=59), 15)
    assert refused.value.details == {"field": "outcome", "grace_minutes": 15, "no_show_from": "2026-03-04T10:15:00+03:00"}
    assert "10:15" in refused.value.message
    require_in_time(Outcome.NO_SHOW, START, START + timedelta(minutes=15), 15)
    require_in_time(Outcome.NO_SHOW, START, START + timedelta(hours=5), 15)


def test_attended_may_be_recorded_at_any_time_after_the_start():
    """Staff may receive a late person, and a counter may record the morning's visits later."""
    for after in (timedelta(minutes=1), timedelta(minutes=16), timedelta(hours=5)):
        require_in_time(Outcome.ATTENDED, START, START + after, 15)


def test_each_directorate_has_its_grace_fifteen_minutes_unless_its_entry_says_otherwise():
    assert {d.grace_minutes for d in DIRECTORATES} == {DEFAULT_GRACE_MINUTES} == {15}
    fatih = find_directorate("34-fatih")
    assert late_from(START, replace(fatih, grace_minutes=5).grace_minutes) == START + timedelta(minutes=5)
    for wrong in (-1, 61):
        with pytest.raises(ValueError):
            replace(fatih, grace_minutes=wrong)


@pytest.mark.parametrize("language, says", [("tr", "15 dakika"), ("en", "15 minutes"), ("ar", "15 دقيقة")])
def test_the_confirmation_and_reminder_emails_tell_the_grace_of_the_directorate(language, says):
    facts = notices.AppointmentFacts(
        appointment_id="a", reference="GOC-ABCDEFGH", booked_at=START - timedelta(days=3), start=START,
        end=START + timedelta(minutes=30), directorate=find_directorate("34-fatih"),
        service=find_service("address_registration"), given_name="Ayşe", email="a@example.org",
        language=language, portal_url="https://example.org",
    )
    assert says in notices.confirmation(facts, "x@example.org").email_body
    assert says in notices.reminder(facts, "x@example.org", "123456").email_body
    later = replace(facts, directorate=replace(facts.directorate, grace_minutes=10))
    assert says.replace("15", "10") in notices.reminder(later, "x@example.org", "123456").email_body
    # Not in the SMS: the Arabic reminder (UCS-2) has no room left within its segment budget, nor
    # has a Turkish or English one that carries a name in another script; the email says it.
