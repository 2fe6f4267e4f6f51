"""A forgotten password over HTTP, on the local stack: the code goes by SMS to an active
applicant only, the answer never tells who has an account, the code works once and only for
this purpose, and the logs name the account by its id alone."""

from __future__ import annotations

import json
import re

from chalicelib.domain import notices
from tests.http.client import Api, new_person, unique_email
from tests.http.conftest import sms_code_for
from tests.http.test_accounts import register, signed_up_and_confirmed

NEW_PASSWORD = "Changed123pass"
ACCEPTED = {"status": "accepted"}


def sms_to(api: Api, phone: str) -> list[str]:
    return [m["body"] for m in api.get("/local/outbox").json() if m["channel"] == "sms" and m["to"] == phone]


def forgot(api: Api, email: str) -> None:
    response = api.post("/v1/auth/forgot-password", {"email": email})
    assert response.status_code == 202, response.text
    assert response.json() == ACCEPTED


def reset(api: Api, email: str, code: str, password: str = NEW_PASSWORD):
    return api.post("/v1/auth/reset-password", {"email": email, "code": code, "password": password})


def refused_fields(response) -> set[str]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_FAILED"
    return {problem["field"] for problem in error["details"]["fields"]}


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def signs_in(api: Api, email: str, password: str) -> bool:
    return api.post("/v1/auth/login", {"email": email, "password": password}).status_code == 200


def test_both_routes_are_in_the_openapi_document(api: Api):
    paths = api.get("/v1/openapi.json").json()["paths"]
    assert "202" in paths["/v1/auth/forgot-password"]["post"]["responses"]
    assert "400" in paths["/v1/auth/reset-password"]["post"]["responses"]


def test_an_unknown_email_or_a_staff_account_gets_the_same_answer_and_nothing_is_sent(api: Api, admin_token: str):
    before = len(api.get("/local/outbox").json())
    nobody_email, staff_email = unique_email("nobody"), unique_email("staff")
    forgot(api, nobody_email)
    created = api.post("/v1/admin/staff", {"email": staff_email, "password": "StaffPass123", "directorate_id": "06-merkez"}, token=admin_token)
    assert created.status_code == 201, created.text
    forgot(api, staff_email)
    forgot(api, "admin@example.org")
    # None of the three has a phone, so anything sent would be an email to one of them. Only
    # those count: the shared stack's pump may deliver other tests' queued messages meanwhile
    # (CI once saw a cancelled appointment's email land here).
    asked = {nobody_email, staff_email, "admin@example.org"}
    sent_since = api.get("/local/outbox").json()[before:]
    assert [m for m in sent_since if m["to"] in asked] == []
    # Asking to reset with some code: the same refusal as a wrong code of a real account.
    assert refused_fields(reset(api, unique_email("nobody"), "123456")) == {"code"}
    assert refused_fields(reset(api, staff_email, "123456")) == {"code"}
    assert signs_in(api, staff_email, "StaffPass123")


def test_the_code_by_sms_changes_the_password_once_and_the_logs_name_no_one(api: Api, admin_token: str, server_log):
    person, _ = signed_up_and_confirmed(api, admin_token)  # signs up in Arabic
    forgot(api, person.email)
    _, sms = sms_to(api, person.phone)  # the sign-up code, then the reset code
    code = re.search(r"\b(\d{6})\b", sms).group(1)
    assert sms == notices.person_sms("sms.password_reset_code", "ar", person.given_name, code=code, minutes=15)
    assert sms.startswith(f"{person.given_name}،")  # names whose code it is: families share phones

    changed = reset(api, person.email, code)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"status": "password_changed"}
    assert not signs_in(api, person.email, person.password)
    assert signs_in(api, person.email, NEW_PASSWORD)

    assert refused_fields(reset(api, person.email, code, "Another123pass")) == {"code"}  # once only
    assert signs_in(api, person.email, NEW_PASSWORD)

    log = server_log.read_text()
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    ours = [r for r in records if r.get("endpoint") in {"forgot_password", "reset_password"}]
    assert {"password reset code sent", "password reset"} <= {r.get("message") for r in ours}
    national = "0" + person.phone[3:]
    for secret in (person.email, person.phone, person.phone[1:], national, person.document_number):
        assert secret not in log, f"personal data in the log: {secret[:3]}…"


def test_a_sign_up_code_never_resets_a_password(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    assert api.post("/v1/auth/signup", person.signup_body()).status_code == 201
    sign_up_code = sms_code_for(api, person.phone)
    forgot(api, person.email)  # not active yet: nothing is sent, and the sign-up code is no key
    assert len(sms_to(api, person.phone)) == 1
    assert refused_fields(reset(api, person.email, sign_up_code)) == {"code"}
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": sign_up_code}).status_code == 200

    forgot(api, person.email)
    reset_code = sms_code_for(api, person.phone)
    if reset_code != sign_up_code:  # one in a million they are equal, and then nothing tells them apart
        assert refused_fields(reset(api, person.email, sign_up_code)) == {"code"}
    assert signs_in(api, person.email, person.password)
    assert reset(api, person.email, reset_code).status_code == 200


def test_too_many_wrong_codes_refuse_even_the_right_one(api: Api, admin_token: str):
    person, _ = signed_up_and_confirmed(api, admin_token)
    forgot(api, person.email)
    code = sms_code_for(api, person.phone)
    for _ in range(5):
        assert refused_fields(reset(api, person.email, other_code(code))) == {"code"}
    assert refused_fields(reset(api, person.email, code)) == {"code"}
    assert signs_in(api, person.email, person.password)


def test_a_weak_password_is_refused_by_name_and_the_code_still_works(api: Api, admin_token: str):
    person, _ = signed_up_and_confirmed(api, admin_token)
    forgot(api, person.email)
    code = sms_code_for(api, person.phone)
    assert refused_fields(reset(api, person.email, code, "weakpass")) == {"password"}
    assert signs_in(api, person.email, person.password)
    assert reset(api, person.email, code).status_code == 200
    assert signs_in(api, person.email, NEW_PASSWORD)


def test_a_second_request_within_a_minute_sends_nothing_new(api: Api, admin_token: str):
    person, _ = signed_up_and_confirmed(api, admin_token)
    forgot(api, person.email)
    forgot(api, person.email)  # the same answer as the first
    sent = sms_to(api, person.phone)
    assert len(sent) == 2  # the sign-up code, then one reset code
    code = re.search(r"\b(\d{6})\b", sent[-1]).group(1)
    assert reset(api, person.email, code).status_code == 200
