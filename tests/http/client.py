"""A thin HTTP client for the tests, plus makers of unique people and documents."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import requests
from stdnum.tr import tckimlik

_lock = threading.Lock()
_rng = random.Random()


def unique_foreign_id() -> str:
    with _lock:
        body = "99" + f"{_rng.randrange(10**7):07d}"
    return body + tckimlik.calc_check_digits(body)


def unique_phone() -> str:
    return f"+90555{_rng.randrange(10**7):07d}"


def unique_email(prefix: str = "person") -> str:
    return f"{prefix}.{_rng.randrange(10**12)}@example.net"


@dataclass
class Person:
    document_number: str
    email: str
    phone: str
    province: str = "34"
    permit_status: str = "residence_permit"
    password: str = "Secret123pass"
    # Who the registry says they are (what sign-up must match).
    given_name: str = "Ahmad"
    family_name: str = "Al-Hassan"
    birth_date: str = "1990-05-17"
    nationality: str = "SY"
    passport_number: str | None = None

    def registry_record(self, valid_until: date | None = None) -> dict:
        record = {
            "document_number": self.document_number,
            "permit_status": self.permit_status,
            "permit_valid_until": (valid_until or date.today() + timedelta(days=365)).isoformat(),
            "province": self.province,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date,
            "nationality": self.nationality,
        }
        if self.passport_number:
            record["passport_number"] = self.passport_number
        return record

    def signup_body(self, **overrides) -> dict:
        body = {
            "document_type": "foreign_id",
            "document_number": self.document_number,
            "nationality": self.nationality,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date,
            "email": self.email,
            "phone": self.phone,
            "password": self.password,
            "language": "ar",
        }
        body.update(overrides)
        return body


def new_person(**kwargs) -> Person:
    return Person(unique_foreign_id(), unique_email(), unique_phone(), **kwargs)


class Api:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, self.base_url + path, headers=headers, timeout=60, **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("GET", path, token, **kwargs)

    def post(self, path: str, json=None, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("POST", path, token, json=json, **kwargs)

    def patch(self, path: str, json=None, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("PATCH", path, token, json=json, **kwargs)

    def login(self, email: str, password: str) -> str:
        response = self.post("/v1/auth/login", {"email": email, "password": password})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]
