"""High demand: assignment requests, the assigner, closures and demand modes, against the real
adapters with the clock moved instead of slept.

Each test works in a province of its own (the emulator's tables live for the whole session),
so waiting requests of one test never meet another's."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, time, timedelta, timezone
from itertools import count

import pytest

from chalicelib.adapters.tables import Applicant, Appointment, AssignmentRequest, AssignmentWindow, AuditRecord, Notification, Slot
from chalicelib.contract import AssignmentRequestIn, AvailabilityQuery, ClosureRequest, DemandModeRequest
from chalicelib.clock import clock
from chalicelib.domain import assignment as rules
from chalicelib.domain import reminders
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import PROVINCES, directorates_in, find_directorate
from chalicelib.domain.errors import AppointmentFinal, AssignedMode, LockedOut, NotFound, RequestPending, WrongProvince
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import assignment, audit, booking, closures, demand, waiting
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.world import a_working_day, at_the_start_of_a_window, applicant, book, free_slots, staff_of, the_working_day_after

ADMIN = Caller("admin-1", frozenset({Role.ADMIN}))
# Provinces with one directorate each, handed out one per test.
_single = [p.code for p in PROVINCES if len(directorates_in(p.code)) == 1 and p.code not in {"34", "06", "35", "27"}]
_next = count()


@pytest.fixture
def province(aws, frozen_clock):
    code = _single[next(_next) % len(_single)]
    extend_slot_horizon(only=directorates_in(code))
    at_the_start_of_a_window()  # the test's filings fall in one window
    return code


def merkez(province: str):
    return find_directorate(f"{province}-merkez")


def scarce(directorate, day: date, places: int) -> str:
    """Only `places` appointments left on `day` (all in its first slot); returns that slot's key."""
    keys = [s.start for s in Slot.query(directorate.id, Slot.start.startswith(day.isoformat()))]
    for key in keys:
        Slot(directorate.id, key).update(actions=[Slot.capacity.set(places if key == keys[0] else 0)])
    return keys[0]


def request(person, province, day: date | None = None, service="address_registration", **body):
    preferences = {"earliest": day.isoformat(), "latest": day.isoformat()} if day else None
    return assignment.request_assignment(
        person, AssignmentRequestIn.model_validate({"service": service, "directorate": f"{province}-merkez", "preferences": preferences, **body})
    )


def close_window():
    clock.travel(timedelta(minutes=rules_window() + 1))


def rules_window() -> int:
    from chalicelib.settings import get_settings

    return get_settings().assignment_window_minutes


def appointments_of(person) -> list[Appointment]:
    return list(Appointment.by_applicant.query(person.account_id))


def sqs_event(*bodies: dict) -> dict:
    return {
        "Records": [
            {"messageId": f"m{i}", "receiptHandle": f"r{i}", "body": json.dumps(b), "attributes": {}, "messageAttributes": {},
             "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-3:123456789012:q", "awsRegion": "eu-west-3"}
            for i, b in enumerate(bodies)
        ]
    }


# --- requests -----------------------------------------------------------------------------------


def test_a_request_waits_for_its_window_then_gets_the_earliest_fitting_slot_once(province):
    person = applicant(province=province)
    filed = request(person, province)
    assert (filed.status, filed.position) == ("waiting", 1)
    assert filed.window_closes_at > clock.now() and filed.window_seed is None  # not published before it closes
    with pytest.raises(RequestPending):
        request(person, province)

    assert assignment.assign_province(province).assigned == []  # the window is still open

    close_window()
    served = assignment.assign_province(province)
    assert len(served.assigned) == 1
    status = assignment.request_status(person, filed.request_id)
    assert status.status == "assigned" and status.appointment_id == served.assigned[0] and status.window_seed
    [appointment] = appointments_of(person)
    earliest = free_slots(person, merkez(province), days=21)[0]
    assert appointment.start <= earliest.start  # nothing earlier was left free
    stored = Applicant.get(person.account_id)
    assert stored.waiting_request is None and stored.locked_until > clock.now() + timedelta(days=29)
    # its confirmation; and its reminder at once when the day-before reminder run has passed (after 10:00 for tomorrow)
    owed = ["appointment.confirmed"] + (["appointment.reminder"] if reminders.due_at_booking(appointment.start, clock.now()) else [])
    assert sorted(n.kind for n in Notification.scan(Notification.appointment_id == appointment.appointment_id)) == owed
    assert "appointment.booked" in [r.action for r in AuditRecord.query(f"applicant:{person.account_id}")]

    # The person is now locked like anyone with a confirmed appointment.
    with pytest.raises(LockedOut):
        request(person, province)


