"""Issue 11's done-when, over HTTP against a local stack of its own with the DEFAULT limits
(the suite's shared stack raises them: every test client is 127.0.0.1).

From one client IP and against one phone number: a flood of sign-ups, resends and
forgotten-password calls sends no more SMS than the per-phone limits allow, at most three
accounts go live on that phone, and the flood is answered 429 RATE_LIMITED with Retry-After
(API envelope and the portal's page alike)."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta

import pytest
import requests

from chalicelib.domain.limits import LIVE_ACCOUNTS_PER_PHONE, RateLimits
from tests.http.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, new_person
from tests.http.conftest import start_stack

DEFAULTS = RateLimits()


@pytest.fixture(scope="module")
def flood_api(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RATE_LIMIT_")}
    # No bookable days: this test books nothing, and opening the default 21 days of every
    # directorate is most of a stack's start.
    env["SLOT_HORIZON_DAYS"] = "0"
    process, url = start_stack(env, tmp_path_factory.mktemp("flood-stack") / "server.log")
    yield Api(url)
    process.terminate()
    process.wait(timeout=30)


def _sms_to(api: Api, phone: str) -> list[str]:
    return [m["body"] for m in api.get("/local/outbox").json() if m["channel"] == "sms" and m["to"] == phone]


def _code(body: str) -> str:
    return re.search(r"\b(\d{6})\b", body).group(1)


def _refused_with_retry_after(response: requests.Response) -> bool:
    return response.status_code == 429 and int(response.headers["Retry-After"]) > 0 and response.json()["error"]["code"] == "RATE_LIMITED"


def test_a_flood_from_one_client_against_one_phone_sends_only_what_the_limits_allow(flood_api: Api):
    api = flood_api
    # A morning in Istanbul, so that the hours moved through below stay within one day.
    now = datetime.fromisoformat(api.get("/local/clock").json()["now"])
    morning = (now + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    assert api.post("/local/clock", {"to": morning.isoformat()}).status_code == 200
    admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    phone = "+905551234567"
    people = [new_person() for _ in range(8)]
    for person in people:
        person.phone = phone
    assert api.post("/v1/admin/residents", {"records": [p.registry_record() for p in people]}, token=admin).status_code in (200, 201)

    # Three people sign up with one phone and confirm: the phone's codes for this hour are spent.
    for person in people[:LIVE_ACCOUNTS_PER_PHONE]:
        assert api.post("/v1/auth/signup", person.signup_body()).status_code == 201
        assert api.post("/v1/auth/confirm", {"email": person.email, "code": _code(_sms_to(api, phone)[-1])}).status_code == 200
    assert len(_sms_to(api, phone)) == DEFAULTS.phone_codes_per_hour == 3

    # A fourth account on that phone is refused, naming the field.
    fourth = api.post("/v1/auth/signup", people[3].signup_body())
    assert fourth.status_code == 400 and fourth.json()["error"]["code"] == "VALIDATION_FAILED"
    assert fourth.json()["error"]["details"]["fields"][0]["field"] == "phone"

    # The flood: sign-ups, resends and forgotten-password calls naming that phone's accounts.
    answers = []
    for round_ in range(3):  # three hours of flooding
        for i in range(20):
            answers.append(api.post("/v1/auth/signup", people[4 + i % 4].signup_body()))
            answers.append(api.post("/v1/auth/resend-code", {"email": people[4 + i % 4].email}))
            answers.append(api.post("/v1/auth/forgot-password", {"email": people[i % 3].email}))
        moved = datetime.fromisoformat(api.get("/local/clock").json()["now"]) + timedelta(minutes=61)
        assert api.post("/local/clock", {"to": moved.isoformat()}).status_code == 200
    sent = len(_sms_to(api, phone))
    print(f"\nflood: {len(answers) + 4 + 2 * LIVE_ACCOUNTS_PER_PHONE} calls from one client against one phone: {sent} SMS sent to it")
    assert sent <= DEFAULTS.phone_codes_per_day == 6
    assert sent > DEFAULTS.phone_codes_per_hour  # a new hour lets a person have a code again
    refused = [a for a in answers if a.status_code == 429]
    assert refused and all(_refused_with_retry_after(a) for a in refused)
    assert all(a.status_code < 500 for a in answers)
    assert not any(a.status_code == 201 for a in answers)  # no fourth account went live, nor pending

    # The portal shows the same refusal as a page, in the person's language, with Retry-After.
    portal = requests.Session()
    portal.get(f"{api.base_url}/password/forgot?lang=en", timeout=30)
    for _ in range(DEFAULTS.ip_codes_per_hour + 1):
        page = portal.post(f"{api.base_url}/password/forgot", data={"email": people[0].email}, timeout=30)
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert "Try again in" in page.text
