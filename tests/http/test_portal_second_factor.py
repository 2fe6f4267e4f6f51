"""The console's second sign-in step in a real browser: a new staff member's first sign-in
enrols an authenticator app (QR code and the key as text), then every sign-in asks for the
code; a wrong code is said in the person's language; axe-core at WCAG 2.2 AA, in Turkish and
Arabic (and English on the way)."""

from __future__ import annotations

import pyotp
import pytest

from chalicelib.i18n import text
from tests.http.browser import STAFF_PASSWORD, check_accessible, check_accessible_in_every_language, click_through, new_staff_member, shoot, sign_in
from tests.http.client import TOTP_SECRETS, wrong_totp_code

DIRECTORATE = "34-fatih"


def password_step(browser, base_url: str, email: str, language: str):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/sign-in?lang={language}")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    click_through(page, "form[action='/sign-in'] button")
    assert page.url.endswith("/sign-in/code")  # the pending sign-in is in the session, not the address
    return context, page


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_a_staff_members_first_sign_in_enrols_an_authenticator_app_with_a_qr_code(browser, base_url, api, admin_token, language):
    email = new_staff_member(api, admin_token, DIRECTORATE)
    context, page = password_step(browser, base_url, email, language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").first.inner_text() == text("mfa.setup.title", language)
    qr = page.locator(".qr-code svg[role=img]")
    assert qr.get_attribute("aria-label") == text("mfa.setup.qr_label", language)
    assert qr.locator("path").count() >= 1
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32 and page.locator("#totp-secret").get_attribute("dir") == "ltr"
    check_accessible(page)
    shoot(page, f"staff-enrolment-{language}")

    page.fill("#code", wrong_totp_code(secret))
    click_through(page, "form[action='/sign-in/code'] button")
    assert page.url.endswith("/sign-in/code")
    assert page.locator("#code-error").inner_text() == text("mfa.error.code", language)
    assert page.locator("#code").get_attribute("aria-invalid") == "true"
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret  # the same key, to try again
    check_accessible(page)

    page.fill("#code", pyotp.TOTP(secret).now())
    click_through(page, "form[action='/sign-in/code'] button")
    assert page.url.endswith("/staff")
    check_accessible(page)
    context.close()
    TOTP_SECRETS[email] = secret

    # Every later sign-in: the code alone, no key shown again.
    context, page = password_step(browser, base_url, email, language)
    assert page.locator("#totp-secret").count() == 0 and page.locator(".qr-code").count() == 0
    assert page.locator("h1").inner_text() == text("mfa.code.title", language)
    check_accessible_in_every_language(page)
    shoot(page, f"staff-code-{language}")
    page.fill("#code", pyotp.TOTP(secret).now())
    click_through(page, "form[action='/sign-in/code'] button")
    assert page.url.endswith("/staff")
    context.close()


def test_the_code_page_without_a_pending_sign_in_sends_back_to_the_sign_in_page(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/sign-in/code?lang=ar")
    assert "/sign-in" in page.url and "/sign-in/code" not in page.url
    check_accessible(page)
    context.close()


def test_the_admin_signs_in_on_the_console_with_the_configured_secret(browser, base_url):
    context, page = sign_in(browser, base_url, "admin@example.org", "LocalAdmin123!", language="en")
    assert page.url.endswith("/admin")
    context.close()
