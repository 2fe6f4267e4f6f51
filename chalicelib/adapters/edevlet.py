"""e-Devlet (Türkiye's e-Government gateway) as an OpenID Connect provider, this service its
relying party: the authorization code flow with PKCE (S256), `state` and `nonce`, through
Authlib's client (`OAuth2Session`) and its JOSE library (`joserfc`) for the ID token.

What this module does, and no more: read the provider's discovery document and key set, build
the authorization address, read the provider's answer at the callback, exchange the code, and
check the ID token (signature against the provider's JWKS, `iss`, `aud`/`azp`, `exp`, `iat`,
`nonce`). It translates each failure into one of three exceptions; what a failure means for the
person (a page, a refusal) is decided by `chalicelib/services/edevlet.py`.

The verified person's identity number travels in the claim `kimlik_no` (IDENTITY_NUMBER_CLAIM):
for a foreign resident, the foreigner ID number (11 digits, starting 99) the residents registry
knows them by. The subject (`sub`) is not used as the number: a provider may give pairwise or
opaque subjects.

Expiry is checked against the machine's real clock, never the service's (which the local stack
can move forward): `exp` is a promise the provider makes in real time.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

IDENTITY_NUMBER_CLAIM = "kimlik_no"
SCOPE = "openid"
ALGORITHMS = ("RS256",)
LEEWAY_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 10


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered with an error (the message: its type or
    OAuth error code only, never a token or a code)."""


class CallbackRefused(Exception):
    """The provider's redirect back is not a usable answer: `reason` is `cancelled` (the person
    declined), `state_mismatch` (not the answer to the request this session started: a forged
    or replayed callback) or `provider_error` (the provider reported another error)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidIdToken(Exception):
    """The ID token is not one this service can trust (the message names the failed check)."""


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the person, and what the session must keep to check the answer."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class VerifiedIdentity:
    subject: str
    identity_number: str | None


def _fetch_json(url: str) -> dict[str, Any]:
    import requests

    response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


class OpenIdClient:
    """One provider (its issuer), one client registration (id, secret, redirect address).

    `client_secret` is called when the secret is needed (the token endpoint): it is read from
    Secrets Manager by the wiring, not held in configuration. `fetch_json` and `now` are there
    for tests (a provider's documents, a moment to validate at).
    """

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: Callable[[], str],
        redirect_uri: str,
        *,
        fetch_json: Callable[[str], dict[str, Any]] = _fetch_json,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self._client_secret = client_secret
        self._fetch_json = fetch_json
        self._now = now
        self._metadata: dict[str, Any] | None = None
        self._keys: Any = None
        self._lock = threading.Lock()

    # -- discovery ---------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once), which must name this issuer."""
        with self._lock:
            if self._metadata is None:
                try:
                    document = self._fetch_json(f"{self.issuer}/.well-known/openid-configuration")
                except Exception as error:  # network, HTTP status, JSON: all "unavailable"
                    raise ProviderUnavailable(f"discovery: {type(error).__name__}") from None
                if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != self.issuer:
                    raise ProviderUnavailable("discovery: the document names another issuer")
                for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(document.get(endpoint), str):
                        raise ProviderUnavailable(f"discovery: no {endpoint}")
                self._metadata = document
            return self._metadata

    def _key_set(self, refresh: bool = False):
        from joserfc.jwk import KeySet

        with self._lock:
            cached = self._keys
        if cached is not None and not refresh:
            return cached
        uri = self.metadata()["jwks_uri"]
        try:
            keys = KeySet.import_key_set(self._fetch_json(uri))
        except Exception as error:
            raise ProviderUnavailable(f"jwks: {type(error).__name__}") from None
        with self._lock:
            self._keys = keys
        return keys

    # -- the flow ----------------------------------------------------------------------------

    def _session(self, with_secret: bool):
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(
            self.client_id,
            self._client_secret() if with_secret else None,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        )

    def authorization_request(self, **extra: str) -> AuthorizationRequest:
        """A fresh state, nonce and PKCE verifier, and the provider's address carrying the
        state, the nonce and the verifier's S256 challenge (never the verifier)."""
        from authlib.common.security import generate_token

        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        url, _ = self._session(with_secret=False).create_authorization_url(
            self.metadata()["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce, **extra
        )
        return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)

    @staticmethod
    def read_callback(params: dict[str, str], expected_state: str | None) -> str:
        """The authorization code of the provider's redirect back, once its `state` is the one
        this session sent. The state is compared before anything else is read."""
        state, error = params.get("state") or "", params.get("error")
        if error and not state:
            # Some providers (the local stand-in among them) leave the state out of an error
            # answer; an error carries no code, so it can sign no one in: it is read as it is.
            raise CallbackRefused("cancelled" if error == "access_denied" else "provider_error")
        if not expected_state or not hmac.compare_digest(state.encode(), expected_state.encode()):
            raise CallbackRefused("state_mismatch")
        if error == "access_denied":
            raise CallbackRefused("cancelled")
        if error or not params.get("code"):
            raise CallbackRefused("provider_error")
        return params["code"]

    def exchange(self, code: str, code_verifier: str, nonce: str) -> VerifiedIdentity:
        """The code (with the PKCE verifier, the client authenticated with its secret) for
        tokens at the token endpoint; returns the verified identity of the ID token."""
        from authlib.integrations.base_client.errors import OAuthError

        session = self._session(with_secret=True)
        try:
            token = session.fetch_token(
                self.metadata()["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                timeout=HTTP_TIMEOUT_SECONDS,
            )
        except OAuthError as error:
            raise ProviderUnavailable(f"token: {error.error}") from None
        except Exception as error:  # network and malformed answers
            raise ProviderUnavailable(f"token: {type(error).__name__}") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise InvalidIdToken("the token answer has no ID token")
        return self.verify_id_token(id_token, nonce)

    def verify_id_token(self, id_token: str, nonce: str) -> VerifiedIdentity:
        """Signature (RS256, a key of the provider's set; the set is fetched again once for an
        unknown key id, as after a rotation), then the claims: issued by this issuer, for this
        client, not expired, not issued in the future, carrying this session's nonce."""
        from joserfc import jwt
        from joserfc.errors import JoseError

        try:
            try:
                token = jwt.decode(id_token, self._key_set(), algorithms=list(ALGORITHMS))
            except JoseError:
                token = jwt.decode(id_token, self._key_set(refresh=True), algorithms=list(ALGORITHMS))
        except (JoseError, ValueError, TypeError) as error:
            raise InvalidIdToken(f"signature: {type(error).__name__}") from None
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self._now()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            raise InvalidIdToken(f"claims: {type(error).__name__} {getattr(error, 'claim', '')}".strip()) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise InvalidIdToken("claims: azp")  # OpenID Connect Core 3.1.3.7, items 4 and 5
        number = claims.get(IDENTITY_NUMBER_CLAIM)
        return VerifiedIdentity(subject=str(claims["sub"]), identity_number=str(number) if isinstance(number, (str, int)) else None)
