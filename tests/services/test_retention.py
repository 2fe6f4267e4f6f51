"""The retention schedule applied (domain/retention.py, services/retention.py): a person signs
up, files and withdraws an assignment request, books, is messaged, has their record corrected by
staff and is released; the clock then moves past each period of the schedule, the hourly run
runs, and in the end no table holds anything that names them, while the public statistics and
the records the authority keeps are what they were."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

import boto3
import pytest

from chalicelib import wiring
from chalicelib.adapters.tables import Applicant, Appointment, AssignmentRequest, AuditRecord, IdentityClaim, Notification, PublicStatistic
from chalicelib.clock import clock
from chalicelib.contract import AmendApplicantRequest, AssignmentRequestIn, ReleaseRequest
from chalicelib.domain import retention as schedule
from chalicelib.domain.calendar import ISTANBUL, local_day
from chalicelib.domain.catalogue import directorates_in
from chalicelib.domain.roles import Caller, Role
from chalicelib.local.streams import StreamReader
from chalicelib.resources import resources
from chalicelib.services import assignment, audit, notifications, release, retention, statistics
from chalicelib.services.catalogue import extend_slot_horizon
from chalicelib.services.fanout import Budget
from chalicelib.services.registry import identity_claim
from tests.http.client import unique_foreign_id
from tests.services.conftest import REGION
from tests.services.world import ADMIN, a_province_of_its_own, book, free_slots

PASSWORD = "Secret123pass"
# A province of one directorate that no other module's tests use (world.a_province_of_its_own).
PROVINCE = a_province_of_its_own()
DIRECTORATE = directorates_in(PROVINCE)[0]


@pytest.fixture
def place(aws, frozen_clock):
    extend_slot_horizon(only=(DIRECTORATE,))
    return DIRECTORATE


def a_person() -> tuple[Applicant, Caller]:
    """An active applicant with a login and the claim on their document; every personal value
    unique to them, so a scan of the tables can look for each."""
    tag = uuid.uuid4().hex[:10]
    email = f"retention.{tag}@example.net"
    applicant_id = wiring.accounts().create_login(email, PASSWORD)
    wiring.accounts().add_to_group(email, "applicant")
    now = clock.now()
    number = unique_foreign_id()
    person = Applicant(
        applicant_id, status="active", document_type="foreign_id", document_number=number,
        nationality="SYR", given_name=f"Nergis{tag}", family_name=f"Kaya{tag}", birth_date="1929-11-29",
        email=email, phone=f"+90555{random.randrange(10**7):07d}", language="en", province=PROVINCE,
        permit_status="residence_permit", permit_valid_until=(clock.today() + timedelta(days=300)).isoformat(),
        created_at=now, updated_at=now,
    )
    person.save()
    IdentityClaim(identity_claim(number), applicant_id=applicant_id, created_at=now).save()
    return person, Caller(applicant_id, frozenset({Role.APPLICANT}))


def personal_values(person: Applicant) -> set[str]:
    return {person.document_number, person.given_name, person.family_name, person.birth_date, person.phone, person.email}


def tables_holding(values: set[str]) -> dict[str, set[str]]:
    """Every table of the stack, scanned whole: which of `values` each one still holds anywhere
    (keys, attributes, maps, sets)."""
    client = boto3.client("dynamodb", region_name=REGION)
    found: dict[str, set[str]] = {}
    for table in resources().tables:
        for page in client.get_paginator("scan").paginate(TableName=table.name):
            text = repr(page["Items"])
            hits = {value for value in values if value in text}
            if hits:
                found.setdefault(table.short_name, set()).update(hits)
    return found


def run_at(moment: datetime, **options) -> dict[str, int]:
    clock.travel(moment - clock.now())
    return retention.apply_due(**options)


def noon_of(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ISTANBUL)


class AppointmentStatistics:
    """The appointments table's stream handed to the public statistics, as the event pump does."""

    CONSUMER = "retention-test-statistics"

    def __init__(self) -> None:
        self.reader = StreamReader(REGION)
        self.table = Appointment.Meta.table_name
        self.reader.subscribe(self.table, self.CONSUMER)

    def drain(self) -> None:
        while records := self.reader.take(self.table, self.CONSUMER, limit=100):
            assert statistics.handle_appointment_batch({"Records": records}) == {"batchItemFailures": []}
            self.reader.advance(self.table, self.CONSUMER, len(records))

    @staticmethod
    def figures(appointment: Appointment) -> dict:
        day = appointment.slot_start[:10]
        return PublicStatistic.get(f"province#{PROVINCE}", f"{day}#{appointment.directorate_id}", consistent_read=True).figures.as_dict()


