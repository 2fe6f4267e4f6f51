"""A person closes their online account (DELETE /v1/me), at the use-case level on the in-process
emulator with the clock moved: what ends (sign-in, tokens, sessions, messages, a waiting request),
what stays (appointments, audit, the identity with its lock), and that closing never frees anyone
to book sooner — the person who closes to dodge a 30-day lock can neither book nor sign up again
until it has ended, and can after.

Each test works in a province with one directorate of its own (the emulator's tables live for the
whole session), so no other test's appointments are swept or booked here."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends
from stdnum.tr import tckimlik

from chalicelib import wiring
from chalicelib.adapters.cognito import InvalidCredentials
from chalicelib.adapters.tables import Applicant, Appointment, AssignmentRequest, AuditRecord, IdentityClaim, Notification, WebSession
from chalicelib.clock import clock
from chalicelib.contract import AssignmentRequestIn, AssistedBookingRequest, ConfirmRequest, ImportResidentsRequest, SignupRequest
from chalicelib.domain.calendar import ISTANBUL, is_working_day
from chalicelib.domain.catalogue import directorates_in
from chalicelib.domain.errors import DuplicateAccount, LockedOut, Unauthenticated, ValidationFailed
from chalicelib.domain.lockout import LOCK_PERIOD
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import accounts, assignment, assisted, attendance, audit, closure, notifications, people, revocation, signup
from chalicelib.services.catalogue import extend_slot_horizon
from chalicelib.services.registry import identity_claim
from chalicelib.contract import LoginRequest
from tests.services.conftest import REGION
from tests.services.world import a_province_of_its_own, book, free_slots

PASSWORD = "Secret123pass"
# A province of one directorate per test, no other module's (world.a_province_of_its_own).


@pytest.fixture
def province(aws, frozen_clock):
    code = a_province_of_its_own()
    extend_slot_horizon(only=directorates_in(code))
    return code


def resident(province: str) -> str:
    body = "99" + f"{uuid.uuid4().int % 10**7:07d}"
    number = body + tckimlik.calc_check_digits(body)
    registry_record = {
        "document_number": number, "permit_status": "residence_permit", "province": province,
        "permit_valid_until": (clock.today() + timedelta(days=400)).isoformat(),
        "given_name": "Olena", "family_name": "Kovalenko", "birth_date": "1985-03-02", "nationality": "UA",
    }
    from chalicelib.services import registry

    registry.import_residents(ImportResidentsRequest.model_validate({"records": [registry_record]}))
    return number


def sms_to(phone: str) -> list[str]:
    return [body for to, body in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == phone]


def sign_up(number: str, email: str, phone: str) -> str:
    """A sign-up with the registry's details; the code sent to the phone."""
    signup.sign_up(SignupRequest.model_validate({
        "document_type": "foreign_id", "document_number": number, "nationality": "UA", "given_name": "Olena",
        "family_name": "Kovalenko", "birth_date": "1985-03-02", "email": email, "phone": phone,
        "password": PASSWORD, "language": "uk",
    }))
    return re.search(r"\b(\d{6})\b", sms_to(phone)[-1]).group(1)


def open_account(number: str, email: str | None = None, phone: str | None = None) -> tuple[Caller, str, str]:
    email = email or f"closing.{uuid.uuid4().hex[:10]}@example.net"
    phone = phone or f"+90555{uuid.uuid4().int % 10**7:07d}"
    code = sign_up(number, email, phone)
    confirmed = signup.confirm(ConfirmRequest(email=email, code=code))
    return Caller(confirmed.applicant_id, frozenset({Role.APPLICANT})), email, phone


def signs_in(email: str) -> bool:
    try:
        wiring.accounts().login(email, PASSWORD)
    except InvalidCredentials:
        return False
    return True


def only_directorate(province: str):
    return directorates_in(province)[0]


def a_slot(person: Caller, province: str, after_days: int = 3):
    """A free slot on a working day at least `after_days` ahead."""
    earliest = clock.today() + timedelta(days=after_days)
    return next(s for s in free_slots(person, only_directorate(province), days=21)
                if s.start.astimezone(ISTANBUL).date() >= earliest and is_working_day(s.start.astimezone(ISTANBUL).date()))


def travel_to(moment: datetime) -> None:
    clock.travel(moment - clock.now())


