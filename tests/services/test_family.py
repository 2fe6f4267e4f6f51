"""Families (issue 12, item 3): a guardian sees the minors the registry names them guardian of,
and books for them with or without themselves on one slot, all or nothing; each person gets
their own appointment and lock, and messages about a child go to the guardian, naming the child."""

from __future__ import annotations

import uuid
from email import message_from_string
from email.policy import default
from datetime import date, timedelta

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.adapters.tables import Applicant, Appointment, Notification, ResidentRecord, Slot
from chalicelib.clock import clock
from chalicelib.contract import BookingRequest
from chalicelib.domain.calendar import ISTANBUL, parse_slot_id, wall_time
from chalicelib.domain.errors import LockedOut, SlotFull, ValidationFailed, WrongProvince
from chalicelib.domain.roles import Caller
from chalicelib.services import booking, family, notifications
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.conftest import REGION
from tests.services.world import FATIH, applicant, free_slots


@pytest.fixture(autouse=True)
def open_horizon(aws, frozen_clock):
    extend_slot_horizon(only=(FATIH,))


def child_of(guardian: Caller, given_name: str, age: int = 8, province: str = "34", guardian_number: str | None = None) -> ResidentRecord:
    number = guardian_number or Applicant.get(guardian.account_id).document_number
    born = date(clock.today().year - age, 1, 15).isoformat()
    record = ResidentRecord(
        f"99{uuid.uuid4().int % 10**9:09d}", permit_status="residence_permit",
        permit_valid_until=(clock.today() + timedelta(days=300)).isoformat(), province=province,
        given_name=given_name, family_name="Haddad", birth_date=born, nationality="SY",
        guardian_document_number=number, updated_at=clock.now(),
    )
    record.save()
    return record


def ids_by_name(guardian: Caller) -> dict[str, str]:
    return {d.given_name: d.dependant_id for d in family.my_dependants(guardian)}


def booked_count(slot_id: str) -> int:
    directorate, start = parse_slot_id(slot_id)
    return int(Slot.get(directorate, wall_time(start), consistent_read=True).booked)


def book(caller: Caller, slot_id: str, people=None):
    request = BookingRequest(slot_id=slot_id, service="address_registration", people=people)
    return booking.book(caller, request) if people is None else family.book_together(caller, request)


def test_a_guardian_sees_their_minor_dependants_by_opaque_ids_including_through_an_amended_document():
    guardian = applicant()
    child_of(guardian, "Zeynep", age=6)
    child_of(guardian, "Omar", age=17)
    grown = child_of(guardian, "Adult", age=19)  # a record still naming a guardian, but of age
    old_number = f"99{uuid.uuid4().int % 10**9:09d}"
    Applicant(guardian.account_id).update(actions=[Applicant.document_numbers.add({old_number})])
    child_of(guardian, "Lina", age=3, guardian_number=old_number)  # registered under the number held before

    seen = family.my_dependants(guardian)

    assert sorted(d.given_name for d in seen) == ["Lina", "Omar", "Zeynep"]
    assert all(len(d.dependant_id) == 32 and grown.document_number not in d.dependant_id for d in seen)
    assert family.my_dependants(applicant()) == []  # somebody else's children are not theirs


def test_a_guardian_books_two_children_and_themselves_in_one_step_and_each_is_locked():
    guardian = applicant()
    child_of(guardian, "Zeynep")
    child_of(guardian, "Omar")
    ids = ids_by_name(guardian)
    slot = free_slots(guardian, room=3)[0]  # room for the three at one time
    before = booked_count(slot.slot_id)  # other tests of the session may have booked it too

    result = book(guardian, slot.slot_id, ["self", ids["Zeynep"], ids["Omar"]])

    assert [a.person for a in result.appointments] == [None, "Zeynep", "Omar"]
    assert len({a.applicant_id for a in result.appointments}) == 3
    assert booked_count(slot.slot_id) == before + 3
    for a in result.appointments:
        assert Applicant.get(a.applicant_id).locked_until > clock.now() + timedelta(days=29)
    # The children's appointments are the guardian's to see, and each child is locked for a new booking.
    assert booking.get_appointment(guardian, result.appointments[1].appointment_id).person == "Zeynep"
    assert sorted(a.person for a in family.dependants_appointments(guardian)) == ["Omar", "Zeynep"]
    later = free_slots(guardian)[1].slot_id
    for choice in (ids["Zeynep"], ids["Omar"], "self"):
        with pytest.raises(LockedOut) as refused:
            book(guardian, later, [choice])
        assert refused.value.details["person"] == choice and "locked_until" in refused.value.details


