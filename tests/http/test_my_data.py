"""My data and account closure over HTTP (contract v1.1) and on the portal: GET /v1/me/data and
DELETE /v1/me for the person only (403 for an administrator, 401 without a token), a squatter
holding the person's token after the closure (401), a second sign-up with the closed identity
while its lock runs (409), and a reader of Persian who downloads their data and closes their
account on the portal (axe, WCAG 2.2 AA, every page and answer)."""

from __future__ import annotations

import json

from bench.population import PASSWORD, create_applicants
from tests.http.browser import check_accessible, check_accessible_in_every_language, click_through, sign_in
from tests.http.client import Api
from tests.http.test_accounts import signed_up_and_confirmed


def test_the_person_downloads_their_data_then_closes_the_account_and_a_kept_token_is_refused(api: Api, admin_token: str):
    person, token = signed_up_and_confirmed(api, admin_token)
    data = api.get("/v1/me/data", token=token)
    assert data.status_code == 200, data.text
    body = data.json()
    assert body["schema_version"] == "1" and body["profile"]["document_number"] == person.document_number
    assert body["profile"]["phone"] == person.phone
    assert "data.exported" in [e["action"] for e in body["audit"]]
    assert [s["method"] for s in body["sign_ins"]] == ["password"]
    assert "verification_code_hash" not in data.text and "queue_key" not in data.text

    for method, path in (("GET", "/v1/me/data"), ("DELETE", "/v1/me")):
        assert api.request(method, path).status_code == 401  # nobody signed in
        refused = api.request(method, path, token=admin_token)  # not an administrator's to use
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "FORBIDDEN"

    closed = api.request("DELETE", "/v1/me", token=token)  # at once: even a token of this very second is refused after it
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["identity_held_until"] is None

    # Whoever kept the token (a squatter, a stolen phone): refused everywhere.
    for method, path in (("GET", "/v1/me"), ("GET", "/v1/me/data"), ("DELETE", "/v1/me"), ("GET", "/v1/me/appointments")):
        assert api.request(method, path, token=token).status_code == 401
    assert api.post("/v1/auth/login", {"email": person.email, "password": person.password}).status_code == 401

    # No lock: the person may open a new account at once (a new id), with the same details.
    again = api.post("/v1/auth/signup", person.signup_body())
    assert again.status_code == 201, again.text
    assert again.json()["applicant_id"] != body["applicant_id"]

    described = api.get("/v1/openapi.json").json()["paths"]
    assert "get" in described["/v1/me/data"] and "delete" in described["/v1/me"]


def test_a_closed_identity_with_a_lock_is_not_signed_up_again_until_the_lock_ends(api: Api, admin_token: str):
    person, token = signed_up_and_confirmed(api, admin_token)
    slots = api.get("/v1/availability", token=token, params={"directorate": "34-fatih", "service": "address_registration", "days": 14}).json()["slots"]
    booked = api.post("/v1/appointments", {"slot_id": slots[0]["slot_id"], "service": "address_registration"}, token=token)
    assert booked.status_code == 201, booked.text
    closed = api.request("DELETE", "/v1/me", token=token)
    assert closed.status_code == 200 and closed.json()["identity_held_until"] is not None

    again = api.post("/v1/auth/signup", person.signup_body(email=f"x{person.email}"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "DUPLICATE_ACCOUNT"


def test_a_reader_of_persian_sees_downloads_and_closes_their_account_on_the_portal(browser, base_url):
    person = create_applicants(base_url, 1, province="16")[0]
    context, page = sign_in(browser, base_url, person.email, PASSWORD, language="fa")
    page.goto(f"{base_url}/me")
    assert page.locator("html").get_attribute("dir") == "rtl"
    click_through(page, "a[href='/me/data']")
    assert page.url.endswith("/me/data")
    assert page.locator("h1").inner_text() == "داده‌هایی که درباره شما نگه می‌داریم"
    check_accessible_in_every_language(page)

    download = page.request.get(f"{base_url}/me/data.json")
    assert download.status == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert json.loads(download.text())["profile"]["email"] == person.email

    page.goto(f"{base_url}/me/close")
    check_accessible_in_every_language(page)
    click_through(page, "form[action='/me/close'] button")  # not confirmed: refused, nothing closed
    assert page.locator(".field-error").count() == 1
    check_accessible(page)
    page.check("#confirm")
    click_through(page, "form[action='/me/close'] button")
    assert page.locator("h1").inner_text() == "حساب شما بسته شد"
    check_accessible(page)
    page.goto(f"{base_url}/me")
    assert "/sign-in" in page.url  # signed out, and the account signs in no more
    context.close()
