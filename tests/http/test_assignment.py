"""High demand end to end over HTTP, as the issue's "done when" describes it: an admin switches
a directorate's service to assigned mode, seeded residents file requests, the window closes
(the local clock moves), the event pump runs the assigner and the sender, and each person
finds their appointment and reads its SMS and email (with the invitation) in /local/outbox.
Then the directorate closes that day: cancelled, notified, re-queued and assigned again."""

from __future__ import annotations

from datetime import datetime, timedelta

from bench.population import create_applicants
from tests.http.client import Api

DIRECTORATE = "35-bornova"
SERVICE = "address_registration"


def move_clock(api: Api, minutes: int) -> None:
    now = datetime.fromisoformat(api.get("/local/clock").json()["now"])
    moved = api.post("/local/clock", {"to": (now + timedelta(minutes=minutes)).isoformat()})
    assert moved.status_code == 200, moved.text


def pump(api: Api) -> None:
    for _ in range(2):  # the assigner queues notifications; the next run delivers them
        assert api.post("/local/pump", {}).status_code == 200


def test_assigned_mode_requests_assignment_notifications_and_a_closure(api: Api, admin_token: str, base_url: str):
    mode = api.request("PUT", f"/v1/admin/directorates/{DIRECTORATE}/services/{SERVICE}/mode", admin_token, json={"mode": "assigned"})
    assert mode.status_code == 200, mode.text
    assert (mode.json()["setting"], mode.json()["mode"]) == ("assigned", "assigned")
    try:
        people = create_applicants(base_url, 4, province="35")
        offered = api.get("/v1/availability", token=people[0].token, params={"directorate": DIRECTORATE, "service": SERVICE})
        assert offered.status_code == 200 and offered.json()["mode"] == "assigned"
        refused = api.post("/v1/appointments", {"slot_id": offered.json()["slots"][0]["slot_id"], "service": SERVICE}, token=people[0].token)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "ASSIGNED_MODE"

        filed = []
        for person in people:
            response = api.post("/v1/assignment-requests", {"service": SERVICE, "directorate": DIRECTORATE}, token=person.token)
            assert response.status_code == 202, response.text
            assert response.json()["status"] == "waiting" and response.json()["position"] >= 1
            filed.append(response.json()["request_id"])
        again = api.post("/v1/assignment-requests", {"service": SERVICE}, token=people[0].token)
        assert again.status_code == 409 and again.json()["error"]["code"] == "REQUEST_PENDING"

        move_clock(api, 11)  # the window closes
        pump(api)

        outbox = api.get("/local/outbox").json()
        appointments = []
        for person, request_id in zip(people, filed):
            status = api.get(f"/v1/assignment-requests/{request_id}", token=person.token).json()
            assert status["status"] == "assigned" and status["window_seed"], status
            appointment = api.get(f"/v1/appointments/{status['appointment_id']}", token=person.token).json()
            assert appointment["directorate"] == DIRECTORATE and appointment["status"] == "confirmed"
            appointments.append(appointment)
            assert any(m["channel"] == "sms" and m["to"] == person.phone and appointment["reference"] in m["body"] for m in outbox)
            # its confirmation (after 10:00 an assignment for tomorrow also sends its reminder at once)
            [email] = [m for m in outbox if m["channel"] == "email" and m["to"] == person.email
                       and appointment["reference"] in m.get("subject", "") and "confirmed" in m.get("subject", "")]
            [invite] = [a for a in email["attachments"] if a["content_type"] == "text/calendar"]
            assert "METHOD:REQUEST" in invite["content"] and "TZID=Europe/Istanbul" in invite["content"]

        # The directorate closes the first person's day.
        day = appointments[0]["start"][:10]
        closed = api.post(f"/v1/staff/directorates/{DIRECTORATE}/closures", {"date": day, "reason": "Water damage"}, token=admin_token)
        assert closed.status_code == 200, closed.text
        cancelled_on_day = [a for a in appointments if a["start"][:10] == day]
        assert closed.json()["appointments_cancelled"] >= len(cancelled_on_day)
        pump(api)

        first = people[0]
        mine = api.get("/v1/me/appointments", token=first.token).json()
        statuses = sorted(a["status"] for a in mine)
        assert statuses == ["cancelled_by_authority", "confirmed"], mine  # re-assigned at once, with priority
        [new] = [a for a in mine if a["status"] == "confirmed"]
        assert new["start"][:10] != day
        outbox = api.get("/local/outbox").json()
        cancelled = [a for a in mine if a["status"] == "cancelled_by_authority"][0]["reference"]
        assert any(m["channel"] == "sms" and m["to"] == first.phone and cancelled in m["body"] for m in outbox)
        assert any(m["channel"] == "email" and m["to"] == first.email and "Water damage" in (m["body"] or "") for m in outbox)
    finally:
        api.request("PUT", f"/v1/admin/directorates/{DIRECTORATE}/services/{SERVICE}/mode", admin_token, json={"mode": "auto"})


def test_days_stop_at_the_permits_end_and_a_withdrawn_request_is_explained(api: Api, admin_token: str, base_url: str):
    """Issue 12, item 8: availability offers no day after the caller's permit ends (and says
    until when); a request the system withdraws (the registry moved the person) reaches them by
    SMS and email with the reason, and its status says it."""
    from bench.population import IDENTITY

    directorate, service = "55-merkez", "address_registration"
    short, moving = create_applicants(base_url, 2, province="55")
    today = datetime.fromisoformat(api.get("/local/clock").json()["now"]).date()
    permit_end = today + timedelta(days=6)

    def record(person, province: str, valid_until) -> dict:
        return {"document_number": person.document_number, "permit_status": "residence_permit",
                "permit_valid_until": valid_until.isoformat(), "province": province, **IDENTITY}

    imported = api.post("/v1/admin/residents", {"records": [record(short, "55", permit_end)]}, token=admin_token)
    assert imported.status_code == 200, imported.text
    query = {"directorate": directorate, "service": service, "days": 21}
    offered = api.get("/v1/availability", token=short.token, params=query).json()
    assert offered["slots"] and offered["permit_valid_until"] == permit_end.isoformat()
    assert max(s["start"][:10] for s in offered["slots"]) <= permit_end.isoformat()
    everyone = api.get("/v1/availability", token=moving.token, params=query).json()
    assert max(s["start"][:10] for s in everyone["slots"]) > permit_end.isoformat() and everyone["permit_valid_until"] is None

    filed = api.post("/v1/assignment-requests", {"service": service, "directorate": directorate}, token=moving.token)
    assert filed.status_code == 202, filed.text
    request_id = filed.json()["request_id"]
    moved = api.post("/v1/admin/residents", {"records": [record(moving, "34", today + timedelta(days=400))]}, token=admin_token)
    assert moved.status_code == 200, moved.text
    move_clock(api, 11)  # the window closes
    pump(api)

    status = api.get(f"/v1/assignment-requests/{request_id}", token=moving.token).json()
    assert (status["status"], status["reason"], status["appointment_id"]) == ("withdrawn", "moved_province", None)
    outbox = api.get("/local/outbox").json()
    [sms] = [m for m in outbox if m["channel"] == "sms" and m["to"] == moving.phone and "withdrawn" in m["body"]]
    assert "another province" in sms["body"]
    [email] = [m for m in outbox if m["channel"] == "email" and m["to"] == moving.email and "withdrawn" in (m.get("subject") or "")]
    assert "another province" in email["body"] and f"/requests/{request_id}" in email["body"]
