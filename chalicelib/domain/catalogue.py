"""The catalogue: provinces, Migration Directorates (MDs) and the services they offer.

A foreign national in Türkiye is served by the Migration Directorate of the
province they are registered in ("İl Göç İdaresi Müdürlüğü"). Large provinces
also run district service points ("hizmet noktası") that take part of the load.
Which appointment a person may book depends on their permit status: someone
under temporary protection has no business at a residence-permit counter, and
vice versa.

This catalogue is **illustrative demo data**. Province codes and names are the
official ones (plate codes 01–81), but the list of directorates, their
addresses and desk counts are synthetic and plausible, not real. In production
the catalogue is replaced by the authority's own feed; everything else in the
project only depends on the types and look-up functions below, never on the
concrete rows.

Everything here is immutable (frozen dataclasses, tuples, frozensets) so the
module-level catalogue can be shared freely between requests and threads.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "PermitStatus",
    "Province",
    "Directorate",
    "Service",
    "PROVINCES",
    "DIRECTORATES",
    "SERVICES",
    "PROVINCIAL_ONLY_SERVICES",
    "SHORT_NAME_MAX",
    "find_province",
    "find_directorate",
    "directorates_in",
    "find_service",
    "services_for",
]


class PermitStatus(str, enum.Enum):
    """The legal status under which a foreign national stays in Türkiye.

    It decides which services a person is eligible for. It is a ``str`` enum so
    the value can go straight into JSON and DynamoDB.
    """

    RESIDENCE_PERMIT = "residence_permit"
    WORK_PERMIT = "work_permit"
    INTERNATIONAL_PROTECTION = "international_protection"
    TEMPORARY_PROTECTION = "temporary_protection"


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------

#: The longest short name a directorate may have: the SMS segment budgets are measured with it.
SHORT_NAME_MAX = 26
#: How many minutes late a person may arrive, unless a directorate's entry says otherwise; at most
#: two digits (the reminder SMS's segment budget is measured with them).
DEFAULT_GRACE_MINUTES = 15
MAX_GRACE_MINUTES = 60

_PLATE_CODE = re.compile(r"[0-9]{2}", re.ASCII)
# An ASCII slug: lower-case letters and digits in groups separated by single hyphens.
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)


@dataclass(frozen=True)
class Province:
    """One of Türkiye's 81 provinces ("il").

    ``code`` is the two-digit licence-plate code ("01".."81"), which is also the
    official province number; it is a string so "06" keeps its leading zero.
    ``name`` is the Turkish name with Turkish letters ("İstanbul", not "Istanbul").
    """

    code: str
    name: str

    def __post_init__(self) -> None:
        if not _PLATE_CODE.fullmatch(self.code) or not 1 <= int(self.code) <= 81:
            raise ValueError(f"province code must be '01'..'81', got {self.code!r}")
        if not self.name:
            raise ValueError("province name must not be empty")


@dataclass(frozen=True)
class Directorate:
    """A Migration Directorate office where appointments take place.

    ``id`` is an ASCII slug ``"{plate}-{slug}"`` (e.g. ``"34-fatih"``); it ends
    up in slot ids and URLs, hence ASCII only. ``province`` is the plate code of
    the province it belongs to. ``desks`` is how many officers serve in
    parallel, i.e. how many people can be booked into the same time slot.
    ``services`` holds the codes of the services this office offers.
    ``grace_minutes`` is how late a person may arrive: after start + grace, staff refuse the
    visit and record a no-show (domain/attendance.py); every office has the default unless its
    entry here says otherwise.
    ``short_name`` is what an SMS calls the office ("Şanlıurfa Göç İdaresi", "Fatih
    Hizmet Noktası"): at most ``SHORT_NAME_MAX`` characters, so that every SMS stays within its
    segment budget (the full name and the address go in the email); the full name if not given.
    """

    id: str
    province: str
    name: str
    address: str
    desks: int
    services: frozenset[str]
    short_name: str = ""
    grace_minutes: int = DEFAULT_GRACE_MINUTES

    def __post_init__(self) -> None:
        if not 0 <= self.grace_minutes <= MAX_GRACE_MINUTES:
            raise ValueError(f"directorate {self.id}: grace_minutes must be 0–{MAX_GRACE_MINUTES}")
        if not _SLUG.fullmatch(self.id) or not self.id.startswith(f"{self.province}-"):
            raise ValueError(f"directorate id must be an ASCII slug '{{plate}}-{{slug}}', got {self.id!r}")
        if self.desks < 1:
            raise ValueError(f"directorate {self.id} needs at least one desk")
        # Accept any iterable of codes but always store a frozenset, so the
        # dataclass stays hashable and nobody can mutate the catalogue.
        object.__setattr__(self, "services", frozenset(self.services))
        object.__setattr__(self, "short_name", self.short_name or self.name)
        if len(self.short_name) > SHORT_NAME_MAX:
            raise ValueError(f"directorate {self.id}: its short name (for SMS) has more than {SHORT_NAME_MAX} characters")

    def offers(self, service_code: str) -> bool:
        """Whether this office offers the service with the given code."""
        return service_code in self.services


@dataclass(frozen=True)
class Service:
    """A kind of appointment (what the person comes for).

    ``names`` maps a language code ("tr", "en", "ar", "fa", "ru", "uk") to the display name;
    English is mandatory because it is the fallback. ``duration_minutes`` is how
    long the officer needs; it never exceeds one slot (30 minutes), so one
    appointment always fits one slot. ``eligible_statuses`` lists the permit
    statuses that may book this service.
    """

    code: str
    # Excluded from the hash (a mapping is not hashable) but still compared.
    names: Mapping[str, str] = field(hash=False)
    duration_minutes: int
    eligible_statuses: frozenset[PermitStatus]

    def __post_init__(self) -> None:
        if "en" not in self.names:
            raise ValueError(f"service {self.code} needs an English name (the fallback)")
        if self.duration_minutes <= 0:
            raise ValueError(f"service {self.code} needs a positive duration")
        if not self.eligible_statuses:
            raise ValueError(f"service {self.code} must be open to at least one status")
        # Store read-only copies so the shared catalogue cannot be modified.
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))
        object.__setattr__(self, "eligible_statuses", frozenset(self.eligible_statuses))

    @property
    def name(self) -> str:
        """The English name (used in logs and as the default display name)."""
        return self.names["en"]

    def name_in(self, lang: str) -> str:
        """The name in ``lang``, falling back to English.

        A regional tag such as "tr-TR" or "ar_SY" is reduced to its language
        ("tr", "ar"), because that is what browsers' Accept-Language sends.
        """
        if lang in self.names:
            return self.names[lang]
        primary = lang.replace("_", "-").split("-", 1)[0].lower()
        return self.names.get(primary, self.names["en"])


# ---------------------------------------------------------------------------
# Provinces: the official plate codes and Turkish names.
# ---------------------------------------------------------------------------

PROVINCES: tuple[Province, ...] = tuple(
    Province(code, name)
    for code, name in (
        ("01", "Adana"),
        ("02", "Adıyaman"),
        ("03", "Afyonkarahisar"),
        ("04", "Ağrı"),
        ("05", "Amasya"),
        ("06", "Ankara"),
        ("07", "Antalya"),
        ("08", "Artvin"),
        ("09", "Aydın"),
        ("10", "Balıkesir"),
        ("11", "Bilecik"),
        ("12", "Bingöl"),
        ("13", "Bitlis"),
        ("14", "Bolu"),
        ("15", "Burdur"),
        ("16", "Bursa"),
        ("17", "Çanakkale"),
        ("18", "Çankırı"),
        ("19", "Çorum"),
        ("20", "Denizli"),
        ("21", "Diyarbakır"),
        ("22", "Edirne"),
        ("23", "Elazığ"),
        ("24", "Erzincan"),
        ("25", "Erzurum"),
        ("26", "Eskişehir"),
        ("27", "Gaziantep"),
        ("28", "Giresun"),
        ("29", "Gümüşhane"),
        # Official administrative spelling; also written "Hakkâri".
        ("30", "Hakkari"),
        ("31", "Hatay"),
        ("32", "Isparta"),
        ("33", "Mersin"),
        ("34", "İstanbul"),
        ("35", "İzmir"),
        ("36", "Kars"),
        ("37", "Kastamonu"),
        ("38", "Kayseri"),
        ("39", "Kırklareli"),
        ("40", "Kırşehir"),
        ("41", "Kocaeli"),
        ("42", "Konya"),
        ("43", "Kütahya"),
        ("44", "Malatya"),
        ("45", "Manisa"),
        ("46", "Kahramanmaraş"),
        ("47", "Mardin"),
        ("48", "Muğla"),
        ("49", "Muş"),
        ("50", "Nevşehir"),
        ("51", "Niğde"),
        ("52", "Ordu"),
        ("53", "Rize"),
        ("54", "Sakarya"),
        ("55", "Samsun"),
        ("56", "Siirt"),
        ("57", "Sinop"),
        ("58", "Sivas"),
        ("59", "Tekirdağ"),
        ("60", "Tokat"),
        ("61", "Trabzon"),
        ("62", "Tunceli"),
        ("63", "Şanlıurfa"),
        ("64", "Uşak"),
        ("65", "Van"),
        ("66", "Yozgat"),
        ("67", "Zonguldak"),
        ("68", "Aksaray"),
        ("69", "Bayburt"),
        ("70", "Karaman"),
        ("71", "Kırıkkale"),
        ("72", "Batman"),
        ("73", "Şırnak"),
        ("74", "Bartın"),
        ("75", "Ardahan"),
        ("76", "Iğdır"),
        ("77", "Yalova"),
        ("78", "Karabük"),
        ("79", "Kilis"),
        ("80", "Osmaniye"),
        ("81", "Düzce"),
    )
)


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------

_ALL_STATUSES = frozenset(PermitStatus)
_PERMIT_HOLDERS = frozenset({PermitStatus.RESIDENCE_PERMIT, PermitStatus.WORK_PERMIT})

SERVICES: tuple[Service, ...] = (
    # Everyone registered with the authority must keep their address, personal
    # data, passport number and biometrics up to date, whatever their status.
    Service(
        code="address_registration",
        names={
            "tr": "Adres Kaydı",
            "en": "Address registration",
            "ar": "تسجيل العنوان",
            "fa": "ثبت نشانی",
            "ru": "Регистрация адреса",
            "uk": "Реєстрація адреси",
        },
        duration_minutes=15,
        eligible_statuses=_ALL_STATUSES,
    ),
    Service(
        code="personal_data_update",
        names={
            "tr": "Kişisel Bilgi Güncelleme",
            "en": "Personal data update",
            "ar": "تحديث البيانات الشخصية",
            "fa": "به‌روزرسانی اطلاعات شخصی",
            "ru": "Обновление личных данных",
            "uk": "Оновлення особистих даних",
        },
        duration_minutes=15,
        eligible_statuses=_ALL_STATUSES,
    ),
    Service(
        code="passport_number_update",
        names={
            "tr": "Pasaport Numarası Güncelleme",
            "en": "Passport number update",
            "ar": "تحديث رقم جواز السفر",
            "fa": "به‌روزرسانی شماره گذرنامه",
            "ru": "Обновление номера паспорта",
            "uk": "Оновлення номера паспорта",
        },
        duration_minutes=15,
        eligible_statuses=_ALL_STATUSES,
    ),
    Service(
        code="biometrics",
        names={
            "tr": "Biyometrik Veri (Parmak İzi) Alımı",
            "en": "Biometric capture (fingerprints)",
            "ar": "أخذ البيانات الحيوية (البصمات)",
            "fa": "ثبت داده‌های زیست‌سنجی (اثر انگشت)",
            "ru": "Сдача биометрических данных (отпечатков пальцев)",
            "uk": "Здача біометричних даних (відбитків пальців)",
        },
        duration_minutes=20,
        eligible_statuses=_ALL_STATUSES,
    ),
    # Residence-permit paperwork concerns permit holders only; a valid work
    # permit also counts as a residence permit, so both statuses qualify.
    Service(
        code="residence_permit_application",
        names={
            "tr": "İkamet İzni Başvuru Dosyası Teslimi",
            "en": "Residence permit application submission",
            "ar": "تقديم ملف طلب تصريح الإقامة",
            "fa": "تحویل پرونده درخواست اجازه اقامت",
            "ru": "Подача документов на вид на жительство",
            "uk": "Подання документів на посвідку на проживання",
        },
        duration_minutes=30,
        eligible_statuses=_PERMIT_HOLDERS,
    ),
    Service(
        code="permit_card_delivery",
        names={
            "tr": "İzin Belgesi (Kart) Teslimi",
            "en": "Permit card delivery",
            "ar": "تسليم بطاقة التصريح",
            "fa": "تحویل کارت اجازه",
            "ru": "Выдача карты разрешения",
            "uk": "Видача картки дозволу",
        },
        duration_minutes=10,
        eligible_statuses=_PERMIT_HOLDERS,
    ),
    # Protection procedures follow their own law and their own status.
    Service(
        code="international_protection",
        names={
            "tr": "Uluslararası Koruma İşlemleri",
            "en": "International protection procedures",
            "ar": "إجراءات الحماية الدولية",
            "fa": "امور حمایت بین‌المللی",
            "ru": "Процедуры международной защиты",
            "uk": "Процедури міжнародного захисту",
        },
        duration_minutes=30,
        eligible_statuses=frozenset({PermitStatus.INTERNATIONAL_PROTECTION}),
    ),
    Service(
        code="temporary_protection",
        names={
            "tr": "Geçici Koruma İşlemleri",
            "en": "Temporary protection procedures",
            "ar": "إجراءات الحماية المؤقتة",
            "fa": "امور حمایت موقت",
            "ru": "Процедуры временной защиты",
            "uk": "Процедури тимчасового захисту",
        },
        duration_minutes=30,
        eligible_statuses=frozenset({PermitStatus.TEMPORARY_PROTECTION}),
    ),
)

_ALL_SERVICE_CODES = frozenset(service.code for service in SERVICES)

#: Procedures handled only by the provincial directorate ("merkez"), never by
#: district service points: protection cases need the provincial officers.
PROVINCIAL_ONLY_SERVICES: frozenset[str] = frozenset(
    {"international_protection", "temporary_protection"}
)
_SERVICE_POINT_SERVICES = _ALL_SERVICE_CODES - PROVINCIAL_ONLY_SERVICES


# ---------------------------------------------------------------------------
# Directorates
# ---------------------------------------------------------------------------

# Desks at the provincial directorate of the bigger provinces (by foreign
# population); every other province gets _DEFAULT_DESKS. Illustrative numbers.
_DEFAULT_DESKS = 2
_PROVINCIAL_DESKS: Mapping[str, int] = {
    "34": 10,  # İstanbul
    "06": 8,  # Ankara
    "35": 8,  # İzmir
    "27": 8,  # Gaziantep
    "63": 6,  # Şanlıurfa
    "31": 6,  # Hatay
    "01": 6,  # Adana
    "33": 6,  # Mersin
    "07": 6,  # Antalya
    "16": 6,  # Bursa
    "42": 5,  # Konya
    "41": 4,  # Kocaeli
    "38": 4,  # Kayseri
    "46": 4,  # Kahramanmaraş
    "44": 3,  # Malatya
    "47": 3,  # Mardin
    "79": 3,  # Kilis
    "21": 3,  # Diyarbakır
    "55": 3,  # Samsun
    "61": 3,  # Trabzon
    "26": 3,  # Eskişehir
    "48": 3,  # Muğla
    "54": 3,  # Sakarya
    "59": 3,  # Tekirdağ
    "77": 3,  # Yalova
}

# District service points in the busiest provinces:
# (province, slug, district, service-point label, desks, synthetic street).
_SERVICE_POINTS: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("34", "fatih", "Fatih", "Fatih", 8, "Akşemsettin Mah. Adnan Menderes Bulvarı No: 41"),
    ("34", "kadikoy", "Kadıköy", "Kadıköy (Anadolu Yakası)", 7, "Rasimpaşa Mah. Söğütlüçeşme Cad. No: 18"),
    ("34", "esenyurt", "Esenyurt", "Esenyurt", 8, "Cumhuriyet Mah. Doğan Araslı Bulvarı No: 105"),
    ("06", "altindag", "Altındağ", "Altındağ", 5, "Siteler Mah. Karacakaya Cad. No: 27"),
    ("06", "kecioren", "Keçiören", "Keçiören", 4, "Kalaba Mah. Fatih Cad. No: 64"),
    ("35", "bornova", "Bornova", "Bornova", 5, "Kazımdirik Mah. Ankara Cad. No: 88"),
    ("27", "nizip", "Nizip", "Nizip", 4, "Fevzi Çakmak Mah. Gaziantep Cad. No: 12"),
)


def _postcode(plate: str, district_number: int) -> str:
    """A plausible Turkish postcode: they begin with the province's plate code."""
    return f"{plate}{district_number:03d}"


def _provincial_directorate(province: Province) -> Directorate:
    number = int(province.code)
    return Directorate(
        id=f"{province.code}-merkez",
        province=province.code,
        name=f"{province.name} İl Göç İdaresi Müdürlüğü",
        short_name=f"{province.name} Göç İdaresi",
        address=(
            f"Cumhuriyet Mah. Atatürk Cad. No: {number}, "
            f"{_postcode(province.code, 100)} {province.name}"
        ),
        desks=_PROVINCIAL_DESKS.get(province.code, _DEFAULT_DESKS),
        services=_ALL_SERVICE_CODES,
    )


def _build_directorates() -> tuple[Directorate, ...]:
    """Provincial directorate of every province, followed by its service points."""
    points_by_province: dict[str, list[Directorate]] = {}
    for index, (plate, slug, district, label, desks, street) in enumerate(_SERVICE_POINTS):
        province = next(p for p in PROVINCES if p.code == plate)
        points_by_province.setdefault(plate, []).append(
            Directorate(
                id=f"{plate}-{slug}",
                province=plate,
                name=f"{province.name} İl Göç İdaresi Müdürlüğü – {label} Hizmet Noktası",
                address=f"{street}, {_postcode(plate, 200 + 10 * index)} {district}/{province.name}",
                short_name=f"{district} Hizmet Noktası",
                desks=desks,
                services=_SERVICE_POINT_SERVICES,
            )
        )
    directorates: list[Directorate] = []
    for province in PROVINCES:
        directorates.append(_provincial_directorate(province))
        directorates.extend(points_by_province.get(province.code, ()))
    return tuple(directorates)


DIRECTORATES: tuple[Directorate, ...] = _build_directorates()


# ---------------------------------------------------------------------------
# Look-ups (dictionaries built once at import time)
# ---------------------------------------------------------------------------

_PROVINCES_BY_CODE: Mapping[str, Province] = MappingProxyType({p.code: p for p in PROVINCES})
_DIRECTORATES_BY_ID: Mapping[str, Directorate] = MappingProxyType({d.id: d for d in DIRECTORATES})
_SERVICES_BY_CODE: Mapping[str, Service] = MappingProxyType({s.code: s for s in SERVICES})

# Fail at import rather than at booking time if the data is inconsistent
# (explicit checks, not asserts, so they also run under ``python -O``).
if len(_PROVINCES_BY_CODE) != len(PROVINCES) or len(PROVINCES) != 81:
    raise RuntimeError("the catalogue must hold 81 provinces with unique codes")
if len(_DIRECTORATES_BY_ID) != len(DIRECTORATES):
    raise RuntimeError("duplicate directorate id in the catalogue")
if len(_SERVICES_BY_CODE) != len(SERVICES):
    raise RuntimeError("duplicate service code in the catalogue")


def find_province(code: str) -> Province | None:
    """The province with this plate code ("06"), or None if there is none."""
    return _PROVINCES_BY_CODE.get(code)


def find_directorate(directorate_id: str) -> Directorate | None:
    """The directorate with this id ("34-fatih"), or None if there is none."""
    return _DIRECTORATES_BY_ID.get(directorate_id)


def directorates_in(province_code: str) -> tuple[Directorate, ...]:
    """The directorates of a province, provincial directorate first.

    Empty for an unknown province code.
    """
    return tuple(d for d in DIRECTORATES if d.province == province_code)


def find_service(code: str) -> Service | None:
    """The service with this code ("biometrics"), or None if there is none."""
    return _SERVICES_BY_CODE.get(code)


def services_for(status: PermitStatus) -> tuple[Service, ...]:
    """The services a person with this permit status may book, in catalogue order."""
    return tuple(s for s in SERVICES if status in s.eligible_statuses)
