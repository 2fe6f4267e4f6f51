"""Issue 12, over HTTP: an agent of the phone line books into kept-back places the portal never
shows; unused kept-back places reach the public at a random moment inside the release window."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest

from tests.http.client import Api, new_person, slot_changes_delivered, unique_email
from tests.http.conftest import start_stack

PASSWORD = "AgentPass123"
SERVICE = "address_registration"


def _agent(api: Api, admin_token: str) -> str:
    email = unique_email("line157")
    refused = api.post("/v1/admin/staff", {"email": email, "password": PASSWORD, "role": "agent", "directorate_id": "35-merkez"}, token=admin_token)
    assert refused.status_code == 400 and refused.json()["error"]["details"]["fields"][0]["field"] == "directorate_id"
    created = api.post("/v1/admin/staff", {"email": email, "password": PASSWORD, "role": "agent"}, token=admin_token)
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "agent" and created.json()["directorate_id"] is None
    return api.login(email, PASSWORD)  # TOTP, like every account acting for the authority


def _resident(api: Api, admin_token: str, province: str = "35"):
    person = new_person(province=province)
    assert api.post("/v1/admin/residents", {"records": [person.registry_record()]}, token=admin_token).status_code in (200, 201)
    return person


def _slots(api: Api, token: str, directorate: str, days: int = 14, from_: str | None = None) -> list[dict]:
    query = {"directorate": directorate, "service": SERVICE, "days": days, **({"from": from_} if from_ else {})}
    slot_changes_delivered(api)
    answer = api.get("/v1/availability", token=token, params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()["slots"]


def _keep_back(api: Api, admin_token: str, slot_id: str, capacity: int, internal: int) -> None:
    directorate, start = slot_id.split("@")
    answer = api.request("PUT", f"/v1/admin/directorates/{directorate}/slots/{start}/capacity",
                         token=admin_token, json={"capacity": capacity, "internal": internal})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["capacity"], answer.json()["internal"]) == (capacity, internal)


def _book(api: Api, token: str, person, slot_id: str, **more):
    body = {"document_number": person.document_number, "birth_date": person.birth_date, "slot_id": slot_id,
            "service": SERVICE, "channel": "phone", "phone": person.phone, **more}
    return api.post("/v1/staff/appointments", body, token=token)


def test_an_agent_books_by_phone_into_kept_back_places_the_portal_never_shows(api: Api, admin_token: str):
    agent = _agent(api, admin_token)
    # A day whose kept-back places are not released yet (tomorrow's may be: 24-30 h before it).
    later = (datetime.fromisoformat(api.get("/local/clock").json()["now"]) + timedelta(days=4)).date().isoformat()
    slot_id = _slots(api, admin_token, "35-bornova", from_=later)[3]["slot_id"]
    _keep_back(api, admin_token, slot_id, capacity=2, internal=2)  # every place of this time kept back
    assert slot_id not in {s["slot_id"] for s in _slots(api, admin_token, "35-bornova")}

    caller, other = _resident(api, admin_token), _resident(api, admin_token)
    wrong_birth = _book(api, agent, caller, slot_id, birth_date="1990-05-18")
    unknown = _book(api, agent, new_person(province="35"), slot_id)
    assert (wrong_birth.status_code, unknown.status_code) == (404, 404)
    assert wrong_birth.json()["error"] == unknown.json()["error"]  # no oracle for the birth date

    booked = _book(api, agent, caller, slot_id, language="ar")
    assert booked.status_code == 201, booked.text
    assert booked.json()["status"] == "confirmed" and booked.json()["directorate"] == "35-bornova"
    assert _book(api, agent, other, slot_id).status_code == 201
    full = _book(api, agent, _resident(api, admin_token), slot_id)
    assert full.status_code == 409 and full.json()["error"]["code"] == "SLOT_FULL"
    assert slot_id not in {s["slot_id"] for s in _slots(api, admin_token, "35-bornova")}

    # The same rules as online: the person is locked for 30 days, and another province is refused.
    again = _book(api, agent, caller, _slots(api, admin_token, "35-bornova")[-1]["slot_id"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "LOCKED_OUT"
    elsewhere = _book(api, agent, _resident(api, admin_token, province="06"), slot_id)
    assert elsewhere.status_code == 403 and elsewhere.json()["error"]["code"] == "WRONG_PROVINCE"

    # The person, who has no account, gets the confirmation by SMS at the number given (no email).
    api.post("/local/pump")
    sms = [m for m in api.get("/local/outbox").json() if m["to"] == caller.phone]
    assert sms and booked.json()["reference"] in sms[-1]["body"]
    assert not [m for m in api.get("/local/outbox").json() if m["channel"] == "email" and m["to"] == caller.email]


@pytest.fixture(scope="module")
def own_api(tmp_path_factory):
    """A stack of its own: this test moves the clock by a day, which the shared stack's other tests
    must not live through. Its bookable days reach as far as the test looks (3 to 9 days ahead),
    not the default 21: opening every directorate's days is most of a stack's start."""
    env = {**os.environ, "SLOT_HORIZON_DAYS": "10"}
    process, url = start_stack(env, tmp_path_factory.mktemp("kept-back-stack") / "server.log")
    yield Api(url)
    process.terminate()
    process.wait(timeout=30)


def _move_clock(api: Api, to: datetime) -> None:
    assert api.post("/local/clock", {"to": to.isoformat()}).status_code == 200


def test_unused_kept_back_places_reach_the_public_inside_the_release_window(own_api: Api):
    api = own_api
    admin = api.login("admin@example.org", "LocalAdmin123!")
    agent = _agent(api, admin)
    now = datetime.fromisoformat(api.get("/local/clock").json()["now"])
    # The first working day at least three days ahead: its release window is still to come.
    day = _slots(api, admin, "35-bornova", days=7, from_=(now + timedelta(days=3)).date().isoformat())[0]["start"][:10]
    times = _slots(api, admin, "35-bornova", days=1, from_=day)
    first = min(datetime.fromisoformat(s["start"]) for s in times)
    kept, other = times[0]["slot_id"], times[1]["slot_id"]
    _keep_back(api, admin, kept, capacity=3, internal=2)  # 1 public, 2 kept back
    _keep_back(api, admin, other, capacity=2, internal=2)
    assert _book(api, agent, _resident(api, admin), kept).status_code == 201  # takes a kept-back place

    def public() -> dict[str, int]:
        return {s["slot_id"]: s["remaining"] for s in _slots(api, admin, "35-bornova", days=1, from_=day)}

    assert (public().get(kept), public().get(other)) == (1, None)
    # Default window: 24 h before the day's first slot, drawn in the 6 hours before that.
    # An hour before the window opens: the move runs days of schedules, minutes of real time on
    # which the stack's clock runs on too.
    _move_clock(api, first - timedelta(hours=31))
    assert api.post("/local/pump").status_code == 200
    assert (public().get(kept), public().get(other)) == (1, None)  # not yet: before the window
    _move_clock(api, first - timedelta(hours=24) + timedelta(minutes=6))
    assert api.post("/local/pump").status_code == 200
    assert (public().get(kept), public().get(other)) == (2, 2)  # the unused kept-back places are public now
