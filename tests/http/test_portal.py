"""The applicant portal in a real browser: Chromium (Debian's package, installed by `make test`)
driven by Playwright against the running local stack.

Each journey signs in as a freshly registered person and books through the pages: service,
directorate, a day on the calendar, a time, the check-your-answers page with its explicit
agreement, and the confirmation with its reference. axe-core checks every page on the way
against WCAG 2.2 AA, in every language. One journey runs with JavaScript switched off, one with
the keyboard alone. Screenshots of the key pages in Turkish and Arabic go to docs/screenshots/.
"""

from __future__ import annotations

import pytest

from bench.population import PASSWORD, Resident, create_applicants
from chalicelib.i18n import LANGUAGES as ALL_LANGUAGES, RIGHT_TO_LEFT
from tests.http.browser import LANGUAGES, book_with_the_keyboard, check_accessible, check_accessible_in_every_language, check_answer_in_every_language, click_through, shoot, sign_in, staff_page
from tests.http.client import Api, Person, new_person, slot_changes_delivered
from tests.http.conftest import sms_code_for
from tests.http.test_accounts import register

PROVINCE = "06"


@pytest.fixture(scope="module")
def people(base_url) -> list[Resident]:
    return create_applicants(base_url, 3, province=PROVINCE)


def book_through_the_pages(page, base_url: str, person: Resident, language: str, screenshots: bool = False, scripts: bool = True) -> str:
    """The whole journey with the mouse (or, without JavaScript, plain links and forms);
    returns the reference shown on the confirmation page. axe-core is JavaScript: it checks
    the pages when scripts run (the pages are the same without them)."""

    def accessible(page) -> None:
        if scripts:
            check_accessible(page)

    page.goto(f"{base_url}/?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language in RIGHT_TO_LEFT else "ltr")
    accessible(page)
    if screenshots:
        shoot(page, f"start-{language}")

    page.goto(f"{base_url}/sign-in")
    accessible(page)
    page.fill("#email", person.email)
    page.fill("#password", PASSWORD)
    click_through(page, "form[action='/sign-in'] button")

    assert page.url.endswith("/book")
    accessible(page)
    page.check("#service-address_registration")
    click_through(page, "main button[type=submit]")
    if "/book/directorate" in page.url:
        accessible(page)
        page.locator("main input[name=directorate]").first.check()
        click_through(page, "main button[type=submit]")

    assert "/book/day" in page.url
    accessible(page)
    months = page.locator("table.calendar caption").all_inner_texts()  # one table per month, named
    assert 1 <= len(months) <= 3 and len(set(months)) == len(months) and all(m.strip()[-4:].isdigit() for m in months)
    if screenshots:
        shoot(page, f"calendar-{language}")
    click_through(page, page.locator("table.calendar a").first)

    assert "/book/time" in page.url
    accessible(page)
    click_through(page, "main button[type=submit]")

    assert "/book/check" in page.url
    accessible(page)
    click_through(page, "main form[method=post] button")  # without agreeing: refused, nothing booked
    summary = page.locator(".error-summary")
    assert summary.is_visible() and summary.locator("a[href='#agree']").count() == 1
    accessible(page)
    if screenshots:
        shoot(page, f"check-{language}")
    page.check("#agree")
    click_through(page, "main form[method=post] button")

    assert "/appointments/" in page.url
    accessible(page)
    if screenshots:
        shoot(page, f"confirmation-{language}")
    return page.locator(".reference").inner_text().strip()


def sign_up_through_the_pages(page, base_url: str, api: Api, person: Person, language: str, document_type: str = "foreign_id") -> Resident:
    """A person the registry knows creates their account on the portal: the form (first with
    a mistake, which comes back marked, nothing typed lost), the SMS code from the outbox, and
    the account is active."""
    page.goto(f"{base_url}/?lang={language}")
    check_accessible(page)
    click_through(page, "main a.button[href='/sign-up']")  # start now → create an account (e-Devlet is the first choice)
    assert page.url.endswith("/sign-up")
    check_accessible(page)
    page.check(f"#document_type-{document_type}")
    page.fill("#document_number", person.document_number)
    page.fill("#nationality", person.nationality)
    page.fill("#given_name", person.given_name)
    page.fill("#family_name", person.family_name)
    year, month, day = person.birth_date.split("-")
    page.fill("#birth_day", day)
    page.fill("#birth_month", "13")  # a mistake: the form comes back with it marked
    page.fill("#birth_year", year)
    page.fill("#email", person.email)
    page.fill("#phone", "0" + person.phone[3:])
    page.fill("#password", person.password)
    click_through(page, "main form button[type=submit]")
    assert page.locator(".error-summary a[href='#birth_day']").count() == 1
    assert page.input_value("#email") == person.email  # nothing typed is lost
    check_accessible(page)
    page.fill("#birth_month", month)
    page.fill("#password", person.password)
    click_through(page, "main form button[type=submit]")

    assert page.url.endswith("/sign-up/code")
    check_accessible(page)
    page.fill("#code", sms_code_for(api, person.phone))
    click_through(page, "main form button[type=submit]")
    assert "/sign-in" in page.url and page.locator(".notice").count() == 1
    assert person.password == PASSWORD
    token = api.login(person.email, person.password)
    return Resident(person.document_number, person.email, person.phone, token, api.get("/v1/me", token=token).json()["applicant_id"])


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_the_whole_journey_sign_up_book_confirmation_in_each_language(browser, base_url, api, admin_token, language):
    context = browser.new_context()
    page = context.new_page()
    newcomer = new_person(province=PROVINCE)
    register(api, admin_token, newcomer)
    person = sign_up_through_the_pages(page, base_url, api, newcomer, language)
    reference = book_through_the_pages(page, base_url, person, language, screenshots=language in ("tr", "ar"))
    assert reference.startswith("GOC-")

    # The same appointment in the API, the SMS and email on their way, and the lock shown.
    mine = api.get("/v1/me/appointments", token=person.token).json()
    assert [a["reference"] for a in mine] == [reference]
    page.goto(f"{base_url}/appointments")
    assert reference in page.content()
    assert page.locator(".notice").count() == 1  # "you cannot book a new appointment until …"
    check_accessible(page)
    page.goto(f"{base_url}/me")
    assert person.email in page.content()
    check_accessible(page)

    # The language of the messages is changed here, apart from the page's: the page stays in its language.
    assert page.is_checked(f"#notification-language-{language}")  # signed up in it
    other = ALL_LANGUAGES[(ALL_LANGUAGES.index(language) + 1) % len(ALL_LANGUAGES)]
    page.check(f"#notification-language-{other}")
    click_through(page, "form[action='/me/language'] button")
    assert page.locator("#language-saved").is_visible() and page.is_checked(f"#notification-language-{other}")
    assert page.locator("html").get_attribute("lang") == language
    check_accessible(page)
    assert api.get("/v1/me", token=person.token).json()["language"] == other
    context.close()


def test_the_journey_works_with_javascript_switched_off(browser, base_url, people):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    assert book_through_the_pages(page, base_url, people[0], "en", scripts=False).startswith("GOC-")
    context.close()


def test_booking_with_the_keyboard_alone(browser, base_url, people):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/sign-in?lang=ar")
    assert book_with_the_keyboard(page, people[1].email, PASSWORD).startswith("GOC-")
    context.close()


def test_forms_without_the_csrf_token_are_refused_and_the_session_cookie_is_httponly(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(f"{base_url}/")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert context.cookies() == []  # reading the start page needs no session, so sets no cookie
    page.goto(f"{base_url}/sign-in")  # a form does
    [cookie] = [c for c in context.cookies() if c["name"] == "md_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    forged = page.request.post(f"{base_url}/sign-in", form={"email": "a@example.org", "password": "x", "csrf": "forged"})
    assert forged.status == 403
    context.close()


def test_when_the_directorate_assigns_people_ask_and_follow_their_request(browser, base_url, api, admin_token, people):
    directorate, service = "06-kecioren", "biometrics"
    mode = f"/v1/admin/directorates/{directorate}/services/{service}/mode"
    assert api.request("PUT", mode, admin_token, json={"mode": "assigned"}).status_code == 200
    from datetime import date, timedelta

    from bench.population import IDENTITY

    permit_end = date.fromisoformat(api.get("/local/clock").json()["now"][:10]) + timedelta(days=7)
    renewed = {"document_number": people[2].document_number, "permit_status": "residence_permit",
               "permit_valid_until": permit_end.isoformat(), "province": PROVINCE, **IDENTITY}
    assert api.post("/v1/admin/residents", {"records": [renewed]}, token=admin_token).status_code == 200
    try:
        context, page = sign_in(browser, base_url, people[2].email, PASSWORD)
        page.goto(f"{base_url}/book/day?service={service}&directorate={directorate}&lang=en")
        assert page.locator("table.calendar").count() == 0  # no calendar: a request form instead
        assert page.locator("#permit-ends").inner_text().startswith("Your permit is valid until")  # nothing later is assigned
        check_accessible_in_every_language(page)
        page.check("#part-morning")
        click_through(page, "form[action='/book/request'] button")  # without agreeing to finality: refused
        assert "/requests/" not in page.url and page.locator(".error-summary a[href='#agree']").count() == 1
        assert page.is_checked("#part-morning")  # the choice made is kept
        check_accessible(page)
        page.check("#agree")
        click_through(page, "form[action='/book/request'] button")

        assert "/requests/" in page.url
        check_accessible_in_every_language(page)
        assert page.locator(".position").inner_text().strip() == "1"

        now = api.get("/local/clock").json()["now"]
        from datetime import datetime, timedelta

        later = (datetime.fromisoformat(now) + timedelta(minutes=11)).isoformat()
        assert api.post("/local/clock", {"to": later}).status_code == 200
        for _ in range(2):
            api.post("/local/pump", {})
        page.reload()
        check_accessible_in_every_language(page)
        click_through(page, "main a.button")  # see the appointment
        assert "/appointments/" in page.url
        assert page.locator(".reference").inner_text().strip().startswith("GOC-")
        context.close()
    finally:
        api.request("PUT", mode, admin_token, json={"mode": "auto"})


def test_staff_close_a_day_after_seeing_its_impact(browser, base_url, api, admin_token):
    directorate = "06-altindag"
    [person] = create_applicants(base_url, 1, province=PROVINCE)
    slot_changes_delivered(api)  # no slot someone else filled a moment ago
    slots = api.get("/v1/availability", token=person.token, params={"directorate": directorate, "service": "address_registration", "days": 14}).json()["slots"]
    booked = api.post("/v1/appointments", {"slot_id": slots[-1]["slot_id"], "service": "address_registration"}, token=person.token).json()
    day = slots[-1]["start"][:10]

    context, page = staff_page(browser, base_url, api, admin_token, directorate)
    check_accessible_in_every_language(page)
    click_through(page, "main a[href='/staff/closure']")
    page.fill("#date", "31.12")  # not a date: the form says so
    click_through(page, "main form button[type=submit]")
    assert page.locator(".error-summary a[href='#date']").count() == 1
    check_accessible_in_every_language(page)
    page.fill("#date", day)
    click_through(page, "main form button[type=submit]")
    impact = page.locator(".warning").inner_text()
    assert " 1 " in f" {impact} "  # one appointment, one person
    check_accessible_in_every_language(page)

    def unconfirmed(page) -> None:  # no reason, not confirmed: nothing happens
        click_through(page, "main form[method=post] button")
        assert page.locator(".error-summary").count() == 1

    check_answer_in_every_language(page, page.url, unconfirmed)
    assert api.get(f"/v1/appointments/{booked['appointment_id']}", token=person.token).json()["status"] == "confirmed"
    page.fill("#reason", "Su baskını")
    page.check("#confirm")
    click_through(page, "main form[method=post] button")
    assert page.locator(".notice").count() == 1
    check_accessible(page)
    assert api.get(f"/v1/appointments/{booked['appointment_id']}", token=person.token).json()["status"] == "cancelled_by_authority"
    for language in LANGUAGES:  # closing it again changes nothing, and says so in each language
        page.goto(f"{base_url}/staff/closure?date={day}&lang={language}")
        page.fill("#reason", "Su baskını")
        page.check("#confirm")
        click_through(page, "main form[method=post] button")
        assert page.locator(".notice").count() == 1 and page.locator("html").get_attribute("lang") == language
        check_accessible(page)
    statuses = [a["status"] for a in api.get("/v1/me/appointments", token=person.token).json()]
    assert statuses.count("cancelled_by_authority") == 1
    context.close()


def test_staff_mark_attendance_with_the_check_in_code(browser, base_url, api, admin_token):
    """The last test of the module: it moves the local clock a day forward."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    directorate = "06-merkez"
    [person] = create_applicants(base_url, 1, province=PROVINCE)
    slot_changes_delivered(api)  # no slot someone else filled a moment ago
    [slot] = api.get("/v1/availability", token=person.token, params={"directorate": directorate, "service": "address_registration", "days": 7}).json()["slots"][:1]
    booked = api.post("/v1/appointments", {"slot_id": slot["slot_id"], "service": "address_registration"}, token=person.token).json()
    start = datetime.fromisoformat(booked["start"])
    istanbul = ZoneInfo("Europe/Istanbul")
    day_before = datetime.combine(start.astimezone(istanbul).date() - timedelta(days=1), datetime.min.time(), tzinfo=istanbul) + timedelta(hours=10, minutes=5)
    now = datetime.fromisoformat(api.get("/local/clock").json()["now"])
    if day_before > now:
        assert api.post("/local/clock", {"to": day_before.isoformat()}).status_code == 200
    api.post("/local/pump", {})  # the reminder goes out, with its code
    assert api.post("/local/clock", {"to": (start + timedelta(minutes=5)).isoformat()}).status_code == 200
    code = sms_code_for(api, person.phone)

    context, page = staff_page(browser, base_url, api, admin_token, directorate)
    row = page.locator("table.day-list tr", has_text=booked["reference"])
    row.locator("input[name=checkin_code]").fill("000000" if code != "000000" else "111111")
    click_through(page, row.locator("button[value=attended]"))
    assert page.locator(".error-summary").count() == 1  # a wrong code is refused
    row = page.locator("table.day-list tr", has_text=booked["reference"])
    row.locator("input[name=checkin_code]").fill(code)
    click_through(page, row.locator("button[value=attended]"))
    check_accessible_in_every_language(page)
    assert api.get(f"/v1/appointments/{booked['appointment_id']}", token=person.token).json()["attendance"] == "attended"
    context.close()


def test_a_time_taken_while_the_person_checks_their_answers_is_refused_in_their_language(browser, base_url, api, admin_token):
    directorate, service = "06-altindag", "biometrics"
    [person] = create_applicants(base_url, 1, province=PROVINCE)
    slot_changes_delivered(api)  # no slot someone else filled a moment ago
    slot = api.get("/v1/availability", token=person.token, params={"directorate": directorate, "service": service, "days": 14}).json()["slots"][-1]
    context, page = sign_in(browser, base_url, person.email, PASSWORD, "ar")
    page.goto(f"{base_url}/book/check?service={service}&directorate={directorate}&slot={slot['slot_id']}")
    page.check("#agree")
    start = slot["slot_id"].split("@", 1)[1]
    taken = api.request("PUT", f"/v1/admin/directorates/{directorate}/slots/{start}/capacity", admin_token, json={"capacity": 0})
    assert taken.status_code == 200, taken.text  # meanwhile the last place went
    click_through(page, "main form[method=post] button")
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "حُجز هذا الوقت للتو" in summary.inner_text()  # SLOT_FULL, in Arabic
    assert page.locator("main a.button[href^='/book/day']").count() == 1  # and the way back to the calendar
    check_accessible(page)
    assert api.get("/v1/me/appointments", token=person.token).json() == []
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_that_does_not_exist_says_so_in_the_persons_language(browser, base_url, people, language):
    context, page = sign_in(browser, base_url, people[0].email, PASSWORD, language)
    response = page.goto(f"{base_url}/appointments/no-such-appointment")
    assert response.status == 404
    assert page.locator(".error-summary").is_visible() and page.locator("html").get_attribute("lang") == language
    check_accessible(page)
    context.close()
