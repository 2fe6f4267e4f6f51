"""The administrator's pages in a real browser: switch a directorate's service between open,
assigned and auto, and change the places of a day's times, each after seeing its impact;
create a staff account who can then sign in to the console. axe-core at WCAG 2.2 AA on every
page, in every language."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bench.population import create_applicants
from tests.http.browser import STAFF_PASSWORD, check_accessible, check_accessible_in_every_language, check_answer_in_every_language, click_through, sign_in
from tests.http.client import unique_email

DIRECTORATE, PROVINCE = "07-merkez", "07"


@pytest.fixture()
def admin_page(browser, base_url):
    context, page = sign_in(browser, base_url, "admin@example.org", "LocalAdmin123!", language="en")
    assert page.url.endswith("/admin")
    assert page.locator("nav.main-nav a[href='/book']").count() == 0
    page.goto(f"{base_url}/staff")  # a directorate's day list: an administrator works for none
    assert page.url.endswith("/admin")
    yield page
    context.close()


def test_admin_switches_a_service_to_assigned_after_seeing_the_impact(admin_page, base_url, api, admin_token):
    page = admin_page
    [person] = create_applicants(base_url, 1, province=PROVINCE)
    availability = {"directorate": DIRECTORATE, "service": "biometrics", "days": 14}
    assert api.get("/v1/availability", token=person.token, params=availability).json()["mode"] == "open"
    check_accessible_in_every_language(page)
    click_through(page, f"a[href='/admin/directorates/{DIRECTORATE}']")
    check_accessible_in_every_language(page)
    click_through(page, f"a[href='/admin/directorates/{DIRECTORATE}/mode?service=biometrics']")
    check_accessible_in_every_language(page)
    try:
        page.check("#mode-assigned")
        click_through(page, "main form button[type=submit]")
        impact = page.locator(".warning").inner_text()
        tomorrow = (date.fromisoformat(api.get("/local/clock").json()["now"][:10]) + timedelta(days=1)).isoformat()
        coming = api.get("/v1/availability", token=person.token, params={**availability, "from": tomorrow, "days": 5}).json()["slots"]
        assert f"{sum(s['remaining'] for s in coming)} of them free" in impact  # the rule's 5 coming days
        assert "0 people are waiting" in impact and "lottery" in impact
        check_accessible_in_every_language(page)

        def unconfirmed(page) -> None:  # not confirmed: nothing changes, the box is pointed at
            click_through(page, "main form[method=post] button")
            assert page.locator(".error-summary a[href='#confirm']").count() == 1

        check_answer_in_every_language(page, page.url, unconfirmed)
        assert api.get("/v1/availability", token=person.token, params=availability).json()["mode"] == "open"
        page.check("#confirm")
        click_through(page, "main form[method=post] button")
        assert page.url.endswith(f"/admin/directorates/{DIRECTORATE}?done=mode")
        assert page.locator(".notice").count() == 1
        assert page.locator("tr", has_text="Biometric capture").locator(".mode-assigned").count() == 1
        change = page.locator("table.changes tbody tr").first.inner_text()  # and it is on the record
        assert "Biometric capture (fingerprints): Automatic (the demand rule decides) → The directorate assigns appointments" in change
        assert api.get("/v1/availability", token=person.token, params=availability).json()["mode"] == "assigned"
    finally:
        api.request("PUT", f"/v1/admin/directorates/{DIRECTORATE}/services/biometrics/mode", admin_token, json={"mode": "auto"})


def test_admin_changes_the_places_of_a_day_but_never_below_what_is_booked(admin_page, base_url, api):
    page = admin_page
    [person] = create_applicants(base_url, 1, province=PROVINCE)
    query = {"directorate": DIRECTORATE, "service": "address_registration", "days": 14}
    slots = api.get("/v1/availability", token=person.token, params=query).json()["slots"]
    day = slots[-1]["start"][:10]
    first, second = [s for s in slots if s["start"].startswith(day)][:2]
    booked = api.post("/v1/appointments", {"slot_id": first["slot_id"], "service": "address_registration"}, token=person.token)
    assert booked.status_code == 201, booked.text
    field = lambda slot: "#cap-" + slot["start"][11:16].replace(":", "")  # noqa: E731

    page.goto(f"{base_url}/admin/directorates/{DIRECTORATE}/capacity?day={day}")
    check_accessible_in_every_language(page)
    page.fill(field(first), "many")
    click_through(page, "main form button[type=submit]")
    assert page.locator(f".error-summary a[href='{field(first)}']").count() == 1
    check_accessible_in_every_language(page)

    capacity = int(page.input_value(field(second)))
    page.fill(field(first), "0")  # below the one booking: refused, it keeps its places
    page.fill(field(second), str(capacity + 3))
    click_through(page, "main form button[type=submit]")
    impact = page.locator(".warning").inner_text()
    before, after = map(int, re.search(r"Places on this day: (\d+) → (\d+)", impact).groups())
    assert after - before == 3  # the refused time adds nothing
    assert f"{first['start'][11:16]}: 1 > 0" in impact  # and it is named, with its booking
    check_accessible_in_every_language(page)
    check_answer_in_every_language(page, page.url, lambda page: click_through(page, "main form[method=post] button"))
    assert page.locator(".error-summary a[href='#confirm']").count() == 1  # not confirmed: nothing changed yet
    page.check("#confirm")
    click_through(page, "main form[method=post] button")
    assert page.locator(".notice").count() == 1
    check_accessible(page)

    page.goto(f"{base_url}/admin/directorates/{DIRECTORATE}")
    changes = page.locator("table.changes tbody tr").all_inner_texts()
    assert sum(f"{capacity} → {capacity + 3} places" in c for c in changes) == 1  # the one change made, none for the refused
    check_accessible_in_every_language(page)

    after = {s["slot_id"]: s for s in api.get("/v1/availability", token=person.token, params=query).json()["slots"]}
    assert after[second["slot_id"]]["remaining"] == second["remaining"] + 3
    assert after[first["slot_id"]]["remaining"] == first["remaining"] - 1  # only the booking took a place
    assert api.get("/v1/me/appointments", token=person.token).json()[0]["status"] == "confirmed"


def test_admin_creates_a_staff_account_who_signs_in_to_the_console(admin_page, browser, base_url):
    page = admin_page
    email = unique_email("clerk")

    def too_weak(page) -> None:  # refused, linked to the field, the email kept
        page.fill("#staff-email", email)
        page.fill("#staff-password", "short")
        click_through(page, "form[action$='/staff'] button")
        assert page.locator(".error-summary a[href='#staff-password']").count() == 1
        assert page.input_value("#staff-email") == email

    check_answer_in_every_language(page, f"{base_url}/admin/directorates/{DIRECTORATE}", too_weak)
    page.fill("#staff-password", STAFF_PASSWORD)
    click_through(page, "form[action$='/staff'] button")
    assert page.url.endswith("?done=staff") and page.locator(".notice").count() == 1

    context, staff = sign_in(browser, base_url, email, STAFF_PASSWORD)
    assert staff.url.endswith("/staff") and "Antalya" in staff.locator("main").inner_text()
    context.close()
