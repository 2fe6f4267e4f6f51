"""The second factor of staff and admin, over HTTP against the local stack: no token without a
valid TOTP code, enrolment at the first sign-in, a bounded and short-lived challenge; applicants
still get their token at once (contract v1.1)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import jwt
import pyotp

from tests.http.client import ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOTP_SECRET, Api, unique_email, wrong_totp_code
from tests.http.test_accounts import signed_up_and_confirmed

STAFF_PASSWORD = "StaffPass123"
MAX_CODE_ATTEMPTS = 5


def new_staff(api: Api, admin_token: str) -> str:
    email = unique_email("clerk")
    created = api.post("/v1/admin/staff", {"email": email, "password": STAFF_PASSWORD, "directorate_id": "34-fatih"}, token=admin_token)
    assert created.status_code == 201, created.text
    return email


def enrolled_staff(api: Api, admin_token: str) -> tuple[str, str]:
    """A staff member past their first sign-in; returns (email, TOTP secret)."""
    email = new_staff(api, admin_token)
    api.login(email, STAFF_PASSWORD)  # completes mfa_setup with the secret it is given
    return email, api.totp_secrets[email]


def password_step(api: Api, email: str, password: str = STAFF_PASSWORD) -> dict:
    response = api.post("/v1/auth/login", {"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def send_code(api: Api, session: str, code: str):
    return api.post("/v1/auth/mfa", {"session": session, "code": code})


def refusal(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    return error


def groups(token: str) -> list[str]:
    return jwt.decode(token, options={"verify_signature": False})["cognito:groups"]


def test_the_admin_signs_in_with_the_secret_of_local_admin_totp_secret(api: Api):
    challenge = password_step(api, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert set(challenge) == {"challenge", "session"} and challenge["challenge"] == "mfa"  # no token, no secret
    assert ADMIN_EMAIL not in challenge["session"]

    refused = refusal(send_code(api, challenge["session"], wrong_totp_code(ADMIN_TOTP_SECRET)), 401, "UNAUTHENTICATED")
    assert refused["details"]["reason"] == "code_incorrect"

    signed_in = send_code(api, challenge["session"], pyotp.TOTP(ADMIN_TOTP_SECRET).now())
    assert signed_in.status_code == 200, signed_in.text
    body = signed_in.json()
    assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 3600
    assert "admin" in groups(body["access_token"])
    assert api.get("/v1/me/appointments", token=body["access_token"]).status_code == 403  # signed in, as an admin


def test_a_first_sign_in_enrols_an_authenticator_then_every_sign_in_asks_for_its_code(api: Api, admin_token: str):
    email = new_staff(api, admin_token)
    setup = password_step(api, email)
    assert set(setup) == {"challenge", "session", "secret", "otpauth_uri"} and setup["challenge"] == "mfa_setup"

    app = pyotp.parse_uri(setup["otpauth_uri"])  # what an authenticator app reads from the QR code
    assert app.secret == setup["secret"] and len(setup["secret"]) == 32
    assert app.issuer == "GÖÇ İDARESİ Randevu" and app.name == email
    assert app.digits == 6 and app.interval == 30
    assert setup["otpauth_uri"].startswith("otpauth://totp/G%C3%96%C3%87%20%C4%B0DARES%C4%B0%20Randevu:")

    refused = refusal(send_code(api, setup["session"], wrong_totp_code(setup["secret"])), 401, "UNAUTHENTICATED")
    assert refused["details"]["reason"] == "code_incorrect"
    assert password_step(api, email)["challenge"] == "mfa_setup"  # a wrong code enrolled nothing

    again = password_step(api, email)
    assert again["secret"] != setup["secret"]  # each attempt at enrolment gets a new secret
    enrolled = send_code(api, again["session"], pyotp.TOTP(again["secret"]).now())
    assert enrolled.status_code == 200, enrolled.text
    assert "staff" in groups(enrolled.json()["access_token"])
    assert 3500 < enrolled.json()["expires_in"] <= 3600

    challenge = password_step(api, email)
    assert set(challenge) == {"challenge", "session"} and challenge["challenge"] == "mfa"
    assert refusal(send_code(api, challenge["session"], pyotp.TOTP(setup["secret"]).now()), 401, "UNAUTHENTICATED")
    signed_in = send_code(api, challenge["session"], pyotp.TOTP(again["secret"]).now())
    assert signed_in.status_code == 200, signed_in.text


def test_a_staff_sign_in_without_a_valid_code_is_refused(api: Api, admin_token: str):
    email, secret = enrolled_staff(api, admin_token)
    session = password_step(api, email)["session"]

    no_code = refusal(api.post("/v1/auth/mfa", {"session": session}), 400, "VALIDATION_FAILED")
    assert [f["field"] for f in no_code["details"]["fields"]] == ["code"]
    for malformed in ("12345", "1234567", "12a456", "١٢٣٤٥٦"):  # Arabic-Indic digits are not the app's code
        refused = refusal(send_code(api, session, malformed), 400, "VALIDATION_FAILED")
        assert refused["details"]["fields"][0]["field"] == "code"
    assert refusal(send_code(api, session, wrong_totp_code(secret)), 401, "UNAUTHENTICATED")["details"]["reason"] == "code_incorrect"
    assert refusal(send_code(api, "x" * 43, pyotp.TOTP(secret).now()), 401, "UNAUTHENTICATED")["details"]["reason"] == "sign_in_again"
    assert refusal(api.post("/v1/auth/login", {"email": email, "password": "WrongPass123"}), 401, "UNAUTHENTICATED")

    assert send_code(api, session, pyotp.TOTP(secret).now()).status_code == 200
    replayed = send_code(api, session, pyotp.TOTP(secret).now())  # a session works once
    assert refusal(replayed, 401, "UNAUTHENTICATED")["details"]["reason"] == "sign_in_again"


def test_a_challenge_expires_after_three_minutes(api: Api, admin_token: str):
    email, secret = enrolled_staff(api, admin_token)
    first_sign_in = password_step(api, new_staff(api, admin_token))
    session = password_step(api, email)["session"]

    now = datetime.fromisoformat(api.get("/local/clock").json()["now"])
    moved = api.post("/local/clock", {"to": (now + timedelta(minutes=3, seconds=5)).isoformat()})
    assert moved.status_code == 200, moved.text

    late = send_code(api, session, pyotp.TOTP(secret).now())
    assert refusal(late, 401, "UNAUTHENTICATED")["details"]["reason"] == "sign_in_again"
    late_setup = send_code(api, first_sign_in["session"], pyotp.TOTP(first_sign_in["secret"]).now())
    assert refusal(late_setup, 401, "UNAUTHENTICATED")["details"]["reason"] == "sign_in_again"


def test_parallel_guesses_stop_at_the_limit_and_then_even_the_right_code_is_refused(api: Api, admin_token: str):
    email, secret = enrolled_staff(api, admin_token)
    session = password_step(api, email)["session"]
    guess = wrong_totp_code(secret)

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: send_code(api, session, guess), range(24)))

    assert all(a.status_code == 401 for a in answers)
    reasons = [a.json()["error"]["details"]["reason"] for a in answers]
    assert reasons.count("code_incorrect") == MAX_CODE_ATTEMPTS  # evaluated: exactly the limit
    assert reasons.count("sign_in_again") == len(answers) - MAX_CODE_ATTEMPTS
    assert refusal(send_code(api, session, pyotp.TOTP(secret).now()), 401, "UNAUTHENTICATED")["details"]["reason"] == "sign_in_again"

    fresh = password_step(api, email)["session"]  # the password again opens a new challenge
    assert send_code(api, fresh, pyotp.TOTP(secret).now()).status_code == 200


def test_of_several_right_answers_at_once_one_gets_the_token(api: Api, admin_token: str):
    parallel = 4
    email, secret = enrolled_staff(api, admin_token)
    session = password_step(api, email)["session"]
    code = pyotp.TOTP(secret).now()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        answers = list(pool.map(lambda _: send_code(api, session, code), range(parallel)))
    assert sorted(a.status_code for a in answers) == [200] + [401] * (parallel - 1)


def test_an_applicant_still_gets_a_token_at_once(api: Api, admin_token: str):
    person, _ = signed_up_and_confirmed(api, admin_token)
    answer = password_step(api, person.email, person.password)
    assert set(answer) == {"access_token", "token_type", "expires_in"}
    assert api.get("/v1/me", token=answer["access_token"]).status_code == 200


def test_the_openapi_document_describes_both_answers_of_a_sign_in_and_the_code_step(api: Api):
    paths = api.get("/v1/openapi.json").json()["paths"]
    login = paths["/v1/auth/login"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {ref["$ref"].rsplit("/", 1)[-1] for ref in login["oneOf"]} == {"LoginResponse", "MfaChallengeResponse", "MfaSetupResponse"}
    step = paths["/v1/auth/mfa"]["post"]
    assert {"200", "400", "401"} <= set(step["responses"])
