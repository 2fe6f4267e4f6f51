"""Every confirmed appointment is announced by SMS and email (with a calendar invitation), in the
person's language; redelivered queue messages and SNS outages never lose or duplicate one."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from email import message_from_string
from email.policy import default

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib import wiring
from chalicelib.adapters.tables import Applicant, Appointment, Notification
from chalicelib.contract import AttendanceRequest
from chalicelib.domain.errors import ValidationFailed
from chalicelib.clock import clock
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.sms_text import segments
from chalicelib.services import attendance, notifications
from chalicelib.services.catalogue import extend_slot_horizon
from chalicelib.settings import get_settings
from tests.services.conftest import REGION
from tests.services.world import slot_owing_confirmation_only, FATIH, applicant, book, capture_queue, drain_outbox, free_slots, staff_of


@pytest.fixture(autouse=True)
def open_horizon(aws, frozen_clock):
    extend_slot_horizon(only=(FATIH,))


def sms_to(phone: str) -> list[str]:
    return [body for to, body in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == phone]


def emails_to(address: str) -> list[str]:
    return [m.raw_data for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages if address in m.destinations]


def owed_for(appointment_id: str) -> Notification:
    today = clock.now().astimezone(ISTANBUL).date().isoformat()
    [owed] = [n for n in Notification.undelivered_by_day.query(today) if n.appointment_id == appointment_id]
    return owed


def booked(language="en"):
    caller = applicant(language=language)
    appointment = book(caller, slot_owing_confirmation_only(caller).slot_id)
    return Applicant.get(caller.account_id), appointment


def test_a_booking_owes_one_sms_and_one_email_with_an_invitation_and_redelivery_sends_nothing_twice(aws):
    person, appointment = booked(language="ar")
    owed = owed_for(appointment.appointment_id)  # written in the booking's own transaction

    notifications.deliver(owed.notification_id)
    notifications.deliver(owed.notification_id)  # the queue delivered the message twice

    [sms] = sms_to(person.phone)
    assert sms.startswith(person.given_name) and appointment.reference in sms and "موعدك مؤكد" in sms
    assert f"{appointment.start.astimezone(ISTANBUL):%d.%m.%Y %H:%M}" in sms
    assert "Fatih Hizmet Noktası" in sms and get_settings().portal_url in sms
    assert "Akşemsettin" not in sms and segments(sms) <= 2  # the address is in the email
    [raw] = emails_to(person.email)
    email = message_from_string(raw, policy=default)
    assert appointment.reference in email["Subject"]
    [invite] = [part for part in email.iter_attachments() if part.get_content_type() == "text/calendar"]
    ics = invite.get_content() if isinstance(invite.get_content(), str) else invite.get_content().decode()
    assert invite.get_filename() == "appointment.ics" and invite.get_param("method") == "REQUEST"
    assert "METHOD:REQUEST" in ics and f"DTSTART;TZID=Europe/Istanbul:{appointment.start.astimezone(ISTANBUL):%Y%m%dT%H%M%S}" in ics
    assert "Akşemsettin Mah." in re.sub(r"\r?\n ", "", ics)  # the address in Turkish (lines unfolded)
    assert appointment.reference in email.get_body(("plain",)).get_content()
    assert "15 دقيقة" in email.get_body(("plain",)).get_content()  # the grace before a late visit is refused
    done = Notification.get(owed.notification_id)
    assert (done.sms_status, done.email_status, done.undelivered_day) == ("sent", "sent", None)


def test_a_notification_of_a_kind_without_a_message_is_never_sent_as_a_confirmation(aws):
    person, appointment = booked()
    owed = owed_for(appointment.appointment_id)
    owed.update(actions=[Notification.kind.set("appointment.something_new")])

    with pytest.raises(ValueError, match="something_new"):  # the queue retries it, then parks it in the DLQ
        notifications.deliver(owed.notification_id)

    assert sms_to(person.phone) == [] and emails_to(person.email) == []


def test_unknown_languages_read_english(aws):
    person, appointment = booked(language="de")
    notifications.deliver(owed_for(appointment.appointment_id).notification_id)
    [sms] = sms_to(person.phone)
    assert sms.startswith(f"{person.given_name}, your appointment is confirmed")


class Outage:
    sender = "no-reply@randevu.example.org"

    def send(self, *args, **kwargs):
        raise ConnectionError("SNS (or SES) is down")


def test_an_sns_outage_loses_nothing_and_recovery_sends_each_channel_once(aws, monkeypatch):
    person, appointment = booked()
    owed = owed_for(appointment.appointment_id)
    with monkeypatch.context() as outage:
        outage.setattr(wiring, "sms", lambda: Outage())
        for _ in range(3):  # the queue retries while SNS is down
            with pytest.raises(notifications.DeliveryFailed):
                notifications.deliver(owed.notification_id)
    waiting = Notification.get(owed.notification_id)
    assert (waiting.sms_status, waiting.email_status, waiting.attempts) == ("pending", "sent", 3)
    assert sms_to(person.phone) == [] and len(emails_to(person.email)) == 1

    notifications.deliver(owed.notification_id)  # SNS is back
    assert len(sms_to(person.phone)) == 1 and len(emails_to(person.email)) == 1


def test_the_queue_handler_reports_only_the_failed_records(aws, monkeypatch):
    _, ok = booked()
    _, failing = booked()
    ok_id, failing_id = owed_for(ok.appointment_id).notification_id, owed_for(failing.appointment_id).notification_id
    real_deliver = notifications.deliver

    def deliver(notification_id):
        if notification_id == failing_id:
            raise notifications.DeliveryFailed(notification_id, ["sms"])
        real_deliver(notification_id)

    monkeypatch.setattr(notifications, "deliver", deliver)
    event = {"Records": [
        {"messageId": m, "receiptHandle": m, "body": json.dumps({"notification_id": n}), "attributes": {},
         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-3:123456789012:q", "awsRegion": REGION}
        for m, n in (("m-ok", ok_id), ("m-failing", failing_id))
    ]}
    assert notifications.handle_queue_batch(event) == {"batchItemFailures": [{"itemIdentifier": "m-failing"}]}


def test_notifications_whose_queue_message_was_lost_are_requeued(aws, monkeypatch):
    _, appointment = booked()
    owed = owed_for(appointment.appointment_id)
    queued = []
    monkeypatch.setattr(notifications, "enqueue", lambda ids: queued.extend(ids))
    notifications.requeue_undelivered()
    assert owed.notification_id not in queued  # too fresh: its own message is still on its way
    clock.travel(timedelta(minutes=3))
    notifications.requeue_undelivered()
    assert owed.notification_id in queued


def booked_the_day_before_at(hour: int, minute: int = 0, language="en"):
    """A person who books, at hour:minute (Istanbul) on the day before, the first free slot of a day."""
    caller = applicant(language=language)
    slot = free_slots(caller)[0]
    at = slot.start.astimezone(ISTANBUL).replace(hour=hour, minute=minute) - timedelta(days=1)
    clock.travel(at - clock.now())
    return Applicant.get(caller.account_id), book(caller, slot.slot_id)


def test_the_day_before_each_appointment_gets_one_reminder_with_a_check_in_code(aws, monkeypatch):
    drain_outbox()
    queued = capture_queue(monkeypatch)
    person, appointment = booked_the_day_before_at(9, language="tr")  # before the 10:00 run
    reminder_id = f"reminder-{appointment.appointment_id}"
    drain_outbox()
    assert reminder_id not in queued and Appointment.get(appointment.appointment_id).checkin_code_hash is None
    clock.travel(timedelta(hours=1))

    assert notifications.send_reminders() >= 1
    drain_outbox()
    assert reminder_id in queued
    queued.clear()
    notifications.send_reminders()  # the schedule ran twice
    drain_outbox()
    assert reminder_id not in queued

    notifications.deliver(reminder_id)
    reminder_sms = [s for s in sms_to(person.phone) if "randevunuz var" in s]  # yarın → yarin: GSM-7 spelling
    assert len(reminder_sms) == 1 and appointment.reference in reminder_sms[0]
    code = re.search(r"Giris kodu: (\d{6})", reminder_sms[0]).group(1)
    assert Notification.get(reminder_id).checkin_code is None  # not kept once delivered

    clerk = staff_of(FATIH)
    clock.travel(appointment.start - clock.now() + timedelta(minutes=2))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationFailed):
        attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended", checkin_code=wrong))
    recorded = attendance.record(clerk, appointment.appointment_id, AttendanceRequest(outcome="attended", checkin_code=code))
    assert recorded.attendance == "attended"


def test_a_booking_after_the_reminder_run_for_tomorrow_gets_its_reminder_and_code_at_once_and_only_once(aws, monkeypatch):
    drain_outbox()
    queued = capture_queue(monkeypatch)
    person, appointment = booked_the_day_before_at(15)  # today's 10:00 run is over
    reminder_id = f"reminder-{appointment.appointment_id}"
    drain_outbox()
    assert reminder_id in queued  # written in the booking's transaction, queued with the confirmation

    queued.clear()
    notifications.send_reminders()  # the run again (a retry, or tomorrow's list read late)
    clock.travel(timedelta(hours=19))  # 10:00 on the appointment's day: that run is for the next day
    notifications.send_reminders()
    drain_outbox()
    assert reminder_id not in queued

    notifications.deliver(reminder_id)
    [reminder_sms] = [s for s in sms_to(person.phone) if "Check-in code" in s]
    assert appointment.reference in reminder_sms
    code = re.search(r"Check-in code: (\d{6})", reminder_sms).group(1)
    clock.travel(appointment.start - clock.now() + timedelta(minutes=2))
    recorded = attendance.record(staff_of(FATIH), appointment.appointment_id, AttendanceRequest(outcome="attended", checkin_code=code))
    assert recorded.attendance == "attended"


def test_a_booking_during_the_reminder_run_is_reminded_once_whichever_writes_first(aws, monkeypatch):
    """Just before 10:00 the run may not see a new appointment yet (it reads an index), so the
    booking writes the reminder too; the run, seeing it, writes none."""
    drain_outbox()
    queued = capture_queue(monkeypatch)
    _, appointment = booked_the_day_before_at(9, 55)
    reminder_id = f"reminder-{appointment.appointment_id}"
    drain_outbox()
    assert reminder_id in queued
    queued.clear()
    clock.travel(timedelta(minutes=5))
    notifications.send_reminders()  # the 10:00 run
    drain_outbox()
    assert reminder_id not in queued


def console_day(clerk, language="en") -> str:
    """The staff console's day list as the clerk's browser gets it (the page handler, in process)."""
    from chalicelib.adapters.tables import WebSession
    from chalicelib.web import console
    from chalicelib.web.frame import WebRequest

    session = WebSession("s", csrf_token="c", language=language, access_token="token", account_id=clerk.account_id, role="staff")
    page = console.staff_day(WebRequest("GET", "/staff", {}, {}, session, authenticate=lambda _: clerk))
    assert page.status == 200
    return page.body


def test_an_sms_that_keeps_failing_is_given_up_after_the_bound_alarmed_and_shown_to_staff(aws, monkeypatch):
    person, appointment = booked()
    _, other = booked()  # delivered: no mark
    notifications.deliver(owed_for(other.appointment_id).notification_id)
    owed = owed_for(appointment.appointment_id)
    bound = get_settings().notification_max_attempts
    given_up = []
    monkeypatch.setattr(notifications, "record", lambda name, value=1, **dims: given_up.append((name, dims)))
    with monkeypatch.context() as outage:
        outage.setattr(wiring, "sms", lambda: Outage())
        for _ in range(bound - 1):  # the queue brings the message back while SNS refuses
            with pytest.raises(notifications.DeliveryFailed):
                notifications.deliver(owed.notification_id)
        assert Notification.get(owed.notification_id).sms_status == "pending" and given_up == []
        notifications.deliver(owed.notification_id)  # the last attempt: given up, the message is done

    failed = Notification.get(owed.notification_id)
    assert (failed.sms_status, failed.sms_attempts, failed.email_status) == ("failed", bound, "sent")
    assert given_up == [("NotificationFailed", {"channel": "sms"})]
    assert failed.undelivered_day is None  # out of the undelivered index

    notifications.deliver(owed.notification_id)  # SNS is back and the message is redelivered
    assert sms_to(person.phone) == [] and Notification.get(owed.notification_id).sms_status == "failed"
    queued = []
    monkeypatch.setattr(notifications, "enqueue", lambda ids: queued.extend(ids))
    clock.travel(timedelta(minutes=10))
    notifications.requeue_undelivered()
    assert owed.notification_id not in queued  # the schedule stops reading it
    assert len(given_up) == 1  # alarmed once

    clerk = staff_of(FATIH)
    clock.travel(appointment.start.astimezone(ISTANBUL).replace(hour=8, minute=0) - clock.now())
    page = console_day(clerk)
    rows = {ref: row for row in page.split("<tr>")[2:] for ref in (appointment.reference, other.reference) if ref in row}
    assert "SMS not delivered" in rows[appointment.reference] and "Email not delivered" not in rows[appointment.reference]
    if other.start.date() == appointment.start.date():
        assert "not delivered" not in rows[other.reference]
    assert "SMS iletilemedi" in console_day(clerk, "tr") and "لم تُسلَّم الرسالة النصية" in console_day(clerk, "ar")


def test_each_channel_counts_its_own_attempts_and_a_stale_sender_cannot_give_one_up(aws, monkeypatch):
    person, appointment = booked()
    owed = owed_for(appointment.appointment_id)
    bound = get_settings().notification_max_attempts
    monkeypatch.setattr(notifications, "record", lambda *a, **k: None)
    with monkeypatch.context() as outage:
        outage.setattr(wiring, "sms", lambda: Outage())
        outage.setattr(wiring, "email", lambda: Outage())
        for _ in range(bound - 1):
            with pytest.raises(notifications.DeliveryFailed):
                notifications.deliver(owed.notification_id)
        waiting = Notification.get(owed.notification_id)
        assert (waiting.sms_attempts, waiting.email_attempts, waiting.sms_status) == (bound - 1, bound - 1, "pending")

        # A sender claims the SMS and stalls past its lease; another takes the claim over.
        stale = Notification.get(owed.notification_id)
        stalled_at = clock.now()
        assert notifications._claim(stale, "sms", stalled_at)
        clock.travel(notifications.CLAIM_LEASE + timedelta(seconds=1))
        assert notifications._claim(Notification.get(owed.notification_id), "sms", clock.now())
        assert notifications._fail(stale, "sms", stalled_at, "ConnectionError") is False  # not its claim any more
        assert Notification.get(owed.notification_id).sms_status == "sending"

    assert Appointment.get(appointment.appointment_id).undelivered_channels is None
