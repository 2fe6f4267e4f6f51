"""Sign-up at the use-case level, under a moved clock: a pending sign-up lapses after 24 hours
and the hourly schedule removes it and its login (read through the sparse index)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends
from stdnum.tr import tckimlik

from chalicelib import wiring
from chalicelib.adapters.tables import Applicant, IdentityClaim
from chalicelib.contract import ConfirmRequest, ImportResidentsRequest, SignupRequest
from chalicelib.clock import clock
from chalicelib.domain.errors import ValidationFailed
from chalicelib.services import registry, signup
from tests.services.conftest import REGION


def _resident() -> str:
    body = "99" + f"{uuid.uuid4().int % 10**7:07d}"
    number = body + tckimlik.calc_check_digits(body)
    registry.import_residents(ImportResidentsRequest.model_validate({"records": [{
        "document_number": number, "permit_status": "residence_permit", "province": "34",
        "permit_valid_until": (clock.today() + timedelta(days=400)).isoformat(),
        "given_name": "Olena", "family_name": "Kovalenko", "birth_date": "1985-03-02", "nationality": "UA",
    }]}))
    return number


def _sign_up(number: str) -> tuple[str, str, str]:
    email, phone = f"lapse.{uuid.uuid4().hex[:10]}@example.net", f"+90555{uuid.uuid4().int % 10**7:07d}"
    answer = signup.sign_up(SignupRequest.model_validate({
        "document_type": "foreign_id", "document_number": number, "nationality": "UA", "given_name": "OLENA",
        "family_name": "kovalenko", "birth_date": "1985-03-02", "email": email, "phone": phone,
        "password": "Secret123pass", "language": "uk",
    }))
    code = re.search(r"\b(\d{6})\b", [b for to, b in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == phone][-1]).group(1)
    return answer.applicant_id, email, code


def test_a_pending_sign_up_lapses_after_24_hours_and_the_schedule_removes_it(aws, frozen_clock):
    number = _resident()
    lapsing, lapsing_email, lapsing_code = _sign_up(number)
    frozen_clock.travel(timedelta(hours=23))
    younger, _, _ = _sign_up(number)
    confirmed, confirmed_email, confirmed_code = _sign_up(number)
    signup.confirm(ConfirmRequest(email=confirmed_email, code=confirmed_code))

    frozen_clock.travel(timedelta(hours=1, seconds=1))
    # Lapsed though not yet removed: its code no longer works (moto never expires TTL items).
    with pytest.raises(ValidationFailed):
        signup.confirm(ConfirmRequest(email=lapsing_email, code=lapsing_code))
    assert signup.remove_lapsed()["removed"] >= 1

    with pytest.raises(Applicant.DoesNotExist):
        Applicant.get(lapsing)
    assert wiring.accounts().find(lapsing_email) is None
    assert Applicant.get(younger).status == "pending_verification"  # 1 hour old: stays
    assert Applicant.get(confirmed).status == "active"
    assert IdentityClaim.get(registry.identity_claim(number)).applicant_id == confirmed
    stored = Applicant.get(younger)
    assert stored.expires is not None and stored.expires > stored.pending_expires_at  # TTL only a backstop


def test_a_pending_sign_up_signed_in_at_cognito_directly_carries_no_role_until_confirmed(aws, frozen_clock):
    """Whoever made a pending sign-up knows its password, and Cognito's public client would sign
    them in without asking the service: such a token must open no route of an applicant."""
    from chalicelib.domain.roles import Role
    from chalicelib.services import auth

    _, email, code = _sign_up(_resident())

    def token_straight_from_cognito() -> str:
        settings = wiring.get_settings()
        answer = wiring.accounts()._client.initiate_auth(
            ClientId=settings.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": "Secret123pass"},
        )
        return answer["AuthenticationResult"]["AccessToken"]

    assert auth.authenticate(f"Bearer {token_straight_from_cognito()}").roles == frozenset()
    signup.confirm(ConfirmRequest(email=email, code=code))
    assert auth.authenticate(f"Bearer {token_straight_from_cognito()}").roles == frozenset({Role.APPLICANT})


def test_two_resends_at_the_same_moment_send_one_code(aws, frozen_clock):
    """The interval between codes is held by a conditional write, not by a read before it."""
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.contract import ResendCodeRequest
    from chalicelib.domain.errors import RateLimited

    applicant_id, email, _ = _sign_up(_resident())
    phone = Applicant.get(applicant_id).phone
    sent = lambda: sum(1 for to, _ in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == phone)
    before = sent()
    frozen_clock.travel(timedelta(seconds=61))

    def resend():
        try:
            signup.resend_code(ResendCodeRequest(email=email))
            return "sent"
        except RateLimited:
            return "refused"

    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(lambda _: resend(), range(4)))
    assert answers.count("sent") == 1 and sent() == before + 1
