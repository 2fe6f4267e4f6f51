"""A forgotten password at the use-case level, on the in-process emulator: what the HTTP tests
cannot reach or cannot time without sleeping. Cognito refusing the new password, the 60-second
interval and the code's lifetime under a moved clock, and one code used many times at once."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib import wiring
from chalicelib.adapters.cognito import InvalidCredentials, PasswordRejected
from chalicelib.adapters.tables import Applicant
from chalicelib.contract import ForgotPasswordRequest, ResetPasswordRequest
from chalicelib.clock import clock
from chalicelib.domain import limits
from chalicelib.domain.errors import ValidationFailed
from chalicelib.services import accounts
from chalicelib.settings import get_settings
from tests.services.conftest import REGION

OLD_PASSWORD = "Secret123pass"


@dataclass(frozen=True)
class Member:
    email: str
    phone: str
    applicant_id: str


@pytest.fixture
def member(aws, frozen_clock) -> Member:
    """An active applicant with a confirmed login, as sign-up and confirmation leave one."""
    email = f"reset.{uuid.uuid4().hex[:12]}@example.net"
    phone = f"+90555{uuid.uuid4().int % 10**7:07d}"
    login = wiring.accounts()
    applicant_id = login.create_login(email, OLD_PASSWORD)
    login.add_to_group(email, "applicant")
    now = clock.now()
    Applicant(
        applicant_id, status="active", document_type="foreign_id", document_number=f"99{uuid.uuid4().int % 10**9:09d}",
        nationality="SYR", given_name="Test", family_name="Person", birth_date="1990-01-01",
        email=email, phone=phone, language="en", created_at=now, updated_at=now,
    ).save()
    return Member(email, phone, applicant_id)


def sms_to(phone: str) -> list[str]:
    return [body for to, body in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == phone]


def latest_code(member: Member) -> str:
    return re.search(r"\b(\d{6})\b", sms_to(member.phone)[-1]).group(1)


def forgot(member: Member) -> None:
    assert accounts.forgot_password(ForgotPasswordRequest(email=member.email)).status == "accepted"


def reset(member: Member, code: str, password: str = "NewSecret123pass"):
    return accounts.reset_password(ResetPasswordRequest(email=member.email, code=code, password=password))


def refused_field(call) -> str:
    with pytest.raises(ValidationFailed) as refused:
        call()
    [problem] = refused.value.details["fields"]
    return problem["field"]


def signs_in(member: Member, password: str) -> bool:
    try:
        wiring.accounts().login(member.email, password)
    except InvalidCredentials:
        return False
    return True


def test_a_password_cognito_refuses_leaves_the_code_usable(member, monkeypatch):
    forgot(member)
    code = latest_code(member)

    def refuse(email, password):
        raise PasswordRejected("Password does not conform to policy")

    with monkeypatch.context() as patched:
        patched.setattr(wiring.accounts(), "set_password", refuse)
        assert refused_field(lambda: reset(member, code)) == "password"
    assert Applicant.get(member.applicant_id).reset_code_hash is not None  # put back, not consumed

    assert reset(member, code).status == "password_changed"
    assert signs_in(member, "NewSecret123pass") and not signs_in(member, OLD_PASSWORD)
    stored = Applicant.get(member.applicant_id)
    assert (stored.reset_code_hash, stored.reset_expires_at, stored.reset_attempts) == (None, None, None)


def test_a_new_code_goes_out_only_a_minute_after_the_last_and_replaces_it(member):
    forgot(member)
    first = latest_code(member)
    # 50 s on, not 59: the real time the first request and this one take runs on the clock too,
    # and on a busy machine it passed the last second of the minute.
    clock.travel(timedelta(seconds=50))
    forgot(member)
    assert len(sms_to(member.phone)) == 1  # too soon: the same answer, and nothing sent

    clock.travel(timedelta(seconds=11))
    forgot(member)
    assert len(sms_to(member.phone)) == 2
    second = latest_code(member)
    if second != first:  # one in a million they are equal, and then there is nothing to tell apart
        assert refused_field(lambda: reset(member, first)) == "code"
    assert reset(member, second).status == "password_changed"


def test_a_code_expires_after_its_lifetime(member):
    forgot(member)
    code = latest_code(member)
    clock.travel(timedelta(minutes=get_settings().verification_code_ttl_minutes, seconds=1))
    assert refused_field(lambda: reset(member, code)) == "code"
    assert signs_in(member, OLD_PASSWORD)


def test_one_code_used_many_times_at_once_changes_the_password_once(member):
    forgot(member)
    code = latest_code(member)
    passwords = [f"Racer{i}Secret123" for i in range(8)]

    def attempt(password: str) -> bool:
        try:
            reset(member, code, password)
        except ValidationFailed:
            return False
        return True

    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        outcomes = list(pool.map(attempt, passwords))
    assert outcomes.count(True) == 1
    winner = passwords[outcomes.index(True)]
    assert signs_in(member, winner)
    assert not any(signs_in(member, p) for p in passwords if p != winner)


def test_guesses_sent_at_once_cannot_exceed_the_allowed_attempts(member):
    forgot(member)
    code = latest_code(member)
    wrong = [f"{(int(code) + i) % 1_000_000:06d}" for i in range(1, 21)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        fields = list(pool.map(lambda guess: refused_field(lambda: reset(member, guess)), wrong))
    assert set(fields) == {"code"}
    # Each attempt is counted before its answer is known: no more than the maximum were judged.
    assert Applicant.get(member.applicant_id).reset_attempts == limits.ATTEMPTS_PER_CODE
    assert refused_field(lambda: reset(member, code)) == "code"
    assert signs_in(member, OLD_PASSWORD)


def test_staff_and_pending_accounts_get_no_code(member):
    staff_email = f"staff.{uuid.uuid4().hex[:12]}@example.org"
    wiring.accounts().create_confirmed(staff_email, "StaffPass123", "staff")
    accounts.forgot_password(ForgotPasswordRequest(email=staff_email))
    Applicant(member.applicant_id).update(actions=[Applicant.status.set("pending_verification")])
    forgot(member)
    assert sms_to(member.phone) == []
    assert Applicant.get(member.applicant_id).reset_code_hash is None
