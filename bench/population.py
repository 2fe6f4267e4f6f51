"""Many real applicants on a running local stack, made the way people make them: registry
import, sign-up, the SMS code from the outbox, confirmation, sign-in. Shared by the HTTP race
tests and the booking benchmark, so both measure the same population."""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import requests
from stdnum.tr import tckimlik

PASSWORD = "Secret123pass"
# Who each of them is in the registry, and types at sign-up (the registry must match).
IDENTITY = {"given_name": "Bench", "family_name": "Person", "birth_date": "1990-01-01", "nationality": "SY"}


@dataclass(frozen=True)
class Resident:
    document_number: str
    email: str
    phone: str
    token: str
    applicant_id: str


def _login(base_url: str, email: str, password: str) -> str:
    response = requests.post(f"{base_url}/v1/auth/login", json={"email": email, "password": password}, timeout=60)
    response.raise_for_status()
    return response.json()["access_token"]


def admin_token(base_url: str, email: str = "admin@example.org", password: str = "LocalAdmin123!") -> str:
    return _login(base_url, email, password)


def create_applicants(
    base_url: str,
    count: int,
    *,
    province: str = "34",
    permit_status: str = "residence_permit",
    concurrency: int = 16,
    seed: int | None = None,
) -> list[Resident]:
    """`count` active applicants registered in `province`, each with a bearer token."""
    rng = random.Random(seed)
    admin = admin_token(base_url)
    people = []
    numbers: set[str] = set()
    while len(people) < count:
        body = "99" + f"{rng.randrange(10**7):07d}"
        number = body + tckimlik.calc_check_digits(body)
        if number in numbers:
            continue
        numbers.add(number)
        tag = rng.randrange(10**12)
        people.append((number, f"bench.{tag}@example.net", f"+90555{rng.randrange(10**7):07d}"))
    records = [
        {
            "document_number": number,
            "permit_status": permit_status,
            "permit_valid_until": (date.today() + timedelta(days=400)).isoformat(),
            "province": province,
            **IDENTITY,
        }
        for number, _, _ in people
    ]
    for start in range(0, len(records), 1000):
        response = requests.post(
            f"{base_url}/v1/admin/residents",
            json={"records": records[start:start + 1000]},
            headers={"Authorization": f"Bearer {admin}"},
            timeout=120,
        )
        response.raise_for_status()

    def sign_up(person: tuple[str, str, str]) -> tuple[str, str, str, str]:
        number, email, phone = person
        response = requests.post(
            f"{base_url}/v1/auth/signup",
            json={
                "document_type": "foreign_id", "document_number": number, **IDENTITY,
                "email": email, "phone": phone, "password": PASSWORD, "language": "en",
            },
            timeout=60,
        )
        response.raise_for_status()
        return number, email, phone, response.json()["applicant_id"]

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        signed_up = list(pool.map(sign_up, people))
    codes = _latest_codes(base_url)

    def confirm_and_login(person: tuple[str, str, str, str]) -> Resident:
        number, email, phone, applicant_id = person
        response = requests.post(f"{base_url}/v1/auth/confirm", json={"email": email, "code": codes[phone]}, timeout=60)
        response.raise_for_status()
        return Resident(number, email, phone, _login(base_url, email, PASSWORD), applicant_id)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(confirm_and_login, signed_up))


def _latest_codes(base_url: str) -> dict[str, str]:
    """The newest verification code sent to each phone (the local outbox)."""
    codes = {}
    for message in requests.get(f"{base_url}/local/outbox", timeout=60).json():
        found = re.search(r"\b(\d{6})\b", message["body"] or "")
        if message["channel"] == "sms" and found:
            codes[message["to"]] = found.group(1)
    return codes
