"""Every request's token is verified by the service itself: signature, expiry, issuer, client,
token use. Forged, expired, unsigned and foreign tokens get 401; the wrong role gets 403."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import jwt
import moto
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.http.client import Api, new_person
from tests.http.test_accounts import signed_up_and_confirmed

MOTO_KEY_FILE = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"


@pytest.fixture(scope="module")
def applicant_token(api: Api, admin_token: str) -> str:
    return signed_up_and_confirmed(api, admin_token)[1]


@pytest.fixture(scope="module")
def claims(applicant_token: str) -> dict:
    return jwt.decode(applicant_token, options={"verify_signature": False})


def pool_key():
    """The emulator's own signing key: a token signed with it has a valid signature."""
    keys = json.loads(gzip.decompress(MOTO_KEY_FILE.read_bytes()))
    return jwt.PyJWK(keys).key


def signed(claims: dict, key=None, **changes) -> str:
    return jwt.encode({**claims, **changes}, key or pool_key(), algorithm="RS256", headers={"kid": "dummy"})


def me_status(api: Api, token: str | None, scheme: str = "Bearer") -> int:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return api.get("/v1/me", headers=headers).status_code


def test_the_real_token_is_accepted_and_a_re_signed_copy_proves_the_key_works(api, applicant_token, claims):
    assert me_status(api, applicant_token) == 200
    assert me_status(api, signed(claims)) == 200  # same claims, the pool's key: the baseline


def test_a_token_signed_by_another_key_is_refused(api, claims):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert me_status(api, signed(claims, key=stranger)) == 401


def test_an_expired_token_is_refused(api, claims):
    past = int(time.time()) - 3600
    assert me_status(api, signed(claims, iat=past - 3600, exp=past)) == 401


def test_an_unsigned_token_is_refused(api, claims):
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    assert me_status(api, unsigned) == 401
    hs256 = jwt.encode(claims, "a-shared-secret-of-sufficient-length-123", algorithm="HS256", headers={"kid": "dummy"})
    assert me_status(api, hs256) == 401


def test_tokens_for_another_client_issuer_or_use_are_refused(api, claims):
    assert me_status(api, signed(claims, client_id="another-client")) == 401
    assert me_status(api, signed(claims, iss="https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_other")) == 401
    id_token = {k: v for k, v in claims.items() if k != "client_id"} | {"token_use": "id", "aud": claims["client_id"]}
    assert me_status(api, signed(id_token)) == 401


def test_no_token_or_a_malformed_header_is_refused(api, applicant_token):
    assert me_status(api, None) == 401
    assert me_status(api, applicant_token, scheme="Basic") == 401
    assert me_status(api, "not.a.jwt") == 401
    assert me_status(api, "") == 401


def test_an_applicant_calling_admin_or_staff_routes_is_forbidden(api, applicant_token):
    person = new_person()
    admin_call = api.post("/v1/admin/residents", {"records": [person.registry_record()]}, token=applicant_token)
    assert admin_call.status_code == 403 and admin_call.json()["error"]["code"] == "FORBIDDEN"
    staff_call = api.post("/v1/staff/applicants/search", {"document_number": person.document_number}, token=applicant_token)
    assert staff_call.status_code == 403
    staff_create = api.post("/v1/admin/staff", {"email": "x@example.net", "password": "StaffPass123", "directorate_id": "34-merkez"}, token=applicant_token)
    assert staff_create.status_code == 403


def test_a_staff_member_is_not_an_admin(api, admin_token):
    from tests.http.client import unique_email

    email = unique_email("staff")
    api.post("/v1/admin/staff", {"email": email, "password": "StaffPass123", "directorate_id": "34-merkez"}, token=admin_token)
    staff_token = api.login(email, "StaffPass123")
    assert api.post("/v1/admin/residents", {"records": [new_person().registry_record()]}, token=staff_token).status_code == 403
    assert api.get("/v1/me", token=staff_token).status_code == 403
