"""The second factor's race, played in a fixed order: of right answers sent at once, exactly one
gets the token, even when a loser hears from Cognito (its session already spent by the winner)
before the winner has closed the challenge. CI once saw four right answers all refused."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from chalicelib.adapters.cognito import ChallengeExpired, MfaRequired, Tokens
from chalicelib.contract import MfaRequest
from chalicelib.domain.errors import Unauthenticated
from chalicelib.services import second_factor

CODE = "123456"


class CognitoWhoseSessionWorksOnce:
    """Cognito's SOFTWARE_TOKEN_MFA step as AWS (and moto) answer it: the first right code spends
    the session; every later answer is NotAuthorized (ChallengeExpired here). `meanwhile` runs
    after the first answer is issued and before the service sees it: the loser's whole request."""

    def __init__(self) -> None:
        self.spent = False
        self.meanwhile = lambda: None

    def answer_mfa(self, email: str, session: str, code: str) -> Tokens:
        if self.spent:
            raise ChallengeExpired()
        self.spent = True
        self.meanwhile()
        return Tokens(access_token="the-token", expires_in=3600)


@pytest.fixture
def cognito(aws, monkeypatch):
    fake = CognitoWhoseSessionWorksOnce()
    monkeypatch.setattr(wiring, "accounts", lambda: fake)
    return fake


def test_a_right_answer_that_loses_the_race_to_cognito_does_not_take_the_winners_token(cognito):
    session = second_factor.challenge("clerk@example.org", MfaRequired(session="cognito-session")).session
    losers: list[Unauthenticated] = []

    def the_loser_answers() -> None:
        with pytest.raises(Unauthenticated) as refused:
            second_factor.answer(MfaRequest(session=session, code=CODE))
        losers.append(refused.value)

    cognito.meanwhile = the_loser_answers
    won = second_factor.answer(MfaRequest(session=session, code=CODE))

    assert won.access_token == "the-token"
    assert [loser.details["reason"] for loser in losers] == ["sign_in_again"]
    with pytest.raises(Unauthenticated) as replayed:  # the challenge is closed: it gives no second token
        second_factor.answer(MfaRequest(session=session, code=CODE))
    assert replayed.value.details["reason"] == "sign_in_again"