def test_a_request_is_checked_like_a_booking(province):
    elsewhere = applicant(province="34")
    with pytest.raises(WrongProvince):
        request(elsewhere, province)
    with pytest.raises(NotFound):
        assignment.request_status(elsewhere, request(applicant(province=province), province).request_id)


def test_a_waiting_request_can_be_withdrawn_and_an_assigned_one_cannot(province):
    person = applicant(province=province)
    filed = request(person, province)
    withdrawn = assignment.withdraw_request(person, filed.request_id)
    assert (withdrawn.status, withdrawn.reason) == ("withdrawn", "withdrawn_by_applicant")
    assert Applicant.get(person.account_id).waiting_request is None
    assert "assignment.withdrawn" in [r.action for r in AuditRecord.query(f"applicant:{person.account_id}")]

    again = request(person, province)  # a new one may be filed
    close_window()
    assignment.assign_province(province)
    with pytest.raises(AppointmentFinal):
        assignment.withdraw_request(person, again.request_id)
    with pytest.raises(NotFound):
        assignment.withdraw_request(applicant(province=province), again.request_id)


def test_someone_the_registry_moved_to_another_province_is_withdrawn_not_assigned(province):
    person = applicant(province=province)
    filed = request(person, province)
    Applicant(person.account_id).update(actions=[Applicant.province.set("34")])  # a registry import moved them
    close_window()
    served = assignment.assign_province(province)
    assert (served.assigned, served.withdrawn) == ([], 1)
    status = assignment.request_status(person, filed.request_id)
    assert status.status == "withdrawn" and status.reason == rules.MOVED_PROVINCE
    assert Applicant.get(person.account_id).waiting_request is None and appointments_of(person) == []


def test_a_withdrawal_by_the_system_is_explained_to_the_person_by_sms_and_email(province):
    from chalicelib.services import notifications
    from tests.services.test_notifications import emails_to, sms_to

    person = applicant(province=province, language="tr")
    filed = request(person, province)
    Applicant(person.account_id).update(actions=[Applicant.province.set("34")])  # a registry import moved them
    close_window()
    assert assignment.assign_province(province).withdrawn == 1
    assert assignment.assign_province(province).withdrawn == 0  # served again: nothing more, no second notice
    owed = Notification.get(f"withdrawn-{filed.request_id}")
    assert (owed.kind, owed.reason, owed.request_id, owed.appointment_id) == ("request.withdrawn", rules.MOVED_PROVINCE, filed.request_id, None)

    notifications.deliver(owed.notification_id)
    stored = Applicant.get(person.account_id)
    [sms] = sms_to(stored.phone)
    assert "talebiniz geri cekildi" in sms and "baska bir ilde" in sms  # in GSM-7 spelling
    [raw] = emails_to(stored.email)
    assert "başka bir ilde" in _plain(raw) and f"/requests/{filed.request_id}" in _plain(raw)
    delivered = Notification.get(owed.notification_id)
    assert (delivered.sms_status, delivered.email_status, delivered.undelivered_day) == ("sent", "sent", None)


def test_a_request_the_person_withdrew_themselves_sends_nothing(province):
    person = applicant(province=province)
    filed = request(person, province)
    assignment.withdraw_request(person, filed.request_id)
    with pytest.raises(Notification.DoesNotExist):
        Notification.get(f"withdrawn-{filed.request_id}")


