"""The sign-up match: what a person types against what the registry holds."""

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.matching import NOBODY, PersonalDetails, folded, same_person

REGISTERED = PersonalDetails("Halil İbrahim", "Şeyh Ahmet", "1990-05-17", "SYR")


def typed(**changes) -> PersonalDetails:
    return PersonalDetails(**{**REGISTERED.__dict__, **changes})


def test_names_match_whatever_the_case_with_turkish_rules():
    for given_name in ["halil ibrahim", "HALİL İBRAHİM", "HALIL IBRAHIM", "Halil Ibrahim", "halıl ıbrahım"]:
        assert same_person(typed(given_name=given_name), REGISTERED), given_name
    assert folded("IŞIK") == folded("ışık") == folded("Isik")


def test_names_match_without_their_accents():
    for family_name in ["Seyh Ahmet", "ŞEYH AHMET", "şeyh ahmet", "Şeyh Ahmet"]:
        assert same_person(typed(family_name=family_name), REGISTERED), family_name
    assert folded("Gülnara Şükürova") == folded("GULNARA SUKUROVA")
    assert folded("Ağa") == folded("AGA") and folded("Çelebi") == folded("celebi") and folded("Ömer") == folded("omer")


def test_extra_spaces_hyphens_and_apostrophes_do_not_matter():
    registered = PersonalDetails("Abdul Rahim", "Al-Hassan", "1990-05-17", "SYR")
    for family_name in ["Al Hassan", "al-hassan", "AlHassan", "Al  -  Hassan", "Al'Hassan"]:
        assert same_person(PersonalDetails("Abdul-Rahim", family_name, "1990-05-17", "SYR"), registered), family_name


def test_any_other_difference_is_a_mismatch():
    assert not same_person(typed(given_name="Halil"), REGISTERED)
    assert not same_person(typed(family_name="Seyh Ahmed"), REGISTERED)
    assert not same_person(typed(birth_date="1990-05-18"), REGISTERED)
    assert not same_person(typed(nationality="IRQ"), REGISTERED)


def test_nobody_matches_the_stand_in_for_a_missing_record():
    assert not same_person(REGISTERED, NOBODY)
    assert not same_person(typed(given_name=NOBODY.given_name), NOBODY)  # a name like it is refused on input anyway


@given(st.text(alphabet="abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ -", min_size=1, max_size=30))
def test_folding_is_idempotent_and_ignores_case(name):
    assert folded(folded(name)) == folded(name)
    assert folded(name.upper()) == folded(name) or "i" in name.lower() or "ı" in name.lower()
