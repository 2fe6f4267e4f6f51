"""What the public sees of places, through the local stack: availability served from the summary
the slots' stream keeps, fresh once the event pump has delivered a booking's change; public
statistics kept from the same streams, without a token."""

from __future__ import annotations

from bench.population import create_applicants
from chalicelib.i18n import text
from tests.http.browser import check_accessible_in_every_language, click_through
from tests.http.client import Api, slot_changes_delivered

# Kocaeli: no other HTTP test books there, so the counts below are this test's alone.
DIRECTORATE = "41-merkez"
SERVICE = "address_registration"


def offered(api: Api, token: str) -> dict[str, int]:
    answer = api.get("/v1/availability", token=token, params={"directorate": DIRECTORATE, "service": SERVICE, "days": 14})
    assert answer.status_code == 200, answer.text
    return {slot["slot_id"]: slot["remaining"] for slot in answer.json()["slots"]}


def test_availability_shows_a_booking_once_the_pump_has_delivered_the_slots_change(api: Api, base_url: str):
    first, second = create_applicants(base_url, 2, province="41")
    slot_changes_delivered(api)
    before = offered(api, first.token)
    slot_id = next(iter(before))
    booked = api.post("/v1/appointments", {"slot_id": slot_id, "service": SERVICE}, token=first.token)
    assert booked.status_code == 201, booked.text
    slot_changes_delivered(api)
    assert offered(api, second.token).get(slot_id, 0) == before[slot_id] - 1


def test_public_statistics_need_no_token_may_be_cached_and_name_an_unknown_province(api: Api, base_url: str):
    [person] = create_applicants(base_url, 1, province="41")
    slot_id = next(iter(offered(api, person.token)))
    assert api.post("/v1/appointments", {"slot_id": slot_id, "service": SERVICE}, token=person.token).status_code == 201
    slot_changes_delivered(api)
    answer = api.get("/v1/statistics", params={"province": "41", "days": 31, "from": slot_id.split("@")[1][:10]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"].startswith("public, max-age=")
    body = answer.json()
    assert body["province"] == "41"
    first = body["days"][0]
    [kocaeli] = [d for d in first["directorates"] if d["directorate"] == DIRECTORATE]
    assert kocaeli["offered"] > 0 and kocaeli["booked"] >= 1 and first["province"]["booked"] >= kocaeli["booked"]
    refused = api.get("/v1/statistics", params={"province": "99"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "VALIDATION_FAILED", refused.text
    assert [f["field"] for f in refused.json()["error"]["details"]["fields"]] == ["province"]


def test_the_statistics_page_shows_a_chart_and_a_table_per_directorate(browser, api: Api, base_url: str):
    slot_changes_delivered(api)
    context = browser.new_context()  # the page has no script: a GET form, SVG drawn on the server
    page = context.new_page()
    page.goto(f"{base_url}/?lang=en")
    click_through(page, "a[href='/statistics']")
    assert page.locator("h1").inner_text() == text("stats.title", "en")
    page.select_option("#province", "41")
    click_through(page, "form[action='/statistics'] button[type=submit]")
    assert page.locator("svg[role=img] title").count() >= 2  # the province's and each directorate's
    assert page.locator("table caption").count() == page.locator("svg[role=img]").count()
    check_accessible_in_every_language(page)
    page.goto(f"{base_url}/statistics?province=99&lang=tr")
    assert page.locator(".error-summary").count() == 1
    context.close()
