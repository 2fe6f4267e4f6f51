"""KMS as the receipt signer: signs with the asymmetric key (ECDSA_SHA_256 over the raw message;
the private key never leaves KMS) and hands out its public key, fetched once per process.

It translates: KMS's DER-encoded ECDSA signature becomes the fixed 64-byte r‖s form JOSE's
ES256 uses; the public key is returned as KMS gives it (DER SubjectPublicKeyInfo). Whether a
token is genuine is decided by the use case (chalicelib/services/receipts.py)."""

from __future__ import annotations

import threading
from typing import Any

from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

SIGNING_ALGORITHM = "ECDSA_SHA_256"
_P256_BYTES = 32


class KmsSigner:
    def __init__(self, client: Any, key_id: str) -> None:
        self._client = client
        self._key_id = key_id
        self._public_key: bytes | None = None
        self._lock = threading.Lock()

    def sign(self, message: bytes) -> bytes:
        """The key's ES256 signature of `message` (r‖s, 64 bytes)."""
        der = self._client.sign(
            KeyId=self._key_id, Message=message, MessageType="RAW", SigningAlgorithm=SIGNING_ALGORITHM
        )["Signature"]
        r, s = decode_dss_signature(der)
        return r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")

    def public_key(self) -> bytes:
        """The key's public half (DER), from KMS at the first call of the process, then kept."""
        if self._public_key is None:
            with self._lock:
                if self._public_key is None:
                    self._public_key = self._client.get_public_key(KeyId=self._key_id)["PublicKey"]
        return self._public_key