def test_past_every_period_nothing_names_the_person_and_the_statistics_are_unchanged(place):
    counted = AppointmentStatistics()
    person, caller = a_person()
    staff = Caller("staff-retention", frozenset({Role.ADMIN}))

    # A request filed and withdrawn by the person, then an appointment booked and announced.
    filed = assignment.request_assignment(caller, AssignmentRequestIn.model_validate({"service": "address_registration", "directorate": place.id}))
    assignment.withdraw_request(caller, filed.request_id)
    booked = book(caller, free_slots(caller, place)[0].slot_id)
    owed = list(Notification.scan(Notification.applicant_id == person.applicant_id))
    for notification in owed:  # the confirmation (and the reminder, when booked for tomorrow after its run)
        notifications.deliver(notification.notification_id)
    [confirmation] = [n for n in owed if n.kind == notifications.CONFIRMED]

    # Staff correct the record (the trail keeps the values before and after) and release it.
    new_phone = f"0555{random.randrange(10**7):07d}"
    new_number = unique_foreign_id()
    from chalicelib.services import profile

    profile.amend(ADMIN, person.applicant_id, AmendApplicantRequest(phone=new_phone, document_number=new_number, reason=f"New card of {person.given_name} seen"))
    release.release(staff, person.applicant_id, ReleaseRequest(reason=f"{person.family_name} showed their permit at the counter"))
    values = personal_values(person) | {"+90" + new_phone[1:], new_number}
    released_at = clock.now()

    counted.drain()
    appointment = Appointment.get(booked.appointment_id)
    before = AppointmentStatistics.figures(appointment)
    assert before["booked"] >= 1
    assert tables_holding(values).keys() == {"applicants", "audit"}  # the release freed the claims

    # The released identity: kept while the booking's 30-day lock runs and the grace after it
    # (a release never frees anyone to book sooner), then its profile is anonymised.
    locked_until = Applicant.get(person.applicant_id, consistent_read=True).locked_until
    assert locked_until > released_at
    # (Other modules' records share the emulator: each run is judged by this person's records.)
    run_at(released_at + schedule.ACCOUNT_GRACE + timedelta(days=1))
    assert Applicant.get(person.applicant_id, consistent_read=True).email == person.email
    run_at(locked_until + schedule.ACCOUNT_GRACE - timedelta(hours=1))
    assert Applicant.get(person.applicant_id, consistent_read=True).email == person.email
    assert run_at(locked_until + schedule.ACCOUNT_GRACE + timedelta(hours=1))["profiles"] >= 1
    profile_left = Applicant.get(person.applicant_id, consistent_read=True)
    assert profile_left.status == "released" and profile_left.email is None
    assert wiring.accounts().find(person.email) is None  # the login (email, phone) is gone
    assert tables_holding(values).keys() == {"audit"}  # the authority's trail keeps its values for now
    assert Appointment.get(booked.appointment_id).applicant_id == person.applicant_id  # not due yet

    # Two years after the appointment's day: the appointment and the request lose their person.
    done = run_at(noon_of(schedule.appointment_due(appointment.start)))
    assert done["appointments"] >= 1 and done["requests"] >= 1
    kept = Appointment.get(booked.appointment_id, consistent_read=True)
    assert schedule.is_anonymous(kept.applicant_id) and kept.guardian_id is None and kept.checkin_code_hash is None
    assert (kept.directorate_id, kept.service, kept.slot_start, kept.status, kept.reference) == (
        appointment.directorate_id, appointment.service, appointment.slot_start, appointment.status, appointment.reference)
    request = AssignmentRequest.get(filed.request_id, consistent_read=True)
    assert schedule.is_anonymous(request.applicant_id) and request.queue_key is None and request.status == "withdrawn"
    assert list(Appointment.by_applicant.query(person.applicant_id)) == []
    counted.drain()
    assert AppointmentStatistics.figures(kept) == before  # the public statistics stay true
    # The delivery record: no body since it was delivered, and past its TTL (DynamoDB deletes it).
    record = Notification.get(confirmation.notification_id, consistent_read=True)
    assert record.sms_status == "sent" and record.reason is None and record.checkin_code is None
    assert record.expires <= clock.now()

    # Ten years after the trail's records: their values and reasons are erased, who/what/when stay.
    trail_before = list(AuditRecord.query(audit.applicant_subject(person.applicant_id)))
    done = run_at(noon_of(schedule.audit_due(released_at)))
    assert done["audit"] >= len(trail_before) >= 3
    for entry in AuditRecord.query(audit.applicant_subject(person.applicant_id), consistent_read=True):
        assert entry.before is None and entry.after is None and entry.reason is None
        assert entry.action and entry.actor_id and entry.at
    assert {e.action for e in AuditRecord.query(audit.applicant_subject(person.applicant_id))} == {e.action for e in trail_before}

    assert tables_holding(values) == {}
    # A second run changes nothing of what the first left (idempotent).
    left = [Applicant.get(person.applicant_id, consistent_read=True).attribute_values, Appointment.get(booked.appointment_id, consistent_read=True).attribute_values,
            AssignmentRequest.get(filed.request_id, consistent_read=True).attribute_values,
            [e.attribute_values for e in AuditRecord.query(audit.applicant_subject(person.applicant_id), consistent_read=True)]]
    retention.apply_due(lookback_days=30)
    assert [Applicant.get(person.applicant_id, consistent_read=True).attribute_values, Appointment.get(booked.appointment_id, consistent_read=True).attribute_values,
            AssignmentRequest.get(filed.request_id, consistent_read=True).attribute_values,
            [e.attribute_values for e in AuditRecord.query(audit.applicant_subject(person.applicant_id), consistent_read=True)]] == left


