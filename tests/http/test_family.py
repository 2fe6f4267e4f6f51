"""Families over HTTP (issue 12, item 3, "done when"): a guardian books for two children and
themselves in one step and each is locked; one locked child makes the whole request fail and
nothing is written."""

from __future__ import annotations

from datetime import date, timedelta

from bench.population import Resident, create_applicants
from tests.http.client import Api, unique_foreign_id
from tests.http.test_booking import BOOK, SERVICE, error_code, my_appointments, remaining_of, untouched_slots

DIRECTORATE = "34-esenyurt"


def with_children(api: Api, admin_token: str, guardian: Resident, names: tuple[str, ...]) -> dict[str, str]:
    """Registry records of minors naming `guardian`; their dependant ids by given name."""
    records = [
        {
            "document_number": unique_foreign_id(), "permit_status": "residence_permit",
            "permit_valid_until": (date.today() + timedelta(days=300)).isoformat(), "province": "34",
            "given_name": name, "family_name": "Haddad", "birth_date": f"{date.today().year - 7 - i}-03-0{i + 1}",
            "nationality": "SY", "guardian_document_number": guardian.document_number,
        }
        for i, name in enumerate(names)
    ]
    assert api.post("/v1/admin/residents", {"records": records}, token=admin_token).status_code == 200
    listed = api.get("/v1/me/dependants", token=guardian.token)
    assert listed.status_code == 200, listed.text
    assert all(r["document_number"] not in listed.text for r in records)  # opaque ids, never the numbers
    return {d["given_name"]: d["dependant_id"] for d in listed.json()}


def book_people(api: Api, token: str, slot_id: str, people: list[str]):
    return api.post(BOOK, {"slot_id": slot_id, "service": SERVICE, "people": people}, token=token)


def test_a_guardian_books_two_children_and_themselves_in_one_step_and_each_is_locked(api: Api, admin_token, base_url):
    guardian, stranger = create_applicants(base_url, 2)
    children = with_children(api, admin_token, guardian, ("Zeynep", "Omar"))
    assert sorted(children) == ["Omar", "Zeynep"]
    slot, later = untouched_slots(api, guardian.token, DIRECTORATE, 2)
    before = slot["remaining"]

    booked = book_people(api, guardian.token, slot["slot_id"], ["self", children["Zeynep"], children["Omar"]])

    assert booked.status_code == 201, booked.text
    appointments = booked.json()["appointments"]
    assert [a["person"] for a in appointments] == [None, "Zeynep", "Omar"]
    assert len({a["applicant_id"] for a in appointments}) == 3 and len({a["reference"] for a in appointments}) == 3
    assert remaining_of(api, guardian.token, DIRECTORATE)[slot["slot_id"]] == before - 3
    # The guardian sees each child's appointment; nobody else does.
    child_appointment = f"/v1/appointments/{appointments[1]['appointment_id']}"
    assert api.get(child_appointment, token=guardian.token).json()["person"] == "Zeynep"
    assert api.get(child_appointment, token=stranger.token).status_code == 404
    # My appointments: the guardian's own by default, the children's with whose=dependants (paged like it).
    own = api.get("/v1/me/appointments", token=guardian.token).json()
    assert [a["appointment_id"] for a in own] == [appointments[0]["appointment_id"]]
    first = api.get("/v1/me/appointments?whose=dependants&limit=1", token=guardian.token)
    cursor = first.headers["X-Next-Cursor"]
    second = api.get(f"/v1/me/appointments?whose=dependants&limit=1&cursor={cursor}", token=guardian.token)
    assert sorted(a["person"] for a in first.json() + second.json()) == ["Omar", "Zeynep"]
    assert api.get(f"/v1/me/appointments?whose=dependants&cursor={cursor}", token=stranger.token).status_code == 400
    assert api.get("/v1/me/appointments?whose=dependants", token=stranger.token).json() == []
    # Each of the three is locked: a new booking for any of them is refused, naming whom.
    for person in ("self", children["Zeynep"], children["Omar"]):
        refused = book_people(api, guardian.token, later["slot_id"], [person])
        assert refused.status_code == 409 and error_code(refused) == "LOCKED_OUT", refused.text
        details = refused.json()["error"]["details"]
        assert details["person"] == person and details["locked_until"]
    refused = api.post(BOOK, {"slot_id": later["slot_id"], "service": SERVICE}, token=guardian.token)  # v1, without people
    assert error_code(refused) == "LOCKED_OUT"
    # Someone else's child cannot be named.
    stranger_refused = book_people(api, stranger.token, later["slot_id"], ["self", children["Omar"]])
    assert stranger_refused.status_code == 400 and error_code(stranger_refused) == "VALIDATION_FAILED"


def test_one_locked_child_fails_the_whole_booking_and_nothing_is_written(api: Api, admin_token, base_url):
    [guardian] = create_applicants(base_url, 1)
    children = with_children(api, admin_token, guardian, ("Lina", "Yusuf"))
    first, second = untouched_slots(api, guardian.token, DIRECTORATE, 2)
    assert book_people(api, guardian.token, first["slot_id"], [children["Yusuf"]]).status_code == 201

    refused = book_people(api, guardian.token, second["slot_id"], ["self", children["Lina"], children["Yusuf"]])

    assert refused.status_code == 409 and error_code(refused) == "LOCKED_OUT", refused.text
    assert refused.json()["error"]["details"]["person"] == children["Yusuf"]
    assert remaining_of(api, guardian.token, DIRECTORATE)[second["slot_id"]] == second["remaining"]  # capacity unchanged
    assert my_appointments(api, guardian.token).json() == []  # the guardian was not booked
    # Nor locked: the guardian and Lina book together afterwards.
    again = book_people(api, guardian.token, second["slot_id"], ["self", children["Lina"]])
    assert again.status_code == 201, again.text
    # Too many people in one request: a clear refusal naming the field.
    too_many = api.post(BOOK, {"slot_id": second["slot_id"], "service": SERVICE, "people": ["self"] * 7}, token=guardian.token)
    assert too_many.status_code == 400 and "people" in too_many.text
