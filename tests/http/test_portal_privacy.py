"""The privacy notice on the portal, in a real browser: a reader of Persian sees it, right to
left, before creating an account, and the version shown is recorded; after a new version is
published, the next sign-in shows it once, and after "I have read it" never again; an account
made through the API without the notice sees it at its first sign-in. axe-core checks every
page at WCAG 2.2 AA. The new version is published through the local stack's
`POST /local/privacy-notice` (no code is edited) and withdrawn after each test."""

from __future__ import annotations

import pytest

from bench.population import PASSWORD, Resident
from tests.http.browser import check_accessible, check_accessible_in_every_language, click_through, shoot, sign_in
from tests.http.client import Api, new_person
from tests.http.conftest import sms_code_for
from tests.http.test_accounts import register
from tests.http.test_portal import sign_up_through_the_pages

PROVINCE = "33"  # Mersin
NEW_VERSION = "2027-01-15"


@pytest.fixture
def publish(api: Api):
    """Publishes a new version on the stack (the same words, a later version), as often as
    asked; the versions of the code come back after the test."""

    def publish_version(version: str) -> str:
        published = api.post("/local/privacy-notice", {"version": version})
        assert published.status_code == 200, published.text
        return version

    yield publish_version
    assert api.request("DELETE", "/local/privacy-notice").status_code == 200


def test_the_public_page_reads_in_every_language(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/?lang=fa")
    click_through(page, "footer a[href='/privacy']")
    assert page.url.endswith("/privacy") and page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h2").count() == 8  # controller, data, purposes, grounds, recipients, retention, rights, how
    check_accessible_in_every_language(page)
    context.close()


def test_a_reader_of_persian_sees_the_notice_before_creating_an_account_and_its_version_is_recorded(browser, base_url, api: Api, admin_token):
    version = api.get("/v1/privacy-notice").json()["version"]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/sign-up?lang=fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    notice = page.locator("section.privacy")
    assert notice.locator("h2").inner_text() == "داده‌های شخصی شما"
    # Above the form, and before its button: what the notice says in short, and what pressing means.
    assert notice.bounding_box()["y"] < page.locator("form[action='/sign-up']").bounding_box()["y"]
    assert version in page.locator("#privacy-confirm").inner_text()
    page.locator("#privacy-notice summary").click()  # the whole notice, unfolded with a click (or Enter)
    assert page.locator("#privacy-notice h3").first.is_visible()
    check_accessible(page)
    shoot(page, "privacy-sign-up-fa")

    person = new_person(province=PROVINCE)
    register(api, admin_token, person)
    resident = sign_up_through_the_pages(page, base_url, api, person, "fa")
    me = api.get("/v1/me", token=resident.token).json()
    assert me["notice_version"] == version

    page.fill("#email", person.email)
    page.fill("#password", person.password)
    click_through(page, "form[action='/sign-in'] button")
    assert page.url.endswith("/book")  # seen at sign-up: not shown again
    context.close()


def _signed_up_through_the_api(api: Api, admin_token: str, **body) -> Resident:
    person = new_person(province=PROVINCE)
    register(api, admin_token, person)
    answer = api.post("/v1/auth/signup", {k: v for k, v in person.signup_body(**body).items() if v is not None})
    assert answer.status_code == 201, answer.text
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": sms_code_for(api, person.phone)}).status_code == 200
    return Resident(person.document_number, person.email, person.phone, api.login(person.email, PASSWORD), answer.json()["applicant_id"])


def _sign_out(page) -> None:
    click_through(page, "form[action='/sign-out'] button")


def test_after_a_new_version_the_next_sign_in_shows_it_once_then_never(browser, base_url, api: Api, admin_token, publish):
    person = _signed_up_through_the_api(api, admin_token)  # shown the version in force at sign-up
    signed_up_under = api.get("/v1/me", token=person.token).json()["notice_version"]
    new_version = publish(NEW_VERSION)
    assert signed_up_under and signed_up_under != new_version

    context, page = sign_in(browser, base_url, person.email, PASSWORD, language="fa")
    assert page.url.endswith("/privacy/updated")
    assert page.locator("h1").inner_text() == "اطلاعیه حریم خصوصی ما تغییر کرده است"
    assert new_version in page.locator("#notice-version").inner_text()
    check_accessible_in_every_language(page)
    shoot(page, "privacy-updated-fa")
    page.goto(f"{base_url}/book")  # going on without reading it: allowed, and it is not recorded
    assert page.url.endswith("/book")
    assert api.get("/v1/me", token=person.token).json()["notice_version"] == signed_up_under
    _sign_out(page)
    context.close()

    context, page = sign_in(browser, base_url, person.email, PASSWORD, language="fa")
    assert page.url.endswith("/privacy/updated")  # shown again: it was not read
    click_through(page, "main form[action='/privacy/updated'] button")
    assert page.url.endswith("/book")
    assert api.get("/v1/me", token=person.token).json()["notice_version"] == new_version
    page.goto(f"{base_url}/privacy/updated")
    assert page.url.endswith("/book")  # read: the page sends the person on
    _sign_out(page)
    context.close()

    context, page = sign_in(browser, base_url, person.email, PASSWORD, language="fa")
    assert page.url.endswith("/book")  # never again
    context.close()


def test_a_page_left_open_while_a_newer_version_is_published_shows_the_newer_one(browser, base_url, api: Api, admin_token, publish):
    person = _signed_up_through_the_api(api, admin_token)
    publish(NEW_VERSION)
    context, page = sign_in(browser, base_url, person.email, PASSWORD, language="en")
    assert page.url.endswith("/privacy/updated")
    publish("2027-02-01")  # while the page is open
    click_through(page, "main form[action='/privacy/updated'] button")
    assert page.url.endswith("/privacy/updated") and page.locator(".error-summary").is_visible()
    assert "2027-02-01" in page.locator("#notice-version").inner_text()
    check_accessible(page)
    click_through(page, "main form[action='/privacy/updated'] button")
    assert page.url.endswith("/book")
    assert api.get("/v1/me", token=person.token).json()["notice_version"] == "2027-02-01"
    context.close()


def test_an_account_made_through_the_api_without_the_notice_sees_it_at_its_first_sign_in(browser, base_url, api: Api, admin_token):
    person = _signed_up_through_the_api(api, admin_token, notice_version=None)
    context, page = sign_in(browser, base_url, person.email, PASSWORD, language="ar")
    assert page.url.endswith("/privacy/updated")
    assert page.locator("h1").inner_text() == "قبل المتابعة: إشعار الخصوصية"
    check_accessible(page)
    click_through(page, "main form[action='/privacy/updated'] button")
    assert page.url.endswith("/book")
    assert api.get("/v1/me", token=person.token).json()["notice_version"] == api.get("/v1/privacy-notice").json()["version"]
    context.close()
