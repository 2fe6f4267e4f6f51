"""Verification of Cognito access tokens, done by the application itself in every mode.

`chalice local` decodes Cognito tokens without checking their signature (stack-notes 4), and a
gateway's authorizer is one misconfiguration away from letting anything through, so every
request's token is checked here: RS256 signature against the pool's published key set, expiry,
issuer, token use and app client.
"""

from __future__ import annotations

from dataclasses import dataclass

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 5


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class VerifiedToken:
    sub: str
    groups: tuple[str, ...]
    issued_at: int  # the `iat` claim: whole seconds


class TokenVerifier:
    def __init__(self, jwks_url: str, issuer: str, client_id: str) -> None:
        import jwt  # with `cryptography`: loaded when the first token arrives, not at cold start

        # The key set is fetched on first use and cached for the life of the process.
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)
        self._issuer = issuer
        self._client_id = client_id

    def verify(self, token: str) -> VerifiedToken:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ALGORITHMS:
                raise InvalidToken("unexpected algorithm")
            key = self._keys.get_signing_key(header.get("kid", ""))
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "sub", "token_use", "client_id"], "verify_aud": False},
            )
        except (jwt.PyJWTError, jwt.PyJWKClientError, ValueError, TypeError, KeyError) as error:
            raise InvalidToken(type(error).__name__) from None
        if claims.get("token_use") != "access":
            raise InvalidToken("not an access token")
        if claims.get("client_id") != self._client_id:
            raise InvalidToken("token issued to another client")
        groups = claims.get("cognito:groups") or []
        if not isinstance(groups, list):
            raise InvalidToken("malformed groups")
        try:
            issued_at = int(claims["iat"])
        except (TypeError, ValueError):
            raise InvalidToken("malformed iat") from None
        return VerifiedToken(sub=str(claims["sub"]), groups=tuple(str(g) for g in groups), issued_at=issued_at)
