"""The second-factor rules: who needs one, and the otpauth:// address an authenticator app reads."""

from __future__ import annotations

import pyotp

from chalicelib.domain.roles import Role, needs_second_factor
from chalicelib.domain.second_factor import otpauth_uri


def test_every_role_but_applicant_needs_a_second_factor():
    assert not needs_second_factor(frozenset({Role.APPLICANT}))
    assert not needs_second_factor(frozenset())
    for role in Role:
        if role is not Role.APPLICANT:
            assert needs_second_factor(frozenset({role}))
            assert needs_second_factor(frozenset({role, Role.APPLICANT}))  # a second hat does not lift it


def test_the_otpauth_address_names_the_issuer_in_utf8_and_spells_out_rfc_6238():
    secret = pyotp.random_base32(32)
    uri = otpauth_uri(secret, "kâtip+1@example.org")

    assert uri.startswith("otpauth://totp/G%C3%96%C3%87%20%C4%B0DARES%C4%B0%20Randevu:k%C3%A2tip%2B1@example.org?")
    assert "+" not in uri.split("?", 1)[1]  # a space is %20: some apps show a + literally
    read = pyotp.parse_uri(uri)
    assert (read.secret, read.issuer, read.name) == (secret, "GÖÇ İDARESİ Randevu", "kâtip+1@example.org")
    assert (read.digits, read.interval, read.digest().name) == (6, 30, "sha1")
