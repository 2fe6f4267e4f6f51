"""The arithmetic of windows and of the circuit breaker (domain/limits.py), and the route table
(api/rate_limits.py): every public route and every route that books or sends a message counts."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.api import rate_limits
from chalicelib.domain import limits
from chalicelib.domain.limits import RateLimits

T0 = datetime(2026, 12, 1, 7, 0, 0, tzinfo=timezone.utc)  # 10:00 in Istanbul, the start of an hour


def at(minutes: float) -> datetime:
    return datetime.fromtimestamp(T0.timestamp() + minutes * 60, tz=timezone.utc)


def test_an_hour_window_ends_on_the_hour_and_the_next_one_is_another_counter():
    assert limits.window_of(at(0), limits.HOUR) == limits.window_of(at(59.9), limits.HOUR) != limits.window_of(at(60), limits.HOUR)
    assert limits.seconds_until_window_ends(at(45), limits.HOUR) == 900
    assert limits.seconds_until_window_ends(at(0.5), limits.MINUTE) == 30
    assert limits.window_of(at(0), limits.DAY) == "2026-12-01"  # the Istanbul day, as the daily limits


def test_the_breaker_opens_at_the_threshold_and_its_wait_is_when_the_estimate_falls_below_it():
    assert not limits.breaker_open(0, 99, at(10), 100)
    assert limits.breaker_open(0, 100, at(10), 100)
    # 100 sent in the last hour, all in this one: 40 minutes to its end, then 0 more (100·(1−0) ≥ 100).
    assert limits.seconds_until_breaker_closes(0, 100, at(20), 100) == 40 * 60 + 1
    # 200 this hour: next hour it weighs 200·(1 − t) < 100 from t = 30 minutes.
    assert limits.seconds_until_breaker_closes(0, 200, at(20), 100) == 70 * 60 + 1
    # Last hour's 150 and this hour's 25, 10 minutes in: 25 + 150·(1 − t) < 100 from t = 30 minutes.
    assert limits.breaker_open(150, 25, at(10), 100)
    assert limits.seconds_until_breaker_closes(150, 25, at(10), 100) == 20 * 60 + 1
    assert not limits.breaker_open(150, 25, at(30.1), 100)
    assert limits.seconds_until_breaker_closes(10, 5, at(10), 100) == 0


def test_every_limit_can_be_set_from_the_environment_and_unset_ones_keep_their_defaults():
    configured = RateLimits.from_environment({"RATE_LIMIT_PHONE_CODES_PER_HOUR": "2", "UNRELATED": "x"})
    assert configured.phone_codes_per_hour == 2
    assert configured.phone_codes_per_day == RateLimits().phone_codes_per_day
    # The SMS-pumping defaults: a handful of codes per phone, at most three accounts on it.
    assert RateLimits().phone_codes_per_hour <= RateLimits().phone_codes_per_day <= 10
    assert limits.LIVE_ACCOUNTS_PER_PHONE == 3


def test_every_public_route_and_every_route_that_books_or_sends_counts_and_the_table_names_only_real_routes():
    import app

    registered = {(method, path) for path, entries in app.app.routes.items() for method in entries}
    assert set(rate_limits.ROUTES) <= registered  # no stale rows
    for (method, path), endpoint in app.api.endpoints.items():
        if not endpoint.roles and not endpoint.wants_caller:  # public
            assert rate_limits.IP_REQUESTS in rate_limits.rules_for(method, path), (method, path)
    books_or_sends = {
        ("POST", "/v1/auth/signup"), ("POST", "/v1/auth/resend-code"), ("POST", "/v1/auth/forgot-password"),
        ("POST", "/v1/appointments"), ("PATCH", "/v1/appointments/{appointment_id}"),
        ("DELETE", "/v1/appointments/{appointment_id}"), ("POST", "/v1/assignment-requests"),
        ("POST", "/v1/staff/directorates/{directorate_id}/closures"),
        ("POST", "/sign-up"), ("POST", "/password/forgot"), ("POST", "/sign-in/e-devlet/contact"),
        ("POST", "/book/check"), ("POST", "/book/request"), ("POST", "/staff/closure"),
    }
    for method, path in books_or_sends:
        assert any(rule is not rate_limits.IP_REQUESTS for rule in rate_limits.ROUTES[(method, path)]), (method, path)
    # Every portal page counts at least the client's requests.
    assert rate_limits.rules_for("GET", "/some/page", portal=True) == rate_limits.PORTAL_DEFAULT
