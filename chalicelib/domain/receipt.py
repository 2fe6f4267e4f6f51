"""The receipt's token: what its QR code carries, and the rule of when it is genuine.

The token is a compact JWS (RFC 7515) signed with ES256 (ECDSA P-256, SHA-256): any JOSE library
can check it with the service's public key. Its claims are short, so that the QR code stays easy
to scan from a phone's screen or a cheap printout:

    apt    the appointment's id
    doc    the person's document number, masked ("***8764")
    dir    the directorate's id
    start  the appointment's start (seconds since the epoch, UTC)
    iat    when the receipt was issued (the same)

A token is genuine when, and only when, its ES256 signature verifies under the receipt key and
it carries these claims: one altered character, or a token signed by any other key, is not.
Pure: signing is a port (the key never leaves KMS); verifying needs only the public key."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

ALGORITHM = "ES256"
_HEADER = {"alg": ALGORITHM}
#: A scanned code is far shorter; anything longer is not one of ours (and is not parsed).
MAX_TOKEN_LENGTH = 1000


@dataclass(frozen=True)
class ReceiptClaims:
    appointment_id: str
    masked_document: str
    directorate_id: str
    start: datetime
    issued_at: datetime

    def payload(self) -> dict[str, object]:
        return {
            "apt": self.appointment_id,
            "doc": self.masked_document,
            "dir": self.directorate_id,
            "start": int(self.start.timestamp()),
            "iat": int(self.issued_at.timestamp()),
        }


def signing_input(claims: ReceiptClaims) -> bytes:
    """What the key signs: the JWS's protected header and payload, base64url-encoded."""
    return f"{_b64(_json(_HEADER))}.{_b64(_json(claims.payload()))}".encode("ascii")


def token(claims: ReceiptClaims, signature: bytes) -> str:
    """The compact JWS of `claims` given the ES256 signature (r‖s, 64 bytes) of their
    `signing_input`."""
    return f"{signing_input(claims).decode('ascii')}.{_b64(signature)}"


def genuine_claims(code: str, public_key_der: bytes) -> ReceiptClaims | None:
    """The claims of a genuine receipt token, or None: not a token, not signed by the key whose
    public half is given, altered, or without the receipt's claims."""
    code = code.strip()
    if not code or len(code) > MAX_TOKEN_LENGTH or not code.isascii() or not _canonical(code):
        return None
    try:
        verified = jws.deserialize_compact(code, ECKey.import_key(public_key_der), algorithms=[ALGORITHM])
        payload = json.loads(verified.payload)
        return ReceiptClaims(
            appointment_id=_text(payload["apt"]),
            masked_document=_text(payload["doc"]),
            directorate_id=_text(payload["dir"]),
            start=_instant(payload["start"]),
            issued_at=_instant(payload["iat"]),
        )
    except (JoseError, ValueError, TypeError, KeyError, OverflowError):
        return None


def _canonical(code: str) -> bool:
    """Three base64url segments, each in its one canonical spelling. A base64 decoder ignores
    the unused low bits of a segment's last character, so without this check a token whose last
    character was changed within those bits would still verify: altered, yet "genuine"."""
    parts = code.split(".")
    if len(parts) != 3:
        return False
    try:
        return all(_b64(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) == part for part in parts)
    except ValueError:
        return False


def _text(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 128:
        raise ValueError("not a claim of ours")
    return value


def _instant(value: object) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not a time")
    return datetime.fromtimestamp(value, tz=timezone.utc)


def _json(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
