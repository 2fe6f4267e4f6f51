"""The receipt's token: a genuine one verifies and says what it was issued for; an altered one,
one signed by another key, or anything else does not."""

from __future__ import annotations

import string
from datetime import datetime, timezone

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from chalicelib.domain import receipt
from chalicelib.domain.identity import mask_document_number

CLAIMS = receipt.ReceiptClaims(
    appointment_id="5f0c2c1e-8d3b-4a5e-9a7c-1b2c3d4e5f60",
    masked_document="***8764",
    directorate_id="34-fatih",
    start=datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc),
    issued_at=datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc),
)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _public(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _sign(key: ec.EllipticCurvePrivateKey, claims: receipt.ReceiptClaims = CLAIMS) -> str:
    """As KMS signs (ECDSA_SHA_256 over the raw message), in JOSE's r‖s form."""
    r, s = decode_dss_signature(key.sign(receipt.signing_input(claims), ec.ECDSA(hashes.SHA256())))
    return receipt.token(claims, r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def test_a_genuine_token_verifies_and_carries_what_it_was_issued_for_and_stays_small():
    key = _key()
    code = _sign(key)
    assert receipt.genuine_claims(code, _public(key)) == CLAIMS
    assert receipt.genuine_claims(f"  {code}\n", _public(key)) == CLAIMS  # a scanner's trailing Enter
    assert len(code) < 300  # a QR code a phone's screen shows and a door scanner reads


def test_no_single_altered_character_anywhere_verifies():
    key = _key()
    code = _sign(key)
    alphabet = string.ascii_letters + string.digits + "-_"
    accepted = [
        (position, replacement)
        for position, original in enumerate(code)
        if original != "."
        for replacement in alphabet[(position % 8)::8]  # 8 replacements a position, all positions
        if replacement != original and receipt.genuine_claims(code[:position] + replacement + code[position + 1:], _public(key))
    ]
    assert accepted == []
    # The last character of each segment holds unused bits a lax decoder ignores: changed there too.
    for cut in (code.index(".") - 1, code.rindex(".") - 1, len(code) - 1):
        for replacement in alphabet:
            if replacement != code[cut]:
                assert receipt.genuine_claims(code[:cut] + replacement + code[cut + 1:], _public(key)) is None


def test_a_token_signed_by_another_key_is_not_genuine_even_with_the_same_claims():
    ours, theirs = _key(), _key()
    assert receipt.genuine_claims(_sign(theirs), _public(ours)) is None


def test_anything_else_is_not_genuine():
    key = _key()
    public = _public(key)
    code = _sign(key)
    header, payload, signature = code.split(".")
    for other in ("", "hello", "a.b.c", f"{header}.{payload}", f"{header}.{payload}.", code + "." + signature,
                  code * 4, "é" + code, f"{header}.{payload}.{'A' * 86}"):
        assert receipt.genuine_claims(other, public) is None, other
    # The right signature over other claims (a forged payload keeping our signature) is refused.
    forged = receipt.signing_input(receipt.ReceiptClaims(**{**CLAIMS.__dict__, "directorate_id": "06-merkez"})).decode()
    assert receipt.genuine_claims(f"{forged}.{signature}", public) is None


def test_a_receipt_shows_only_the_last_four_characters_of_the_document_number():
    assert mask_document_number("99706848764") == "***8764"
    assert mask_document_number("U12345678") == "***5678"
    assert "99706848764" not in mask_document_number("99706848764")