def test_a_released_account_under_a_lock_keeps_its_identity_until_the_lock_and_the_grace_have_passed(aws, frozen_clock):
    person, _ = a_person()
    locked_until = clock.now() + timedelta(days=20)
    person.update(actions=[Applicant.locked_until.set(locked_until)])
    release.release(Caller("staff-retention", frozenset({Role.ADMIN})), person.applicant_id, ReleaseRequest(reason="Seen at the counter"))
    person = Applicant.get(person.applicant_id, consistent_read=True)

    # Due (without a lock) 30 days on, it is then still within its lock's grace: moved on, not erased.
    stored = Applicant.get(person.applicant_id, consistent_read=True)
    assert schedule.day_of(stored.retention_due) == local_day(locked_until + schedule.ACCOUNT_GRACE)
    run_at(locked_until + schedule.ACCOUNT_GRACE - timedelta(days=1))
    assert Applicant.get(person.applicant_id).given_name == person.given_name
    assert run_at(locked_until + schedule.ACCOUNT_GRACE + timedelta(hours=1))["profiles"] >= 1
    assert Applicant.get(person.applicant_id).given_name == schedule.ERASED


def test_an_active_account_is_never_anonymised(aws, frozen_clock):
    person, _ = a_person()
    # Even carrying a due day by mistake (an account re-activated, say): it only leaves the index.
    key = schedule.due_key(clock.today(), person.applicant_id)
    person.update(actions=[Applicant.retention_due.set(key)])
    retention.apply_due()
    stored = Applicant.get(person.applicant_id, consistent_read=True)
    assert stored.given_name == person.given_name and stored.retention_due is None


