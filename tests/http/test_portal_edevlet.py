"""The issue's browser test: a seeded resident signs in with e-Devlet on the local provider, in
Turkish and in Arabic, completes the phone and email codes (read from GET /local/outbox) and
books an appointment; axe-core (WCAG 2.2 AA) checks every portal page on the way, in every
language for the pages this journey adds, error states included."""

from __future__ import annotations

import pytest

from tests.http.browser import check_accessible, check_accessible_in_every_language, check_answer_in_every_language, click_through, shoot
from tests.http.client import unique_email, unique_phone
from tests.http.edevlet import latest_code, residents_with_foreigner_id, today_of

# One province each, no other test signs their seeded residents up.
PROVINCES = {"tr": "63", "ar": "31"}


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_a_seeded_resident_signs_in_with_e_devlet_confirms_phone_and_email_and_books(browser, base_url, api, language):
    resident = residents_with_foreigner_id(today_of(api), PROVINCES[language])[0]
    phone, email = unique_phone(), unique_email(f"edevlet-{language}")
    context = browser.new_context()
    page = context.new_page()

    page.goto(f"{base_url}/?lang={language}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    first = page.locator("main a.button").first  # the first choice on the start page
    assert first.get_attribute("href") == "/sign-in/e-devlet"
    check_accessible(page)
    page.goto(f"{base_url}/sign-in")
    assert page.locator("main a.button").first.get_attribute("href") == "/sign-in/e-devlet"  # and on the sign-in page
    check_accessible(page)
    click_through(page, page.locator("main a.button").first)

    # The local e-Devlet: pick the resident.
    assert page.url.startswith(api.get("/local/clock").url.rsplit(":", 1)[0]) and "/oauth2/authorize" in page.url
    check_accessible(page)
    page.select_option("#sub", resident.document_number)
    click_through(page, "form:has(#sub) button[type=submit]")

    assert page.url.endswith("/sign-in/e-devlet/contact")
    assert page.locator("html").get_attribute("lang") == language  # the session's language came back with the person
    if language == "ar":
        shoot(page, "edevlet-contact-ar")
    check_accessible_in_every_language(page)
    check_answer_in_every_language(page, page.url, _wrong_contact_details)
    page.fill("#phone", phone)
    page.fill("#email", email)
    click_through(page, "main form button[type=submit]")

    assert page.url.endswith("/sign-in/e-devlet/phone-code")
    check_accessible_in_every_language(page)
    page.fill("#code", "12345")  # too short: marked, nothing counted
    click_through(page, "main form button[type=submit]")
    assert page.locator("#code[aria-invalid=true]").count() == 1
    check_accessible(page)
    page.fill("#code", latest_code(api, "sms", phone))
    click_through(page, "main form button[type=submit]")

    assert page.url.endswith("/sign-in/e-devlet/email-code")
    check_accessible_in_every_language(page)
    page.fill("#code", latest_code(api, "email", email))
    click_through(page, "main form button[type=submit]")

    assert page.url.endswith("/book")
    reference = _book(page)
    assert reference.startswith("GOC-")
    if language == "tr":
        shoot(page, "edevlet-confirmation-tr")
    context.close()


def test_the_refusal_and_the_cancellation_pages_are_accessible(browser, base_url, api):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/sign-in/e-devlet?lang=ar")
    page.fill("#other-sub", "99000000040")
    click_through(page, "form:has(#other-sub) button[type=submit]")
    assert page.url.split("?")[0].endswith("/sign-in/e-devlet/callback")
    assert page.locator(".error-summary").is_visible()
    check_accessible(page)
    page.goto(f"{base_url}/sign-in/e-devlet")
    click_through(page, "button[value=deny]")
    assert page.locator("main a.button[href='/sign-in/e-devlet']").count() == 1
    check_accessible_in_every_language(page)
    context.close()


def _wrong_contact_details(page) -> None:
    page.fill("#phone", "0212 000")
    page.fill("#email", "no-at-sign")
    click_through(page, "main form button[type=submit]")
    assert page.locator("#phone[aria-invalid=true]").count() == 1 and page.locator("#email[aria-invalid=true]").count() == 1


def _book(page) -> str:
    """From /book to the confirmation: the first service, directorate, day and time."""
    check_accessible(page)
    page.locator("main input[name=service]").first.check()
    click_through(page, "main button[type=submit]")
    if "/book/directorate" in page.url:
        page.locator("main input[name=directorate]").first.check()
        click_through(page, "main button[type=submit]")
    assert "/book/day" in page.url
    check_accessible(page)
    click_through(page, page.locator("table.calendar a").first)
    assert "/book/time" in page.url
    click_through(page, "main button[type=submit]")
    assert "/book/check" in page.url
    check_accessible(page)
    page.check("#agree")
    click_through(page, "main form[method=post] button")
    assert "/appointments/" in page.url
    check_accessible(page)
    return page.locator(".reference").inner_text().strip()
