"""Many real applicants on a running local stack, made the way people make them: registry
import, sign-up, the SMS code from the outbox, confirmation, sign-in. Shared by the HTTP race
tests and the booking benchmark, so both measure the same population."""

from __future__ import annotations

import os
import random
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyotp
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


def _login(base_url: str, email: str, password: str, totp_secret: str | None = None) -> str:
    """An access token; a staff or admin account answers the TOTP challenge with the current
    code of `totp_secret`, as its authenticator app would."""
    response = requests.post(f"{base_url}/v1/auth/login", json={"email": email, "password": password}, timeout=60)
    response.raise_for_status()
    answer = response.json()
    if answer.get("challenge") == "mfa" and totp_secret:
        code = pyotp.TOTP(totp_secret).now()
        response = requests.post(f"{base_url}/v1/auth/mfa", json={"session": answer["session"], "code": code}, timeout=60)
        response.raise_for_status()
        answer = response.json()
    return answer["access_token"]


def admin_token(
    base_url: str,
    email: str = "admin@example.org",
    password: str = "LocalAdmin123!",
    totp_secret: str | None = None,
) -> str:
    """The local admin's token (the local stack's defaults, or LOCAL_ADMIN_TOTP_SECRET)."""
    secret = totp_secret or os.environ.get("LOCAL_ADMIN_TOTP_SECRET", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return _login(base_url, email, password, secret)


def new_people(count: int, seed: int | None = None) -> list[tuple[str, str, str]]:
    """`count` made-up people, (document number, email, phone), each with a fresh document
    number (a valid foreigner ID), email address and Turkish mobile number."""
    rng = random.Random(seed)
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
    return people


def registry_records(people: list[tuple[str, str, str]], province: str, permit_status: str) -> list[dict]:
    """The authority's registry records of `people` (the body of `POST /v1/admin/residents`)."""
    return [
        {
            "document_number": number,
            "permit_status": permit_status,
            "permit_valid_until": (date.today() + timedelta(days=400)).isoformat(),
            "province": province,
            **IDENTITY,
        }
        for number, _, _ in people
    ]


def sign_up_body(number: str, email: str, phone: str, notice_version: str | None = None) -> dict:
    """What each of them types at sign-up, with the version of the privacy notice they were
    shown (as a client that shows it says; without it the portal shows it at their first sign-in)."""
    body = {
        "document_type": "foreign_id", "document_number": number, **IDENTITY,
        "email": email, "phone": phone, "password": PASSWORD, "language": "en",
    }
    if notice_version:
        body["notice_version"] = notice_version
    return body


def notice_in_force(base_url: str) -> str:
    """The version of the privacy notice a client shows before sign-up (GET /v1/privacy-notice)."""
    response = requests.get(f"{base_url}/v1/privacy-notice", params={"language": "en"}, timeout=60)
    response.raise_for_status()
    return response.json()["version"]


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
    admin = admin_token(base_url)
    people = new_people(count, seed)
    records = registry_records(people, province, permit_status)
    for start in range(0, len(records), 1000):
        response = requests.post(
            f"{base_url}/v1/admin/residents",
            json={"records": records[start:start + 1000]},
            headers={"Authorization": f"Bearer {admin}"},
            timeout=120,
        )
        response.raise_for_status()
    shown = notice_in_force(base_url)

    def sign_up(person: tuple[str, str, str]) -> tuple[str, str, str, str]:
        number, email, phone = person
        response = requests.post(
            f"{base_url}/v1/auth/signup",
            json=sign_up_body(number, email, phone, shown),
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
    return _codes_in(requests.get(f"{base_url}/local/outbox", timeout=60).json())


def _codes_in(outbox: list[dict]) -> dict[str, str]:
    codes = {}
    for message in outbox:
        found = re.search(r"\b(\d{6})\b", message["body"] or "")
        if message["channel"] == "sms" and found:
            codes[message["to"]] = found.group(1)
    return codes


def create_applicants_in_process(
    outbox: Any,
    count: int,
    *,
    province: str = "34",
    permit_status: str = "residence_permit",
    concurrency: int = 4,
    seed: int | None = None,
) -> list[Resident]:
    """The same people as `create_applicants`, made by the same use cases in the same order
    (the registry import, `signup.sign_up`, the SMS code read from the local outbox,
    `signup.confirm`, `accounts.login`), called in the process that runs a local stack instead
    of over HTTP: what a release day's applicants did in the weeks before it, several times
    faster than through the server. The route-level, per-IP rate limits are the only thing
    it does not pass through (it has no IP); every per-phone, per-document and national limit
    of those use cases counts as it would."""
    from chalicelib.contract import ConfirmRequest, ImportResidentsRequest, LoginRequest, SignupRequest
    from chalicelib.domain.privacy_notice import versions
    from chalicelib.services import accounts, registry, signup

    people = new_people(count, seed)
    records = registry_records(people, province, permit_status)
    for start in range(0, len(records), 1000):
        registry.import_residents(ImportResidentsRequest.model_validate({"records": records[start:start + 1000]}))

    def sign_up(person: tuple[str, str, str]) -> tuple[str, str, str, str]:
        number, email, phone = person
        answer = signup.sign_up(SignupRequest.model_validate(sign_up_body(number, email, phone, versions.current().id)))
        return number, email, phone, answer.applicant_id

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        signed_up = list(pool.map(sign_up, people))
    codes = _codes_in(outbox.entries())

    def confirm_and_login(person: tuple[str, str, str, str]) -> Resident:
        number, email, phone, applicant_id = person
        signup.confirm(ConfirmRequest(email=email, code=codes[phone]))
        answer = accounts.login(LoginRequest(email=email, password=PASSWORD))
        return Resident(number, email, phone, answer.access_token, applicant_id)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(confirm_and_login, signed_up))