def test_one_locked_child_fails_the_whole_booking_and_nothing_is_written():
    guardian = applicant()
    child_of(guardian, "Zeynep")
    child_of(guardian, "Omar")
    ids = ids_by_name(guardian)
    first, second = free_slots(guardian)[:2]
    book(guardian, first.slot_id, [ids["Omar"]])
    before = booked_count(second.slot_id)

    with pytest.raises(LockedOut) as refused:
        book(guardian, second.slot_id, ["self", ids["Zeynep"], ids["Omar"]])

    assert refused.value.details["person"] == ids["Omar"]
    assert booked_count(second.slot_id) == before
    assert Applicant.get(guardian.account_id).locked_until is None
    zeynep = [a for a in Applicant.scan() if a.given_name == "Zeynep" and a.guardian_id == guardian.account_id]
    assert all(z.locked_until is None for z in zeynep)
    assert [a.person for a in family.dependants_appointments(guardian)] == ["Omar"]


def test_the_lock_condition_holds_in_the_transaction_too(monkeypatch):
    """A child locked between the read and the write (another channel booked them): the
    transaction's own condition refuses everyone, naming the child."""
    guardian = applicant()
    child_of(guardian, "Zeynep")
    ids = ids_by_name(guardian)
    first = free_slots(guardian)[0]
    # Room for both: a refusal for want of room would hide the lock's.
    second = next(s for s in free_slots(guardian, room=2) if s.slot_id != first.slot_id)
    book(guardian, first.slot_id, [ids["Zeynep"]])
    monkeypatch.setattr(booking, "check_person", lambda target, person, now: booking.slot_state(target.slot))
    before = booked_count(second.slot_id)

    with pytest.raises(LockedOut) as refused:
        book(guardian, second.slot_id, ["self", ids["Zeynep"]])

    assert refused.value.details["person"] == ids["Zeynep"]
    assert booked_count(second.slot_id) == before and Applicant.get(guardian.account_id).locked_until is None


def adjacent_pair(caller: Caller):
    """Two free slots nobody has booked yet, the second starting when the first ends."""
    free = [s for s in free_slots(caller) if booked_count(s.slot_id) == 0]
    return next((a, b) for a, b in zip(free, free[1:]) if b.start == a.end)


def leave_places(slot_id: str, left: int) -> None:
    directorate, start = parse_slot_id(slot_id)
    Slot(directorate, wall_time(start)).update(actions=[Slot.booked.set(Slot.capacity - left)])


def test_a_family_without_room_on_one_time_takes_the_times_right_after_it_in_the_same_step():
    guardian = applicant()
    child_of(guardian, "Zeynep")
    child_of(guardian, "Omar")
    ids = ids_by_name(guardian)
    first, second = adjacent_pair(guardian)
    leave_places(first.slot_id, 1)
    before = booked_count(second.slot_id)

    result = book(guardian, first.slot_id, ["self", ids["Zeynep"], ids["Omar"]])

    assert [a.start for a in result.appointments] == [first.start, second.start, second.start]
    assert booked_count(first.slot_id) == int(Slot.get(*_key(first.slot_id)).capacity)  # full now
    assert booked_count(second.slot_id) == before + 2
    for a in result.appointments:
        assert Applicant.get(a.applicant_id).locked_until > clock.now() + timedelta(days=29)


