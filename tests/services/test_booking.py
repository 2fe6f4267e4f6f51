"""Booking rules with the clock moved instead of slept: lockout days 29 and 31, no-show extension,
attendance, the end-of-day sweep, eligibility and province refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters.tables import Applicant, AuditRecord, Slot
from chalicelib.contract import AppointmentPageQuery, AttendanceRequest, SlotCapacityRequest
from chalicelib.clock import clock
from chalicelib.domain import calendar
from chalicelib.domain.errors import (
    LockedOut,
    NotEligible,
    NotFound,
    SlotFull,
    ValidationFailed,
    WrongProvince,
)
from chalicelib.services import attendance, audit, booking
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.world import ADMIN, FATIH, MERKEZ, applicant, book, free_slots, staff_of



@pytest.fixture(autouse=True)
def open_horizon(aws, frozen_clock):
    extend_slot_horizon(only=(FATIH, MERKEZ))
    yield


def test_a_booking_takes_one_unit_locks_for_30_days_and_is_audited():
    person = applicant()
    slot = free_slots(person)[0]
    appointment = book(person, slot.slot_id)
    assert appointment.status == "confirmed" and appointment.reference.startswith("GOC-")
    after = {s.slot_id: s.remaining for s in free_slots(person)}
    assert after.get(slot.slot_id, 0) == slot.remaining - 1
    locked_until = Applicant.get(person.account_id).locked_until
    assert abs((locked_until - clock.now()) - timedelta(days=30)) < timedelta(seconds=5)
    actions = [r.action for r in AuditRecord.query(f"applicant:{person.account_id}")]
    assert actions == ["appointment.booked"]


def test_day_29_is_locked_out_and_day_31_is_free():
    person = applicant()
    slots = free_slots(person)
    book(person, slots[0].slot_id)
    with pytest.raises(LockedOut) as refused:
        book(person, slots[1].slot_id)
    assert refused.value.details["locked_until"]

    clock.travel(timedelta(days=29))
    extend_slot_horizon(only=(FATIH,))
    with pytest.raises(LockedOut):
        book(person, free_slots(person)[0].slot_id)

    clock.travel(timedelta(days=2))
    extend_slot_horizon(only=(FATIH,))
    assert book(person, free_slots(person)[0].slot_id).status == "confirmed"


def test_a_no_show_on_day_20_extends_the_lock_to_start_plus_30_days():
    person = applicant()
    slot = free_slots(person, days=14)[-1]  # an appointment about two weeks ahead
    appointment = book(person, slot.slot_id)
    first_lock = Applicant.get(person.account_id).locked_until

    clock.travel(timedelta(days=20))
    attendance.record(staff_of(FATIH), appointment.appointment_id, AttendanceRequest(outcome="no_show"))

    lock = Applicant.get(person.account_id).locked_until
    assert lock == appointment.start + timedelta(days=30)
    assert lock > first_lock


def test_attendance_only_by_that_directorate_only_after_start_only_once():
    person = applicant()
    appointment = book(person, free_slots(person)[0].slot_id)
    clerk = staff_of(FATIH)
    with pytest.raises(ValidationFailed):
        attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended"))
    clock.travel(appointment.start - clock.now() + timedelta(minutes=1))
    with pytest.raises(NotFound):
        attendance.record(staff_of(MERKEZ), appointment.appointment_id, AttendanceRequest(outcome="attended"))
    recorded = attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended"))
    assert recorded.attendance == "attended"
    with pytest.raises(ValidationFailed) as again:  # once: another mark is a correction, with a reason (issue 12)
        attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="no_show"))
    assert again.value.details["field"] == "reason"
    assert booking.get_appointment(clerk, appointment.appointment_id).attendance == "attended"
    # Attending does not shorten or lengthen the booking's lock.
    assert Applicant.get(person.account_id).locked_until > clock.now()


def appointment_page(person, appointment_id, language) -> str:
    """The portal's appointment (confirmation) page as the person's browser gets it (in process)."""
    from chalicelib.adapters.tables import WebSession
    from chalicelib.web import pages
    from chalicelib.web.frame import WebRequest

    session = WebSession("s", csrf_token="c", language=language, access_token="t", account_id=person.account_id, role="applicant")
    page = pages.appointment(WebRequest("GET", f"/appointments/{appointment_id}", {}, {}, session, authenticate=lambda _: person), appointment_id)
    assert page.status == 200
    return page.body


def test_a_no_show_waits_for_the_directorates_grace_and_a_late_arrival_may_still_be_received():
    person = applicant()
    appointment = book(person, free_slots(person)[0].slot_id)
    for language, says in (("tr", "15 dakikadan"), ("en", "more than 15 minutes"), ("ar", "15 دقيقة")):
        assert says in appointment_page(person, appointment.appointment_id, language)  # the confirmation says it
    clerk = staff_of(FATIH)
    clock.travel(appointment.start - clock.now() + timedelta(minutes=FATIH.grace_minutes - 1))
    with pytest.raises(ValidationFailed) as refused:
        attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="no_show"))
    assert refused.value.details["field"] == "outcome"
    assert booking.get_appointment(clerk, appointment.appointment_id).attendance is None  # nothing written
    clock.travel(timedelta(minutes=2))  # past the grace
    recorded = attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="no_show"))
    assert recorded.attendance == "no_show"
    assert Applicant.get(person.account_id).locked_until == appointment.start + timedelta(days=30)

    late_but_received = applicant()
    other = book(late_but_received, free_slots(late_but_received)[0].slot_id)
    clock.travel(max(other.start - clock.now(), timedelta(0)) + timedelta(minutes=FATIH.grace_minutes + 20))
    assert attendance.record(clerk, other.appointment_id, AttendanceRequest(outcome="attended")).attendance == "attended"


def test_the_end_of_day_sweep_marks_only_unrecorded_appointments_once():
    came, missed = applicant(), applicant()
    slot = free_slots(came, room=2)[0]
    first = book(came, slot.slot_id)
    second = book(missed, slot.slot_id)
    clock.travel(first.start - clock.now() + timedelta(minutes=5))
    attendance.record(staff_of(FATIH), first.appointment_id, AttendanceRequest(outcome="attended"))
    clock.travel(timedelta(hours=12))  # the day is over

    assert attendance.sweep_no_shows() >= 1
    assert attendance.sweep_no_shows() == 0
    clerk = staff_of(FATIH)
    assert booking.get_appointment(clerk, second.appointment_id).attendance == "no_show"
    assert booking.get_appointment(clerk, first.appointment_id).attendance == "attended"
    assert Applicant.get(missed.account_id).locked_until == second.start + timedelta(days=30)


def test_province_eligibility_and_slot_rules_refuse_with_their_own_codes():
    slots = free_slots(applicant())
    with pytest.raises(WrongProvince):
        book(applicant(province="06"), slots[0].slot_id)
    with pytest.raises(NotEligible):  # a residence-permit service for someone under temporary protection
        book(applicant(status="temporary_protection"), slots[0].slot_id, service="residence_permit_application")
    with pytest.raises(NotEligible):  # the permit ends before the appointment day
        book(applicant(valid_days=0), slots[-1].slot_id)
    with pytest.raises(ValidationFailed):  # protection procedures only at the provincial directorate
        book(applicant(status="temporary_protection"), slots[0].slot_id, service="temporary_protection")
    for bad in ["34-fatih@2020-01-01T09:00", "34-fatih@2026-13-01T09:00", "nowhere@2030-01-01T09:00", "garbage"]:
        with pytest.raises(ValidationFailed):
            book(applicant(), bad)


def test_a_full_slot_refuses_and_capacity_never_drops_below_bookings():
    first_slot = next(s for s in free_slots(applicant()) if s.remaining == FATIH.desks)  # untouched by other tests
    directorate_id, start = calendar.parse_slot_id(first_slot.slot_id)
    key = calendar.wall_time(start)
    booking.set_slot_capacity(ADMIN, directorate_id, key, SlotCapacityRequest(capacity=1))
    book(applicant(), first_slot.slot_id)
    with pytest.raises(SlotFull):
        book(applicant(), first_slot.slot_id)
    with pytest.raises(ValidationFailed):
        booking.set_slot_capacity(ADMIN, directorate_id, key, SlotCapacityRequest(capacity=0))
    assert Slot.get(directorate_id, key).booked == 1
    assert Slot.get(directorate_id, key).capacity == 1

    # Each change that happened is in the directorate's trail: who, before, after; the refused one is not.
    [entry] = [e for e in audit.trail(audit.directorate_subject(directorate_id)) if e.after.get("slot") == key]
    assert (entry.action, entry.actor_id, entry.actor_role) == (booking.CAPACITY_CHANGED, ADMIN.account_id, "admin")
    assert (entry.before["capacity"], entry.after["capacity"]) == (FATIH.desks, 1)


def test_my_appointments_are_newest_first_and_paginated():
    person = applicant()
    slots = free_slots(person)
    for i in range(3):
        book(person, slots[i * 20].slot_id)
        clock.travel(timedelta(days=31))
        extend_slot_horizon(only=(FATIH,))
        slots = free_slots(person)
    first = booking.my_appointments(person, AppointmentPageQuery(limit=2))
    assert len(first) == 2 and first.next_cursor
    rest = booking.my_appointments(person, AppointmentPageQuery(limit=2, cursor=first.next_cursor))
    starts = [a.start for a in list(first) + list(rest)]
    assert len(starts) == 3 and starts == sorted(starts, reverse=True)
    with pytest.raises(ValidationFailed):
        booking.my_appointments(applicant(), AppointmentPageQuery(cursor=first.next_cursor))  # not theirs


def test_today_is_never_bookable_even_when_its_slots_were_opened_earlier():
    person = applicant()
    slot = free_slots(person)[0]
    day_start = slot.start.replace(hour=0, minute=5)  # 00:05 Istanbul on the slot's own day
    clock.travel(day_start - clock.now())
    assert all(s.start.date() > day_start.date() for s in free_slots(person))
    with pytest.raises(ValidationFailed):
        book(person, slot.slot_id)
