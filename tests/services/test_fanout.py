"""Issue 13, item 3: the batch jobs fan out. Each schedule only splits its work into one message
per directorate on the batch-jobs queue; the local event pump (chalicelib/local/pump.py) hands
them to the real `@app.on_sqs_message` worker of app.py, as Lambda would. Every invocation does
a bounded share (at most MAX_ITEMS_PER_INVOCATION items, and never past its time), the rest
continues in a message of its own, and a message delivered twice changes nothing twice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from chalicelib import wiring
from chalicelib.adapters.tables import Applicant, Appointment, DemandMode, DirectorateDay, Notification, Slot
from chalicelib.clock import clock
from chalicelib.domain import calendar
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import DIRECTORATES, directorates_in, find_directorate
from chalicelib.local.pump import EventPump
from chalicelib.local.streams import StreamReader
from chalicelib.resources import batch_jobs_queue_name
from chalicelib.services import audit, fanout, notifications
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.conftest import REGION
from tests.services.test_notifications import sms_to
from tests.services.world import a_province_of_its_own, applicant, book, free_slots

NIZIP = find_directorate("27-nizip")  # its far-future days are this module's
GAZIANTEP = find_directorate("27-merkez")  # its demand modes are this module's
# The directorate whose appointments these tests remind and sweep, of a province of its own: at a
# directorate other modules book too (Fatih, as before), a sweep with a bound of one item an
# invocation also marks their appointments of that day, one a pump run, and outlasts the drain.
[HERE] = directorates_in(a_province_of_its_own())


@pytest.fixture
def pump(aws, frozen_clock):
    """The app's event pump on the test's emulator. Its own clock stands still, so it fires no
    schedule: the tests call the schedules' split themselves and let the pump run the queues
    and the notifications table's stream (which queues the notifications written). Not the
    availability summary's: nothing else in these tests keeps it current afterwards."""
    import app

    still = clock.now()
    return EventPump(app.app, wiring.sqs(), clock=lambda: still, streams=StreamReader(REGION), stream_handlers={"queue_notifications"})


@pytest.fixture
def budgets(monkeypatch):
    """Every invocation's budget, to see how much each one did."""
    seen: list[fanout.Budget] = []

    class Recorded(fanout.Budget):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append(self)

    monkeypatch.setattr(fanout, "Budget", Recorded)
    return seen


def drain(pump: EventPump, rounds: int = 1000) -> int:
    """Run the pump until no queue has anything left; how many batch-jobs invocations there were.

    The schedules' split sends every directorate's message, and with a bound of one or two items
    an invocation a directorate that other modules booked for the same day (Fatih) continues in
    one message a round, as many rounds as it has items: 60 rounds were once too few (CI). The
    bound on rounds only stops a loop that never ends."""
    invocations = 0
    for _ in range(rounds):
        runs = pump.run_once()
        invocations += runs["run_batch_jobs"].invocations
        if not any(run.messages for run in runs.values()):
            return invocations
    raise AssertionError("the queues did not empty")


def appointments_on_one_day(count: int) -> list[Appointment]:
    """`count` people each book a place at HERE on the same day, at least two days ahead."""
    extend_slot_horizon(only=(HERE,))
    people = [applicant(province=HERE.province) for _ in range(count)]
    earliest = calendar.local_day(clock.now()) + timedelta(days=2)
    slots = [s for s in free_slots(people[0], HERE) if s.start.astimezone(ISTANBUL).date() >= earliest]
    day = slots[0].start.astimezone(ISTANBUL).date()
    chosen = [s for s in slots if s.start.astimezone(ISTANBUL).date() == day]
    assert len(chosen) >= count
    return [Appointment.get(book(person, slot.slot_id).appointment_id) for person, slot in zip(people, chosen)]


def at_istanbul(day: date, hour: int, minute: int = 0) -> None:
    clock.travel(datetime.combine(day, time(hour, minute), tzinfo=ISTANBUL) - clock.now())