def test_closing_ends_sign_in_tokens_sessions_and_messages_and_keeps_appointments_audit_and_the_claim(province):
    number = resident(province)
    person, email, phone = open_account(number)
    booked = book(person, a_slot(person, province).slot_id)
    token_issued = revocation.token_clock()  # a token of this very second: refused too (the account never signs in again)
    now = clock.now()
    elsewhere = WebSession(f"s-{uuid.uuid4()}", csrf_token="x", access_token="t", account_id=person.account_id,
                           role="applicant", expires=now + timedelta(hours=8), created_at=now)
    elsewhere.save()  # signed in on another device
    sent_before = len(sms_to(phone))

    closed = closure.close(person)

    lock = Applicant.get(person.account_id, consistent_read=True).locked_until
    assert (closed.status, closed.identity_held_until) == ("closed", lock)
    stored = Applicant.get(person.account_id, consistent_read=True)
    assert stored.status == "closed" and now <= stored.closed_at <= clock.now()
    assert not signs_in(email)  # the login is disabled
    assert revocation.is_revoked(person.account_id, token_issued)  # a kept token answers 401
    with pytest.raises(WebSession.DoesNotExist):
        WebSession.get(elsewhere.session_id)
    with pytest.raises(Unauthenticated):  # a sign-in through the service is refused too, whatever Cognito says
        accounts.login(LoginRequest(email=email, password=PASSWORD))

    # What the directorate must keep stays: the appointment, the audit trail, the identity with its lock.
    assert Appointment.get(booked.appointment_id).status == "confirmed"
    assert Appointment.get(booked.appointment_id).applicant_id == person.account_id
    trail = list(AuditRecord.query(audit.applicant_subject(person.account_id)))
    [record] = [r for r in trail if r.action == "account.closed"]
    assert (record.actor_id, record.actor_role, record.after.as_dict()) == (person.account_id, "applicant", {"status": "closed"})
    assert "appointment.booked" in [r.action for r in trail]
    assert IdentityClaim.get(identity_claim(number), consistent_read=True).applicant_id == person.account_id

    # Messages stop at the sender: the booking's confirmation, queued before the closure, is
    # skipped on both channels, and nothing reaches the phone.
    owed = list(Notification.by_applicant.query(person.account_id))
    assert owed
    for notice in owed:
        notifications.deliver(notice.notification_id)
        after = Notification.get(notice.notification_id, consistent_read=True)
        assert (after.sms_status, after.sms_skipped, after.email_status, after.email_skipped) == ("skipped", "account_closed", "skipped", "account_closed")
        assert after.undelivered_day is None  # settled: the re-queue schedule leaves it alone
    assert len(sms_to(phone)) == sent_before

    # Again (a retry, a second click): the same answer, one audit record.
    assert closure.close(person).status == "closed"
    assert [r.action for r in AuditRecord.query(audit.applicant_subject(person.account_id))].count("account.closed") == 1


def test_the_day_before_reminder_of_an_appointment_that_stays_is_not_sent_to_a_closed_account(province):
    """The person asked for no more messages: the appointment stands, its reminder (and check-in
    code, which attendance does not require) is not sent."""
    person, _, phone = open_account(resident(province))
    booked = book(person, a_slot(person, province, after_days=3).slot_id)
    closure.close(person)
    day_before = (booked.start.astimezone(ISTANBUL) - timedelta(days=1)).date()
    travel_to(datetime.combine(day_before, time(10, 5), tzinfo=ISTANBUL))
    notifications.remind_page(only_directorate(province).id, notifications.reminder_day(clock.now()), clock.now(), 100)
    reminder = Notification.get(f"reminder-{booked.appointment_id}", consistent_read=True)
    sent_before = len(sms_to(phone))
    notifications.deliver(reminder.notification_id)
    reminder = Notification.get(reminder.notification_id, consistent_read=True)
    assert (reminder.sms_status, reminder.email_status) == ("skipped", "skipped")
    assert reminder.checkin_code is None  # not kept once settled
    assert len(sms_to(phone)) == sent_before
    assert Appointment.get(booked.appointment_id).status == "confirmed"