def test_the_assigner_never_gives_a_day_after_the_permit_ends_and_withdraws_once_it_has_ended(province):
    directorate = merkez(province)
    permit_end = a_working_day(3)
    person = applicant(province=province, valid_days=(permit_end - clock.today()).days)
    for item in Slot.query(directorate.id, Slot.start.between(clock.today().isoformat(), f"{permit_end.isoformat()}T99:99")):
        item.update(actions=[Slot.capacity.set(item.booked)])  # nothing free up to the permit's last day
    later = [s for s in free_slots(applicant(province=province), directorate, days=21)]
    assert later and all(s.start.astimezone(ISTANBUL).date() > permit_end for s in later)  # free days after it

    offered = booking.availability(person, AvailabilityQuery.model_validate({"directorate": directorate.id, "service": "address_registration", "days": 21}))
    assert offered.slots == [] and offered.permit_valid_until == permit_end  # nothing within the permit, and says why

    request(person, province)  # no preferences: any day would do
    close_window()
    served = assignment.assign_province(province)
    assert (served.assigned, served.waiting) == ([], 1) and appointments_of(person) == []

    scarce(directorate, permit_end, 1)  # a place on the permit's last day
    served = assignment.assign_province(province)
    [appointment] = appointments_of(person)
    assert served.assigned == [appointment.appointment_id] and appointment.start.astimezone(ISTANBUL).date() == permit_end

    # Someone else, same permit end, still waiting when the permit has run out: withdrawn and told why.
    late = applicant(province=province, valid_days=(permit_end - clock.today()).days)
    late_request = request(late, province)
    clock.travel(timedelta(days=(permit_end - clock.today()).days))
    served = assignment.assign_province(province)
    assert served.withdrawn == 1
    assert assignment.request_status(late, late_request.request_id).reason == rules.PERMIT_ENDED
    assert Notification.get(f"withdrawn-{late_request.request_id}").reason == rules.PERMIT_ENDED


def _plain(raw: str) -> str:
    from email import message_from_string
    from email.policy import default

    return message_from_string(raw, policy=default).get_body(("plain",)).get_content()


def test_every_message_delivered_twice_assigns_nobody_twice(province):
    people = [applicant(province=province) for _ in range(6)]
    for person in people:
        request(person, province)
    close_window()
    event = sqs_event({"province": province}, {"province": province})
    assert assignment.handle_queue_batch(event) == {"batchItemFailures": []}
    assert assignment.handle_queue_batch(event) == {"batchItemFailures": []}
    assert [len(appointments_of(p)) for p in people] == [1] * 6


def test_a_poison_message_fails_alone_and_the_rest_of_its_batch_is_served(province):
    person = applicant(province=province)
    request(person, province)
    close_window()
    event = sqs_event({"province": province}, {"not": "a province"})
    event["Records"].append({**event["Records"][0], "messageId": "m2", "body": "{not json"})
    result = assignment.handle_queue_batch(event)
    assert sorted(f["itemIdentifier"] for f in result["batchItemFailures"]) == ["m1", "m2"]  # these go back (and to the DLQ)
    assert len(appointments_of(person)) == 1


def test_an_assigner_working_from_a_stale_read_assigns_nobody_twice(province, monkeypatch):
    """The interleaving that matters, made deterministic: a second assigner (a redelivered or
    duplicated message) read the waiting list before the first one wrote anything."""
    people = [applicant(province=province) for _ in range(4)]
    for person in people:
        request(person, province)
    close_window()
    stale = list(waiting.queue(province))
    assert len(assignment.assign_province(province).assigned) == 4

    monkeypatch.setattr(waiting, "due", lambda *args, **kwargs: iter(stale))
    second = assignment.assign_province(province)
    assert (second.assigned, second.waiting) == ([], 0)  # nobody left waiting: the first one served them
    assert [len(appointments_of(p)) for p in people] == [1] * 4


