"""Rate limits at service level, with the default numbers (the services' stack sets none) and a
controlled clock: the client-IP rules of the route table, and the national circuit breaker on
verification SMS that trips and recovers by itself."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from chalicelib import wiring
from chalicelib.adapters.tables import Applicant
from chalicelib.api import rate_limits
from chalicelib.contract import ForgotPasswordRequest, ResendCodeRequest, SignupRequest
from chalicelib.clock import clock
from chalicelib.domain.errors import RateLimited
from chalicelib.domain.limits import RateLimits
from chalicelib.services import accounts, signup
from chalicelib.settings import reset_settings
from tests.services.test_password_reset import sms_to


def _fresh_hour(days: int) -> datetime:
    """Move the clock to the start of an hour no other test counts in; returns that start."""
    now = clock.now()
    target = (now + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    clock.travel(target - now)
    return target


def _seconds_until(moment: datetime) -> float:
    """From now to `moment`. The clock runs on with real time while a test makes its calls, so
    a Retry-After is compared with this, not with a figure that assumes the calls took no time."""
    return (moment - clock.now()).total_seconds()


def _active_applicant() -> tuple[str, str]:
    email, phone = f"limits.{uuid.uuid4().hex[:12]}@example.net", f"+90555{uuid.uuid4().int % 10**7:07d}"
    applicant_id = wiring.accounts().create_login(email, "Secret123pass")
    now = clock.now()
    Applicant(
        applicant_id, status="active", document_type="foreign_id", document_number=f"99{uuid.uuid4().int % 10**9:09d}",
        nationality="SYR", given_name="Test", family_name="Person", birth_date="1990-01-01",
        email=email, phone=phone, language="en", created_at=now, updated_at=now,
    ).save()
    return email, phone


def test_one_client_ip_gets_the_default_number_of_sign_ups_an_hour_and_another_is_not_affected(aws, frozen_clock):
    hour = _fresh_hour(days=50)
    rules = rate_limits.rules_for("POST", "/v1/auth/signup")
    allowed = RateLimits().ip_sign_ups_per_hour
    for _ in range(allowed):
        rate_limits.enforce(rules, rate_limits.IP, "203.0.113.7")
    with pytest.raises(RateLimited) as refused:
        rate_limits.enforce(rules, rate_limits.IP, "203.0.113.7")
    left = _seconds_until(hour + timedelta(hours=1))  # the hour's end
    assert left - 1 <= refused.value.details["retry_after_seconds"] <= left + 5
    assert refused.value.details["limit"] == "ip-sign-ups"
    rate_limits.enforce(rules, rate_limits.IP, "198.51.100.9")  # another client
    clock.travel(timedelta(hours=1))
    rate_limits.enforce(rules, rate_limits.IP, "203.0.113.7")  # a new hour


def test_the_national_circuit_breaker_pauses_codes_then_recovers_by_itself(aws, frozen_clock, monkeypatch, capsys):
    monkeypatch.setenv("RATE_LIMIT_VERIFICATION_SMS_PER_HOUR", "4")
    reset_settings()
    try:
        hour = _fresh_hour(days=60)
        people = [_active_applicant() for _ in range(5)]
        for email, _ in people[:4]:
            accounts.forgot_password(ForgotPasswordRequest(email=email))
        assert all(len(sms_to(phone)) == 1 for _, phone in people[:4])

        clock.travel(timedelta(minutes=30))
        capsys.readouterr()
        with pytest.raises(RateLimited) as paused:
            accounts.forgot_password(ForgotPasswordRequest(email=people[4][0]))
        # This hour's four hold the breaker open until the next hour starts: from then on they count
        # weighted down as that hour goes on, and the estimate falls below four.
        assert paused.value.details["reason"] == "sms_paused"
        left = _seconds_until(hour + timedelta(hours=1))  # the next hour's start
        assert left - 1 <= paused.value.details["retry_after_seconds"] <= left + 5
        assert "VerificationSmsCircuitOpen" in capsys.readouterr().out  # the metric the alarm watches
        with pytest.raises(RateLimited):  # answered to everyone, even an email nobody has
            signup.resend_code(ResendCodeRequest(email="nobody@example.net"))
        # and to a sign-up a stranger makes with a number the registry never held: the pause must
        # not tell "your details match" (429) from "not eligible" (403)
        with pytest.raises(RateLimited):
            signup.sign_up(SignupRequest.model_validate({
                "document_type": "passport", "document_number": "ZZ9999999", "nationality": "SY", "given_name": "Nobody",
                "family_name": "Known", "birth_date": "1990-01-01", "email": "stranger@example.net",
                "phone": "+905551234567", "password": "Secret123pass", "language": "en",
            }))
        assert sms_to(people[4][1]) == []

        clock.travel(timedelta(seconds=1801))
        accounts.forgot_password(ForgotPasswordRequest(email=people[4][0]))
        assert len(sms_to(people[4][1])) == 1  # closed again, with nobody doing anything
    finally:
        monkeypatch.delenv("RATE_LIMIT_VERIFICATION_SMS_PER_HOUR")
        reset_settings()
