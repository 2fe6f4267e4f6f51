"""Minimisation (issue 14, item 6): every message, log line, metric and audit record carries only
what its purpose needs.

One full scenario on a local stack of its own, with the business metrics on (Powertools writes
them to the log as EMF lines, as in Lambda): two people sign up (one with a passport on record),
one books, the other's request is assigned, the reminder goes out, staff look the first person
up by document, mark a no-show and correct it, and amend the person's phone in person. Then
everything the scenario left is gathered:

- every line the stack wrote (the app's JSON logs and the EMF metric lines),
- every SMS and email sent (`/local/outbox`),
- every message put on a queue (`/local/queue-messages`),
- every item of the notifications table (the outbox records) and of the audit table,

and scanned for each person's document number, passport number, birth date, given and family
names, phone number (E.164, without the plus, national) and email address. They may appear only
in the places listed in ALLOWED, each with the reason its purpose needs it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests

from bench.smoke import SLOT_HORIZON_DAYS
from tests.http.client import SLOT_STREAM_READERS, Api, Person, unique_email, unique_foreign_id, unique_phone
from tests.http.conftest import start_stack

ISTANBUL = ZoneInfo("Europe/Istanbul")
PROVINCE = "06"
BOOK_AT, ASSIGN_AT, SERVICE = "06-merkez", "06-altindag", "address_registration"
STAFF_PASSWORD = "StaffPass123!"
EMULATOR = re.compile(r"AWS emulator:\s+(http://127\.0\.0\.1:\d+)")

# Where a person's data may stand, and why its purpose needs it. A finding is (source, field,
# what); `what` names the kind of data (document, passport, birth_date, given_name, family_name,
# phone, email). Anything not listed is a leak; and what a message may carry about a person it
# may carry only in a message to that same person.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("outbox", "to", "phone"): "an SMS's destination is the person's phone: without it nothing is delivered",
    ("outbox", "to", "email"): "an email's destination is the person's address",
    ("outbox", "body", "given_name"): "every SMS and email to the person opens with their first name, so that whoever reads "
                                      "a shared phone or mailbox sees whom it concerns (domain/notices.py); never the family name",
    ("outbox", "subject", "given_name"): "same as the body: a message about a dependant names the child by first name",
    ("outbox", "attachment", "email"): "an email's calendar invitation names its attendee, the recipient's own address: a "
                                       "REQUEST must (RFC 5546), and the calendar matches it to its owner by it",
    ("audit", "before", "phone"): "an in-person amendment records what the phone was: the person and the authority can "
                                  "see what changed (retention erases it after its period, domain/retention.py)",
    ("audit", "after", "phone"): "and what it became",
}


@dataclass
class Found:
    source: str  # log | metric | outbox | queue | notification | audit
    field: str
    what: str
    excerpt: str


@pytest.fixture(scope="module")
def scenario_stack(tmp_path_factory):
    # Bookable days only as far as the scenario needs a working day to book and one to assign
    # (bench/smoke.py says why twelve is enough whatever the date): a fresh stack streams every
    # slot it opened into the calendar before the scenario can begin, most of this test's time.
    env = {**os.environ, "POWERTOOLS_METRICS_DISABLED": "false", "DEMAND_MAX_BOOKINGS_PER_MINUTE": "1000000",
           "DEMAND_ASSIGN_BELOW_FREE_SHARE": "0", "SLOT_HORIZON_DAYS": SLOT_HORIZON_DAYS}
    env.pop("TEST_ISTANBUL_TIME", None)  # the scenario moves the clock itself
    log = tmp_path_factory.mktemp("minimisation-stack") / "server.log"
    process, url = start_stack(env, log)
    endpoint = EMULATOR.search(log.read_text())
    assert endpoint, "the local stack's banner names its AWS emulator"
    yield Api(url), log, endpoint.group(1)
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def scenario(scenario_stack):
    api, log, endpoint = scenario_stack
    booker, waiter = _run_scenario(api)
    return api, log, endpoint, booker, waiter


def _person(given_name: str, family_name: str, birth_date: str, passport: str | None = None) -> Person:
    return Person(unique_foreign_id(), unique_email(), unique_phone(), province=PROVINCE, given_name=given_name,
                  family_name=family_name, birth_date=birth_date, nationality="IR", passport_number=passport)


def _pump(api: Api, times: int = 3) -> dict[str, Any]:
    """Run the event pump `times` times. A run may take minutes on a busy machine (the first ones
    stream every slot of the fresh stack into the calendar): a long wait, not a retry."""
    for _ in range(times):
        answer = requests.post(f"{api.base_url}/local/pump", json={}, timeout=900)
        assert answer.status_code == 200, answer.text
    return answer.json()


def _calendar_streamed(api: Api) -> None:
    for _ in range(400):
        if all(_pump(api, 1)[handler]["messages"] == 0 for handler in SLOT_STREAM_READERS):
            return
    raise AssertionError("the slots' stream did not drain")


def _clock(api: Api) -> datetime:
    return datetime.fromisoformat(api.get("/local/clock").json()["now"])


def _move_to(api: Api, moment: datetime) -> None:
    if moment > _clock(api):  # the schedules the move makes due run before it answers: a long wait
        moved = requests.post(f"{api.base_url}/local/clock", json={"to": moment.isoformat()}, timeout=900)
        assert moved.status_code == 200, moved.text


def _sms_code(api: Api, phone: str) -> str:
    [*_, last] = [m for m in api.get("/local/outbox").json() if m["channel"] == "sms" and m["to"] == phone]
    return re.search(r"\b(\d{6})\b", last["body"]).group(1)


def _sign_up(api: Api, admin: str, person: Person) -> tuple[str, str]:
    assert api.post("/v1/admin/residents", {"records": [person.registry_record()]}, token=admin).status_code == 200
    signed = api.post("/v1/auth/signup", person.signup_body(language="fa"))
    assert signed.status_code == 201, signed.text
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": _sms_code(api, person.phone)}).status_code == 200
    return signed.json()["applicant_id"], api.login(person.email, person.password)


def _staff(api: Api, admin: str, directorate: str) -> str:
    email = unique_email("staff")
    created = api.post("/v1/admin/staff", {"email": email, "password": STAFF_PASSWORD, "directorate_id": directorate}, token=admin)
    assert created.status_code == 201, created.text
    return api.login(email, STAFF_PASSWORD)


NEW_PHONE = "+905321234567"


def _run_scenario(api: Api) -> tuple[Person, Person]:
    admin = api.login("admin@example.org", "LocalAdmin123!")
    booker = _person("Shirinbanu", "Tahmasebikord", "1987-11-23", passport="K48217765")
    waiter = _person("Golnesar", "Bakhtiarivand", "1979-02-14")
    booker_id, booker_token = _sign_up(api, admin, booker)
    _, waiter_token = _sign_up(api, admin, waiter)
    _calendar_streamed(api)  # a fresh stack streams every slot it generated into the calendar

    # One books where places are open ...
    [slot, *_] = api.get("/v1/availability", token=booker_token, params={"directorate": BOOK_AT, "service": SERVICE, "days": 14}).json()["slots"]
    booked = api.post("/v1/appointments", {"slot_id": slot["slot_id"], "service": SERVICE}, token=booker_token)
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    # ... the other asks where the directorate assigns, and is assigned when the window closes.
    mode = api.put(f"/v1/admin/directorates/{ASSIGN_AT}/services/{SERVICE}/mode", {"mode": "assigned"}, token=admin)
    assert mode.status_code == 200, mode.text
    filed = api.post("/v1/assignment-requests", {"service": SERVICE, "directorate": ASSIGN_AT}, token=waiter_token)
    assert filed.status_code == 202, filed.text
    _move_to(api, _clock(api) + timedelta(minutes=11))
    _pump(api)
    assigned = api.get(f"/v1/assignment-requests/{filed.json()['request_id']}", token=waiter_token).json()
    assert assigned["status"] == "assigned", assigned

    # The reminder, the day before at 10:05; then the appointment, a no-show, and its correction.
    start = datetime.fromisoformat(appointment["start"])
    day_before = datetime.combine(start.astimezone(ISTANBUL).date() - timedelta(days=1), datetime.min.time(), tzinfo=ISTANBUL)
    _move_to(api, day_before + timedelta(hours=10, minutes=5))
    _pump(api)
    code = _sms_code(api, booker.phone)
    staff = _staff(api, admin, BOOK_AT)
    found = api.post("/v1/staff/applicants/search", {"document_number": booker.document_number}, token=staff)
    assert found.status_code == 200, found.text
    _move_to(api, start + timedelta(minutes=20))
    absent = api.post(f"/v1/staff/appointments/{appointment['appointment_id']}/attendance", {"outcome": "no_show"}, token=staff)
    assert absent.status_code == 200, absent.text
    corrected = api.post(f"/v1/staff/appointments/{appointment['appointment_id']}/attendance",
                         {"outcome": "attended", "checkin_code": code, "reason": "Came in late, seen at the counter"}, token=staff)
    assert corrected.status_code == 200, corrected.text
    amended = api.patch(f"/v1/staff/applicants/{booker_id}", {"phone": NEW_PHONE, "reason": "New number, card seen in person"}, token=staff)
    assert amended.status_code == 200, amended.text
    api.get("/v1/me", token=booker_token)
    api.get("/v1/me/appointments", token=booker_token)
    _pump(api)
    return booker, waiter


def _needles(person: Person, *other_phones: str) -> dict[str, list[str]]:
    phones = [person.phone, *other_phones]
    needles = {
        "document": [person.document_number],
        "birth_date": [person.birth_date, datetime.strptime(person.birth_date, "%Y-%m-%d").strftime("%d.%m.%Y")],
        "given_name": [person.given_name],
        "family_name": [person.family_name],
        "phone": [form for phone in phones for form in (phone, phone[1:], "0" + phone[3:])],
        "email": [person.email],
    }
    if person.passport_number:
        needles["passport"] = [person.passport_number]
    return needles


def _scan(source: str, field: str, text: str, needles: dict[str, list[str]]) -> Iterator[Found]:
    folded = text.casefold()
    for what, values in needles.items():
        for value in values:
            at = folded.find(value.casefold())
            if at >= 0:
                yield Found(source, field, what, text[max(0, at - 60): at + len(value) + 60])


def _items(endpoint: str, table_suffix: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-central-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    [table] = [t for t in client.list_tables()["TableNames"] if t.endswith("-" + table_suffix)]
    items, start = [], {}
    while True:
        page = client.scan(TableName=table, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def _everything(api: Api, log_text: str, endpoint: str) -> Iterator[tuple[str, str, str, str | None]]:
    """(source, field, text, the message's recipient) of everything the scenario left."""
    for line in log_text.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            yield "metric", "line", line, None
        else:
            yield "log", "line", line, None
    for message in api.get("/local/outbox").json():
        for field in ("to", "subject", "body"):
            yield "outbox", field, str(message.get(field) or ""), message.get("to")
        for attachment in message.get("attachments") or []:
            yield "outbox", "attachment", str(attachment.get("content") or ""), message.get("to")
    for message in api.get("/local/queue-messages").json():
        yield "queue", "body", message["body"], None
    for item in _items(endpoint, "notifications"):
        for field, value in item.items():
            yield "notification", field, json.dumps(value, ensure_ascii=False), None
    for item in _items(endpoint, "audit"):
        for field, value in item.items():
            yield "audit", field, json.dumps(value, ensure_ascii=False), None


# The scenario runs once, in the first test's setup: a fresh stack, the calendar streamed, two days of clock.
@pytest.mark.timeout(1500)
def test_a_full_scenario_leaves_personal_data_only_where_its_purpose_needs_it(scenario):
    api, log, endpoint, booker, waiter = scenario
    people = {"booker": _needles(booker, NEW_PHONE), "waiter": _needles(waiter)}
    log_text = log.read_text()

    seen: dict[str, int] = {}
    leaks: list[Found] = []
    for source, field, text, recipient in _everything(api, log_text, endpoint):
        seen[source] = seen.get(source, 0) + 1
        for needles in people.values():
            own = recipient is not None and recipient in needles["phone"] + needles["email"]
            for found in _scan(source, field, text, needles):
                if (found.source, found.field, found.what) not in ALLOWED or (source == "outbox" and not own):
                    leaks.append(found)
    # The scan saw each kind of thing the scenario makes (else it proves nothing).
    assert {"log", "metric", "outbox", "queue", "notification", "audit"} <= set(seen), seen
    assert not leaks, "\n".join(f"{f.source}.{f.field}: {f.what} in …{f.excerpt}…" for f in leaks[:20])


@pytest.mark.timeout(1500)
def test_the_allowed_places_are_really_used_and_the_scan_would_see_a_leak(scenario):
    """Each allowed place holds what it is allowed to (so the list is not wider than the service),
    and a person's data written in a log line is found."""
    api, log, endpoint, booker, _ = scenario
    outbox = api.get("/local/outbox").json()
    assert any(m["channel"] == "sms" and m["to"] == booker.phone for m in outbox)
    assert any(m["channel"] == "email" and m["to"] == booker.email and booker.given_name in (m["body"] or "") for m in outbox)
    audit = [json.dumps(item) for item in _items(endpoint, "audit")]
    assert any(NEW_PHONE in item for item in audit), "the amendment's record says what the phone became"
    person = _person("Example", "Person", "1990-01-01")
    line = json.dumps({"level": "INFO", "message": f"looked up {person.document_number}"})
    assert [f.what for f in _scan("log", "line", line, _needles(person))] == ["document"]