def test_a_run_stops_at_its_budget_and_the_next_one_carries_on(aws, frozen_clock):
    people = [a_person()[0] for _ in range(3)]
    now = clock.now()
    records = [audit.record(audit.applicant_subject(p.applicant_id), "test.retention", actor_id="x", actor_role="system", at=now - timedelta(days=3653),
                            before={"phone": p.phone}, after={"phone": "+905550000000"}) for p in people]
    for r in records:
        r.save()
    assert retention.apply_due(budget=Budget(max_items=2))["audit"] == 2
    assert retention.apply_due(budget=Budget(max_items=2))["audit"] == 1
    for r in records:
        assert AuditRecord.get(r.subject, r.entry).before is None


def test_what_ttl_deletes_is_declared_and_a_notification_record_expires_after_its_period():
    tables = {t.short_name: t for t in resources().tables}
    for short_name in ("notifications", "web-sessions", "sign-in-challenges", "idempotency", "applicants", "rate-counters"):
        assert tables[short_name].ttl_attribute, short_name
    for short_name in ("applicants", "appointments", "assignment-requests", "audit"):
        assert "retention-due" in {index.name for index in tables[short_name].global_indexes}, short_name
    written = datetime(2026, 3, 1, 9, tzinfo=ISTANBUL)
    assert schedule.notification_expires(written) == datetime(2028, 3, 1, 9, tzinfo=ISTANBUL)


def test_a_web_session_past_its_period_is_never_served_though_ttl_has_not_removed_it(aws, frozen_clock):
    """DynamoDB deletes it later (TTL), the emulator never: the portal refuses it itself, so the
    identity it carried (an e-Devlet document number, a sign-up's address) is not handed back."""
    from chalice import Chalice

    from chalicelib.adapters.tables import WebSession
    from chalicelib.web.frame import SESSION_COOKIE, Portal

    now = clock.now()
    stored = WebSession(uuid.uuid4().hex * 2, csrf_token="t", expires=now + schedule.WEB_SESSION, created_at=now,
                        signup_email="someone@example.net", edevlet_document=unique_foreign_id())
    stored.save()
    portal = Portal(Chalice("probe"), authenticate=lambda token: None, secure_cookies=lambda: False)
    served, new = portal._session(f"{SESSION_COOKIE}={stored.session_id}")
    assert not new and served.edevlet_document == stored.edevlet_document
    clock.travel(schedule.WEB_SESSION + timedelta(seconds=1))
    served, new = portal._session(f"{SESSION_COOKIE}={stored.session_id}")
    assert new and served.session_id != stored.session_id and served.edevlet_document is None
    assert WebSession.get(stored.session_id).expires < clock.now()  # still stored: TTL's job, not relied on


def test_the_audit_erasure_removes_exactly_the_attributes_the_iam_condition_allows(monkeypatch):
    written = []
    monkeypatch.setattr(retention, "update_if", lambda item, actions, condition: written.append(actions) or True)
    retention.erase_audit_values(AuditRecord("applicant:x", "e"), "2036-01-01#0", clock.now())
    [actions] = written
    names: dict = {}
    for action in actions:
        action.serialize(names, {})
    assert set(names) == set(schedule.AUDIT_ERASED_ATTRIBUTES)
    assert all(type(action).__name__ == "RemoveAction" for action in actions)


def test_a_message_body_is_removed_once_delivered_and_the_delivery_record_stays(place):
    from tests.services.world import applicant as an_applicant

    caller = an_applicant(province=PROVINCE)
    booked = book(caller, free_slots(caller, place)[0].slot_id)
    owed = notifications.cancellation_for(Appointment.get(booked.appointment_id), "Elektrik kesintisi", clock.now())
    owed.save()
    assert Notification.get(owed.notification_id, consistent_read=True).reason == "Elektrik kesintisi"
    notifications.deliver(owed.notification_id)
    record = Notification.get(owed.notification_id, consistent_read=True)
    assert (record.sms_status, record.kind, record.appointment_id) == ("sent", notifications.CANCELLED, booked.appointment_id)
    assert record.reason is None and record.checkin_code is None
    assert abs(record.expires - schedule.notification_expires(owed.created_at)) < timedelta(seconds=1)  # TTL: whole seconds
