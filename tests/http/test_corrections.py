"""Issue 12's "done when" for corrections and giving a place back, over HTTP on the shared local
stack: a corrected no-show and a lifted lock restore booking; a place given back is booked by
someone else after its delay (not before) while its giver stays locked; and, in the browser, the
give-back flow with its confirmation step passes axe.

The stack's clock only moves forward; these tests move it by at most a day and a half."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.http.browser import check_accessible, check_accessible_in_every_language, click_through, sign_in
from tests.http.client import Api
from tests.http.test_booking import (
    assert_refused,
    book,
    me,
    my_appointments,
    one,
    open_slots,
    service_now,
    set_capacity,
    staff_token,
    untouched_slots,
)

DIRECTORATE = "34-merkez"
REASON = "The person came; the clerk pressed the wrong button"


def move_clock_to(api: Api, moment: datetime) -> None:
    if moment > service_now(api):
        moved = api.post("/local/clock", {"to": moment.isoformat()})
        assert moved.status_code == 200, moved.text


def test_a_corrected_no_show_and_a_lifted_lock_restore_booking(api: Api, base_url: str, admin_token: str):
    person = one(base_url, province="34")
    clerk = staff_token(api, admin_token, DIRECTORATE)
    first = min(open_slots(api, person.token, DIRECTORATE), key=lambda s: s["start"])
    booked = book(api, person.token, first["slot_id"])
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    booking_lock = datetime.fromisoformat(me(api, person.token)["locked_until"])
    move_clock_to(api, datetime.fromisoformat(appointment["start"]) + timedelta(minutes=20))
    attendance = f"/v1/staff/appointments/{appointment['appointment_id']}/attendance"
    assert api.post(attendance, {"outcome": "no_show"}, token=clerk).status_code == 200
    no_show_lock = datetime.fromisoformat(me(api, person.token)["locked_until"])
    assert no_show_lock > booking_lock

    error = assert_refused(api.post(attendance, {"outcome": "attended"}, token=clerk), 400, "VALIDATION_FAILED")
    assert error["details"]["field"] == "reason"
    corrected = api.post(attendance, {"outcome": "attended", "reason": REASON}, token=clerk)
    assert corrected.status_code == 200, corrected.text
    assert datetime.fromisoformat(me(api, person.token)["locked_until"]) == booking_lock  # the no-show's lock is gone
    [mine] = [a for a in my_appointments(api, person.token).json() if a["appointment_id"] == appointment["appointment_id"]]
    assert (mine["attendance"], mine["correction"]["corrected_from"], mine["correction"]["reason"]) == ("attended", "no_show", REASON)

    # Still locked by the booking itself: staff may not lift it; the directorate's supervisor (an
    # account the admin made with that role) may shorten or lift it, never lengthen it.
    assert_refused(book(api, person.token, open_slots(api, person.token, DIRECTORATE)[-1]["slot_id"]), 409, "LOCKED_OUT")
    lock = f"/v1/staff/applicants/{person.applicant_id}/lock"
    assert_refused(api.request("PUT", lock, clerk, json={"locked_until": None, "reason": REASON}), 403, "FORBIDDEN")
    supervisor = staff_token(api, admin_token, DIRECTORATE, role="supervisor")
    elsewhere = staff_token(api, admin_token, "34-fatih", role="supervisor")
    assert_refused(api.request("PUT", lock, elsewhere, json={"locked_until": None, "reason": REASON}), 404, "NOT_FOUND")
    later = (booking_lock + timedelta(days=1)).isoformat()
    error = assert_refused(api.request("PUT", lock, supervisor, json={"locked_until": later, "reason": REASON}), 400, "VALIDATION_FAILED")
    assert error["details"]["field"] == "locked_until"
    lifted = api.request("PUT", lock, supervisor, json={"locked_until": None, "grounds": "force_majeure", "reason": "Hospital stay, report seen"})
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["change"] == "lifted" and me(api, person.token)["locked_until"] is None
    [mine] = [a for a in my_appointments(api, person.token).json() if a["appointment_id"] == appointment["appointment_id"]]
    assert (mine["lock_change"]["change"], mine["lock_change"]["grounds"]) == ("lifted", "force_majeure")
    again = book(api, person.token, open_slots(api, person.token, DIRECTORATE)[-1]["slot_id"])
    assert again.status_code == 201, again.text


def test_a_place_given_back_is_booked_by_someone_else_after_the_delay_and_its_giver_stays_locked(api: Api, base_url: str, admin_token: str):
    giver, taker = one(base_url, province="34"), one(base_url, province="34")
    # Two days on at least: the clock moves 96 minutes on below, and late in the evening that
    # would make tomorrow's slot today's, no longer bookable.
    day_after_tomorrow = (service_now(api) + timedelta(days=2)).date()
    slot = untouched_slots(api, giver.token, DIRECTORATE, 1, on_or_after=day_after_tomorrow)[0]
    assert set_capacity(api, admin_token, slot["slot_id"], 1).status_code == 200
    booked = book(api, giver.token, slot["slot_id"])
    assert booked.status_code == 201, booked.text
    appointment_id = booked.json()["appointment_id"]
    locked_until = me(api, giver.token)["locked_until"]
    assert_refused(api.post(f"/v1/appointments/{appointment_id}/release", None, token=taker.token), 404, "NOT_FOUND")

    given = api.post(f"/v1/appointments/{appointment_id}/release", None, token=giver.token)
    assert given.status_code == 200, given.text
    assert given.json()["appointment_id"] == appointment_id and given.json()["status"] == "released"
    assert "place_returns_at" not in api.get(f"/v1/appointments/{appointment_id}", token=giver.token).json()
    assert_refused(api.post(f"/v1/appointments/{appointment_id}/release", None, token=giver.token), 409, "APPOINTMENT_FINAL")
    api.post("/local/pump")  # deliver now rather than within the pump's next second
    sent = [m for m in api.get("/local/outbox").json() if m["to"] in (giver.phone, giver.email)]
    assert any("gave back" in m["body"] or "geri verdiniz" in m["body"] for m in sent), "the giver is told"

    assert_refused(book(api, taker.token, slot["slot_id"]), 409, "SLOT_FULL")  # not before the delay
    assert slot["slot_id"] not in {s["slot_id"] for s in open_slots(api, taker.token, DIRECTORATE)}
    move_clock_to(api, service_now(api) + timedelta(minutes=96))  # past the longest delay and the next run
    taken = book(api, taker.token, slot["slot_id"])
    assert taken.status_code == 201, taken.text
    assert me(api, giver.token)["locked_until"] == locked_until
    assert_refused(book(api, giver.token, open_slots(api, giver.token, DIRECTORATE)[-1]["slot_id"]), 409, "LOCKED_OUT")


def test_giving_a_place_back_in_the_browser_asks_first_and_passes_axe(browser, api: Api, base_url: str):
    person = one(base_url, province="34")
    slot = open_slots(api, person.token, DIRECTORATE)[-1]
    booked = book(api, person.token, slot["slot_id"])
    assert booked.status_code == 201, booked.text
    appointment_id = booked.json()["appointment_id"]
    context, page = sign_in(browser, base_url, person.email, "Secret123pass", language="en")
    try:
        page.goto(f"{base_url}/appointments/{appointment_id}")
        click_through(page, page.get_by_role("link", name="Give my place back"))
        check_accessible_in_every_language(page)
        click_through(page, page.get_by_role("button", name="Give my place back"))  # without ticking: asked again
        assert page.locator(".error-summary").is_visible()
        check_accessible(page)
        page.get_by_label("I cannot come and give this place back").check()
        click_through(page, page.get_by_role("button", name="Give my place back"))
        assert f"/appointments/{appointment_id}" in page.url
        assert page.get_by_role("heading", name="Place given back").is_visible()
        check_accessible(page)
    finally:
        context.close()
    assert api.get(f"/v1/appointments/{appointment_id}", token=person.token).json()["status"] == "released"
