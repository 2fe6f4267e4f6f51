"""The e-Devlet relying party's checks (chalicelib/adapters/edevlet.py), with ID tokens signed by
keys these tests make: a token is trusted only when signed by the provider's key, issued by its
issuer for this client, unexpired and carrying this session's nonce; a callback is read only
when its state is this session's."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from chalicelib.adapters.edevlet import CallbackRefused, InvalidIdToken, OpenIdClient, ProviderUnavailable

ISSUER = "https://giris.turkiye.example"
CLIENT_ID = "randevu-goc"
NONCE = "n-0S6_WzA2Mj"
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def provider_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "provider-1", "use": "sig", "alg": "RS256"})


def documents(key: RSAKey, issuer: str = ISSUER) -> dict:
    return {
        f"{ISSUER}/.well-known/openid-configuration": {
            "issuer": issuer,
            "authorization_endpoint": f"{ISSUER}/oauth2/authorize",
            "token_endpoint": f"{ISSUER}/oauth2/token",
            "jwks_uri": f"{ISSUER}/jwks",
        },
        f"{ISSUER}/jwks": KeySet([key]).as_dict(private=False),
    }


def client(key: RSAKey, now: float = NOW, **overrides) -> OpenIdClient:
    published = documents(key, **overrides)
    return OpenIdClient(ISSUER, CLIENT_ID, lambda: "secret", "https://randevu.example/sign-in/e-devlet/callback",
                        fetch_json=published.__getitem__, now=lambda: now)


def id_token(key: RSAKey, **changes) -> str:
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "subject-1", "iat": NOW - 5, "exp": NOW + 300,
              "nonce": NONCE, "kimlik_no": "99123456780"}
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_a_token_of_the_provider_for_this_client_and_session_gives_the_identity_number(provider_key):
    verified = client(provider_key).verify_id_token(id_token(provider_key), NONCE)
    assert verified.identity_number == "99123456780" and verified.subject == "subject-1"


def test_another_sessions_nonce_is_refused(provider_key):
    with pytest.raises(InvalidIdToken, match="nonce"):
        client(provider_key).verify_id_token(id_token(provider_key, nonce="someone-elses"), NONCE)


def test_a_token_without_a_nonce_is_refused(provider_key):
    with pytest.raises(InvalidIdToken, match="nonce"):
        client(provider_key).verify_id_token(id_token(provider_key, nonce=None), NONCE)


def test_a_token_of_another_issuer_is_refused(provider_key):
    with pytest.raises(InvalidIdToken, match="iss"):
        client(provider_key).verify_id_token(id_token(provider_key, iss="https://evil.example"), NONCE)


def test_a_token_for_another_client_is_refused(provider_key):
    with pytest.raises(InvalidIdToken, match="aud"):
        client(provider_key).verify_id_token(id_token(provider_key, aud="another-client"), NONCE)


def test_a_token_for_several_audiences_needs_this_client_as_authorized_party(provider_key):
    token = id_token(provider_key, aud=[CLIENT_ID, "another-client"], azp="another-client")
    with pytest.raises(InvalidIdToken, match="azp"):
        client(provider_key).verify_id_token(token, NONCE)
    token = id_token(provider_key, aud=[CLIENT_ID, "another-client"], azp=CLIENT_ID)
    assert client(provider_key).verify_id_token(token, NONCE).identity_number == "99123456780"


def test_an_expired_token_is_refused_beyond_the_leeway(provider_key):
    with pytest.raises(InvalidIdToken, match="Expired"):
        client(provider_key, now=NOW + 300 + 31).verify_id_token(id_token(provider_key), NONCE)
    # within 30 seconds of clock skew it still counts
    assert client(provider_key, now=NOW + 300 + 29).verify_id_token(id_token(provider_key), NONCE)


def test_a_token_without_an_expiry_is_refused(provider_key):
    with pytest.raises(InvalidIdToken, match="exp"):
        client(provider_key).verify_id_token(id_token(provider_key, exp=None), NONCE)


def test_a_token_signed_by_another_key_is_refused(provider_key):
    forger = RSAKey.generate_key(2048, parameters={"kid": provider_key.kid})
    with pytest.raises(InvalidIdToken, match="signature"):
        client(provider_key).verify_id_token(id_token(forger), NONCE)


def test_an_unsigned_token_is_refused(provider_key):
    import base64
    import json

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "x", "iat": NOW, "exp": NOW + 60, "nonce": NONCE, "kimlik_no": "99123456780"}
    with pytest.raises(InvalidIdToken, match="signature"):
        client(provider_key).verify_id_token(f"{part({'alg': 'none'})}.{part(claims)}.", NONCE)


def test_a_discovery_document_naming_another_issuer_is_not_trusted(provider_key):
    with pytest.raises(ProviderUnavailable, match="issuer"):
        client(provider_key, issuer="https://evil.example").authorization_request()


def test_the_authorization_address_carries_state_nonce_and_an_s256_challenge_never_the_verifier(provider_key):
    import base64
    import hashlib

    request = client(provider_key).authorization_request()
    address = urlsplit(request.url)
    query = {name: values[0] for name, values in parse_qs(address.query).items()}
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{ISSUER}/oauth2/authorize"
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID and "openid" in query["scope"].split()
    assert query["state"] == request.state and query["nonce"] == request.nonce
    challenge = base64.urlsafe_b64encode(hashlib.sha256(request.code_verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] == challenge
    assert request.code_verifier not in request.url
    again = client(provider_key).authorization_request()
    assert len({request.state, request.nonce, request.code_verifier, again.state, again.nonce}) == 5


def test_a_callback_with_another_state_is_refused_before_its_code_is_read():
    with pytest.raises(CallbackRefused) as refused:
        OpenIdClient.read_callback({"code": "abc", "state": "forged"}, "expected")
    assert refused.value.reason == "state_mismatch"
    with pytest.raises(CallbackRefused) as refused:
        OpenIdClient.read_callback({"code": "abc", "state": "expected"}, None)  # this session started nothing
    assert refused.value.reason == "state_mismatch"


def test_a_callback_tells_a_cancellation_from_a_provider_error():
    with pytest.raises(CallbackRefused) as refused:
        OpenIdClient.read_callback({"error": "access_denied", "state": "s"}, "s")
    assert refused.value.reason == "cancelled"
    with pytest.raises(CallbackRefused) as refused:
        OpenIdClient.read_callback({"error": "server_error", "state": "s"}, "s")
    assert refused.value.reason == "provider_error"
    with pytest.raises(CallbackRefused) as refused:  # an error without state: still only an error
        OpenIdClient.read_callback({"error": "access_denied"}, "s")
    assert refused.value.reason == "cancelled"
    with pytest.raises(CallbackRefused) as refused:  # a code without state is never read
        OpenIdClient.read_callback({"code": "abc"}, "s")
    assert refused.value.reason == "state_mismatch"
    assert OpenIdClient.read_callback({"code": "abc", "state": "s"}, "s") == "abc"


def test_expiry_is_judged_by_the_real_clock_by_default(provider_key):
    published = documents(provider_key)
    real = OpenIdClient(ISSUER, CLIENT_ID, lambda: "secret", "https://x.example/cb", fetch_json=published.__getitem__)
    now = int(time.time())
    assert real.verify_id_token(id_token(provider_key, iat=now, exp=now + 60), NONCE)