def test_the_reminder_run_splits_per_directorate_and_each_invocation_reminds_a_bounded_share(pump, budgets, monkeypatch):
    booked = appointments_on_one_day(5)
    drain(pump)  # the bookings' confirmations go out
    monkeypatch.setattr(fanout, "MAX_ITEMS_PER_INVOCATION", 2)
    at_istanbul(booked[0].start.astimezone(ISTANBUL).date() - timedelta(days=1), 10)

    assert fanout.split_reminders() == len(DIRECTORATES)  # the schedule: one message each, nothing read
    drain(pump)

    for appointment in booked:
        assert Notification.get(f"reminder-{appointment.appointment_id}").kind == notifications.REMINDER
        person = Applicant.get(appointment.applicant_id)
        assert len([s for s in sms_to(person.phone) if "Check-in code" in s]) == 1
    assert budgets and max(b.spent for b in budgets) <= 2  # 5 here: three invocations, each within the bound
    codes = {a.appointment_id: Appointment.get(a.appointment_id).checkin_code_hash for a in booked}

    # The schedule again, and one directorate's message twice: no one is reminded twice.
    fanout.split_reminders()
    fanout.send([{"job": fanout.REMINDERS, "directorate": HERE.id, "at": clock.now().isoformat(), "day": notifications.reminder_day(clock.now())}] * 2)
    drain(pump)
    for appointment in booked:
        person = Applicant.get(appointment.applicant_id)
        assert len([s for s in sms_to(person.phone) if "Check-in code" in s]) == 1
        assert Appointment.get(appointment.appointment_id).checkin_code_hash == codes[appointment.appointment_id]


def test_the_no_show_sweep_marks_each_unrecorded_appointment_once_in_bounded_pieces(pump, budgets, monkeypatch):
    booked = appointments_on_one_day(3)
    drain(pump)
    monkeypatch.setattr(fanout, "MAX_ITEMS_PER_INVOCATION", 1)
    at_istanbul(booked[0].start.astimezone(ISTANBUL).date(), 18, 30)  # after closing

    fanout.split_no_show_sweep()
    drain(pump)
    fanout.split_no_show_sweep()  # the schedule again (a retry) ...
    fanout.send([{"job": fanout.NO_SHOWS, "directorate": HERE.id, "at": clock.now().isoformat()}] * 2)  # ... and a duplicate
    drain(pump)

    for appointment in booked:
        assert Appointment.get(appointment.appointment_id).attendance == "no_show"
        assert Applicant.get(appointment.applicant_id).locked_until is not None  # locked out for 30 days
        marks = [e for e in audit.trail(audit.applicant_subject(appointment.applicant_id)) if e.action == "appointment.no_show"]
        assert len(marks) == 1
    assert max(b.spent for b in budgets) <= 1