def test_two_assigners_at_once_give_each_person_one_appointment_and_never_overbook(province):
    day = a_working_day()
    scarce(merkez(province), day, places=3)
    people = [applicant(province=province) for _ in range(8)]
    for person in people:
        request(person, province, day)
    close_window()

    start = threading.Barrier(2)

    def assigner():
        start.wait()
        assignment.assign_province(province)

    threads = [threading.Thread(target=assigner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    booked = [len(appointments_of(p)) for p in people]
    assert sorted(booked) == [0] * 5 + [1] * 3
    slot = [s for s in Slot.query(merkez(province).id, Slot.start.startswith(day.isoformat())) if s.capacity][0]
    assert (slot.booked, slot.capacity) == (3, 3)
    # The others keep waiting, each still holding their one request.
    assert len(list(waiting.queue(province))) == 5
    assert sum(Applicant.get(p.account_id).waiting_request is not None for p in people) == 5


def test_a_windows_order_is_the_one_drawn_from_its_recorded_seed(province):
    day = a_working_day()
    scarce(merkez(province), day, places=4)
    people = [applicant(province=province) for _ in range(12)]
    filed = [request(p, province, day) for p in people]
    close_window()
    assignment.assign_province(province)

    window = filed[0].window_start
    assert {f.window_start for f in filed} == {window}  # one window
    seed = int(AssignmentWindow.get(province, window.astimezone(timezone.utc).isoformat()).seed)
    stored = [AssignmentRequest.get(f.request_id) for f in filed]
    # Anyone can re-draw the order from the published seed and the window's requests.
    redrawn = rules.lottery_order([assignment._waiting(r) for r in stored], rules_window(), {window: seed})
    winners = {r.request_id for r in stored if r.status == "assigned"}
    assert winners == {r.request_id for r in redrawn[:4]}
    assert str(seed) == assignment.request_status(ADMIN, filed[0].request_id).window_seed


def test_without_capacity_a_request_keeps_waiting_and_the_redrive_assigns_it_when_places_appear(province):
    day = a_working_day()
    key = scarce(merkez(province), day, places=0)
    person = applicant(province=province)
    filed = request(person, province, day)
    close_window()
    assert assignment.assign_province(province).waiting == 1
    status = assignment.request_status(person, filed.request_id)
    assert status.status == "waiting" and status.position == 1 and status.estimated_date is not None

    Slot(merkez(province).id, key).update(actions=[Slot.capacity.set(1)])  # an admin adds a place
    assert assignment.redrive() >= 1  # the schedule sends the province to the assigner
    assert assignment.assign_province(province).assigned
    assert assignment.request_status(person, filed.request_id).status == "assigned"


def test_positions_count_who_is_served_first_and_move_up_as_people_leave(province):
    day = a_working_day()
    scarce(merkez(province), day, places=0)
    people = [applicant(province=province) for _ in range(3)]
    filed = [request(p, province, day) for p in people]
    assert [f.position for f in filed] == [1, 2, 3]  # the worst case while the window is open
    close_window()
    assignment.assign_province(province)  # nothing fits: all keep waiting, the order is drawn

    drawn = sorted(people, key=lambda p: assignment.request_status(p, filed[people.index(p)].request_id).position)
    positions = sorted(assignment.request_status(p, f.request_id).position for p, f in zip(people, filed))
    assert positions == [1, 2, 3]
    late = applicant(province=province)
    assert request(late, province, day).position == 4  # behind the whole earlier window

    first = drawn[0]
    assignment.withdraw_request(first, filed[people.index(first)].request_id)
    assert sorted(assignment.request_status(p, filed[people.index(p)].request_id).position for p in drawn[1:]) == [1, 2]


# --- closures -----------------------------------------------------------------------------------


def test_a_closure_cancels_restores_locks_notifies_and_serves_its_victims_first(province):
    directorate = merkez(province)
    day = a_working_day(4)
    victims = [applicant(province=province, language=lang) for lang in ("tr", "ar")]
    slots = [s for s in free_slots(victims[0], directorate, days=21) if s.start.astimezone(ISTANBUL).date() == day]
    appointments = [book(v, slots[0].slot_id) for v in victims]
    locks_before = [Applicant.get(v.account_id).locked_until for v in victims]
    assert all(lock is not None for lock in locks_before)

    # Others wait for the one place left on the next working day.
    next_day = the_working_day_after(day)
    scarce(directorate, next_day, places=2)
    waiting = [applicant(province=province) for _ in range(3)]
    for person in waiting:
        request(person, province, next_day)

    result = closures.close_day(staff_of(directorate), directorate.id, ClosureRequest(date=day, reason="Elektrik kesintisi"))
    assert (result.appointments_cancelled, result.requests_filed) == (2, 2) and result.slots_closed > 0
    again = closures.close_day(staff_of(directorate), directorate.id, ClosureRequest(date=day, reason="Elektrik kesintisi"))
    assert again.appointments_cancelled == 0  # the same closure twice changes nothing more

    for victim, appointment in zip(victims, appointments):
        stored = Appointment.get(appointment.appointment_id)
        assert stored.status == "cancelled_by_authority" and stored.unmarked_day is None
        person = Applicant.get(victim.account_id)
        assert person.locked_until is None  # back to what it was before that booking: no lock
        notice = Notification.get(f"cancelled-{appointment.appointment_id}")
        assert notice.kind == "appointment.cancelled" and notice.reason == "Elektrik kesintisi"
    assert free_slots(victims[0], directorate, days=21) and not [
        s for s in free_slots(victims[0], directorate, days=21) if s.start.astimezone(ISTANBUL).date() == day
    ]

    # The victims are served at once, before the window of the others has even closed ...
    served = assignment.assign_province(province)
    assert len(served.assigned) == 2
    # ... and the day they lost is never given out again.
    for victim in victims:
        assert [a.status for a in appointments_of(victim)].count("confirmed") == 1
        new = [a for a in appointments_of(victim) if a.status == "confirmed"][0]
        assert new.start.astimezone(ISTANBUL).date() != day


def test_a_victim_is_found_where_nobody_else_waits_its_filing_marks_its_shard(province):
    directorate = merkez(province)
    day = a_working_day(4)
    victim = applicant(province=province)
    [slot] = [s for s in free_slots(victim, directorate, days=21) if s.start.astimezone(ISTANBUL).date() == day][:1]
    book(victim, slot.slot_id)
    assert waiting.occupied(province) == []

    closures.close_day(ADMIN, directorate.id, ClosureRequest(date=day, reason="Flood"))
    filed = AssignmentRequest.get(Applicant.get(victim.account_id).waiting_request)
    assert waiting.occupied(province) == [waiting.shard_of(filed.queue_key)]  # the assigner reads only that shard
    served = assignment.assign_province(province)
    assert len(served.assigned) == 1 and AssignmentRequest.get(filed.request_id).status == "assigned"
    assert waiting.occupied(province) == []


def test_victims_are_served_before_earlier_windows(province):
    directorate = merkez(province)
    day = a_working_day(4)
    victim = applicant(province=province)
    [slot] = [s for s in free_slots(victim, directorate, days=21) if s.start.astimezone(ISTANBUL).date() == day][:1]
    book(victim, slot.slot_id)
    # Every other place in the horizon is gone but one.
    later = the_working_day_after(the_working_day_after(day))
    for item in Slot.query(directorate.id):
        if item.start[:10] != later.isoformat():
            item.update(actions=[Slot.capacity.set(item.booked)])
    scarce(directorate, later, places=1)
    early = applicant(province=province)
    request(early, province)  # filed before the closure, in an earlier window
    close_window()

    closures.close_day(ADMIN, directorate.id, ClosureRequest(date=day, reason="Flood"))
    assignment.assign_province(province)

    assert [a.status for a in appointments_of(victim)].count("confirmed") == 1
    assert appointments_of(early) == []


def test_staff_of_another_directorate_cannot_close_a_day(province):
    with pytest.raises(NotFound):
        closures.close_day(staff_of(find_directorate("34-fatih")), merkez(province).id, ClosureRequest(date=a_working_day(), reason="x"))


# --- demand modes -------------------------------------------------------------------------------


def test_in_assigned_mode_availability_says_so_and_booking_is_refused(province):
    directorate = merkez(province)
    person = applicant(province=province)
    slot = free_slots(person, directorate)[0]
    out = demand.set_mode(ADMIN, directorate.id, "address_registration", DemandModeRequest(mode="assigned"))
    assert (out.setting, out.mode) == ("assigned", "assigned")
    from chalicelib.services import booking
    from chalicelib.contract import AvailabilityQuery

    query = AvailabilityQuery.model_validate({"directorate": directorate.id, "service": "address_registration"})
    assert booking.availability(person, query).mode == "assigned"
    with pytest.raises(AssignedMode):
        book(person, slot.slot_id)
    # Another service of the same directorate is still open.
    assert booking.availability(person, AvailabilityQuery.model_validate({"directorate": directorate.id, "service": "biometrics"})).mode == "open"

    demand.set_mode(ADMIN, directorate.id, "address_registration", DemandModeRequest(mode="open"))
    assert book(person, slot.slot_id).status == "confirmed"


def take(items, share: float) -> None:
    """Fill that share of the slots completely, leave the rest empty."""
    full = round(len(items) * share)
    for i, item in enumerate(items):
        item.update(actions=[Slot.booked.set(item.capacity if i < full else 0)])


def test_the_demand_rule_switches_to_assigned_when_capacity_runs_out_and_back_when_it_recovers(province):
    directorate = merkez(province)
    first = clock.today() + timedelta(days=1)
    window = [(first + timedelta(days=i)).isoformat() for i in range(5)]
    items = [s for s in Slot.query(directorate.id) if s.start[:10] in window]
    # Evaluations an hour apart within today (Istanbul): run near midnight, the coming days
    # would otherwise move on between two evaluations and bring a fresh day of free places.
    hour = lambda n: datetime.combine(clock.today(), time(9 + n), tzinfo=ISTANBUL)  # noqa: E731
    demand.evaluate_directorate(directorate, hour(0))
    assert demand.current_mode(directorate.id, "address_registration").value == "open"

    take(items, 0.95)  # 95 % taken in the coming days
    assert demand.evaluate_directorate(directorate, hour(1)) > 0
    assert demand.current_mode(directorate.id, "address_registration").value == "assigned"

    take(items, 0.8)  # 20 % free: not yet back (hysteresis) ...
    demand.evaluate_directorate(directorate, hour(2))
    assert demand.current_mode(directorate.id, "address_registration").value == "assigned"
    take(items, 0.5)  # ... 50 % free: open again
    demand.evaluate_directorate(directorate, hour(3))
    assert demand.current_mode(directorate.id, "address_registration").value == "open"

    # An admin's choice overrides the rule until it is handed back.
    demand.set_mode(ADMIN, directorate.id, "address_registration", DemandModeRequest(mode="assigned"))
    demand.evaluate_directorate(directorate, hour(4))
    assert demand.current_mode(directorate.id, "address_registration").value == "assigned"
    demand.set_mode(ADMIN, directorate.id, "address_registration", DemandModeRequest(mode="auto"))
    assert demand.current_mode(directorate.id, "address_registration").value == "open"
    trail = [(e.before["setting"], e.after["setting"], e.actor_id) for e in audit.trail(audit.directorate_subject(directorate.id))
             if e.action == demand.MODE_SET and e.after["service"] == "address_registration"]
    assert trail == [("assigned", "auto", ADMIN.account_id), ("auto", "assigned", ADMIN.account_id)]  # newest first


def test_a_rush_of_bookings_switches_to_assigned(province):
    directorate = merkez(province)
    demand.evaluate_directorate(directorate, clock.now())
    items = [s for s in Slot.query(directorate.id) if s.start[:10] == a_working_day(1).isoformat()][:8]
    for item in items:
        item.update(actions=[Slot.booked.set(item.capacity)])  # a handful of slots taken within a minute
    clock.travel(timedelta(seconds=30))
    demand.evaluate_directorate(directorate, clock.now())
    assert demand.current_mode(directorate.id, "address_registration").value == "assigned"


def test_the_cancellation_email_cancels_the_calendar_entry_in_the_persons_language(province):
    from email import message_from_string
    from email.policy import default

    from chalicelib.services import notifications
    from tests.services.test_notifications import emails_to, sms_to

    directorate = merkez(province)
    day = a_working_day(4)
    victim = applicant(province=province, language="tr")
    [slot] = [s for s in free_slots(victim, directorate, days=21) if s.start.astimezone(ISTANBUL).date() == day][:1]
    booked = book(victim, slot.slot_id)
    closures.close_day(ADMIN, directorate.id, ClosureRequest(date=day, reason="Elektrik kesintisi"))
    notifications.deliver(f"cancelled-{booked.appointment_id}")

    person = Applicant.get(victim.account_id)
    [sms] = sms_to(person.phone)
    assert "iptal edildi" in sms and booked.reference in sms
    assert "Elektrik kesintisi" not in sms  # the reason is in the email: the SMS stays short
    [raw] = emails_to(person.email)
    assert "Elektrik kesintisi" in message_from_string(raw, policy=default).get_body(("plain",)).get_content()
    [invite] = [p for p in message_from_string(raw, policy=default).iter_attachments() if p.get_content_type() == "text/calendar"]
    ics = invite.get_content() if isinstance(invite.get_content(), str) else invite.get_content().decode()
    assert invite.get_param("method") == "CANCEL" and "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics
    assert f"UID:{booked.appointment_id}@md-appointments" in ics  # the same entry the confirmation added
