"""The booking engine end to end over HTTP, against the real local stack: capacity, lock and
idempotency races between real signed-in people, the refusals a person can meet, the finality
and privacy of an appointment, paging through one's appointments, attendance before the start,
and availability.

Every test picks its own slots, ones nobody has touched yet (remaining == the slot's capacity),
and its own applicants, so the tests do not depend on each other or on their order. Races are
released together with a barrier, never timed with sleeps. Rules that need the server's clock to
move (day 29/31, no-show after the start) are tested at service level in
tests/services/test_booking.py.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

import requests

from bench.population import Resident, create_applicants
from tests.http.client import Api, slot_changes_delivered, unique_email

ISTANBUL = ZoneInfo("Europe/Istanbul")
SERVICE = "address_registration"
BOOK = "/v1/appointments"
STAFF_PASSWORD = "StaffPass123"
HORIZON_DAYS = 14  # from today: always covers at least a full working week after tomorrow


# --- helpers ------------------------------------------------------------------------------------


def availability(api: Api, token: str | None, directorate: str, service: str = SERVICE, **params: Any) -> requests.Response:
    slot_changes_delivered(api)  # what every test here checks: the changes it just made, shown
    return api.get(
        "/v1/availability",
        token=token,
        params={"directorate": directorate, "service": service, "days": HORIZON_DAYS, **params},
    )


def open_slots(api: Api, token: str, directorate: str, service: str = SERVICE) -> list[dict]:
    response = availability(api, token, directorate, service)
    assert response.status_code == 200, response.text
    return response.json()["slots"]


def remaining_of(api: Api, token: str, directorate: str) -> dict[str, int]:
    """slot_id -> remaining, for every bookable slot (a full slot is absent)."""
    return {slot["slot_id"]: slot["remaining"] for slot in open_slots(api, token, directorate)}


def untouched_slots(api: Api, token: str, directorate: str, count: int, on_or_after: date | None = None) -> list[dict]:
    """`count` slots nobody has booked or resized yet: their remaining is the directorate's
    usual capacity (the remaining most slots on offer share); from the Istanbul day
    `on_or_after` on, when one is given (for a test that moves the clock on by hours)."""
    slots = open_slots(api, token, directorate)
    assert slots, f"no open slots at {directorate}"
    [(capacity, _)] = Counter(slot["remaining"] for slot in slots).most_common(1)
    fresh = [slot for slot in slots if slot["remaining"] == capacity]
    if on_or_after is not None:
        fresh = [slot for slot in fresh if instant(slot["start"]).astimezone(ISTANBUL).date() >= on_or_after]
    assert len(fresh) >= count, f"only {len(fresh)} untouched slots left at {directorate}"
    return fresh[:count]


def start_key(slot_id: str) -> str:
    return slot_id.split("@", 1)[1]


def set_capacity(api: Api, admin_token: str, slot_id: str, capacity: int) -> requests.Response:
    directorate, start = slot_id.split("@", 1)
    return api.request(
        "PUT", f"/v1/admin/directorates/{directorate}/slots/{start}/capacity", admin_token, json={"capacity": capacity}
    )


def book(api: Api, token: str | None, slot_id: str, service: str = SERVICE, **kwargs: Any) -> requests.Response:
    return api.post(BOOK, {"slot_id": slot_id, "service": service}, token=token, **kwargs)


def staff_token(api: Api, admin_token: str, directorate_id: str, role: str = "staff") -> str:
    email = unique_email(role)
    created = api.post(
        "/v1/admin/staff", {"email": email, "password": STAFF_PASSWORD, "directorate_id": directorate_id, "role": role}, token=admin_token
    )
    assert created.status_code == 201, created.text
    return api.login(email, STAFF_PASSWORD)


def me(api: Api, token: str) -> dict:
    response = api.get("/v1/me", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def my_appointments(api: Api, token: str, **params: Any) -> requests.Response:
    return api.get("/v1/me/appointments", token=token, params=params)


def error_code(response: requests.Response) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def assert_refused(response: requests.Response, status: int, code: str) -> dict:
    assert (response.status_code, error_code(response)) == (status, code), response.text
    error = response.json()["error"]
    assert error["message"].strip(), "a refusal must tell the person why"
    return error


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, f"{text} has no offset"
    return moment


def fire_together(api: Api, calls: list[Callable[[], Any]], workers: int = 64) -> list[Any]:
    """Run every call as simultaneously as the machine allows: `workers` threads each open their
    keep-alive HTTP connection, wait at one barrier, then fire their share of the calls.
    Answers come back in the order of `calls`."""
    workers = max(1, min(workers, len(calls)))
    barrier = threading.Barrier(workers, timeout=120)
    shares = [list(range(i, len(calls), workers)) for i in range(workers)]

    connecting = threading.Lock()

    def run(share: list[int]) -> list[tuple[int, Any]]:
        try:
            # This thread's keep-alive connection, opened one thread at a time before the release:
            # the race is between requests, not between TCP handshakes on the server's accept queue.
            with connecting:
                assert api.get("/v1/health").status_code == 200
        except BaseException:
            barrier.abort()
            raise
        barrier.wait()
        return [(index, calls[index]()) for index in share]

    answers: list[Any] = [None] * len(calls)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(run, shares):
            for index, answer in done:
                answers[index] = answer
    return answers


def in_parallel(func: Callable[[Any], Any], items: list[Any], workers: int = 16) -> list[Any]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, items))


def one(base_url: str, **kwargs: Any) -> Resident:
    [resident] = create_applicants(base_url, 1, **kwargs)
    return resident


# --- 1. capacity race ------------------------------------------------------------------------


# As many people as the firing threads (64): every one of them asks at the same moment, the
# fiercest race the machine can stage (more people only queue behind the threads, as two hundred
# did here before, for two minutes of sign-ups and no sharper race).
RACERS = 64


def test_sixty_four_people_racing_at_once_for_five_places_get_exactly_five_appointments(api: Api, base_url: str, admin_token: str):
    people = create_applicants(base_url, RACERS, province="34")
    assert len({p.applicant_id for p in people}) == RACERS
    [slot] = untouched_slots(api, people[0].token, "34-merkez", 1)
    slot_id = slot["slot_id"]
    resized = set_capacity(api, admin_token, slot_id, 5)
    assert resized.status_code == 200, resized.text
    assert resized.json() == {"slot_id": slot_id, "capacity": 5, "booked": 0, "internal": 0, "internal_booked": 0}  # none kept back
    assert remaining_of(api, people[0].token, "34-merkez")[slot_id] == 5

    answers = fire_together(api, [lambda p=p: book(api, p.token, slot_id) for p in people], workers=RACERS)

    outcomes = Counter((a.status_code, error_code(a)) for a in answers)
    assert outcomes == {(201, None): 5, (409, "SLOT_FULL"): RACERS - 5}, outcomes
    winners = [(person, answer.json()) for person, answer in zip(people, answers) if answer.status_code == 201]
    assert len({body["appointment_id"] for _, body in winners}) == 5
    assert len({body["applicant_id"] for _, body in winners}) == 5
    for person, body in winners:
        assert body["applicant_id"] == person.applicant_id
        assert body["status"] == "confirmed" and body["directorate"] == "34-merkez" and body["service"] == SERVICE
        assert instant(body["start"]) == instant(slot["start"])

    # A person sees the slot gone; the administration sees five booked and cannot go below five.
    assert slot_id not in remaining_of(api, people[0].token, "34-merkez")
    too_low = set_capacity(api, admin_token, slot_id, 4)
    assert_refused(too_low, 400, "VALIDATION_FAILED")
    back = set_capacity(api, admin_token, slot_id, 5)
    assert back.status_code == 200, back.text
    assert back.json() == {"slot_id": slot_id, "capacity": 5, "booked": 5, "internal": 0, "internal_booked": 0}

    staff = staff_token(api, admin_token, "34-merkez")
    for person, body in winners:
        for token in (person.token, staff):
            seen = api.get(f"/v1/appointments/{body['appointment_id']}", token=token)
            assert seen.status_code == 200, seen.text
            assert seen.json()["appointment_id"] == body["appointment_id"]
            assert seen.json()["applicant_id"] == person.applicant_id

    # Exactly five appointments exist, one per winner; a losing attempt neither books nor locks.
    def state(person: Resident) -> tuple[int, bool]:
        listed = my_appointments(api, person.token)
        assert listed.status_code == 200, listed.text
        return len(listed.json()), me(api, person.token)["locked_until"] is not None

    states = in_parallel(state, people)
    winner_ids = {person.applicant_id for person, _ in winners}
    for person, (count, locked) in zip(people, states):
        expected = (1, True) if person.applicant_id in winner_ids else (0, False)
        assert (count, locked) == expected, person.applicant_id


# --- 2. lock race ------------------------------------------------------------------------------


def test_one_person_booking_twenty_slots_at_once_gets_one_appointment_and_one_lock(api: Api, base_url: str):
    person = one(base_url)
    slots = untouched_slots(api, person.token, "34-kadikoy", 20)
    before = remaining_of(api, person.token, "34-kadikoy")

    answers = fire_together(api, [lambda s=s: book(api, person.token, s["slot_id"]) for s in slots], workers=20)

    outcomes = Counter((a.status_code, error_code(a)) for a in answers)
    assert outcomes == {(201, None): 1, (409, "LOCKED_OUT"): 19}, outcomes
    [(won_slot, appointment)] = [(s, a.json()) for s, a in zip(slots, answers) if a.status_code == 201]
    lock_ends = {a.json()["error"]["details"].get("locked_until") for a in answers if a.status_code == 409}
    assert len(lock_ends) == 1 and None not in lock_ends, lock_ends
    locked_until = instant(lock_ends.pop())
    # Booking locks for 30 days from the confirmation; the profile says the same.
    booked_at = instant(appointment["created_at"])
    assert abs(locked_until - (booked_at + timedelta(days=30))) < timedelta(seconds=1)
    profile_lock = me(api, person.token)["locked_until"]
    assert profile_lock is not None and abs(instant(profile_lock) - locked_until) < timedelta(seconds=1)

    after = remaining_of(api, person.token, "34-kadikoy")
    for slot in slots:
        expected = before[slot["slot_id"]] - (1 if slot is won_slot else 0)
        assert after.get(slot["slot_id"], 0) == expected, slot["slot_id"]
    listed = my_appointments(api, person.token).json()
    assert [a["appointment_id"] for a in listed] == [appointment["appointment_id"]]


# --- 3. idempotent retries race ----------------------------------------------------------------


def test_ten_simultaneous_retries_with_one_idempotency_key_book_once(api: Api, base_url: str):
    person = one(base_url)
    [slot] = untouched_slots(api, person.token, "34-esenyurt", 1)
    capacity = slot["remaining"]
    key = str(uuid.uuid4())

    def retry() -> requests.Response:
        return book(api, person.token, slot["slot_id"], headers={"Idempotency-Key": key})

    answers = fire_together(api, [retry] * 10, workers=10)

    assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers if a.status_code != 201]
    bodies = [a.json() for a in answers]
    assert all(body == bodies[0] for body in bodies), "every retry must get the first answer"
    replays = [a.headers.get("Idempotent-Replayed") for a in answers]
    assert replays.count("true") == 9 and replays.count(None) == 1, replays
    listed = my_appointments(api, person.token)
    assert [a["appointment_id"] for a in listed.json()] == [bodies[0]["appointment_id"]]
    assert remaining_of(api, person.token, "34-esenyurt")[slot["slot_id"]] == capacity - 1

    late_retry = retry()
    assert late_retry.status_code == 201 and late_retry.json() == bodies[0]
    assert late_retry.headers.get("Idempotent-Replayed") == "true"
    new_request = book(api, person.token, slot["slot_id"], headers={"Idempotency-Key": str(uuid.uuid4())})
    assert_refused(new_request, 409, "LOCKED_OUT")  # a new key is a new booking, not a retry
    assert remaining_of(api, person.token, "34-esenyurt")[slot["slot_id"]] == capacity - 1


# --- 4. booking and its refusals -----------------------------------------------------------------


def test_a_booking_and_every_refusal_a_person_can_meet(api: Api, base_url: str, admin_token: str):
    person = one(base_url)
    in_ankara = one(base_url, province="06")
    protected = one(base_url, permit_status="temporary_protection")
    slot, other_slot, full = untouched_slots(api, person.token, "34-fatih", 3)
    slot_id = slot["slot_id"]
    capacity = slot["remaining"]

    wrong_province = assert_refused(book(api, in_ankara.token, slot_id), 403, "WRONG_PROVINCE")
    assert "06" in wrong_province["message"] or wrong_province["details"].get("province") == "06"
    assert_refused(book(api, protected.token, slot_id, "residence_permit_application"), 403, "NOT_ELIGIBLE")
    # A district service point does not handle protection cases, whoever asks.
    assert_refused(book(api, protected.token, slot_id, "temporary_protection"), 400, "VALIDATION_FAILED")

    day = start_key(slot_id)[:10]
    for bad in (
        "34-fatih",
        "34-fatih@",
        "@" + start_key(slot_id),
        "34-fatih@tomorrow",
        f"34-fatih@{day}T08:30:00",
        f"34-fatih@{day} 08:30",
        f"34-fatih@{day}T08:45",  # not a slot boundary
        f"34-fatih@{day}T12:30",  # lunch break
        f"34-fatih@{day}T17:30",  # after closing
        "34-fatih@2026-02-30T08:30",
        "34-fatih@2026-13-01T08:30",
        f"99-nowhere@{start_key(slot_id)}",
        "34-fatih@2024-03-04T08:30",  # in the past
        "x" * 200,
        "",
    ):
        assert_refused(book(api, person.token, bad), 400, "VALIDATION_FAILED")
    yesterday = (service_now(api).date() - timedelta(days=1)).isoformat()
    assert_refused(book(api, person.token, f"34-fatih@{yesterday}T10:00"), 400, "VALIDATION_FAILED")
    assert_refused(book(api, person.token, slot_id, "no_such_service"), 400, "VALIDATION_FAILED")

    extra = api.post(BOOK, {"slot_id": slot_id, "service": SERVICE, "desk": 3}, token=person.token)
    fields = {f["field"] for f in assert_refused(extra, 400, "VALIDATION_FAILED")["details"]["fields"]}
    assert "desk" in fields
    assert_refused(api.post(BOOK, {"slot_id": slot_id}, token=person.token), 400, "VALIDATION_FAILED")
    assert_refused(api.post(BOOK, ["not", "an", "object"], token=person.token), 400, "VALIDATION_FAILED")
    assert_refused(api.post(BOOK, data="{not json", token=person.token), 400, "VALIDATION_FAILED")
    assert_refused(api.post(BOOK, {"slot_id": 42, "service": SERVICE}, token=person.token), 400, "VALIDATION_FAILED")
    assert_refused(book(api, None, slot_id), 401, "UNAUTHENTICATED")
    assert_refused(book(api, "not-a-token", slot_id), 401, "UNAUTHENTICATED")
    assert_refused(book(api, staff_token(api, admin_token, "34-fatih"), slot_id), 403, "FORBIDDEN")
    assert_refused(book(api, admin_token, slot_id), 403, "FORBIDDEN")

    # None of that cost a place or locked anybody out.
    assert remaining_of(api, person.token, "34-fatih")[slot_id] == capacity
    for someone in (person, in_ankara, protected):
        assert me(api, someone.token)["locked_until"] is None

    booked = book(api, person.token, slot_id)
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert appointment["status"] == "confirmed"
    assert appointment["directorate"] == "34-fatih" and appointment["service"] == SERVICE
    assert appointment["applicant_id"] == person.applicant_id == me(api, person.token)["applicant_id"]
    assert instant(appointment["start"]) == instant(slot["start"])
    assert instant(appointment["start"]).utcoffset() == timedelta(hours=3)  # shown in Istanbul time
    assert me(api, person.token)["locked_until"] is not None

    again = assert_refused(book(api, person.token, other_slot["slot_id"]), 409, "LOCKED_OUT")
    assert instant(again["details"]["locked_until"]) > instant(appointment["start"])
    after = remaining_of(api, person.token, "34-fatih")
    assert (after[slot_id], after[other_slot["slot_id"]]) == (capacity - 1, capacity)

    # A slot filled by the administration refuses with SLOT_FULL, not a lock or a validation error.
    assert set_capacity(api, admin_token, full["slot_id"], 0).status_code == 200
    assert_refused(book(api, in_ankara.token, full["slot_id"]), 403, "WRONG_PROVINCE")  # where before how full
    latecomer = one(base_url)
    assert_refused(book(api, latecomer.token, full["slot_id"]), 409, "SLOT_FULL")
    assert me(api, latecomer.token)["locked_until"] is None


# --- 5. finality and privacy ------------------------------------------------------------------------


def test_an_appointment_is_final_and_visible_only_to_its_owner_and_its_directorate(api: Api, base_url: str, admin_token: str):
    owner, stranger = create_applicants(base_url, 2)
    slot, elsewhere = untouched_slots(api, owner.token, "34-esenyurt", 2)
    booked = book(api, owner.token, slot["slot_id"])
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    path = f"/v1/appointments/{appointment['appointment_id']}"
    own_staff = staff_token(api, admin_token, "34-esenyurt")
    other_staff = staff_token(api, admin_token, "34-fatih")

    cancel = assert_refused(api.request("DELETE", path, owner.token), 409, "APPOINTMENT_FINAL")
    message = cancel["message"].lower()
    assert "cancel" in message and "30 days" in message, cancel["message"]  # what to do, and what missing costs
    move = assert_refused(api.patch(path, {"slot_id": elsewhere["slot_id"]}, token=owner.token), 409, "APPOINTMENT_FINAL")
    assert move["message"].strip()
    assert_refused(api.request("DELETE", path, own_staff), 409, "APPOINTMENT_FINAL")

    missing = api.get(f"/v1/appointments/{uuid.uuid4()}", token=owner.token)
    nothing = assert_refused(missing, 404, "NOT_FOUND")
    for outsider in (stranger.token, other_staff):
        for response in (
            api.get(path, token=outsider),
            api.request("DELETE", path, outsider),
            api.patch(path, {"slot_id": elsewhere["slot_id"]}, token=outsider),
        ):
            refused = assert_refused(response, 404, "NOT_FOUND")
            assert refused == nothing, "an outsider must not learn that the appointment exists"
            assert appointment["applicant_id"] not in response.text
    assert_refused(api.get(path), 401, "UNAUTHENTICATED")

    for viewer in (owner.token, own_staff):
        seen = api.get(path, token=viewer)
        assert seen.status_code == 200, seen.text
        assert seen.json()["appointment_id"] == appointment["appointment_id"]
        assert seen.json()["status"] == "confirmed" and seen.json()["start"] == appointment["start"]
    # Nothing was cancelled or moved: the place stays taken, the other slot untouched.
    remaining = remaining_of(api, owner.token, "34-esenyurt")
    assert remaining[slot["slot_id"]] == slot["remaining"] - 1
    assert remaining[elsewhere["slot_id"]] == elsewhere["remaining"]
    assert [a["appointment_id"] for a in my_appointments(api, owner.token).json()] == [appointment["appointment_id"]]
    assert my_appointments(api, stranger.token).json() == []


# --- 6. my appointments ----------------------------------------------------------------------------


def _forged_cursor(applicant_id: str) -> str:
    key = {"appointment_id": {"S": str(uuid.uuid4())}, "applicant_id": {"S": applicant_id}, "start": {"S": "2026-01-01T08:30"}}
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def test_my_appointments_newest_first_paged_with_a_cursor_only_for_me(api: Api, base_url: str, admin_token: str):
    person, other = create_applicants(base_url, 2)
    empty = my_appointments(api, person.token)
    assert empty.status_code == 200 and empty.json() == [] and "X-Next-Cursor" not in empty.headers

    [slot] = untouched_slots(api, person.token, "34-kadikoy", 1)
    appointment = book(api, person.token, slot["slot_id"]).json()
    full = my_appointments(api, person.token)
    assert full.status_code == 200 and [a["appointment_id"] for a in full.json()] == [appointment["appointment_id"]]
    assert full.json()[0] == appointment

    # Walk the pages one item at a time until there is no next cursor.
    pages, cursor, cursors = [], None, []
    while True:
        page = my_appointments(api, person.token, limit=1, **({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        assert len(page.json()) <= 1
        pages.append(page.json())
        cursor = page.headers.get("X-Next-Cursor")
        if not cursor:
            break
        cursors.append(cursor)
        assert len(pages) <= 3, "paging never ends"
    walked = [a for page in pages for a in page]
    assert [a["appointment_id"] for a in walked] == [appointment["appointment_id"]]
    starts = [instant(a["start"]) for a in walked]
    assert starts == sorted(starts, reverse=True)

    for tampered in ("not-a-cursor!", "e30=", base64.urlsafe_b64encode(b"[1,2]").decode(), _forged_cursor(other.applicant_id)):
        assert_refused(my_appointments(api, person.token, cursor=tampered), 400, "VALIDATION_FAILED")
    for cursor in cursors:  # a cursor given to one person is refused to another
        assert_refused(my_appointments(api, other.token, cursor=cursor), 400, "VALIDATION_FAILED")
        assert_refused(my_appointments(api, person.token, cursor=cursor[:-4] + "AAAA"), 400, "VALIDATION_FAILED")
    for limit in (0, 101, "x"):
        assert_refused(my_appointments(api, person.token, limit=limit), 400, "VALIDATION_FAILED")
    assert_refused(api.get("/v1/me/appointments"), 401, "UNAUTHENTICATED")
    assert_refused(my_appointments(api, staff_token(api, admin_token, "34-kadikoy")), 403, "FORBIDDEN")


# --- 7. attendance ------------------------------------------------------------------------------------


def test_attendance_cannot_be_recorded_before_the_start_nor_by_another_directorate(api: Api, base_url: str, admin_token: str):
    person = one(base_url)
    [slot] = untouched_slots(api, person.token, "34-kadikoy", 1)
    appointment = book(api, person.token, slot["slot_id"]).json()
    lock = me(api, person.token)["locked_until"]
    path = f"/v1/staff/appointments/{appointment['appointment_id']}/attendance"
    own_staff = staff_token(api, admin_token, "34-kadikoy")
    other_staff = staff_token(api, admin_token, "34-merkez")

    for outcome in ("attended", "no_show"):
        early = assert_refused(api.post(path, {"outcome": outcome}, token=own_staff), 400, "VALIDATION_FAILED")
        assert "start" in early["message"].lower()
        assert_refused(api.post(path, {"outcome": outcome}, token=other_staff), 404, "NOT_FOUND")
    assert_refused(api.post(path, {"outcome": "late"}, token=own_staff), 400, "VALIDATION_FAILED")
    assert_refused(api.post(path, {"outcome": "attended", "note": "x"}, token=own_staff), 400, "VALIDATION_FAILED")
    assert_refused(api.post(path, {"outcome": "attended"}, token=person.token), 403, "FORBIDDEN")
    assert_refused(api.post(path, {"outcome": "attended"}), 401, "UNAUTHENTICATED")
    assert_refused(
        api.post(f"/v1/staff/appointments/{uuid.uuid4()}/attendance", {"outcome": "attended"}, token=own_staff), 404, "NOT_FOUND"
    )

    # Nothing was recorded and the early "no-show" did not extend the person's lock.
    seen = api.get(f"/v1/appointments/{appointment['appointment_id']}", token=own_staff).json()
    assert seen["attendance"] is None and seen["status"] == "confirmed"
    assert me(api, person.token)["locked_until"] == lock


# --- 8. availability ----------------------------------------------------------------------------------


def test_availability_lists_only_bookable_slots_of_the_service_asked_for(api: Api, base_url: str, admin_token: str):
    person, taker = create_applicants(base_url, 2)
    answer = availability(api, person.token, "34-merkez")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["mode"] == "open" and body["directorate"] == "34-merkez" and body["service"] == SERVICE
    slots = body["slots"]
    assert slots
    today = service_now(api).date()  # the stack's clock (tests move it), not this machine's
    starts = [instant(s["start"]) for s in slots]
    assert starts == sorted(starts) and len(set(s["slot_id"] for s in slots)) == len(slots)
    for slot, start in zip(slots, starts):
        assert slot["slot_id"] == f"34-merkez@{start.astimezone(ISTANBUL):%Y-%m-%dT%H:%M}"
        assert instant(slot["end"]) - start == timedelta(minutes=30)
        assert slot["remaining"] > 0
        local = start.astimezone(ISTANBUL)
        assert local.date() > today, "today is never bookable"
        assert local.weekday() < 5, "no slots at the weekend"
        assert local.date() <= today + timedelta(days=HORIZON_DAYS - 1)
        assert "08:30" <= f"{local:%H:%M}" < "17:30" and not "12:30" <= f"{local:%H:%M}" < "13:30"

    # Full slots disappear: one filled by a booking, one closed down to capacity 0.
    by_booking, by_admin = untouched_slots(api, person.token, "34-fatih", 2)
    assert set_capacity(api, admin_token, by_booking["slot_id"], 1).status_code == 200
    assert book(api, taker.token, by_booking["slot_id"]).status_code == 201
    assert set_capacity(api, admin_token, by_admin["slot_id"], 0).status_code == 200
    listed = remaining_of(api, person.token, "34-fatih")
    assert by_booking["slot_id"] not in listed and by_admin["slot_id"] not in listed
    assert set_capacity(api, admin_token, by_admin["slot_id"], 2).json()["booked"] == 0
    assert remaining_of(api, person.token, "34-fatih")[by_admin["slot_id"]] == 2

    # Only the service asked for: a district service point offers no protection procedures.
    protection_at_point = availability(api, person.token, "34-fatih", "temporary_protection")
    assert protection_at_point.status_code == 200 and protection_at_point.json()["slots"] == []
    protection_at_merkez = availability(api, person.token, "34-merkez", "temporary_protection").json()
    assert protection_at_merkez["service"] == "temporary_protection" and protection_at_merkez["slots"]
    assert all(s["slot_id"].startswith("34-merkez@") for s in protection_at_merkez["slots"])

    # A window: from a given day, for a given number of days.
    first_day = instant(slots[-1]["start"]).astimezone(ISTANBUL).date()
    window = availability(api, person.token, "34-merkez", **{"from": first_day.isoformat(), "days": 1})
    assert window.status_code == 200, window.text
    days = {instant(s["start"]).astimezone(ISTANBUL).date() for s in window.json()["slots"]}
    assert days == {first_day}
    past = availability(api, person.token, "34-merkez", **{"from": (today - timedelta(days=30)).isoformat(), "days": 1})
    assert past.status_code == 200 and past.json()["slots"] == []

    for params in (
        {"directorate": "34-nowhere"},
        {"service": "no_such_service"},
        {"days": 0},
        {"days": 99},
        {"days": "seven"},
        {"from": "2026-02-30"},
    ):
        refused = api.get(
            "/v1/availability", token=person.token, params={"directorate": "34-merkez", "service": SERVICE, "days": 7, **params}
        )
        assert_refused(refused, 400, "VALIDATION_FAILED")
    assert_refused(api.get("/v1/availability", token=person.token, params={"service": SERVICE}), 400, "VALIDATION_FAILED")
    assert_refused(availability(api, None, "34-merkez"), 401, "UNAUTHENTICATED")
    staff_view = availability(api, staff_token(api, admin_token, "34-fatih"), "34-merkez")
    assert staff_view.status_code == 200 and staff_view.json()["slots"]


def test_availability_far_in_the_future_is_a_refusal_or_an_empty_list_never_a_5xx(api: Api, base_url: str):
    person = one(base_url)
    answer = availability(api, person.token, "34-merkez", **{"from": "9999-12-31", "days": 31})
    assert answer.status_code < 500, answer.text
    assert answer.status_code == 400 or answer.json()["slots"] == []


def test_a_booking_is_announced_by_sms_and_by_email_with_a_calendar_invitation(api: Api, base_url: str):
    person = one(base_url)
    slot = availability(api, person.token, "34-esenyurt", days=14).json()["slots"][-1]
    appointment = api.post(
        "/v1/appointments", {"slot_id": slot["slot_id"], "service": SERVICE}, token=person.token
    ).json()
    api.post("/local/pump")  # deliver now rather than within the pump's next second
    outbox = api.get("/local/outbox").json()
    [sms] = [m for m in outbox if m["channel"] == "sms" and m["to"] == person.phone and appointment["reference"] in m["body"]]
    [email] = [m for m in outbox if m["channel"] == "email" and m["to"] == person.email]
    assert appointment["reference"] in email["subject"]
    [invite] = email["attachments"]
    assert invite["content_type"] == "text/calendar" and "METHOD:REQUEST" in invite["content"]
    assert "TZID=Europe/Istanbul" in invite["content"]


def service_now(api: Api) -> datetime:
    """The service's time in Istanbul: the local stack's clock, which tests move forward."""
    return datetime.fromisoformat(api.get("/local/clock").json()["now"]).astimezone(ISTANBUL)
