"""The portal's acceptance, end to end on the stack `make run` starts: a person from the seeded
registry (what `make residents` lists) signs up on the pages, books in Arabic with the keyboard
alone, receives the SMS and the email, and a staff member marks them attended on the console."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.local.residents import synthetic_residents
from tests.http.browser import STAFF_PASSWORD, book_with_the_keyboard, click_through, new_staff_member, sign_in
from tests.http.client import Person, unique_email, unique_phone
from tests.http.test_portal import sign_up_through_the_pages

PROVINCE, DIRECTORATE = "01", "01-merkez"  # Adana: one directorate, no other test books there


def test_a_seeded_resident_signs_up_books_in_arabic_by_keyboard_and_is_marked_attended(browser, base_url, api, admin_token):
    today = date.fromisoformat(api.get("/local/clock").json()["now"][:10])
    resident = next(
        r for r in synthetic_residents(today)
        if r.province == PROVINCE and r.document_type == "foreign_id" and r.permit_status.value == "residence_permit" and r.permit_valid_until > today
    )
    person = Person(
        resident.document_number, unique_email("seeded"), unique_phone(), province=PROVINCE,
        given_name=resident.given_name, family_name=resident.family_name,
        birth_date=resident.birth_date.isoformat(), nationality=resident.nationality,
    )

    context = browser.new_context()
    page = context.new_page()
    signed_up = sign_up_through_the_pages(page, base_url, api, person, "ar")
    page.goto(f"{base_url}/sign-in")
    reference = book_with_the_keyboard(page, person.email, person.password)
    assert reference.startswith("GOC-") and page.locator("html").get_attribute("dir") == "rtl"
    context.close()

    [appointment] = api.get("/v1/me/appointments", token=signed_up.token).json()
    assert appointment["reference"] == reference and appointment["directorate"] == DIRECTORATE
    api.post("/local/pump", {})  # the notifications queue, as Lambda would consume it
    sent = [m for m in api.get("/local/outbox").json() if m["to"] in (person.phone, person.email) and reference in m["body"]]
    assert {m["channel"] for m in sent} == {"sms", "email"}

    start = datetime.fromisoformat(appointment["start"])
    if start + timedelta(minutes=5) > datetime.fromisoformat(api.get("/local/clock").json()["now"]):
        assert api.post("/local/clock", {"to": (start + timedelta(minutes=5)).isoformat()}).status_code == 200
    context, staff = sign_in(browser, base_url, new_staff_member(api, admin_token, DIRECTORATE), STAFF_PASSWORD)
    assert staff.url.endswith("/staff")
    click_through(staff, staff.locator("table.day-list tr", has_text=reference).locator("button[value=attended]"))
    assert staff.locator("table.day-list tr", has_text=reference).locator("button").count() == 0  # recorded
    assert api.get(f"/v1/appointments/{appointment['appointment_id']}", token=signed_up.token).json()["attendance"] == "attended"
    context.close()
