"""An access token issued before a password reset or a sign-out everywhere is refused at once
by the instance that revoked it (and within 60 s by every other: tests/unit/test_revocation.py),
while a token issued after it works. The portal's session ends with its token."""

from __future__ import annotations

import re
import time

import jwt

from tests.http.client import Api
from tests.http.test_accounts import signed_up_and_confirmed
from tests.http.test_password_reset import NEW_PASSWORD, forgot, reset, sms_to
from tests.http.test_tokens import me_status, signed


def issued_a_minute_ago(token: str) -> str:
    """The same token as if issued a minute ago, signed with the pool's key: a token that
    certainly predates a revocation made now (a real token's `iat` has whole seconds, so one
    issued in the second of the revocation is, by design, still accepted)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return signed(claims, iat=int(time.time()) - 60)


def test_a_password_reset_refuses_every_earlier_token_and_the_new_sign_in_works(api: Api, admin_token: str):
    person, token = signed_up_and_confirmed(api, admin_token)
    earlier = issued_a_minute_ago(token)
    assert me_status(api, earlier) == 200

    forgot(api, person.email)
    code = re.search(r"\b(\d{6})\b", sms_to(api, person.phone)[-1]).group(1)
    assert reset(api, person.email, code).status_code == 200

    assert me_status(api, earlier) == 401
    assert me_status(api, api.login(person.email, NEW_PASSWORD)) == 200


def test_sign_out_everywhere_refuses_earlier_tokens_only(api: Api, admin_token: str):
    person, token = signed_up_and_confirmed(api, admin_token)
    earlier = issued_a_minute_ago(token)
    other_person, other_token = signed_up_and_confirmed(api, admin_token)
    other_earlier = issued_a_minute_ago(other_token)

    answer = api.post("/v1/auth/sign-out-everywhere", token=earlier)
    assert answer.status_code == 200 and answer.json() == {"status": "signed_out"}

    assert me_status(api, earlier) == 401
    assert api.post("/v1/auth/sign-out-everywhere", token=earlier).status_code == 401
    assert me_status(api, api.login(person.email, person.password)) == 200
    assert me_status(api, other_earlier) == 200  # nobody else is signed out


def test_sign_out_everywhere_needs_a_token(api: Api):
    refused = api.post("/v1/auth/sign-out-everywhere")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "UNAUTHENTICATED"
