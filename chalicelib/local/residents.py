"""Synthetic residents-registry records for the local stack, and a listing to sign up with.

Deterministic (a fixed seed), so `make residents` can list them without the server running:
`python -m chalicelib.local.residents [--province 34] [--status temporary_protection] [--all]`.
Dates are relative to today, so "valid" and "expired" stay true whenever you run it.

Each resident carries what the authority holds about them: names as written in Latin script on
a Turkish residence card (Arabic-origin, Persian, Afghan, Ukrainian, Russian, Turkic and other
names, some with the Turkish letters a card prints: Ş, İ, ı, Ğ, Ü, Ç, Ö), a birth date, a
nationality (ISO alpha-2 here and in the API) and, for most, a passport number. A few are
minors whose guardian is another seeded resident. Identity data comes from a second generator,
so the document numbers stay what they were before names were added.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum.tr import tckimlik

from chalicelib.clock import clock
from chalicelib.domain.catalogue import PROVINCES, PermitStatus

SEED = 20261127
IDENTITY_SEED = SEED + 1
# Birth dates count back from a fixed day, not today: a person's birth date must not change from
# one day to the next (the seeded registry, `make residents` and the e-Devlet page must agree).
BIRTH_ANCHOR = date(2026, 1, 1)
COUNT = 300
EXPIRED_SHARE = 0.1
# Where most foreign residents live: these provinces get more of the synthetic records.
BUSY_PROVINCES = ("34", "06", "35", "27", "07", "16", "01", "33", "63", "31", "42")


@dataclass(frozen=True)
class SyntheticResident:
    document_type: str  # foreign_id | passport
    document_number: str
    permit_status: PermitStatus
    permit_valid_until: date
    province: str
    given_name: str
    family_name: str
    birth_date: date
    nationality: str  # ISO 3166-1 alpha-2
    passport_number: str | None = None
    guardian_document_number: str | None = None

    @property
    def expired(self) -> bool:
        return self.permit_valid_until < clock.today()

    def as_record(self) -> dict:
        """The record as `POST /v1/admin/residents` takes it (optional fields only when present)."""
        record = {
            "document_number": self.document_number,
            "permit_status": self.permit_status.value,
            "permit_valid_until": self.permit_valid_until.isoformat(),
            "province": self.province,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date.isoformat(),
            "nationality": self.nationality,
        }
        if self.passport_number:
            record["passport_number"] = self.passport_number
        if self.guardian_document_number:
            record["guardian_document_number"] = self.guardian_document_number
        return record


# (nationality, men's given names, women's given names, family names) as a Turkish residence
# card writes them: Latin script, Turkish letters. A family name "Ivanov/Ivanova" is the men's and
# the women's form.
NAMES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("SY", ("Ahmad", "Mohammed", "Hüseyin", "Ömer", "İbrahim", "Halil İbrahim", "Abdulkadir"),
     ("Fatma", "Ayşe", "Şeyma", "Rüya", "Hiba"),
     ("Al-Hassan", "Alkhalil", "Şeyh Ahmet", "Hamoud", "Al Masri", "Darwish", "Haj Ali", "Kurdi", "Ağa")),
    ("IQ", ("Mustafa", "Haydar", "Ali Rıza"), ("Zeynep", "Nur", "Hatice"),
     ("Al-Obaidi", "Kadhim", "Çelebi", "Al-Jubouri", "Hadi")),
    ("IR", ("Reza", "Mehdi", "Amir Hossein"), ("Zahra", "Maryam", "Şirin"),
     ("Mohammadi", "Hosseini", "Rezaei", "Karimi", "Ahmadi-Nejad", "Tehrani")),
    ("AF", ("Gulbuddin", "Abdul Rahim", "Sohrab"), ("Farida", "Mursal", "Nazanin"),
     ("Ahmadzai", "Nazari", "Stanekzai", "Hakimi", "Popal", "Yusufzai")),
    ("UA", ("Oleksandr", "Andrii", "Dmytro"), ("Olena", "Yuliia", "Iryna"),
     ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachuk", "Melnyk", "Kravets")),
    ("RU", ("Dmitriy", "Sergey", "Ivan"), ("Anastasiya", "Yekaterina", "Olga"),
     ("Ivanov/Ivanova", "Smirnov/Smirnova", "Kuznetsov/Kuznetsova", "Popov/Popova", "Sokolov/Sokolova")),
    ("AZ", ("Reşad", "Elçin", "Tural"), ("Gülnara", "Aygün", "Könül"),
     ("Memmedov/Memmedova", "Şükürov/Şükürova", "Hüseynli", "Aliyev/Aliyeva")),
    ("TM", ("Merdan", "Gurbanguly"), ("Ayna", "Ogulgerek"),
     ("Annayev/Annayeva", "Durdıyev/Durdıyeva", "Atayev/Atayeva")),
    ("UZ", ("Şohruh", "Ulugbek"), ("Dilnoza", "Gulnora"),
     ("Yusupov/Yusupova", "Karimov/Karimova", "Rahimov/Rahimova")),
    ("SO", ("Abdi", "Mahad"), ("Hodan", "Ubah"), ("Warsame", "Farah", "Abdullahi")),
)


def _identity(rng: random.Random, today: date, nationality: str | None = None, family_of: str | None = None) -> tuple[str, str, str, date]:
    """A person's nationality, given name, family name and (adult) birth date; with `family_of`,
    a child of that family (same nationality, the family name in the child's form)."""
    rows = [row for row in NAMES if nationality in (None, row[0])]
    nationality, men, women, families = rng.choice(rows)
    woman = rng.random() < 0.5
    forms = next((f.split("/") for f in families if family_of in f.split("/")), None) or rng.choice(families).split("/")
    born = BIRTH_ANCHOR - timedelta(days=rng.randint(18 * 366, 75 * 365))
    return nationality, rng.choice(women if woman else men), forms[-1] if woman else forms[0], born


def _foreign_id(rng: random.Random) -> str:
    body = "99" + f"{rng.randrange(10**7):07d}"
    return body + tckimlik.calc_check_digits(body)


def _passport(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVYZ"
    return rng.choice(letters) + rng.choice(letters) + f"{rng.randrange(10**7):07d}"


def synthetic_residents(today: date | None = None, count: int = COUNT) -> list[SyntheticResident]:
    today = today or clock.today()
    rng = random.Random(SEED)
    statuses = list(PermitStatus)
    all_codes = [p.code for p in PROVINCES]
    identities = random.Random(IDENTITY_SEED)
    residents: list[SyntheticResident] = []
    seen: set[str] = set()
    while len(residents) < count:
        index = len(residents)
        province = rng.choice(BUSY_PROVINCES) if rng.random() < 0.6 else rng.choice(all_codes)
        status = statuses[index % len(statuses)]
        # Foreigner IDs for permit holders and protected people alike; some passports for newcomers.
        document_type = "passport" if index % 5 == 4 else "foreign_id"
        number = _passport(rng) if document_type == "passport" else _foreign_id(rng)
        if number in seen:
            continue
        seen.add(number)
        if rng.random() < EXPIRED_SHARE:
            valid_until = today - timedelta(days=rng.randint(1, 400))
        else:
            valid_until = today + timedelta(days=rng.randint(60, 900))
        nationality, given, family, born = _identity(identities, today)
        passport = number if document_type == "passport" else (_passport(identities) if identities.random() < 0.7 else None)
        guardian = None
        if index % 25 == 24 and residents:  # a child of the resident just before, same family
            guardian_record = residents[-1]
            guardian = guardian_record.document_number
            nationality, given, family, _ = _identity(identities, today, guardian_record.nationality, guardian_record.family_name)
            born = BIRTH_ANCHOR - timedelta(days=identities.randint(2 * 365, 16 * 365))
        residents.append(
            SyntheticResident(
                document_type, number, status, valid_until, province,
                given_name=given, family_name=family, birth_date=born, nationality=nationality,
                passport_number=passport, guardian_document_number=guardian,
            )
        )
    return residents


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="List the synthetic residents the local stack seeds.")
    parser.add_argument("--province", help="plate code, e.g. 34")
    parser.add_argument("--status", choices=[s.value for s in PermitStatus])
    parser.add_argument("--all", action="store_true", help="include expired permits (sign-up is refused for them)")
    parser.add_argument("--guardians", action="store_true", help="list the guardians and the minors the registry names them guardian of")
    args = parser.parse_args(argv)
    if args.guardians:
        _print_families(synthetic_residents(), args.province)
        return
    print(
        f"{'document_type':<13} {'document_number':<15} {'permit_status':<25} {'valid_until':<11} {'prov':<4} "
        f"{'given_name':<14} {'family_name':<14} {'birth_date':<10} nat passport"
    )
    for r in synthetic_residents():
        if (args.province and r.province != args.province) or (args.status and r.permit_status.value != args.status):
            continue
        if r.expired and not args.all:
            continue
        mark = "  (expired)" if r.expired else ""
        print(
            f"{r.document_type:<13} {r.document_number:<15} {r.permit_status.value:<25} {r.permit_valid_until.isoformat():<11} "
            f"{r.province:<4} {r.given_name:<14} {r.family_name:<14} {r.birth_date.isoformat():<10} {r.nationality}  "
            f"{r.passport_number or '-'}{mark}"
        )


def _print_families(residents: list[SyntheticResident], province: str | None) -> None:
    """Each guardian (who signs up and books) beside their dependants: a family books together
    when everyone lives in the province of the directorate and holds a permit in force."""
    by_number = {r.document_number: r for r in residents}
    print(f"{'guardian_document':<17} {'guardian':<28} {'prov':<4} {'valid_until':<11} child (province, permit valid until, birth date)")
    for child in residents:
        guardian = by_number.get(child.guardian_document_number or "")
        if guardian is None or (province and guardian.province != province):
            continue
        together = "  <- same province, both in force" if child.province == guardian.province and not (child.expired or guardian.expired) else ""
        print(
            f"{guardian.document_number:<17} {guardian.given_name + ' ' + guardian.family_name:<28} {guardian.province:<4} "
            f"{guardian.permit_valid_until.isoformat():<11} {child.given_name} ({child.province}, {child.permit_valid_until.isoformat()}, "
            f"{child.birth_date.isoformat()}){together}"
        )


if __name__ == "__main__":
    main()
