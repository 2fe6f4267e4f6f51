"""The staff console's counter page in a real browser: a staff member finds the person by the
document they present (posted, never in an address), amends their details with a reason, and
sees the amendment in the audit trail. The use case's rules (the province reach, the reason,
what counts as a change) are tested at service level; here, that the pages say them, in the
staff member's language, at WCAG 2.2 AA, and that what the page shows is what the API reads.
"""

from __future__ import annotations

import re

import pytest

from bench.population import Resident, create_applicants
from chalicelib.i18n import text
from tests.http.browser import (
    LANGUAGES,
    STAFF_PASSWORD,
    check_accessible,
    check_accessible_in_every_language,
    check_answer_in_every_language,
    click_through,
    new_staff_member,
    sign_in,
)
from tests.http.client import unique_phone

PROVINCE = "06"
DIRECTORATE = "06-merkez"


@pytest.fixture
def person(base_url) -> Resident:
    [resident] = create_applicants(base_url, 1, province=PROVINCE)
    return resident


@pytest.fixture
def counter(browser, base_url, api, admin_token):
    """A staff member of an Ankara directorate, signed in: (page, their API token)."""
    email = new_staff_member(api, admin_token, DIRECTORATE)
    context, page = sign_in(browser, base_url, email, STAFF_PASSWORD)
    assert page.url.endswith("/staff")
    yield page, api.login(email, STAFF_PASSWORD)
    context.close()


def find(page, base_url: str, document_number: str) -> None:
    page.goto(f"{base_url}/staff/applicants")
    page.fill("#document_number", document_number)
    click_through(page, "main form button[type=submit]")


def changes(api, person: Resident, staff_token: str) -> list[dict]:
    """The changes to the person's record since the sign-up: their audit trail without the staff
    reads (each call here is one more read) and without the privacy notice's acknowledgement
    that the sign-up itself recorded."""
    trail = api.get(f"/v1/staff/applicants/{person.applicant_id}/audit", token=staff_token).json()
    return [entry for entry in trail if entry["lookup"] is None and entry["action"] != "privacy_notice.acknowledged"]


def reads(api, person: Resident, staff_token: str) -> list[tuple[str, str, str]]:
    """The staff reads of the person's details in the trail: (who, how, action), newest first."""
    trail = api.get(f"/v1/staff/applicants/{person.applicant_id}/audit", token=staff_token).json()
    return [(e["actor_id"], e["lookup"], e["action"]) for e in trail if e["action"] == "profile.viewed"]


def on_record(api, person: Resident) -> dict:
    return api.get("/v1/me", token=person.token).json()


def national(e164: str) -> str:
    """+905551234567 as people say it: 0555 123 45 67."""
    digits = e164[3:]
    return f"0{digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}"


def test_staff_find_the_person_and_amend_the_phone_with_a_reason_seen_in_the_audit_trail(base_url, api, counter, person, server_log):
    page, staff_token = counter
    click_through(page, "nav.main-nav a[href='/staff/applicants']")
    assert page.url.endswith("/staff/applicants")
    check_accessible_in_every_language(page)
    page.goto(f"{base_url}/staff/applicants?lang=en")

    find(page, base_url, person.document_number)
    assert re.search(rf"/staff/applicants/{re.escape(person.applicant_id)}$", page.url), page.url
    assert person.document_number not in page.url
    assert page.input_value("#phone") == person.phone  # every amendable field comes prefilled
    assert page.input_value("#document_number") == person.document_number
    assert page.is_checked("#document_type-foreign_id")
    assert page.locator(".audit-trail").count() == 0  # never amended yet
    # The page's read is audited: who, and that the person was found by the document presented.
    [(who, lookup, _)] = reads(api, person, staff_token)
    assert lookup == "document"

    new_phone = unique_phone()
    page.fill("#phone", national(new_phone))
    click_through(page, "main form[method=post] button[type=submit]")  # no reason: refused
    summary = page.locator(".error-summary")
    assert summary.locator("a[href='#reason']").count() == 1
    assert summary.locator("a[href='#phone']").count() == 0
    assert page.input_value("#phone") == national(new_phone)  # nothing typed is lost
    assert page.get_attribute("#reason", "aria-invalid") == "true"
    assert on_record(api, person)["phone"] == person.phone
    assert changes(api, person, staff_token) == []

    page.fill("#reason", "New SIM card, contract shown at the counter")
    click_through(page, "main form[method=post] button[type=submit]")
    assert page.url.endswith(f"/staff/applicants/{person.applicant_id}?amended=1")
    assert page.locator(".notice").inner_text().strip() == text("staff.applicant.amended", "en")
    assert page.input_value("#phone") == new_phone
    [entry] = page.locator(".audit-trail > li").all()
    assert "New SIM card, contract shown at the counter" in entry.inner_text()
    assert text("staff.audit.role.staff", "en") in entry.inner_text()
    [row] = entry.locator("tbody tr").all()
    cells = [cell.inner_text().strip() for cell in row.locator("th, td").all()]
    assert cells == [text("field.phone", "en"), person.phone, new_phone]

    assert on_record(api, person)["phone"] == new_phone
    [audited] = changes(api, person, staff_token)
    assert audited["before"] == {"phone": person.phone} and audited["after"] == {"phone": new_phone}
    assert audited["actor_role"] == "staff" and audited["actor_id"] in entry.inner_text() and audited["actor_id"] == who
    # Reads are the pages shown: the one found by document, and the one the amendment led back to
    # (by its address). The two forms sent in between compared with the record and read nothing new.
    assert [lookup for _, lookup, _ in reads(api, person, staff_token)] == ["applicant_id", "document"]
    check_accessible_in_every_language(page)

    log = server_log.read_text()
    for secret in (person.document_number, person.phone, new_phone, national(new_phone)):
        assert secret not in log, f"personal data in the log: {secret[:3]}…"


