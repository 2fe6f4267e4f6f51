from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.tr import tckimlik

from chalicelib.domain import identity
from chalicelib.domain.identity import PASSWORD_POLICY, DocumentType


def valid_foreign_id(body: str = "991234567") -> str:
    return body + tckimlik.calc_check_digits(body)


def test_foreign_id_must_start_with_99_and_carry_its_check_digits():
    number = valid_foreign_id()
    assert identity.normalize_document_number(DocumentType.FOREIGN_ID, f" {number[:5]} {number[5:]} ") == number
    wrong_check = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(ValueError, match="check digits"):
        identity.normalize_document_number(DocumentType.FOREIGN_ID, wrong_check)
    citizen = "10000000146"  # a valid Turkish citizen's number: not a foreigner ID
    assert tckimlik.is_valid(citizen)
    with pytest.raises(ValueError, match="starts with 99"):
        identity.normalize_document_number(DocumentType.FOREIGN_ID, citizen)


def test_passport_numbers_are_upper_cased_letters_and_digits():
    assert identity.normalize_document_number(DocumentType.PASSPORT, "n1234567") == "N1234567"
    for bad in ["12", "A" * 21, "AB#12345"]:
        with pytest.raises(ValueError):
            identity.normalize_document_number(DocumentType.PASSPORT, bad)


def test_nationality_is_iso_3166_and_never_turkish():
    assert identity.normalize_nationality("sy") == "SYR"
    assert identity.normalize_nationality("AFG") == "AFG"
    for bad in ["XX", "TUR", "TR", "Syria", ""]:
        with pytest.raises(ValueError):
            identity.normalize_nationality(bad)


def test_turkish_mobile_numbers_in_any_spelling_become_e164():
    for spelling in ["0532 123 45 67", "+90 532 123 4567", "5321234567", "(0532) 123-45-67"]:
        assert identity.normalize_turkish_mobile(spelling) == "+905321234567"
    for bad in ["0212 123 45 67", "+49 151 23456789", "12345", "abc"]:  # landline, foreign, junk
        with pytest.raises(ValueError):
            identity.normalize_turkish_mobile(bad)


def test_names_allow_any_script_but_not_digits_or_symbols():
    assert identity.normalize_name("  Ahmad   Al-Hassan ") == "Ahmad Al-Hassan"
    assert identity.normalize_name("محمد") == "محمد"
    assert identity.normalize_name("O'Neil") == "O'Neil"
    for bad in ["", "R2D2", "<script>", "a" * 65]:
        with pytest.raises(ValueError):
            identity.normalize_name(bad)


def test_birth_date_cannot_be_in_the_future_or_implausibly_old():
    today = date(2026, 11, 27)
    assert identity.check_birth_date(date(1990, 1, 1), today) == date(1990, 1, 1)
    with pytest.raises(ValueError):
        identity.check_birth_date(date(2026, 11, 28), today)
    with pytest.raises(ValueError):
        identity.check_birth_date(date(1900, 1, 1), today)


def test_password_policy_names_every_missing_part():
    assert PASSWORD_POLICY.check("Correct7Horse") == "Correct7Horse"
    with pytest.raises(ValueError) as refused:
        PASSWORD_POLICY.check("short")
    assert "10 to 128 characters" in str(refused.value) and "a digit" in str(refused.value)


@given(st.text(max_size=40))
def test_no_input_makes_a_validator_crash(text):
    for check in (
        lambda t: identity.normalize_document_number(DocumentType.FOREIGN_ID, t),
        lambda t: identity.normalize_document_number(DocumentType.PASSPORT, t),
        identity.normalize_nationality,
        identity.normalize_name,
        identity.normalize_email,
        identity.normalize_turkish_mobile,
        identity.normalize_language,
        PASSWORD_POLICY.check,
    ):
        try:
            check(text)
        except ValueError:
            pass


# -- hostile input -------------------------------------------------------------------------------


def test_names_mixing_scripts_are_refused():
    latin_a_cyrillic_e = "Ol\u0435na"  # a Cyrillic "е" among Latin letters: looks like "Olena"
    with pytest.raises(ValueError, match="one alphabet"):
        identity.normalize_name(latin_a_cyrillic_e)
    with pytest.raises(ValueError, match="one alphabet"):
        identity.normalize_name("Ahmad محمد")
    assert identity.normalize_name("Şeyma Ağa") == "Şeyma Ağa"
    assert identity.normalize_name("Олена") == "Олена"


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u061c", "\u200f"])
def test_names_with_invisible_or_direction_characters_are_refused(hidden):
    with pytest.raises(ValueError, match="invisible"):
        identity.normalize_name(f"Ah{hidden}mad")


def test_a_name_in_decomposed_form_is_stored_composed():
    assert identity.normalize_name("S\u0327eyma") == "Şeyma"


def test_document_numbers_with_look_alike_digits_are_refused():
    number = valid_foreign_id()
    arabic_indic = number.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for look_alike in [arabic_indic, full_width, number[:4] + "\u200b" + number[4:]]:
        for normalize in (lambda n: identity.normalize_document_number(DocumentType.FOREIGN_ID, n),
                          lambda n: identity.normalize_document_number(DocumentType.PASSPORT, n),
                          identity.normalize_registry_document_number):
            with pytest.raises(ValueError, match="0-9"):
                normalize(look_alike)
