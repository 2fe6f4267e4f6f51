"""Families in the browser (issue 12, item 3): on the check step a guardian ticks who comes and
books everyone in one step, without JavaScript; the step, its refusal and My appointments pass
axe at WCAG 2.2 AA in every language."""

from __future__ import annotations

from bench.population import PASSWORD, create_applicants
from tests.http.browser import check_accessible, check_accessible_in_every_language, check_answer_in_every_language, click_through, sign_in
from tests.http.test_booking import SERVICE, untouched_slots
from tests.http.test_family import with_children

DIRECTORATE = "34-esenyurt"


def test_a_guardian_ticks_who_comes_and_books_them_in_one_step(browser, base_url, api, admin_token):
    [guardian] = create_applicants(base_url, 1)
    children = with_children(api, admin_token, guardian, ("Zeynep", "Omar"))
    [slot] = untouched_slots(api, guardian.token, DIRECTORATE, 1)
    context, page = sign_in(browser, base_url, guardian.email, PASSWORD, language="en")
    check_step = f"{base_url}/book/check?service={SERVICE}&directorate={DIRECTORATE}&slot={slot['slot_id']}"
    page.goto(check_step)

    assert page.locator("#people legend").inner_text() == "Who is coming?"
    assert page.locator("#person_self").is_checked()  # the guardian is ticked at first
    check_accessible_in_every_language(page)

    def nobody_ticked(page) -> None:
        page.uncheck("#person_self")
        page.check("#agree")
        click_through(page, "form[action='/book/check'] button[type=submit]")
        assert page.locator("#people-error").count() == 1

    check_answer_in_every_language(page, check_step, nobody_ticked)

    page.goto(f"{check_step}&lang=en")
    page.check(f"#person_{children['Zeynep']}")
    page.check(f"#person_{children['Omar']}")
    page.check("#agree")
    click_through(page, "form[action='/book/check'] button[type=submit]")

    assert "/appointments" in page.url and page.locator("[role=status]").count() == 1
    listed = page.locator("main").inner_text()
    assert "For Zeynep" in listed and "For Omar" in listed
    check_accessible(page)
    assert len(api.get("/v1/me/appointments", token=guardian.token).json()) == 1  # the guardian's own
    context.close()