def test_a_form_left_as_it_was_changes_nothing_and_says_so(base_url, api, counter, person):
    page, staff_token = counter
    find(page, base_url, person.document_number)
    before = on_record(api, person)
    page.fill("#reason", "Checked the passport, all correct")
    click_through(page, "main form[method=post] button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.is_visible() and summary.locator("a[href='#given_name']").count() == 1
    assert text("staff.amend.error.unchanged", "tr") in summary.inner_text()
    assert page.input_value("#reason") == "Checked the passport, all correct"
    assert on_record(api, person) == before
    assert changes(api, person, staff_token) == []


def test_invalid_answers_are_each_linked_and_marked_in_every_language(base_url, api, counter, person):
    page, staff_token = counter
    find(page, base_url, person.document_number)
    address = page.url
    before = on_record(api, person)
    for language in LANGUAGES:
        page.goto(f"{address}?lang={language}")
        page.fill("#phone", "0212 123 45 67")  # a landline: not a Turkish mobile
        page.fill("#birth_date", "2990-01-01")  # not born yet
        page.fill("#reason", "")
        click_through(page, "main form[method=post] button[type=submit]")
        assert page.locator("html").get_attribute("lang") == language
        links = [a.get_attribute("href") for a in page.locator(".error-summary a").all()]
        assert links == ["#birth_date", "#phone", "#reason"]  # in the form's order
        assert page.locator("#phone-error").inner_text().strip() == text("error.field", language)
        assert page.input_value("#phone") == "0212 123 45 67" and page.input_value("#birth_date") == "2990-01-01"
        check_accessible(page)

    page.goto(address)
    page.fill("#document_number", "99123456789")  # passes the form, fails the foreigner ID checksum in the use case
    page.fill("#reason", "New foreigner ID card shown")
    click_through(page, "main form[method=post] button[type=submit]")
    assert [a.get_attribute("href") for a in page.locator(".error-summary a").all()] == ["#document_number"]
    assert page.get_attribute("#document_number", "aria-invalid") == "true"
    assert page.input_value("#reason") == "New foreigner ID card shown"
    assert on_record(api, person) == before
    assert changes(api, person, staff_token) == []


def test_a_person_of_another_province_is_not_found_in_the_staff_members_language(base_url, counter):
    page, _ = counter
    [istanbul] = create_applicants(base_url, 1, province="34")
    for language in LANGUAGES:
        page.goto(f"{base_url}/staff/applicants?lang={language}")
        find(page, base_url, istanbul.document_number)
        assert page.url.endswith("/staff/applicants")  # the number stays out of the address
        summary = page.locator(".error-summary")
        assert summary.locator("a[href='#document_number']").inner_text().strip() == text("staff.applicants.error.not_found", language)
        assert page.get_attribute("#document_number", "aria-invalid") == "true"
        assert page.input_value("#document_number") == istanbul.document_number
        check_accessible(page)

    refused = page.goto(f"{base_url}/staff/applicants/{istanbul.applicant_id}")  # nor reached by its address
    assert refused.status == 404
    assert page.locator("form[method=post] #reason").count() == 0


def test_staff_release_an_online_account_after_seeing_what_it_does_with_a_reason(base_url, api, counter, person):
    from tests.http.test_revocation import issued_a_minute_ago

    page, staff_token = counter
    earlier = issued_a_minute_ago(person.token)  # a token of the account, certainly before the release
    find(page, base_url, person.document_number)
    applicant_page = page.url
    click_through(page, f"main a[href='/staff/applicants/{person.applicant_id}/release']")
    release_page = page.url
    assert release_page.endswith(f"/staff/applicants/{person.applicant_id}/release")
    # The confirmation step: whose account, and what a release does, before anything happens.
    assert person.document_number in page.locator("#whose").inner_text()
    assert page.locator("main ul li").count() == 3
    check_accessible_in_every_language(page)

    def without_a_reason(page):
        page.fill("#reason", "")
        click_through(page, "main form[method=post] button[type=submit]")
        assert page.locator(".error-summary a[href='#reason']").count() == 1
        assert page.get_attribute("#reason", "aria-invalid") == "true"

    check_answer_in_every_language(page, release_page, without_a_reason)  # tr, ar and en: refused, axe-clean
    assert api.get("/v1/me", token=earlier).status_code == 200  # nothing happened
    assert changes(api, person, staff_token) == []

    page.goto(f"{release_page}?lang=ar")
    page.fill("#reason", "تمت معاينة تصريح الإقامة، فتح الحساب شخص آخر")
    click_through(page, "main form[method=post] button[type=submit]")
    assert page.url == f"{applicant_page}?released=1"
    assert page.locator(".notice").inner_text().strip() == text("staff.applicant.released", "ar")
    assert page.locator("#released-status").is_visible()
    assert page.locator("#amend-title").count() == 0  # a released account's record is kept as it is
    [entry] = page.locator(".audit-trail > li").all()
    assert text("staff.audit.released", "ar") in entry.inner_text()
    assert "تمت معاينة تصريح الإقامة" in entry.inner_text()
    check_accessible_in_every_language(page)

    assert api.get("/v1/me", token=earlier).status_code == 401
    [released] = changes(api, person, staff_token)
    assert released["action"] == "account.released" and released["after"]["status"] == "released"
    # A released account offers no second release.
    page.goto(release_page)
    assert page.url.split("?")[0] == applicant_page
