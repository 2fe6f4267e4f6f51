"""The retention schedule's rules (domain/retention.py): every period is stated with its reason,
the due dates fall where the schedule says, and a lock always outlasts the grace's start."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain import retention
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.lockout import LOCK_PERIOD


def test_every_period_says_how_long_from_when_what_then_by_what_and_why():
    assert len({p.data for p in retention.SCHEDULE}) == len(retention.SCHEDULE)
    for period in retention.SCHEDULE:
        shown = period.as_dict()
        assert set(shown) == {"data", "kept", "counted_from", "then", "applied_by", "reason"}
        assert all(shown.values()), period.data
        assert period.then in (retention.DELETED, retention.REMOVED, retention.ANONYMISED)
        assert len(period.reason) > 60, period.data  # a reason, not a label
    for data in ("pending_sign_up", "web_session", "sign_in_challenge", "idempotency_record", "notification_body",
                 "appointment", "assignment_request", "audit_record", "closed_account_profile", "released_identity"):
        assert retention.period(data)
    assert retention.period("appointment").then == retention.ANONYMISED  # the statistics stay true
    assert retention.period("notification_body").then == retention.REMOVED  # the delivery record stays


def test_the_years_count_calendar_days_and_a_leap_day_moves_to_the_first_of_march():
    assert retention.years_after(date(2026, 5, 4), 2) == date(2028, 5, 4)
    assert retention.years_after(date(2028, 2, 29), 2) == date(2030, 3, 1)
    # The appointment's day is Istanbul's: 22:30 UTC on 4 May is already 5 May there.
    assert retention.appointment_due(datetime(2026, 5, 4, 22, 30, tzinfo=ISTANBUL)) == date(2028, 5, 4)
    late_utc = datetime.fromisoformat("2026-05-04T22:30:00+00:00")
    assert retention.appointment_due(late_utc) == date(2028, 5, 5)
    assert retention.audit_due(late_utc) == date(2036, 5, 5)
    assert retention.request_due(late_utc) == date(2028, 5, 5)


def test_a_closed_or_released_account_outlives_its_lock_by_the_grace():
    closed = datetime.fromisoformat("2026-06-01T09:00:00+00:00")
    assert retention.profile_free_at(closed, None) == closed + retention.ACCOUNT_GRACE
    lock = closed + LOCK_PERIOD
    assert retention.profile_free_at(closed, lock) == lock + retention.ACCOUNT_GRACE
    assert retention.profile_free_at(closed, closed - timedelta(days=3)) == closed + retention.ACCOUNT_GRACE  # an old lock


@pytest.mark.parametrize("item_id", ["a", "3f1c", "9d8e7f6a-0000-4000-8000-000000000001"])
def test_a_due_key_names_its_day_and_a_stable_shard(item_id):
    key = retention.due_key(date(2028, 5, 5), item_id)
    assert key == retention.due_key(date(2028, 5, 5), item_id)
    assert key in retention.due_keys(date(2028, 5, 5))
    assert retention.day_of(key) == date(2028, 5, 5)
    assert retention.is_due(key, date(2028, 5, 5)) and not retention.is_due(key, date(2028, 5, 4))


def test_shards_spread_a_busy_day():
    shards = {retention.shard_of(str(n)) for n in range(200)}
    assert shards == set(range(retention.SHARDS))


def test_an_anonymous_id_leads_to_nobody_and_is_unique():
    assert retention.anonymous_id("x") != retention.anonymous_id("y")
    assert retention.is_anonymous(retention.anonymous_id("x")) and not retention.is_anonymous("x") and not retention.is_anonymous(None)


def test_the_audit_erasure_never_touches_who_what_or_when():
    assert set(retention.AUDIT_ERASED_ATTRIBUTES) == {"before", "after", "reason", "retention_due"}
