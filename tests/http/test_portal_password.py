"""A forgotten password on the portal, in a real browser: the link on the sign-in page, the
email, the code from the SMS with a new password (a wrong code first), the notice on the
sign-in page and signing in with the new password. axe-core checks every new page in every
language, with and without errors; one journey runs with JavaScript switched off."""

from __future__ import annotations

from bench.population import PASSWORD, Resident, create_applicants
from chalicelib.i18n import text
from tests.http.browser import LANGUAGES, check_accessible, check_accessible_in_every_language, click_through
from tests.http.client import Api
from tests.http.conftest import sms_code_for

PROVINCE = "06"
NEW_PASSWORD = "Forgotten123pass"
SUBMIT = "main form[method=post] button[type=submit]"


def new_applicant(base_url: str) -> Resident:
    [person] = create_applicants(base_url, 1, province=PROVINCE)
    return person


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def ask_for_a_code(page, base_url: str, person: Resident) -> None:
    page.goto(f"{base_url}/sign-in")
    click_through(page, "a[href='/password/forgot']")
    assert page.url.endswith("/password/forgot")
    page.fill("#email", person.email)
    click_through(page, SUBMIT)
    assert page.url.endswith("/password/reset")  # the email stays in the session, not the address


def test_a_forgotten_password_is_reset_through_the_pages(browser, base_url: str, api: Api):
    person = new_applicant(base_url)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/sign-in?lang=en")
    click_through(page, "a[href='/password/forgot']")
    assert page.url.endswith("/password/forgot")
    check_accessible_in_every_language(page)
    for language in LANGUAGES:  # nothing typed: the error summary links to the field
        page.goto(f"{base_url}/password/forgot?lang={language}")
        click_through(page, SUBMIT)
        assert page.locator(".error-summary a[href='#email']").count() == 1
        assert page.get_attribute("#email", "aria-invalid") == "true"
        check_accessible(page)

    page.fill("#email", person.email)
    click_through(page, SUBMIT)
    assert page.url.endswith("/password/reset") and person.email not in page.url
    assert text("password.reset.sent", LANGUAGES[-1], minutes=15) in page.locator("main").inner_text()  # the loop's last language
    check_accessible_in_every_language(page)
    for language in LANGUAGES:  # a code too short and a weak password: both named, no attempt spent
        page.goto(f"{base_url}/password/reset?lang={language}")
        page.fill("#code", "12")
        page.fill("#password", "weak")
        click_through(page, SUBMIT)
        summary = page.locator(".error-summary")
        assert summary.locator("a[href='#code']").count() == 1 and summary.locator("a[href='#password']").count() == 1
        check_accessible(page)

    page.goto(f"{base_url}/password/reset?lang=en")
    code = sms_code_for(api, person.phone)
    page.fill("#code", other_code(code))
    page.fill("#password", NEW_PASSWORD)
    click_through(page, SUBMIT)
    assert page.locator(".error-summary a[href='#code']").inner_text() == text("password.error.code", "en")
    assert page.get_attribute("#code", "aria-invalid") == "true"
    check_accessible(page)

    page.fill("#code", code)
    page.fill("#password", NEW_PASSWORD)
    click_through(page, SUBMIT)
    assert page.url.endswith("/sign-in?reset=1")
    assert page.locator("p.notice").inner_text() == text("signin.password_changed", "en")
    check_accessible_in_every_language(page)

    page.goto(f"{base_url}/password/reset")  # the session forgot the email: start again
    assert page.url.endswith("/password/forgot")
    page.goto(f"{base_url}/sign-in?lang=en")
    page.fill("#email", person.email)
    page.fill("#password", NEW_PASSWORD)
    click_through(page, "form[action='/sign-in'] button")
    assert page.url.endswith("/book")
    context.close()


def test_the_pages_work_without_javascript_and_the_old_password_stops_working(browser, base_url: str, api: Api):
    person = new_applicant(base_url)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/?lang=tr")
    ask_for_a_code(page, base_url, person)
    page.fill("#code", sms_code_for(api, person.phone))
    page.fill("#password", NEW_PASSWORD)
    click_through(page, SUBMIT)
    assert page.url.endswith("/sign-in?reset=1")
    assert page.locator("p.notice").inner_text() == text("signin.password_changed", "tr")

    page.fill("#email", person.email)
    page.fill("#password", PASSWORD)  # the old one
    click_through(page, "form[action='/sign-in'] button")
    assert page.url.endswith("/sign-in") and page.locator(".error-summary").count() == 1
    page.fill("#password", NEW_PASSWORD)
    click_through(page, "form[action='/sign-in'] button")
    assert page.url.endswith("/book")
    context.close()
