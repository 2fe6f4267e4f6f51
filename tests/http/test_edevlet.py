"""e-Devlet sign-in over HTTP against the local stack and its embedded provider: a seeded
resident's first sign-in makes their account from the registry (phone and email confirmed by
codes), later sign-ins go straight in, the account's token is an ordinary API token, and a
person the registry does not know (or whose permit expired) gets sign-up's one refusal."""

from __future__ import annotations

import requests

from chalicelib.domain.limits import ATTEMPTS_PER_CODE
from chalicelib.i18n import text
from tests.http.client import unique_email, unique_foreign_id, unique_phone
from tests.http.edevlet import (
    CONTACT,
    EMAIL_CODE,
    PHONE_CODE,
    first_sign_in,
    latest_code,
    phone_e164,
    post_form,
    residents_with_foreigner_id,
    through_the_provider,
    today_of,
)

PROVINCE = "27"  # Gaziantep: no other test signs its seeded residents up


def test_a_seeded_resident_signs_in_with_e_devlet_and_gets_an_account_from_the_registry(base_url, api):
    resident = residents_with_foreigner_id(today_of(api), PROVINCE)[0]
    phone, email = "0555 " + unique_phone()[-7:], unique_email("edevlet")
    browser = requests.Session()
    done = first_sign_in(browser, base_url, api, resident.document_number, phone, email)
    assert done.status_code == 303 and done.headers["Location"] == "/book"

    details = browser.get(f"{base_url}/me")
    assert details.status_code == 200
    for shown in (resident.given_name, resident.family_name, resident.document_number, email):
        assert shown in details.text  # the registry's details (nothing typed) and the confirmed email

    # The identity is claimed: a self-service sign-up for the same person is refused.
    signup = api.post("/v1/auth/signup", {
        "document_type": "foreign_id", "document_number": resident.document_number, "nationality": resident.nationality,
        "given_name": resident.given_name, "family_name": resident.family_name, "birth_date": resident.birth_date.isoformat(),
        "email": unique_email(), "phone": unique_phone(), "password": "Secret123pass", "language": "tr",
    })
    assert signup.status_code in (403, 409) and signup.json()["error"]["code"] in ("DUPLICATE_ACCOUNT", "NOT_ELIGIBLE")

    # Later: straight in, no code asked, in a new browser.
    again = through_the_provider(requests.Session(), base_url, resident.document_number)
    assert again.status_code == 303 and again.headers["Location"] == "/book"

    # No password sign-in works for it, and no reset code is sent for it.
    assert api.post("/v1/auth/login", {"email": email, "password": "Secret123pass"}).status_code == 401
    before = len(api.get("/local/outbox").json())
    assert api.post("/v1/auth/forgot-password", {"email": email}).status_code in (200, 202)
    assert not [m for m in api.get("/local/outbox").json()[before:] if m["to"] == phone_e164(phone)]


def test_the_e_devlet_session_books_through_the_same_use_cases(base_url, api):
    """The portal session's token is verified as every token is (the booking pages refuse a
    session without a valid one)."""
    resident = residents_with_foreigner_id(today_of(api), PROVINCE)[1]
    browser = requests.Session()
    done = first_sign_in(browser, base_url, api, resident.document_number, unique_phone(), unique_email("edevlet"))
    assert done.status_code == 303
    # The booking pages call the API's use cases with the session's Cognito token.
    services = browser.get(f"{base_url}/book")
    assert services.status_code == 200 and 'name="service"' in services.text


def test_a_person_the_registry_does_not_know_gets_sign_ups_refusal_and_no_account(base_url, api):
    stranger = unique_foreign_id()
    refused = through_the_provider(requests.Session(), base_url, stranger)
    assert refused.status_code == 403
    assert text("error.NOT_ELIGIBLE", "tr") in refused.text  # the words the sign-up page refuses with
    same_as_signup = api.post("/v1/auth/signup", {
        "document_type": "foreign_id", "document_number": stranger, "nationality": "SY", "given_name": "Ahmad",
        "family_name": "Al-Hassan", "birth_date": "1990-05-17", "email": unique_email(), "phone": unique_phone(),
        "password": "Secret123pass", "language": "en",
    })
    assert same_as_signup.status_code == 403 and same_as_signup.json()["error"]["code"] == "NOT_ELIGIBLE"
    browser = requests.Session()
    through_the_provider(browser, base_url, stranger)
    assert browser.get(f"{base_url}{CONTACT}", allow_redirects=False).status_code == 303  # nothing to continue


