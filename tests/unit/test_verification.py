"""One-time codes: a code passes only for the account and the purpose it was sent for, within
its time and attempts; and a new one is not sent while the last one is fresh."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import verification
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.verification import PASSWORD_RESET, SIGN_UP, PendingCode, check_code, code_digest, resend_threshold

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
ACCOUNT = "3f1c0c7e-8d0b-4e55-9a57-0a5d2f3c9b11"


def pending(code: str, purpose: str, attempts: int = 0, expires_at: datetime = NOW + timedelta(minutes=15)) -> PendingCode:
    return PendingCode(code_digest(ACCOUNT, code, purpose), expires_at, attempts)


def reason(call) -> str:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return refused.value.details["reason"]


def test_a_code_passes_for_the_purpose_it_was_sent_for():
    check_code(ACCOUNT, "123456", pending("123456", PASSWORD_RESET), NOW, 5, PASSWORD_RESET)
    check_code(ACCOUNT, "123456", pending("123456", SIGN_UP), NOW, 5)


def test_a_sign_up_code_never_resets_a_password_nor_the_other_way_round():
    assert code_digest(ACCOUNT, "123456", SIGN_UP) != code_digest(ACCOUNT, "123456", PASSWORD_RESET)
    sign_up_code = pending("123456", SIGN_UP)
    assert reason(lambda: check_code(ACCOUNT, "123456", sign_up_code, NOW, 5, PASSWORD_RESET)) == "code_incorrect"
    reset_code = pending("123456", PASSWORD_RESET)
    assert reason(lambda: check_code(ACCOUNT, "123456", reset_code, NOW, 5, SIGN_UP)) == "code_incorrect"


def test_sign_up_digests_keep_their_old_form_so_codes_already_sent_still_work():
    assert code_digest(ACCOUNT, "123456") == hashlib.sha256(f"{ACCOUNT}:123456".encode()).hexdigest()


def test_a_code_belongs_to_one_account():
    other = PendingCode(code_digest("another-account", "123456", PASSWORD_RESET), NOW + timedelta(minutes=15), 0)
    assert reason(lambda: check_code(ACCOUNT, "123456", other, NOW, 5, PASSWORD_RESET)) == "code_incorrect"


def test_an_expired_code_or_one_tried_too_often_is_refused_even_when_right():
    expired = pending("123456", PASSWORD_RESET, expires_at=NOW - timedelta(seconds=1))
    assert reason(lambda: check_code(ACCOUNT, "123456", expired, NOW, 5, PASSWORD_RESET)) == "code_expired"
    exhausted = pending("123456", PASSWORD_RESET, attempts=5)
    assert reason(lambda: check_code(ACCOUNT, "123456", exhausted, NOW, 5, PASSWORD_RESET)) == "too_many_attempts"
    check_code(ACCOUNT, "123456", pending("123456", PASSWORD_RESET, attempts=4), NOW, 5, PASSWORD_RESET)


def test_no_new_code_while_the_last_one_is_less_than_the_interval_old():
    interval, ttl = timedelta(seconds=60), 15
    threshold = resend_threshold(NOW, ttl, interval)
    sent_59_seconds_ago = verification.expiry(NOW - timedelta(seconds=59), ttl)
    sent_60_seconds_ago = verification.expiry(NOW - timedelta(seconds=60), ttl)
    assert sent_59_seconds_ago > threshold  # too recent: no new code
    assert sent_60_seconds_ago <= threshold  # old enough: a new code may go
