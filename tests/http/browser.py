"""What the browser tests share: axe-core at WCAG 2.2 AA, screenshots, and signing in through
the pages (as an applicant, a staff member or the admin). The `browser` fixture (one Chromium
for the session) is in conftest.py."""

from __future__ import annotations

from pathlib import Path

import pyotp

from chalicelib.i18n import LANGUAGES  # every page's checks go through all six the portal speaks
from tests.http.client import TOTP_SECRETS, Api, unique_email

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
STAFF_PASSWORD = "StaffPass123"


def click_through(page, target) -> None:
    """Click a link or a form's button (a selector or a locator) and wait for the page it leads
    to: a click alone does not wait for the navigation it starts, so the next assertion could
    still read the page before."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()


def check_accessible(page) -> None:
    """axe-core finds nothing at WCAG 2.2 AA on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def check_accessible_in_every_language(page) -> None:
    """The page in each language (the switch keeps the address), then back in the language
    it was in."""
    address = page.url.split("#", 1)[0]
    was = page.locator("html").get_attribute("lang")
    for language in (*(code for code in LANGUAGES if code != was), was):
        page.goto(f"{address}{'&' if '?' in address else '?'}lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        check_accessible(page)


def check_answer_in_every_language(page, address: str, answer) -> None:
    """A form's answer (an error state, a result) in each language, the page's own last: open
    `address` in the language, `answer(page)` fills and posts the form, axe checks the answer."""
    was = page.locator("html").get_attribute("lang")
    for language in (*(code for code in LANGUAGES if code != was), was):
        page.goto(f"{address}{'&' if '?' in address else '?'}lang={language}")
        answer(page)
        assert page.locator("html").get_attribute("lang") == language
        check_accessible(page)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(browser, base_url: str, email: str, password: str, language: str = "tr"):
    """A new browser context signed in through the sign-in page; returns (context, page)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/sign-in?lang={language}")
    page.fill("#email", email)
    page.fill("#password", password)
    click_through(page, "form[action='/sign-in'] button")
    if page.url.split("?")[0].endswith("/sign-in/code"):
        enter_totp_code(page, email)
    return context, page


def enter_totp_code(page, email: str) -> None:
    """The second step of a staff or admin sign-in, as the person would do it: at the first
    sign-in, the key shown for typing into an authenticator app (kept in TOTP_SECRETS, like the
    app keeps it); then the app's current code."""
    if page.locator("#totp-secret").count():
        TOTP_SECRETS[email] = page.locator("#totp-secret").inner_text().replace(" ", "").strip()
    page.fill("#code", pyotp.TOTP(TOTP_SECRETS[email]).now())
    click_through(page, "form[action='/sign-in/code'] button")


def new_staff_member(api: Api, admin_token: str, directorate: str) -> str:
    email = unique_email("staff")
    created = api.post("/v1/admin/staff", {"email": email, "password": STAFF_PASSWORD, "directorate_id": directorate}, token=admin_token)
    assert created.status_code == 201, created.text
    return email


def staff_page(browser, base_url: str, api: Api, admin_token: str, directorate: str):
    """A new staff member of `directorate`, signed in on the console; returns (context, page)."""
    context, page = sign_in(browser, base_url, new_staff_member(api, admin_token, directorate), STAFF_PASSWORD)
    assert page.url.endswith("/staff")
    assert page.locator("nav.main-nav a[href='/book']").count() == 0  # the staff menu, not the applicant's
    check_accessible(page)
    return context, page


def book_with_the_keyboard(page, email: str, password: str, service: str = "address_registration") -> str:
    """From the sign-in page to the confirmation with Tab, Space, Enter and typing only (no
    mouse): the first free day and its first time. Returns the reference on the confirmation."""

    def tab_to(selector: str) -> None:
        for _ in range(120):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"the keyboard never reached {selector} on {page.url}")

    def follow(key: str = "Enter") -> None:
        with page.expect_navigation():
            page.keyboard.press(key)

    tab_to("#email")
    page.keyboard.type(email)
    tab_to("#password")
    page.keyboard.type(password)
    follow()
    assert page.url.endswith("/book")
    tab_to(f"#service-{service}")
    page.keyboard.press("Space")
    tab_to("main button[type=submit]")
    follow()
    if "/book/directorate" in page.url:
        tab_to("main input[name=directorate]")
        page.keyboard.press("Space")
        tab_to("main button[type=submit]")
        follow()
    tab_to("table.calendar a")
    follow()
    assert "/book/time" in page.url
    tab_to("main button[type=submit]")
    follow()
    assert "/book/check" in page.url
    tab_to("#agree")
    page.keyboard.press("Space")
    tab_to("main form[method=post] button")
    follow()
    assert "/appointments/" in page.url
    return page.locator(".reference").inner_text().strip()
