"""Tests for the demo catalogue: provinces, directorates and services."""

from __future__ import annotations

import re

import pytest

from chalicelib.domain.calendar import SLOT_MINUTES
from chalicelib.i18n import LANGUAGES
from chalicelib.domain.catalogue import (
    DIRECTORATES,
    PROVINCES,
    SERVICES,
    Directorate,
    PermitStatus,
    Province,
    Service,
    directorates_in,
    find_directorate,
    find_province,
    find_service,
    services_for,
)

PROTECTION_SERVICES = {"international_protection", "temporary_protection"}
ALL_SERVICE_CODES = {
    "address_registration",
    "personal_data_update",
    "passport_number_update",
    "biometrics",
    "residence_permit_application",
    "permit_card_delivery",
    "international_protection",
    "temporary_protection",
}


# --- provinces --------------------------------------------------------------


def test_81_provinces_with_plate_codes_01_to_81_in_order():
    assert len(PROVINCES) == 81
    assert [p.code for p in PROVINCES] == [f"{n:02d}" for n in range(1, 82)]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("01", "Adana"),
        ("06", "Ankara"),
        ("23", "Elazığ"),
        ("27", "Gaziantep"),
        ("33", "Mersin"),
        ("34", "İstanbul"),
        ("35", "İzmir"),
        ("46", "Kahramanmaraş"),
        ("63", "Şanlıurfa"),
        ("71", "Kırıkkale"),
        ("73", "Şırnak"),
        ("76", "Iğdır"),
        ("81", "Düzce"),
    ],
)
def test_known_province_names(code, name):
    assert find_province(code) == Province(code, name)


def test_province_names_are_unique_and_not_ascii_folded():
    names = [p.name for p in PROVINCES]
    assert len(set(names)) == 81
    assert "Istanbul" not in names and "Izmir" not in names


@pytest.mark.parametrize("code", ["00", "82", "6", "6 ", "", "İstanbul"])
def test_unknown_province_is_none(code):
    assert find_province(code) is None


# --- directorates -------------------------------------------------------------


def test_every_province_has_a_provincial_directorate():
    for province in PROVINCES:
        here = directorates_in(province.code)
        assert here, province
        provincial = here[0]
        assert provincial.id == f"{province.code}-merkez"
        assert provincial.name == f"{province.name} İl Göç İdaresi Müdürlüğü"


def test_every_directorate_belongs_to_an_existing_province():
    for directorate in DIRECTORATES:
        assert find_province(directorate.province) is not None, directorate


def test_directorate_ids_are_unique_ascii_slugs_prefixed_by_plate():
    ids = [d.id for d in DIRECTORATES]
    assert len(ids) == len(set(ids))
    for directorate in DIRECTORATES:
        assert re.fullmatch(r"[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*", directorate.id, re.ASCII)
        assert directorate.id.startswith(directorate.province + "-")


@pytest.mark.parametrize(
    ("province", "minimum", "expected_ids"),
    [
        ("34", 3, {"34-merkez", "34-fatih", "34-kadikoy", "34-esenyurt"}),
        ("06", 2, {"06-merkez"}),
        ("35", 2, {"35-merkez"}),
        ("27", 2, {"27-merkez"}),
    ],
)
def test_large_provinces_have_several_directorates(province, minimum, expected_ids):
    ids = {d.id for d in directorates_in(province)}
    assert len(ids) >= minimum
    assert expected_ids <= ids


def test_desks_between_2_and_10_and_bigger_cities_have_more():
    for directorate in DIRECTORATES:
        assert 2 <= directorate.desks <= 10, directorate
    assert find_directorate("34-merkez").desks > find_directorate("69-merkez").desks


def test_directorates_have_name_and_address_in_their_province():
    for directorate in DIRECTORATES:
        province = find_province(directorate.province)
        assert directorate.name.startswith(province.name)
        assert province.name in directorate.address


def test_directorates_offer_only_known_services():
    for directorate in DIRECTORATES:
        assert directorate.services, directorate
        assert directorate.services <= ALL_SERVICE_CODES


def test_protection_services_only_at_provincial_directorates():
    for directorate in DIRECTORATES:
        provincial = directorate.id.endswith("-merkez")
        if provincial:
            assert directorate.services == ALL_SERVICE_CODES
        else:
            assert not directorate.services & PROTECTION_SERVICES, directorate.id
            assert directorate.services == ALL_SERVICE_CODES - PROTECTION_SERVICES
    assert not find_directorate("34-fatih").offers("temporary_protection")
    assert find_directorate("34-merkez").offers("temporary_protection")


def test_every_province_offers_every_service_somewhere():
    for province in PROVINCES:
        offered = set().union(*(d.services for d in directorates_in(province.code)))
        assert offered == ALL_SERVICE_CODES


