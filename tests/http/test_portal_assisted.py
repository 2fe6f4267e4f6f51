"""The phone line's console in a real browser: the admin creates an agent on the console, the agent
signs in (TOTP) and lands on the assisted booking, finds a resident by document number and birth
date, books a kept-back place for them and sees the confirmation; axe-core at WCAG 2.2 AA on every
step (the answer in Arabic, right to left, too)."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.i18n import text
from tests.http.browser import check_accessible, click_through, sign_in
from tests.http.client import ADMIN_EMAIL, ADMIN_PASSWORD, new_person, slot_changes_delivered, unique_email

PASSWORD = "AgentPass123"


def test_an_agent_books_for_a_resident_on_the_console(browser, base_url, api, admin_token):
    person = new_person(province="35")
    assert api.post("/v1/admin/residents", {"records": [person.registry_record()]}, token=admin_token).status_code == 200
    # Kept-back places on a day whose release is still to come: the agent takes one of them.
    later = (datetime.fromisoformat(api.get("/local/clock").json()["now"]) + timedelta(days=5)).date().isoformat()
    query = {"directorate": "35-merkez", "service": "address_registration", "days": 7, "from": later}
    slot_id = api.get("/v1/availability", token=admin_token, params=query).json()["slots"][0]["slot_id"]
    directorate, start = slot_id.split("@")
    assert api.request("PUT", f"/v1/admin/directorates/{directorate}/slots/{start}/capacity", token=admin_token,
                       json={"capacity": 4, "internal": 2}).status_code == 200

    # The admin creates the agent on the console.
    context, page = sign_in(browser, base_url, ADMIN_EMAIL, ADMIN_PASSWORD, language="en")
    page.goto(f"{base_url}/admin/directorates/35-merkez")
    email = unique_email("line157")
    page.fill("#staff-email", email)
    page.fill("#staff-password", PASSWORD)
    page.check("#staff-role-agent")
    check_accessible(page)
    click_through(page, "form[action$='/staff'] button")
    assert "done=staff" in page.url
    context.close()

    context, page = sign_in(browser, base_url, email, PASSWORD, language="en")
    assert page.url.endswith("/assisted")  # an agent lands on its page
    check_accessible(page)

    page.fill("#document_number", person.document_number)
    page.fill("#birth_date", "1990-05-18")  # one day off: the same answer as an unknown number
    click_through(page, "form[action='/assisted'] button")
    assert page.locator("#document_number-error").inner_text() == text("assisted.error.not_found", "en")
    check_accessible(page)

    page.fill("#birth_date", person.birth_date)
    click_through(page, "form[action='/assisted'] button")
    assert person.given_name in page.locator("main").inner_text()
    page.check("input[name=directorate][value='35-merkez']")
    check_accessible(page)
    click_through(page, "form[action='/assisted/slots'] button")

    choice = page.locator(f"input[name=slot][value='{slot_id}']")
    assert choice.count() == 1
    choice.check()
    label = page.locator(f"label[for='{choice.get_attribute('id')}']").inner_text()
    assert text("assisted.slots.places", "en", internal=2, public=4 - 2) in label
    check_accessible(page)
    click_through(page, "form[action='/assisted/book'] button")  # no phone yet: said beside the field
    assert page.locator("#phone-error").count() == 1
    check_accessible(page)

    page.fill("#phone", person.phone)
    page.select_option("#language", "ar")
    click_through(page, "form[action='/assisted/book'] button")
    assert page.locator("h1").inner_text() == text("assisted.done.title", "en")
    reference = page.locator("strong[dir=ltr]").inner_text()
    assert reference.startswith("GOC-")
    check_accessible(page)
    context.close()

    # The kept-back place was taken; the public ones are still there.
    slot_changes_delivered(api)
    slots = {s["slot_id"]: s["remaining"] for s in api.get("/v1/availability", token=admin_token, params=query).json()["slots"]}
    assert slots[slot_id] == 2