def test_a_person_who_closes_to_dodge_the_lock_can_neither_book_nor_sign_up_until_it_ends_and_can_after(province):
    number = resident(province)
    person, email, phone = open_account(number)
    booked_at = clock.now()
    booked = book(person, a_slot(person, province, after_days=3).slot_id)
    closure.close(person)

    with pytest.raises(LockedOut):  # the closed account books nothing (its tokens answer 401 before that)
        book(person, a_slot(person, province, after_days=4).slot_id)
    with pytest.raises(DuplicateAccount):  # a sign-up with the same identity: answered as for any claimed one
        sign_up(number, f"again.{uuid.uuid4().hex[:8]}@example.net", f"+90555{uuid.uuid4().int % 10**7:07d}")

    # The appointment passes without them: the no-show sweep locks the closed account for 30 days from it.
    start = booked.start.astimezone(ISTANBUL)
    travel_to(datetime.combine(start.date(), time(19, 0), tzinfo=ISTANBUL))
    attendance.sweep_page(only_directorate(province).id, clock.now(), 100)
    no_show_lock = Applicant.get(person.account_id, consistent_read=True).locked_until
    assert no_show_lock == booked.start + LOCK_PERIOD

    # The booking's own lock has ended, the no-show's has not: still refused.
    travel_to(booked_at + LOCK_PERIOD + timedelta(minutes=1))
    with pytest.raises(DuplicateAccount):
        sign_up(number, f"again.{uuid.uuid4().hex[:8]}@example.net", f"+90555{uuid.uuid4().int % 10**7:07d}")

    # Once it has ended: a new account, with the same email and phone as before.
    travel_to(no_show_lock + timedelta(minutes=1))
    again, _, _ = open_account(number, email=email, phone=phone)
    assert again.account_id != person.account_id
    assert signs_in(email)
    assert IdentityClaim.get(identity_claim(number), consistent_read=True).applicant_id == again.account_id
    old, new = Applicant.get(person.account_id, consistent_read=True), Applicant.get(again.account_id, consistent_read=True)
    assert (old.status, old.reopened_by) == ("closed", again.account_id)
    assert (new.status, new.reopened_from) == ("active", person.account_id)
    # What the new account sees of the old: the person's appointments (they carry the lock
    # history), nothing of the old account's own records (its messages stay filed under it).
    assert Appointment.get(booked.appointment_id).applicant_id == again.account_id
    assert list(Notification.by_applicant.query(again.account_id)) == []
    extend_slot_horizon(only=directorates_in(province))
    assert book(again, a_slot(again, province).slot_id).status == "confirmed"  # free to book: the lock has ended


def test_a_lock_set_on_the_closed_account_while_the_new_one_is_confirmed_keeps_the_identity(province, monkeypatch):
    """A no-show recorded between the sign-up's read and its confirmation (the same minute)
    fails the take-over: the identity stays with the locked account."""
    number = resident(province)
    person, _, _ = open_account(number)
    closure.close(person)
    email, phone = f"race.{uuid.uuid4().hex[:8]}@example.net", f"+90555{uuid.uuid4().int % 10**7:07d}"
    code = sign_up(number, email, phone)  # no lock: the identity is free to take
    real_take_over = people.take_over

    def locked_meanwhile(write, claim_key, closed, account_id, now):
        Applicant(person.account_id).update(actions=[Applicant.locked_until.set(now + LOCK_PERIOD)])
        return real_take_over(write, claim_key, closed, account_id, now)

    monkeypatch.setattr(people, "take_over", locked_meanwhile)
    with pytest.raises(DuplicateAccount):
        signup.confirm(ConfirmRequest(email=email, code=code))
    assert IdentityClaim.get(identity_claim(number), consistent_read=True).applicant_id == person.account_id


AGENT = Caller("agent-7", frozenset({Role.AGENT}))


def by_phone(number: str, slot_id: str, phone: str) -> AssistedBookingRequest:
    return AssistedBookingRequest.model_validate({
        "document_number": number, "birth_date": "1985-03-02", "slot_id": slot_id, "service": "address_registration",
        "channel": "phone", "phone": phone, "language": "uk",
    })


def test_a_person_who_closed_their_account_is_booked_by_the_phone_line_once_the_lock_has_ended(province):
    """Closing the account ends the online service, not the person's need of the directorate.
    The phone line asks them for a contact (the closed account is sent nothing), refuses while
    the lock runs, and after it books them on an offline item that takes the identity over, with
    the appointments and lock history. Opening an account later takes that item over in turn."""
    number = resident(province)
    person, _, old_phone = open_account(number)
    booked_at = clock.now()
    first = book(person, a_slot(person, province).slot_id)
    closure.close(person)

    _, seen = assisted.identify(number, date(1985, 3, 2))
    assert not seen.has_account  # the agent asks for a phone: the closed account's is not written to
    with pytest.raises(ValidationFailed):
        assisted.book(AGENT, by_phone(number, a_slot(person, province, after_days=4).slot_id, phone=None))
    with pytest.raises(LockedOut):  # closing never frees anyone to book sooner, by phone neither
        assisted.book(AGENT, by_phone(number, a_slot(person, province, after_days=4).slot_id, "0532 444 55 66"))
    assert IdentityClaim.get(identity_claim(number), consistent_read=True).applicant_id == person.account_id

    travel_to(booked_at + LOCK_PERIOD + timedelta(minutes=1))
    extend_slot_horizon(only=directorates_in(province))
    slot_id, asked_at = a_slot(person, province).slot_id, clock.now()
    second = assisted.book(AGENT, by_phone(number, slot_id, "0532 444 55 66"))

    offline = Applicant.get(second.applicant_id, consistent_read=True)
    assert (offline.status, offline.phone, offline.reopened_from) == (people.OFFLINE, "+905324445566", person.account_id)
    assert asked_at <= offline.locked_until - LOCK_PERIOD <= clock.now()  # this booking's lock binds the person
    assert Applicant.get(person.account_id, consistent_read=True).reopened_by == offline.applicant_id
    assert IdentityClaim.get(identity_claim(number), consistent_read=True).applicant_id == offline.applicant_id
    assert Appointment.get(first.appointment_id).applicant_id == offline.applicant_id  # the history follows the person
    for notice in Notification.by_applicant.query(offline.applicant_id):
        notifications.deliver(notice.notification_id)
    assert [body for body in sms_to("+905324445566") if second.reference in body]  # the confirmation, to the phone given now
    assert not [body for body in sms_to(old_phone) if second.reference in body]

    # Later they open an account again: it adopts the offline item, appointments and lock.
    again, _, _ = open_account(number)
    assert IdentityClaim.get(identity_claim(number), consistent_read=True).applicant_id == again.account_id
    assert Appointment.get(second.appointment_id).applicant_id == again.account_id
    with pytest.raises(LockedOut):
        book(again, a_slot(again, province).slot_id)


