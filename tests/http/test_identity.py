"""Trusted identity over HTTP (issue 10): registry-matched sign-up, no squatting, no oracles,
attempt limits that hold under parallel guesses, hostile input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from tests.http.client import Api, new_person, unique_email, unique_phone
from tests.http.conftest import sms_code_for
from tests.http.test_accounts import register


def sms_to(api: Api, phone: str) -> list[dict]:
    return [m for m in api.get("/local/outbox").json() if m["channel"] == "sms" and m["to"] == phone]


def test_not_in_the_registry_permit_expired_and_details_not_matching_are_one_answer(api: Api, admin_token: str):
    unknown = new_person()
    expired = new_person()
    register(api, admin_token, expired, valid_until=date.today() - timedelta(days=3))
    mismatched = new_person()
    register(api, admin_token, mismatched)

    answers = [
        api.post("/v1/auth/signup", unknown.signup_body()),
        api.post("/v1/auth/signup", expired.signup_body()),
        api.post("/v1/auth/signup", mismatched.signup_body(birth_date="1990-05-18")),
        api.post("/v1/auth/signup", mismatched.signup_body(family_name="Al-Hussein")),
    ]
    assert {a.status_code for a in answers} == {403}
    assert len({a.content for a in answers}) == 1  # byte-identical bodies
    assert answers[0].json()["error"]["code"] == "NOT_ELIGIBLE" and answers[0].json()["error"]["details"] == {}
    assert {a.headers["Content-Type"] for a in answers} == {answers[0].headers["Content-Type"]}
    assert (date.today() - timedelta(days=3)).isoformat() not in answers[1].text
    assert not any(sms_to(api, p.phone) for p in (unknown, expired, mismatched))  # nothing sent


def test_typed_details_match_the_registry_whatever_the_case_accents_spaces_and_hyphens(api: Api, admin_token: str):
    person = new_person(given_name="Halil İbrahim", family_name="Şeyh-Ahmet", nationality="SY")
    register(api, admin_token, person)
    body = person.signup_body(given_name="HALIL  IBRAHIM", family_name="seyh ahmet", nationality="SYR")
    assert api.post("/v1/auth/signup", body).status_code == 201
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": sms_code_for(api, person.phone)}).status_code == 200
    me = api.get("/v1/me", token=api.login(person.email, person.password)).json()
    # The account holds the registry's spelling, not what was typed.
    assert (me["given_name"], me["family_name"], me["nationality"]) == ("Halil İbrahim", "Şeyh-Ahmet", "SYR")


def test_sign_up_with_a_passport_finds_the_person_by_their_passport_number(api: Api, admin_token: str):
    person = new_person(passport_number=f"P{unique_phone()[-8:]}")
    register(api, admin_token, person)
    body = person.signup_body(document_type="passport", document_number=person.passport_number.lower())
    signed_up = api.post("/v1/auth/signup", body)
    assert signed_up.status_code == 201, signed_up.text
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": sms_code_for(api, person.phone)}).status_code == 200
    me = api.get("/v1/me", token=api.login(person.email, person.password)).json()
    assert me["document_number"] == person.document_number  # the registry's document, claimed once
    again = api.post("/v1/auth/signup", person.signup_body(email=unique_email(), phone=unique_phone()))
    assert again.status_code == 409 and again.json()["error"]["code"] == "DUPLICATE_ACCOUNT"


def test_a_stranger_can_neither_hold_nor_block_an_identity_and_the_person_signs_up_afterwards(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)

    # Knowing only the document number: refused, nothing written, nothing sent.
    guess = person.signup_body(email=unique_email("squatter"), phone=unique_phone(), given_name="Mehmet", family_name="Yılmaz")
    refused = api.post("/v1/auth/signup", guess)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "NOT_ELIGIBLE"
    assert not sms_to(api, guess["phone"])

    # Knowing everything the registry holds, with the person's own email and the squatter's phone:
    # a pending sign-up, which holds nothing.
    squatter_phone = unique_phone()
    assert api.post("/v1/auth/signup", person.signup_body(phone=squatter_phone)).status_code == 201
    squatter_code = sms_code_for(api, squatter_phone)
    squatter_login = api.post("/v1/auth/login", {"email": person.email, "password": person.password})
    assert squatter_login.status_code == 401  # a pending sign-up cannot sign in

    # The person signs up with their email: the squatter's pending sign-up is replaced.
    assert api.post("/v1/auth/signup", person.signup_body()).status_code == 201
    stale = api.post("/v1/auth/confirm", {"email": person.email, "code": squatter_code})
    assert stale.status_code == 400
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": sms_code_for(api, person.phone)}).status_code == 200
    token = api.login(person.email, person.password)
    assert api.get("/v1/me", token=token).json()["phone"] == person.phone


def test_a_squatter_with_another_email_loses_to_the_first_confirmation(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    squatter = person.signup_body(email=unique_email("squatter"), phone=unique_phone())
    assert api.post("/v1/auth/signup", squatter).status_code == 201
    assert api.post("/v1/auth/signup", person.signup_body()).status_code == 201  # not blocked
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": sms_code_for(api, person.phone)}).status_code == 200
    late = api.post("/v1/auth/confirm", {"email": squatter["email"], "code": sms_code_for(api, squatter["phone"])})
    assert late.status_code == 409 and late.json()["error"]["code"] == "DUPLICATE_ACCOUNT"
    assert api.post("/v1/auth/login", {"email": squatter["email"], "password": person.password}).status_code == 401


def test_a_wrong_code_gets_one_answer_for_unknown_pending_and_active_emails(api: Api, admin_token: str):
    active = new_person()
    register(api, admin_token, active)
    api.post("/v1/auth/signup", active.signup_body())
    active_code = sms_code_for(api, active.phone)
    assert api.post("/v1/auth/confirm", {"email": active.email, "code": active_code}).status_code == 200
    pending = new_person()
    register(api, admin_token, pending)
    api.post("/v1/auth/signup", pending.signup_body())
    pending_code = sms_code_for(api, pending.phone)

    def wrong(code: str) -> str:
        return f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [
        api.post("/v1/auth/confirm", {"email": unique_email("nobody"), "code": "123456"}),
        api.post("/v1/auth/confirm", {"email": pending.email, "code": wrong(pending_code)}),
        api.post("/v1/auth/confirm", {"email": active.email, "code": wrong(active_code)}),
        api.post("/v1/auth/confirm", {"email": active.email, "code": active_code}),  # already used: no oracle either
    ]
    assert {a.status_code for a in answers} == {400}
    assert len({a.content for a in answers}) == 1
    assert answers[0].json()["error"]["code"] == "VALIDATION_FAILED" and "applicant_id" not in answers[3].text


def test_parallel_code_guesses_stop_at_the_limit(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    api.post("/v1/auth/signup", person.signup_body())
    code = sms_code_for(api, person.phone)
    guesses = [f"{(int(code) + i) % 1_000_000:06d}" for i in range(1, 17)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda g: api.post("/v1/auth/confirm", {"email": person.email, "code": g}), guesses))
    assert {a.status_code for a in answers} == {400}
    # At most the day's guesses were judged: the right code now finds none left (in AWS too).
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": code}).status_code == 400
    # A new code does not buy new guesses today.
    resent = api.post("/v1/auth/resend-code", {"email": person.email})
    assert resent.status_code in (202, 429)


def test_parallel_reset_code_guesses_stop_at_the_limit(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    api.post("/v1/auth/signup", person.signup_body())
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": sms_code_for(api, person.phone)}).status_code == 200
    assert api.post("/v1/auth/forgot-password", {"email": person.email}).status_code == 202
    code = sms_code_for(api, person.phone)
    guesses = [f"{(int(code) + i) % 1_000_000:06d}" for i in range(1, 17)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(
            lambda g: api.post("/v1/auth/reset-password", {"email": person.email, "code": g, "password": "NewSecret123pass"}), guesses
        ))
    assert {a.status_code for a in answers} == {400}
    late = api.post("/v1/auth/reset-password", {"email": person.email, "code": code, "password": "NewSecret123pass"})
    assert late.status_code == 400
    assert api.login(person.email, person.password)  # the password did not change


def test_hostile_identity_data_is_refused_naming_the_field_and_nothing_is_written(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    arabic_indic = person.document_number.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    full_width = person.document_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    cases = {
        "given_name": person.signup_body(given_name="Ah\u200bmad"),
        "family_name": person.signup_body(family_name="Al-Hass\u0430n"),  # a Cyrillic "а"
        "document_number": person.signup_body(document_number=arabic_indic),
    }
    for field, body in cases.items():
        refused = api.post("/v1/auth/signup", body)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "VALIDATION_FAILED", field
        assert [f["field"] for f in refused.json()["error"]["details"]["fields"]] == [field]
    long_names = api.post("/v1/auth/signup", person.signup_body(given_name="A" * 300, family_name="B" * 300, document_number=full_width))
    assert long_names.status_code == 400
    assert {f["field"] for f in long_names.json()["error"]["details"]["fields"]} == {"given_name", "family_name", "document_number"}
    bidi = api.post("/v1/admin/residents", {"records": [{**person.registry_record(), "given_name": "\u202eAhmad"}]}, token=admin_token)
    assert bidi.status_code == 400 and bidi.json()["error"]["details"]["fields"][0]["field"].endswith("given_name")
    assert not sms_to(api, person.phone)
    # Nothing half-written: the person signs up as if none of it had happened.
    assert api.post("/v1/auth/signup", person.signup_body()).status_code == 201
