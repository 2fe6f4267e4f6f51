"""Assisted booking into kept-back places, and their release to the public (services/assisted.py,
services/kept_back.py), with the clock moved instead of waited for."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from chalicelib.adapters.tables import Applicant, AuditRecord, DirectorateDay, Notification, ResidentRecord, Slot
from chalicelib.clock import clock
from chalicelib.contract import AssistedBookingRequest, SlotCapacityRequest
from chalicelib.domain import calendar
from chalicelib.domain.catalogue import find_directorate
from chalicelib.domain.errors import Forbidden, LockedOut, NotFound, SlotFull, ValidationFailed, WrongProvince
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import assisted, audit, booking, kept_back, notifications, people
from chalicelib.services.catalogue import extend_slot_horizon
from chalicelib.settings import get_settings
from tests.services.world import ADMIN, applicant, book, free_slots, staff_of

KADIKOY = find_directorate("34-kadikoy")
ESENYURT = find_directorate("34-esenyurt")
ANKARA = find_directorate("06-altindag")
AGENT = Caller("agent-1", frozenset({Role.AGENT}))


@pytest.fixture(autouse=True)
def open_horizon(aws, frozen_clock):
    extend_slot_horizon(only=(KADIKOY, ESENYURT, ANKARA))
    yield


def resident(province="34", birth_date="1984-03-09") -> ResidentRecord:
    record = ResidentRecord(
        f"99{uuid.uuid4().int % 10**9:09d}", permit_status="residence_permit",
        permit_valid_until=(clock.today() + timedelta(days=300)).isoformat(), province=province,
        given_name="Meryem", family_name="Aziz", birth_date=birth_date, nationality="AFG", updated_at=clock.now(),
    )
    record.save()
    return record


def request_for(record: ResidentRecord, slot_id: str, **more) -> AssistedBookingRequest:
    return AssistedBookingRequest.model_validate({
        "document_number": record.document_number, "birth_date": record.birth_date, "slot_id": slot_id,
        "service": "address_registration", "channel": "phone", "phone": "0532 111 22 33", **more,
    })


def keep_back(directorate, slot_id: str, total: int, internal: int) -> None:
    start = calendar.wall_time(calendar.parse_slot_id(slot_id)[1])
    booking.set_slot_capacity(ADMIN, directorate.id, start, SlotCapacityRequest(capacity=total, internal=internal))


def stored(directorate, slot_id: str) -> Slot:
    return Slot.get(directorate.id, calendar.wall_time(calendar.parse_slot_id(slot_id)[1]), consistent_read=True)


def test_an_agent_books_a_kept_back_place_the_portal_never_offers_and_the_person_is_locked():
    online = applicant()
    slot_id = free_slots(online, KADIKOY, days=21)[0].slot_id
    keep_back(KADIKOY, slot_id, total=2, internal=1)

    book(online, slot_id)  # the one public place
    assert slot_id not in {s.slot_id for s in free_slots(applicant(), KADIKOY, days=21)}
    with pytest.raises(SlotFull):
        book(applicant(), slot_id)  # the kept-back place is not bookable online

    person = resident()
    appointment = assisted.book(AGENT, request_for(person, slot_id, language="fa"))
    slot = stored(KADIKOY, slot_id)
    assert (int(slot.booked), int(slot.internal_booked)) == (1, 1)
    offline = Applicant.get(appointment.applicant_id)
    assert (offline.status, offline.phone, offline.email) == (people.OFFLINE, "+905321112233", None)

    trail = [r for r in AuditRecord.query(audit.applicant_subject(offline.applicant_id)) if r.action == "appointment.booked"]
    assert [(r.actor_id, r.actor_role, r.after["channel"], r.after["place"]) for r in trail] == [("agent-1", "agent", "phone", "internal")]

    # Full now for the assisted channel too; and the person is locked for 30 days like anyone.
    with pytest.raises(SlotFull):
        assisted.book(AGENT, request_for(resident(), slot_id))
    later = free_slots(online, KADIKOY, days=21)[-1].slot_id
    with pytest.raises(LockedOut):
        assisted.book(AGENT, request_for(person, later))


def test_without_an_email_the_confirmation_goes_by_sms_only(aws):
    slot_id = free_slots(applicant(), KADIKOY, days=21)[1].slot_id
    appointment = assisted.book(AGENT, request_for(resident(), slot_id))
    notice = next(n for n in Notification.scan(Notification.appointment_id == appointment.appointment_id))
    notifications.deliver(notice.notification_id)
    after = Notification.get(notice.notification_id, consistent_read=True)
    assert (after.sms_status, after.email_status, after.email_skipped) == ("sent", "skipped", notifications.NO_ADDRESS)


def test_a_wrong_birth_date_reads_like_an_unknown_person():
    slot_id = free_slots(applicant(), KADIKOY, days=21)[2].slot_id
    person = resident()
    with pytest.raises(NotFound) as wrong:
        assisted.book(AGENT, request_for(person, slot_id, birth_date="1984-03-10"))
    unknown = AssistedBookingRequest.model_validate({**request_for(person, slot_id).model_dump(mode="json"), "document_number": "99000000001"})
    with pytest.raises(NotFound) as missing:
        assisted.book(AGENT, unknown)
    assert wrong.value.message == missing.value.message and wrong.value.details == missing.value.details


def test_a_person_with_an_online_account_is_booked_on_it_and_staff_book_at_their_own_directorate_only():
    slot_id = free_slots(applicant(), KADIKOY, days=21)[3].slot_id
    record = resident()
    holder = people.person_for(record, phone="+905559990011", email="m@example.net", language="ar", now=clock.now())
    Applicant.get(holder.applicant_id).update(actions=[Applicant.status.set("active")])  # as a confirmed sign-up

    with pytest.raises(Forbidden):
        assisted.book(staff_of(ESENYURT), request_for(record, slot_id, channel="counter"))
    appointment = assisted.book(staff_of(KADIKOY), request_for(record, slot_id, channel="counter", phone=None))
    assert appointment.applicant_id == holder.applicant_id


def test_no_phone_for_a_person_without_an_account_and_the_province_rule_holds():
    slot_id = free_slots(applicant(), KADIKOY, days=21)[4].slot_id
    with pytest.raises(ValidationFailed) as refused:
        assisted.book(AGENT, request_for(resident(), slot_id, phone=None))
    assert refused.value.details["field"] == "phone"
    with pytest.raises(WrongProvince):
        assisted.book(AGENT, request_for(resident(province="06"), slot_id))


def _first_day_released_after(directorate, now) -> DirectorateDay:
    days = DirectorateDay.query(directorate.id, DirectorateDay.day > clock.today().isoformat())
    return next(d for d in days if d.release_at is not None and d.release_at > now)


def test_unused_kept_back_places_reach_the_public_at_a_secret_moment_inside_the_window(frozen_clock):
    plan = kept_back.plan_share(ANKARA.id, 40)
    assert plan.impact.public_removed > 0 and plan.impact.public_added == 0
    kept_back.set_share(ADMIN, ANKARA.id, 40)  # 5 desks: 2 kept back, 3 public per slot

    now = clock.now()
    day = _first_day_released_after(ANKARA, now)
    first = min(calendar.from_wall_time(s.start) for s in Slot.query(ANKARA.id, Slot.start.startswith(day.day)))
    earliest, latest = get_settings().kept_back_release.bounds(first)
    assert earliest <= day.release_at <= latest
    moments = [d.release_at - calendar.from_wall_time(f"{d.day}T09:00") for d in DirectorateDay.query(ANKARA.id) if d.release_at]
    assert len(set(moments)) > 1  # drawn for each day, not one offset for all

    person = applicant(province="06")
    day_slots = [s for s in free_slots(person, ANKARA, days=21) if s.slot_id.split("@")[1].startswith(day.day)]
    assert day_slots and all(s.remaining == 3 for s in day_slots)  # the kept-back places are not offered
    booked = assisted.book(AGENT, request_for(resident(province="06"), day_slots[0].slot_id))
    assert Slot.get(ANKARA.id, calendar.wall_time(booked.start)).internal_booked == 1

    kept_back.release_due(day.release_at - timedelta(seconds=1))
    assert all(s.remaining == 3 for s in free_slots(person, ANKARA, days=21) if s.slot_id in {d.slot_id for d in day_slots})

    clock.travel(day.release_at - clock.now() + timedelta(seconds=1))
    assert kept_back.release_due() >= 1
    after = {s.slot_id: s.remaining for s in free_slots(person, ANKARA, days=21)}
    assert after[day_slots[0].slot_id] == 4  # its other kept-back place went public, the one booked stays booked
    assert all(after[s.slot_id] == 5 for s in day_slots[1:])
    assert kept_back.release_due() == 0  # idempotent: nothing left to release
    assert DirectorateDay.get(ANKARA.id, day.day).released_at is not None



def test_a_person_booked_for_again_gets_their_messages_on_the_phone_they_give_now_and_the_change_is_audited(frozen_clock):
    person = resident()
    first = free_slots(applicant(), KADIKOY, days=21)[3].slot_id
    offline_id = assisted.book(AGENT, request_for(person, first)).applicant_id
    frozen_clock.travel(timedelta(days=31))  # the booking's lock is over
    extend_slot_horizon(only=(KADIKOY,))
    later = free_slots(applicant(), KADIKOY, days=21)[0].slot_id

    again = assisted.book(AGENT, request_for(person, later, phone="0544 999 88 77", language="ru"))

    assert again.applicant_id == offline_id  # the same person, not a second item
    stored_person = Applicant.get(offline_id)
    assert (stored_person.phone, stored_person.language, stored_person.email) == ("+905449998877", "ru", None)
    [changed] = [r for r in AuditRecord.query(audit.applicant_subject(offline_id)) if r.action == people.CONTACT_CHANGED]
    assert (changed.actor_id, changed.actor_role) == ("agent-1", "agent")
    assert (changed.before.as_dict(), changed.after.as_dict()) == ({"phone": "+905321112233", "language": "tr"}, {"phone": "+905449998877", "language": "ru"})
    notice = next(n for n in Notification.scan(Notification.appointment_id == again.appointment_id))
    notifications.deliver(notice.notification_id)
    assert Notification.get(notice.notification_id, consistent_read=True).sms_status == "sent"
