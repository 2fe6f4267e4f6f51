"""Corrections and appeals, and giving a place back (issue 12, items 4 and 5), at service level
with a controlled clock: correcting a mark within 7 days, the lock it gives back or starts, a
supervisor's lift, a follow-up without a lock, a place given back after its secret delay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters.tables import Applicant, Appointment, AuditRecord, DemandMode, Notification, Slot
from chalicelib.clock import clock
from chalicelib.contract import AttendanceRequest, FollowUpRequest, LockRequest
from chalicelib.domain.errors import AppointmentFinal, Forbidden, LockedOut, NotFound, SlotFull, ValidationFailed
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.lockout import LOCK_PERIOD
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import attendance, booking, corrections, giving_back
from chalicelib.services.catalogue import extend_slot_horizon
from chalicelib.settings import get_settings
from tests.services.world import ADMIN, FATIH, MERKEZ, applicant, book, free_slots, staff_of

REASON = "Person was at the counter; clerk clicked the wrong button"


@pytest.fixture(autouse=True)
def open_horizon(aws, frozen_clock):
    extend_slot_horizon(only=(FATIH, MERKEZ))
    yield


def supervisor_of(directorate) -> Caller:
    clerk = staff_of(directorate)
    return Caller(clerk.account_id, frozenset({Role.STAFF, Role.SUPERVISOR}))


def lock_of(person) -> object:
    return Applicant.get(person.account_id, consistent_read=True).locked_until


def missed(person, clerk, slot_index=0):
    appointment = book(person, free_slots(person)[slot_index].slot_id)
    clock.travel(appointment.start - clock.now() + timedelta(minutes=FATIH.grace_minutes + 1))
    attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="no_show"))
    return appointment


def trail_actions(person) -> list[AuditRecord]:
    return list(AuditRecord.query(f"applicant:{person.account_id}"))


def test_a_corrected_no_show_gives_back_the_booking_lock_and_the_person_books_once_it_ends(frozen_clock):
    person, clerk = applicant(), staff_of(FATIH)
    appointment = missed(person, clerk)
    booking_lock = appointment.created_at + LOCK_PERIOD
    assert lock_of(person) == appointment.start + LOCK_PERIOD

    with pytest.raises(ValidationFailed) as no_reason:  # already marked: a correction needs a reason
        attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended"))
    assert no_reason.value.details["field"] == "reason"
    with pytest.raises(NotFound):  # another directorate's staff
        attendance.record(staff_of(MERKEZ), appointment.appointment_id, AttendanceRequest(outcome="attended", reason=REASON))

    corrected = attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended", reason=REASON))
    assert corrected.attendance == "attended"
    assert corrected.correction.corrected_from == "no_show" and corrected.correction.reason == REASON
    assert lock_of(person) == booking_lock  # the no-show's lock is gone; the booking's stays
    [record] = [r for r in trail_actions(person) if r.action == corrections.CORRECTED]
    assert (record.reason, record.actor_id, record.after.as_dict()["attendance"]) == (REASON, clerk.account_id, "attended")
    # The person sees it on My appointments.
    [mine] = [a for a in booking.my_appointments(person, _page()) if a.appointment_id == appointment.appointment_id]
    assert mine.correction.reason == REASON

    clock.travel(booking_lock - clock.now() + timedelta(minutes=1))  # the no-show's lock would run another day or so
    assert booking_lock < appointment.start + LOCK_PERIOD - timedelta(hours=1)
    extend_slot_horizon(only=(FATIH,))
    assert book(person, free_slots(person)[0].slot_id).status == "confirmed"


def test_attended_corrected_to_no_show_starts_the_lock_and_after_seven_days_a_mark_stands(frozen_clock):
    person, clerk = applicant(), staff_of(FATIH)
    appointment = book(person, free_slots(person)[0].slot_id)
    clock.travel(appointment.start - clock.now() + timedelta(minutes=5))
    attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended"))
    with pytest.raises(ValidationFailed) as same:
        attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended", reason=REASON))
    assert same.value.details["field"] == "outcome"
    clock.travel(timedelta(hours=2))
    attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="no_show", reason="Marked attended by mistake"))
    assert lock_of(person) == appointment.start + LOCK_PERIOD

    clock.travel(appointment.start + timedelta(days=7, minutes=1) - clock.now())
    with pytest.raises(AppointmentFinal) as late:
        attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended", reason=REASON))
    assert "7 days" in late.value.message
    assert Appointment.get(appointment.appointment_id).attendance == "no_show"  # nothing written


def test_a_supervisor_lifts_or_shortens_a_lock_never_lengthens_it_and_plain_staff_may_not(frozen_clock):
    person, clerk = applicant(), staff_of(FATIH)
    appointment = missed(person, clerk)
    locked = lock_of(person)
    supervisor = supervisor_of(FATIH)
    with pytest.raises(Forbidden):
        corrections.change_lock(clerk, person.account_id, LockRequest(locked_until=None, reason=REASON))
    with pytest.raises(NotFound):  # a supervisor elsewhere: the person has no appointment there
        corrections.change_lock(supervisor_of(MERKEZ), person.account_id, LockRequest(locked_until=None, reason=REASON))
    with pytest.raises(ValidationFailed) as longer:
        corrections.change_lock(supervisor, person.account_id, LockRequest(locked_until=locked + timedelta(days=1), reason=REASON))
    assert longer.value.details["field"] == "locked_until"
    assert lock_of(person) == locked

    shorter = clock.now() + timedelta(days=3)
    out = corrections.change_lock(supervisor, person.account_id, LockRequest(locked_until=shorter, grounds="force_majeure", reason="Hospital stay, report seen"))
    assert (out.change, out.locked_until, out.appointment_id) == ("shortened", shorter, appointment.appointment_id)
    assert lock_of(person) == shorter
    out = corrections.change_lock(ADMIN, person.account_id, LockRequest(locked_until=None, grounds="authority_error", reason="Our mistake, sorry"))
    assert out.change == "lifted" and lock_of(person) is None
    mine = booking.get_appointment(person, appointment.appointment_id)
    assert (mine.lock_change.change, mine.lock_change.grounds, mine.lock_change.reason) == ("lifted", "authority_error", "Our mistake, sorry")
    assert [r.after.as_dict()["change"] for r in trail_actions(person) if r.action == corrections.LOCK_CHANGED] == ["shortened", "lifted"]
    with pytest.raises(ValidationFailed):  # nothing left to lift
        corrections.change_lock(ADMIN, person.account_id, LockRequest(locked_until=None, reason=REASON))
    assert book(person, free_slots(person)[0].slot_id).status == "confirmed"  # booking is restored


def test_a_follow_up_visit_is_given_despite_the_lock_starts_none_and_is_linked(frozen_clock):
    person, clerk = applicant(), staff_of(FATIH)
    original = book(person, free_slots(person)[0].slot_id)
    locked = lock_of(person)
    clock.travel(original.start - clock.now() + timedelta(minutes=5))
    attendance.record(clerk, original.appointment_id, AttendanceRequest(outcome="attended"))
    with pytest.raises(LockedOut):
        book(person, free_slots(person)[0].slot_id)
    with pytest.raises(ValidationFailed) as elsewhere:
        corrections.issue_follow_up(clerk, original.appointment_id, FollowUpRequest(slot_id=free_slots(person, MERKEZ)[0].slot_id, reason="Rental contract missing"))
    assert elsewhere.value.details["field"] == "slot_id"

    slot = free_slots(person)[0]
    follow_up = corrections.issue_follow_up(clerk, original.appointment_id, FollowUpRequest(slot_id=slot.slot_id, reason="Rental contract missing"))
    assert follow_up.follow_up_of == original.appointment_id and follow_up.status == "confirmed"
    assert booking.get_appointment(person, original.appointment_id).follow_up_id == follow_up.appointment_id
    assert lock_of(person) == locked  # no new lock
    assert [n.kind for n in Notification.scan(Notification.appointment_id == follow_up.appointment_id)][:1] == ["appointment.follow_up"]
    with pytest.raises(AppointmentFinal):  # one follow-up per appointment
        corrections.issue_follow_up(clerk, original.appointment_id, FollowUpRequest(slot_id=slot.slot_id, reason="Again"))
    # Missing the follow-up is a no-show, but it starts no lock either.
    clock.travel(follow_up.start - clock.now() + timedelta(hours=12))
    attendance.sweep_no_shows()
    assert Appointment.get(follow_up.appointment_id).attendance == "no_show"
    assert lock_of(person) == locked


def test_a_place_given_back_returns_after_its_secret_delay_once_and_the_lock_stays(frozen_clock):
    person, other = applicant(), applicant()
    slot = free_slots(person)[-1]
    appointment = book(person, slot.slot_id)
    directorate, start = slot.slot_id.split("@")
    full = Slot.get(directorate, start)
    full.update(actions=[Slot.capacity.set(full.booked)])  # the last place was this one
    locked = lock_of(person)
    with pytest.raises(NotFound):
        giving_back.give_back(other, appointment.appointment_id)

    given = giving_back.give_back(person, appointment.appointment_id)
    assert (given.status, given.locked_until) == ("released", locked)
    stored = Appointment.get(appointment.appointment_id)
    delay = get_settings().place_return_delay
    assert timedelta(minutes=delay.low_minutes) <= stored.place_returns_at - stored.released_at <= timedelta(minutes=delay.high_minutes)
    assert "place_returns_at" not in booking.get_appointment(person, appointment.appointment_id).model_dump()
    with pytest.raises(AppointmentFinal):
        giving_back.give_back(person, appointment.appointment_id)
    assert lock_of(person) == locked
    with pytest.raises(SlotFull):  # not before its moment
        book(other, slot.slot_id)
    assert giving_back.return_due_places() == 0

    clock.travel(stored.place_returns_at - clock.now() + timedelta(seconds=1))
    assert giving_back.return_due_places() == 1
    assert giving_back.return_due_places() == 0  # once
    assert book(other, slot.slot_id).status == "confirmed"
    with pytest.raises(LockedOut):
        book(person, free_slots(person)[0].slot_id)
    # It is no no-show: the sweep skips it.
    clock.travel(appointment.start - clock.now() + timedelta(hours=12))
    attendance.sweep_no_shows()
    assert Appointment.get(appointment.appointment_id).attendance is None
    assert lock_of(person) == locked


def test_a_place_given_back_where_the_service_is_assigned_goes_back_at_once_for_the_queue(frozen_clock):
    person = applicant()
    slot = free_slots(person)[-1]
    appointment = book(person, slot.slot_id)
    directorate, start = slot.slot_id.split("@")
    booked = Slot.get(directorate, start).booked
    DemandMode(directorate, appointment.service, setting="assigned").save()
    try:
        giving_back.give_back(person, appointment.appointment_id)
    finally:
        DemandMode(directorate, appointment.service).delete()
    assert Slot.get(directorate, start).booked == booked - 1
    assert Appointment.get(appointment.appointment_id).place_to_queue is True


def _page():
    from chalicelib.contract import AppointmentPageQuery

    return AppointmentPageQuery()


def console(caller: Caller, method: str, path: str, form: dict | None = None, language: str = "en"):
    from chalicelib.adapters.tables import WebSession
    from chalicelib.web import corrections as pages
    from chalicelib.web.frame import WebRequest

    session = WebSession("s", csrf_token="c", language=language, access_token="t", account_id=caller.account_id, role="staff")
    request = WebRequest(method, path, {}, form or {}, session, authenticate=lambda _: caller)
    appointment_id = path.split("/")[3]
    handler = {"correction": pages.staff_correct, "lock": pages.staff_lock, "follow-up": pages.staff_follow_up}.get(path.rsplit("/", 1)[1], pages.staff_appointment)
    return handler(request, appointment_id)


def test_the_console_page_corrects_a_mark_and_a_supervisor_lifts_the_wait_without_javascript(frozen_clock):
    person, supervisor = applicant(), supervisor_of(FATIH)
    appointment = missed(person, supervisor)
    path = f"/staff/appointments/{appointment.appointment_id}"
    for language in ("tr", "en", "ar"):
        page = console(supervisor, "GET", path, language=language)
        assert page.status == 200
        assert 'action="' + path + '/correction"' in page.body and 'action="' + path + '/lock"' in page.body
    assert 'action="' + path + '/lock"' not in console(staff_of(FATIH), "GET", path).body  # plain staff: no lock form

    refused = console(supervisor, "POST", path + "/correction", {"outcome": "attended", "reason": ""})
    assert refused.status == 400 and 'href="#correct-reason"' in refused.body
    assert Appointment.get(appointment.appointment_id).attendance == "no_show"
    done = console(supervisor, "POST", path + "/correction", {"outcome": "attended", "reason": REASON})
    assert done.status in (302, 303)
    assert Appointment.get(appointment.appointment_id).correction_reason == REASON

    later = (Applicant.get(person.account_id).locked_until + timedelta(days=2)).astimezone(ISTANBUL).strftime("%Y-%m-%dT%H:%M")
    longer = console(supervisor, "POST", path + "/lock", {"locked_until": later, "grounds": "force_majeure", "reason": REASON})
    assert longer.status == 400
    lifted = console(supervisor, "POST", path + "/lock", {"locked_until": "", "grounds": "force_majeure", "reason": REASON})
    assert lifted.status in (302, 303) and lock_of(person) is None
    shown = console(supervisor, "GET", path).body
    assert REASON in shown
    # The person sees both on My appointments and on the appointment's page, in their language.
    from chalicelib.adapters.tables import WebSession
    from chalicelib.web import pages
    from chalicelib.web.frame import WebRequest

    for language, says in (("en", "was lifted (force majeure)"), ("tr", "kaldırıldı (mücbir sebep)"), ("ar", "قوة قاهرة")):
        session = WebSession("s", csrf_token="c", language=language, access_token="t", account_id=person.account_id, role="applicant")
        mine = pages.my_appointments(WebRequest("GET", "/appointments", {}, {}, session, authenticate=lambda _: person))
        one = pages.appointment(WebRequest("GET", path, {}, {}, session, authenticate=lambda _: person), appointment.appointment_id)
        for body in (mine.body, one.body):
            assert REASON in body and says in body


def test_the_give_back_and_follow_up_messages_keep_to_their_sms_budget():
    from chalicelib.domain import notices
    from chalicelib.domain.catalogue import DIRECTORATES
    from chalicelib.domain.sms_text import segments
    from tests.unit.test_sms_text import LATEST, LATIN_NAMES, facts

    budget = {"tr": 2, "en": 2, "ar": 3}
    for directorate in DIRECTORATES:
        for language, most in budget.items():
            for name in LATIN_NAMES:
                f = facts(directorate, given_name=name, language=language)
                assert segments(notices.sms(notices.GIVEN_BACK, f, until=f"{LATEST:%d.%m.%Y %H:%M}")) <= most, (directorate.id, language)
                assert segments(notices.sms(notices.FOLLOW_UP, f)) <= most, (directorate.id, language)