def test_an_expired_permit_gets_the_same_refusal_without_its_date(base_url, api):
    today = today_of(api)
    expired = next(r for p in ("34", "06", "42", "07", "33", "35", "63", "16", "01", "31") for r in residents_with_foreigner_id(today, p, expired=True))
    refused = through_the_provider(requests.Session(), base_url, expired.document_number)
    unknown = through_the_provider(requests.Session(), base_url, unique_foreign_id())
    assert refused.status_code == unknown.status_code == 403
    assert expired.permit_valid_until.isoformat() not in refused.text
    main = lambda page: page.text.split('<main', 1)[1]  # noqa: E731
    assert main(refused) == main(unknown)


def test_a_callback_with_another_state_is_refused_with_a_clear_page(base_url, api):
    browser = requests.Session()
    started = browser.get(f"{base_url}/sign-in/e-devlet", allow_redirects=False)
    authorize = started.headers["Location"]
    back = browser.post(authorize, data={"sub": residents_with_foreigner_id(today_of(api), PROVINCE)[2].document_number}, allow_redirects=False)
    forged = back.headers["Location"].replace("state=", "state=x")
    answer = browser.get(forged, allow_redirects=False)
    assert answer.status_code == 400 and "<h1>" in answer.text
    # the request is used up: the genuine answer, replayed after, is refused too
    assert browser.get(back.headers["Location"], allow_redirects=False).status_code == 400
    # and a callback in a browser that started nothing
    assert requests.get(back.headers["Location"], allow_redirects=False).status_code == 400


def test_cancelling_at_e_devlet_says_so_and_changes_nothing(base_url):
    browser = requests.Session()
    started = browser.get(f"{base_url}/sign-in/e-devlet", allow_redirects=False)
    back = browser.post(started.headers["Location"], data={"action": "deny"}, allow_redirects=False)
    answer = browser.get(back.headers["Location"], allow_redirects=False)
    assert answer.status_code == 200 and 'href="/sign-in/e-devlet"' in answer.text


def test_wrong_codes_are_refused_and_counted(base_url, api):
    resident = residents_with_foreigner_id(today_of(api), PROVINCE)[3]
    phone, email = unique_phone(), unique_email("edevlet")
    browser = requests.Session()
    assert through_the_provider(browser, base_url, resident.document_number).headers["Location"] == CONTACT
    bad = post_form(browser, base_url, CONTACT, phone="12", email="not-an-email")
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    assert post_form(browser, base_url, CONTACT, phone=phone, email=email).headers["Location"] == PHONE_CODE
    right = latest_code(api, "sms", phone)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(ATTEMPTS_PER_CODE):
        assert post_form(browser, base_url, PHONE_CODE, code=wrong).status_code == 400
    # the right code after as many wrong ones as a code allows: the attempts are used up
    assert post_form(browser, base_url, PHONE_CODE, code=right).status_code == 400
    assert through_the_provider(requests.Session(), base_url, resident.document_number).headers["Location"] == CONTACT  # not claimed


def test_the_identitys_existing_account_is_the_one_e_devlet_signs_in_to(base_url, api):
    """Two first sign-ins of one person in two browsers: the first to confirm the phone claims
    the identity; the second, confirming after, is signed in to that same account."""
    resident = residents_with_foreigner_id(today_of(api), PROVINCE)[4]
    first, second = requests.Session(), requests.Session()
    email_1, email_2 = unique_email("first"), unique_email("second")
    phone_1, phone_2 = unique_phone(), unique_phone()
    for browser, phone, email in ((first, phone_1, email_1), (second, phone_2, email_2)):
        assert through_the_provider(browser, base_url, resident.document_number).headers["Location"] == CONTACT
        assert post_form(browser, base_url, CONTACT, phone=phone, email=email).headers["Location"] == PHONE_CODE
    assert post_form(first, base_url, PHONE_CODE, code=latest_code(api, "sms", phone_1)).headers["Location"] == EMAIL_CODE
    assert post_form(first, base_url, EMAIL_CODE, code=latest_code(api, "email", email_1)).headers["Location"] == "/book"
    joined = post_form(second, base_url, PHONE_CODE, code=latest_code(api, "sms", phone_2))
    assert joined.status_code == 303 and joined.headers["Location"] == "/book"
    assert email_1 in second.get(f"{base_url}/me").text  # the first account's details