def test_find_directorate_and_unknown():
    assert find_directorate("06-merkez").province == "06"
    assert find_directorate("nope") is None
    assert directorates_in("99") == ()


def test_directorate_rejects_bad_data():
    with pytest.raises(ValueError):
        Directorate("İst", "34", "x", "y", 2, frozenset())
    with pytest.raises(ValueError):
        Directorate("34-x", "34", "x", "y", 0, frozenset())


def test_catalogue_is_immutable():
    directorate = DIRECTORATES[0]
    with pytest.raises(AttributeError):
        directorate.desks = 99  # type: ignore[misc]
    with pytest.raises(TypeError):
        SERVICES[0].names["en"] = "changed"  # type: ignore[index]
    assert isinstance(directorate.services, frozenset)
    # frozen dataclasses are hashable, so they can be used in sets / as keys
    assert len({*DIRECTORATES, *SERVICES, *PROVINCES}) == len(DIRECTORATES) + len(SERVICES) + 81


# --- services -----------------------------------------------------------------


def test_service_codes_are_the_fixed_ones():
    codes = [s.code for s in SERVICES]
    assert len(codes) == len(set(codes))
    assert set(codes) == ALL_SERVICE_CODES


@pytest.mark.parametrize(
    ("code", "minutes"),
    [
        ("address_registration", 15),
        ("personal_data_update", 15),
        ("passport_number_update", 15),
        ("biometrics", 20),
        ("residence_permit_application", 30),
        ("permit_card_delivery", 10),
        ("international_protection", 30),
        ("temporary_protection", 30),
    ],
)
def test_service_durations(code, minutes):
    assert find_service(code).duration_minutes == minutes


def test_every_service_fits_a_slot_and_is_open_to_someone():
    for service in SERVICES:
        assert 0 < service.duration_minutes <= SLOT_MINUTES
        assert service.eligible_statuses
        assert all(isinstance(s, PermitStatus) for s in service.eligible_statuses)


def test_every_service_has_a_name_in_every_language_in_its_script():
    arabic_script, cyrillic = re.compile(r"[\u0600-\u06FF]"), re.compile(r"[\u0400-\u04FF]")
    persian_only = re.compile(r"[یکگپچژ]")  # letters Persian writes and Arabic does not (ی, ک, not ي, ك)
    for service in SERVICES:
        assert set(service.names) >= set(LANGUAGES)
        assert all(name.strip() for name in service.names.values())
        assert arabic_script.search(service.names["ar"]), service.code
        assert arabic_script.search(service.names["fa"]) and not re.search("[يك]", service.names["fa"]), service.code
        assert cyrillic.search(service.names["ru"]) and cyrillic.search(service.names["uk"]), service.code
        assert service.names["ru"] != service.names["uk"], service.code
        assert service.name == service.names["en"]
    assert persian_only.search(find_service("biometrics").names["fa"])


def test_name_in_falls_back_to_english():
    biometrics = find_service("biometrics")
    assert biometrics.name_in("tr") == biometrics.names["tr"]
    assert biometrics.name_in("ar") == biometrics.names["ar"]
    assert biometrics.name_in("tr-TR") == biometrics.names["tr"]
    assert biometrics.name_in("de") == biometrics.name
    assert biometrics.name_in("") == biometrics.name


def test_eligibility_rules():
    def codes(status):
        return {s.code for s in services_for(status)}

    common = {"address_registration", "personal_data_update", "passport_number_update", "biometrics"}
    permit = {"residence_permit_application", "permit_card_delivery"}
    assert codes(PermitStatus.RESIDENCE_PERMIT) == common | permit
    assert codes(PermitStatus.WORK_PERMIT) == common | permit
    assert codes(PermitStatus.INTERNATIONAL_PROTECTION) == common | {"international_protection"}
    assert codes(PermitStatus.TEMPORARY_PROTECTION) == common | {"temporary_protection"}


def test_every_status_has_services_and_every_service_a_status():
    for status in PermitStatus:
        assert services_for(status)
    covered = {s.code for status in PermitStatus for s in services_for(status)}
    assert covered == ALL_SERVICE_CODES


def test_find_service_unknown_is_none():
    assert find_service("visa") is None


def test_permit_status_is_a_string_enum():
    assert PermitStatus("temporary_protection") is PermitStatus.TEMPORARY_PROTECTION
    assert PermitStatus.WORK_PERMIT == "work_permit"


def test_service_requires_an_english_name():
    with pytest.raises(ValueError):
        Service("x", {"tr": "x"}, 10, frozenset({PermitStatus.WORK_PERMIT}))
