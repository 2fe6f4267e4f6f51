"""Synthetic residents-registry records for the local stack, and a listing to sign up with.

Deterministic (a fixed seed), so `make residents` can list them without the server running:
`python -m chalicelib.local.residents [--province 34] [--status temporary_protection] [--all]`.
Dates are relative to today, so "valid" and "expired" stay true whenever you run it.
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

    @property
    def expired(self) -> bool:
        return self.permit_valid_until < clock.today()

    def as_record(self) -> dict:
        return {
            "document_number": self.document_number,
            "permit_status": self.permit_status.value,
            "permit_valid_until": self.permit_valid_until.isoformat(),
            "province": self.province,
        }


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
    residents = []
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
        residents.append(SyntheticResident(document_type, number, status, valid_until, province))
    return residents


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="List the synthetic residents the local stack seeds.")
    parser.add_argument("--province", help="plate code, e.g. 34")
    parser.add_argument("--status", choices=[s.value for s in PermitStatus])
    parser.add_argument("--all", action="store_true", help="include expired permits (sign-up is refused for them)")
    args = parser.parse_args(argv)
    print(f"{'document_type':<13} {'document_number':<15} {'permit_status':<25} {'valid_until':<11} province")
    for r in synthetic_residents():
        if (args.province and r.province != args.province) or (args.status and r.permit_status.value != args.status):
            continue
        if r.expired and not args.all:
            continue
        mark = "  (expired)" if r.expired else ""
        print(f"{r.document_type:<13} {r.document_number:<15} {r.permit_status.value:<25} {r.permit_valid_until.isoformat():<11} {r.province}{mark}")


if __name__ == "__main__":
    main()