def test_no_gap_is_bridged_and_a_family_that_does_not_fit_books_nobody():
    guardian = applicant()
    child_of(guardian, "Zeynep")
    ids = ids_by_name(guardian)
    first, second = adjacent_pair(guardian)
    leave_places(first.slot_id, 1)
    leave_places(second.slot_id, 0)  # the time right after is full: no later time is used

    with pytest.raises(SlotFull):
        book(guardian, first.slot_id, ["self", ids["Zeynep"]])

    assert Applicant.get(guardian.account_id).locked_until is None
    assert booked_count(first.slot_id) == int(Slot.get(*_key(first.slot_id)).capacity) - 1
    leave_places(first.slot_id, 0)  # no half-full time left behind for the session's later tests


def _key(slot_id: str) -> tuple[str, str]:
    directorate, start = parse_slot_id(slot_id)
    return directorate, wall_time(start)


def test_each_person_is_judged_on_their_own_registry_record():
    guardian = applicant()
    child_of(guardian, "Zeynep", province="06")  # the child lives in Ankara
    ids = ids_by_name(guardian)
    slot = free_slots(guardian)[0]

    with pytest.raises(WrongProvince) as refused:
        book(guardian, slot.slot_id, ["self", ids["Zeynep"]])
    assert refused.value.details["person"] == ids["Zeynep"]


def test_only_the_callers_own_dependants_can_be_named():
    guardian, stranger = applicant(), applicant()
    child_of(guardian, "Zeynep")
    ids = ids_by_name(guardian)
    slot = free_slots(stranger)[0]

    with pytest.raises(ValidationFailed) as refused:
        book(stranger, slot.slot_id, ["self", ids["Zeynep"]])
    assert refused.value.details["field"] == "people"
    with pytest.raises(Exception):
        booking.get_appointment(stranger, book(guardian, slot.slot_id, [ids["Zeynep"]]).appointments[0].appointment_id)


def test_messages_about_a_child_go_to_the_guardian_and_name_the_child():
    guardian = applicant(language="en")
    child_of(guardian, "Zeynep")
    ids = ids_by_name(guardian)
    appointment = book(guardian, free_slots(guardian)[0].slot_id, [ids["Zeynep"]]).appointments[0]
    today = clock.now().astimezone(ISTANBUL).date().isoformat()
    # the confirmation (after 10:00 a booking for tomorrow is also owed its reminder at once: another test's concern)
    [owed] = [n for n in Notification.undelivered_by_day.query(today)
              if n.appointment_id == appointment.appointment_id and n.kind == "appointment.confirmed"]

    notifications.deliver(owed.notification_id)

    account = Applicant.get(guardian.account_id)
    sms = [body for to, body in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == account.phone]
    assert len(sms) == 1 and sms[0].startswith("Zeynep, ")
    [email] = [m.raw_data for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages if account.email in m.destinations]
    message = message_from_string(email, policy=default)
    assert message["Subject"].startswith("Zeynep: Your appointment is confirmed")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("This message is about Zeynep, whom you booked for as their guardian.")
    assert f"Hello {account.given_name}," in body
    assert Appointment.get(appointment.appointment_id).guardian_id == guardian.account_id


def test_a_guardian_gives_a_childs_place_back_and_nobody_else_can():
    from chalicelib.domain.errors import NotFound
    from chalicelib.services import giving_back

    guardian = applicant()
    child_of(guardian, "Zeynep")
    ids = ids_by_name(guardian)
    [appointment] = book(guardian, free_slots(guardian)[2].slot_id, [ids["Zeynep"]]).appointments

    with pytest.raises(NotFound):
        giving_back.give_back(applicant(), appointment.appointment_id)
    given = giving_back.give_back(guardian, appointment.appointment_id)

    assert given.status == "released"
    assert Applicant.get(appointment.applicant_id).locked_until > clock.now()  # the child's lock stays