def test_a_waiting_assignment_request_is_withdrawn_without_a_message(province):
    person, _, phone = open_account(resident(province))
    filed = assignment.request_assignment(person, AssignmentRequestIn.model_validate({"service": "address_registration", "directorate": only_directorate(province).id}))
    assert filed.status == "waiting"

    closure.close(person)

    stored = AssignmentRequest.get(filed.request_id, consistent_read=True)
    assert (stored.status, stored.reason, stored.waiting_province) == ("withdrawn", "account_closed", None)
    assert Applicant.get(person.account_id, consistent_read=True).waiting_request is None
    assert not [n for n in Notification.by_applicant.query(person.account_id) if n.kind == notifications.WITHDRAWN]
    assignment.assign_province(province)  # the assigner gives it nothing
    assert AssignmentRequest.get(filed.request_id, consistent_read=True).appointment_id is None


def test_e_devlet_refuses_a_closed_identity_while_its_lock_runs_and_offers_a_new_account_after(province, monkeypatch):
    from types import SimpleNamespace

    from chalicelib.services import edevlet

    number = resident(province)
    person, _, _ = open_account(number)
    book(person, a_slot(person, province).slot_id)
    closure.close(person)

    class Provider:  # e-Devlet's answer: the person proved who they are
        def read_callback(self, params, state):
            return "code"

        def exchange(self, code, verifier, nonce):
            return SimpleNamespace(identity_number=number)

    monkeypatch.setattr(wiring, "edevlet", lambda: Provider())
    with pytest.raises(edevlet.SignInNotCompleted) as refused:
        edevlet.complete({}, "state", "nonce", "verifier")
    assert refused.value.reason == "account_closed"

    travel_to(Applicant.get(person.account_id, consistent_read=True).locked_until + timedelta(minutes=1))
    assert isinstance(edevlet.complete({}, "state", "nonce", "verifier"), edevlet.NewPerson)


def test_the_retention_run_anonymises_a_closed_profile_after_its_lock_and_grace_and_leaves_the_new_account_alone(province):
    """Closure and the retention schedule together: a person books (a 30-day lock), closes, opens a
    new account once the lock has ended (same email and phone), and the hourly run, after the
    grace, erases the old profile without touching the new account's claim or login."""
    from chalicelib.domain import retention as schedule
    from chalicelib.services import retention

    number = resident(province)
    person, email, phone = open_account(number)
    book(person, a_slot(person, province, after_days=3).slot_id)
    closure.close(person)
    lock = Applicant.get(person.account_id, consistent_read=True).locked_until

    travel_to(lock + timedelta(minutes=1))
    again, _, _ = open_account(number, email=email, phone=phone)

    # Within the grace the old profile is still whole (the authority may answer a complaint).
    retention.apply_due(now=clock.now())
    assert Applicant.get(person.account_id, consistent_read=True).document_number == number

    travel_to(lock + schedule.ACCOUNT_GRACE + timedelta(days=1))
    retention.apply_due(now=clock.now())
    old = Applicant.get(person.account_id, consistent_read=True)
    held = repr(old.attribute_values)
    assert number not in held and email not in held and phone not in held
    assert IdentityClaim.get(identity_claim(number), consistent_read=True).applicant_id == again.account_id
    assert signs_in(email)  # the new account's login, under the same address, was not the old one's to delete
