"""A thin HTTP client for the tests, plus makers of unique people and documents."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta

import pyotp
import requests
from stdnum.tr import tckimlik

from chalicelib.domain.privacy_notice import versions

# The local stack's admin (chalicelib/local/stack.py defaults; the tests start it without overrides).
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "LocalAdmin123!"
ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Every TOTP secret the tests have enrolled (through the API or the console), by email: what
# each person's authenticator app would hold.
TOTP_SECRETS: dict[str, str] = {ADMIN_EMAIL: ADMIN_TOTP_SECRET}

_lock = threading.Lock()
_rng = random.Random()


def wrong_totp_code(secret: str) -> str:
    """Six digits that are not the secret's TOTP code in any step a check could accept now or
    in the next 30 seconds (the check takes one step either side)."""
    generator, now = pyotp.TOTP(secret), time.time()
    valid = {generator.at(now + steps * 30) for steps in (-2, -1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in valid)


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
            # The privacy notice a client shows before sign-up (tests/http/test_privacy_notice.py
            # signs up without it too).
            "notice_version": versions.current().id,
        }
        body.update(overrides)
        return body


def new_person(**kwargs) -> Person:
    return Person(unique_foreign_id(), unique_email(), unique_phone(), **kwargs)


SLOT_STREAM_READERS = ("summarise_availability", "count_slot_statistics", "count_appointment_statistics")


def slot_changes_delivered(api: "Api", runs: int = 200) -> None:
    """Run the event pump until the availability summary's handler has no slot change left, so
    availability shows every change made so far (it is served from a summary the slots' stream
    keeps, within the pump's tick; a fresh stack first streams every slot it generated)."""
    for _ in range(runs):
        answer = api.post("/local/pump")
        assert answer.status_code == 200, answer.text
        if all(answer.json()[handler]["messages"] == 0 for handler in SLOT_STREAM_READERS):
            return
    raise AssertionError("the slots' stream did not drain")


# How long a call may take before the test calls it hung. A guard, never a performance bound
# (bench/ measures those): a pump run that drains a fresh stack's slot stream or runs a clock
# move's fan-out jobs has taken over 60 s on two busy cores (a CI run failed on 60).
HANG_GUARD_SECONDS = 300


class Api:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._local = threading.local()
        self.totp_secrets = TOTP_SECRETS

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, self.base_url + path, headers=headers, timeout=HANG_GUARD_SECONDS, **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("GET", path, token, **kwargs)

    def post(self, path: str, json=None, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("POST", path, token, json=json, **kwargs)

    def patch(self, path: str, json=None, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("PATCH", path, token, json=json, **kwargs)

    def put(self, path: str, json=None, token: str | None = None, **kwargs) -> requests.Response:
        return self.request("PUT", path, token, json=json, **kwargs)

    def login(self, email: str, password: str) -> str:
        """An access token; staff and admin complete the TOTP step as their app would: the
        admin with LOCAL_ADMIN_TOTP_SECRET, anyone else with the secret of their first sign-in
        (kept in `totp_secrets`)."""
        response = self.post("/v1/auth/login", {"email": email, "password": password})
        assert response.status_code == 200, response.text
        answer = response.json()
        if "challenge" not in answer:
            return answer["access_token"]
        if answer["challenge"] == "mfa_setup":
            self.totp_secrets[email] = answer["secret"]
        code = pyotp.TOTP(self.totp_secrets[email]).now()
        finished = self.post("/v1/auth/mfa", {"session": answer["session"], "code": code})
        assert finished.status_code == 200, finished.text
        return finished.json()["access_token"]