def test_the_horizon_opens_a_directorates_days_over_several_bounded_invocations_once(pump, budgets, monkeypatch):
    monkeypatch.setattr(fanout, "MAX_ITEMS_PER_INVOCATION", 5)
    today = date(2028, 3, 6)  # far ahead: none of Nizip's days exist yet
    at = datetime.combine(today, time(0, 0), tzinfo=ISTANBUL).isoformat()
    expected = [d.isoformat() for d in calendar.horizon_days(today, 21)]

    fanout.send([{"job": fanout.HORIZON, "directorate": NIZIP.id, "at": at}])
    assert drain(pump) == -(-len(expected) // 5)  # five days per invocation, then a continuation
    assert [d.day for d in DirectorateDay.query(NIZIP.id, DirectorateDay.day >= expected[0])] == expected
    taken = next(iter(Slot.query(NIZIP.id, Slot.start.startswith(expected[0]))))
    taken.update(actions=[Slot.booked.add(1)])

    fanout.send([{"job": fanout.HORIZON, "directorate": NIZIP.id, "at": at}] * 2)  # redelivered: nothing reopened
    drain(pump)
    assert Slot.get(NIZIP.id, taken.start).booked == 1
    assert max(b.spent for b in budgets) <= 5


def test_a_demand_evaluation_delivered_twice_switches_a_mode_once(pump):
    extend_slot_horizon(only=(GAZIANTEP,))
    first = calendar.local_day(clock.now()) + timedelta(days=1)
    window = {(first + timedelta(days=i)).isoformat() for i in range(5)}
    slots = [s for s in Slot.query(GAZIANTEP.id) if s.start[:10] in window]

    def taken(share: float) -> None:
        for i, item in enumerate(slots):
            item.update(actions=[Slot.booked.set(item.capacity if i < round(len(slots) * share) else 0)])

    def mode() -> str:
        return DemandMode.get(GAZIANTEP.id, "address_registration").auto_mode

    earlier = {"job": fanout.DEMAND, "directorate": GAZIANTEP.id, "at": clock.now().isoformat()}
    taken(0.95)
    fanout.send([earlier])
    drain(pump)
    assert mode() == "assigned"

    taken(0.5)  # free again: the next evaluation opens it, but a redelivered earlier one must not act
    fanout.send([earlier])
    drain(pump)
    assert mode() == "assigned"
    fanout.send([{**earlier, "at": (clock.now() + timedelta(minutes=5)).isoformat()}])
    drain(pump)
    assert mode() == "open"


class ShortOfTime:
    """A Lambda context with plenty of time for `calls` questions, then too little."""

    def __init__(self, calls: int) -> None:
        self.calls = calls

    def get_remaining_time_in_millis(self) -> int:
        self.calls -= 1
        return 60_000 if self.calls >= 0 else fanout.STOP_WITH_MS_LEFT - 1


def test_a_piece_stops_when_its_invocation_runs_short_of_time_and_the_next_resumes_where_it_stopped(aws, frozen_clock, monkeypatch):
    monkeypatch.setattr(notifications, "enqueue", lambda ids: None)
    booked = appointments_on_one_day(4)
    at_istanbul(booked[0].start.astimezone(ISTANBUL).date() - timedelta(days=1), 10)
    message = {"job": fanout.REMINDERS, "directorate": HERE.id, "at": clock.now().isoformat(), "day": notifications.reminder_day(clock.now())}
    reminded = lambda: {a.appointment_id for a in booked if Appointment.get(a.appointment_id).checkin_code_hash}  # noqa: E731

    # Time is asked before starting and after each item; it runs short after the second item:
    # the piece stops there, and its message carries on from it.
    following = fanout.run_piece(message, fanout.Budget(ShortOfTime(calls=2)))
    assert following is not None and following["cursor"] and len(reminded()) == 2
    # With no time at all, nothing is started: the message goes on unchanged.
    assert fanout.run_piece(following, fanout.Budget(ShortOfTime(calls=0))) == following
    assert fanout.run_piece(following, fanout.Budget(), share=0) == following
    assert fanout.run_piece(following, fanout.Budget()) is None
    assert reminded() == {a.appointment_id for a in booked}


def test_a_message_that_fails_is_reported_alone(aws):
    url = wiring.queue_url(batch_jobs_queue_name())
    today = calendar.local_day(clock.now()).isoformat()
    records = [
        {"messageId": "good", "body": f'{{"job": "horizon", "directorate": "{NIZIP.id}", "at": "{today}T00:00:00+03:00"}}'},
        {"messageId": "bad", "body": '{"job": "tidy-up", "directorate": "27-nizip"}'},
    ]
    event = {"Records": [{**r, "receiptHandle": r["messageId"], "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
                          "eventSource": "aws:sqs", "eventSourceARN": url, "awsRegion": "eu-west-3"} for r in records]}
    assert fanout.handle_queue_batch(event) == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
