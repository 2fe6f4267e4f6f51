"""Write calls with an Idempotency-Key: a retry gets the first answer and changes nothing more."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.http.client import Api, new_person
from tests.http.test_accounts import register


def test_a_retried_sign_up_returns_the_first_answer_and_creates_nothing_more(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post("/v1/auth/signup", person.signup_body(), headers=dict(key))
    retry = api.post("/v1/auth/signup", person.signup_body(), headers=dict(key))
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers.get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in first.headers
    sms = [m for m in api.get("/local/outbox").json() if m["to"] == person.phone]
    assert len(sms) == 1, "the retry must not send a second code"
    without_key = api.post("/v1/auth/signup", person.signup_body())
    # A new request, not a retry: a second pending sign-up, replacing the first (same email).
    assert without_key.status_code == 201 and without_key.json()["applicant_id"] != first.json()["applicant_id"]


def test_the_same_key_with_another_body_is_refused(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.post("/v1/auth/signup", person.signup_body(), headers=dict(key)).status_code == 201
    other = api.post("/v1/auth/signup", person.signup_body(language="tr"), headers=dict(key))
    assert other.status_code == 400 and other.json()["error"]["code"] == "VALIDATION_FAILED"


def test_concurrent_retries_with_one_key_all_get_the_one_answer(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    key = str(uuid.uuid4())

    def attempt(_):
        response = api.post("/v1/auth/signup", person.signup_body(), headers={"Idempotency-Key": key})
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(attempt, range(8)))
    assert {status for status, _ in answers} == {201}
    assert len({body["applicant_id"] for _, body in answers}) == 1
    assert len([m for m in api.get("/local/outbox").json() if m["to"] == person.phone]) == 1


def test_refusals_are_replayed_too_and_keys_are_per_caller(api: Api, admin_token: str):
    unknown = new_person()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post("/v1/auth/signup", unknown.signup_body(), headers=dict(key))
    assert first.status_code == 403
    register(api, admin_token, unknown)
    retry = api.post("/v1/auth/signup", unknown.signup_body(), headers=dict(key))
    assert retry.status_code == 403 and retry.headers.get("Idempotent-Replayed") == "true"
    bad_key = api.post("/v1/auth/signup", unknown.signup_body(), headers={"Idempotency-Key": "x" * 300})
    assert bad_key.status_code == 400


def test_one_key_on_two_resources_is_two_calls(api: Api, admin_token: str):
    from tests.http.client import unique_email
    from tests.http.test_accounts import signed_up_and_confirmed

    first, _ = signed_up_and_confirmed(api, admin_token, province="16")
    second, _ = signed_up_and_confirmed(api, admin_token, province="16")
    clerk = unique_email("staff")
    api.post("/v1/admin/staff", {"email": clerk, "password": "StaffPass123", "directorate_id": "16-merkez"}, token=admin_token)
    staff_token = api.login(clerk, "StaffPass123")
    ids = [
        api.post("/v1/staff/applicants/search", {"document_number": p.document_number}, token=staff_token).json()["applicant_id"]
        for p in (first, second)
    ]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"language": "tr", "reason": "asked at the counter"}
    answers = [api.patch(f"/v1/staff/applicants/{i}", body, token=staff_token, headers=dict(key)) for i in ids]
    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json()["profile"]["applicant_id"] for a in answers] == ids
    assert "Idempotent-Replayed" not in answers[1].headers


def test_sign_in_answers_are_never_stored_for_a_key(api: Api, admin_token: str):
    """A stored answer to a keyed sign-in would keep an access token at rest for a day, and hand
    it to anyone replaying the key: sign-in routes ignore the key and sign in again."""
    from tests.http.test_accounts import signed_up_and_confirmed

    person, _ = signed_up_and_confirmed(api, admin_token)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    credentials = {"email": person.email, "password": person.password}
    first = api.post("/v1/auth/login", credentials, headers=dict(key))
    again = api.post("/v1/auth/login", credentials, headers=dict(key))
    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in again.headers
    wrong = api.post("/v1/auth/login", {**credentials, "password": "Wrong123pass"}, headers=dict(key))
    assert wrong.status_code == 401  # not refused as "the same key with another body": no key kept

    operations = api.get("/v1/openapi.json").json()["paths"]
    for path in ("/v1/auth/login", "/v1/auth/mfa"):
        names = [p["name"] for p in operations[path]["post"].get("parameters", [])]
        assert "Idempotency-Key" not in names, path
    assert "Idempotency-Key" in [p["name"] for p in operations["/v1/auth/signup"]["post"]["parameters"]]
