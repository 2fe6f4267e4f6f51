"""Use cases of notifications: every confirmed appointment is announced by SMS and by email.

The intent (a Notification item) is written in the same transaction as the appointment, so it
cannot be lost. Its id then goes on the notifications queue; the sender delivers each channel
at most once: a channel is claimed (pending → sending, conditional) before it is sent and
marked sent after. When SNS or SES fail, the claim is released and the message comes back from
the queue later (after `max_receive_count` failures it rests in the dead-letter queue, which
alarms); a schedule re-queues notifications whose queue message never arrived.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import wiring
from chalicelib.adapters.dynamo import condition_failed, transaction, update_if
from chalicelib.adapters.tables import Applicant, Appointment, Notification
from chalicelib.clock import clock
from chalicelib.domain import notices, verification
from chalicelib.domain.attendance import CONFIRMED as CONFIRMED_STATUS
from chalicelib.domain.calendar import local_day
from chalicelib.domain.catalogue import find_directorate, find_service
from chalicelib.observability import logger
from chalicelib.resources import notifications_queue_name
from chalicelib.services import email_feedback
from chalicelib.settings import get_settings

CONFIRMED = "appointment.confirmed"
REMINDER = "appointment.reminder"
CANCELLED = "appointment.cancelled"
CHANNELS = ("sms", "email")
# A claim older than this is taken to be from a sender that died mid-way: the channel may be claimed again.
CLAIM_LEASE = timedelta(minutes=5)
# Notifications still undelivered this long after being written are re-queued by the schedule.
REQUEUE_AFTER = timedelta(minutes=2)
REQUEUE_LOOKBACK_DAYS = 2


def confirmation_for(appointment: Appointment, now: datetime) -> Notification:
    """The notification owed for a newly confirmed appointment (save it in the booking's transaction)."""
    return Notification(
        str(uuid.uuid4()),
        kind=CONFIRMED,
        appointment_id=appointment.appointment_id,
        applicant_id=appointment.applicant_id,
        created_at=now,
        undelivered_day=local_day(now).isoformat(),
    )


def cancellation_for(appointment: Appointment, reason: str, now: datetime) -> Notification:
    """The notification owed when the authority cancels an appointment (save it in the same
    transaction as the cancellation)."""
    return Notification(
        f"cancelled-{appointment.appointment_id}",
        kind=CANCELLED,
        appointment_id=appointment.appointment_id,
        applicant_id=appointment.applicant_id,
        created_at=now,
        reason=reason,
        undelivered_day=local_day(now).isoformat(),
    )


def send_reminders(now: datetime | None = None) -> int:
    """The day before: a reminder with a one-time check-in code for every appointment of
    tomorrow. Each appointment gets one reminder however often this runs: the code and the
    notification are written together, on condition that neither exists yet."""
    now = now or clock.now()
    tomorrow = (local_day(now) + timedelta(days=1)).isoformat()
    written = []
    for appointment in Appointment.unmarked_by_day.query(tomorrow):
        code = verification.new_code()
        reminder = Notification(
            f"reminder-{appointment.appointment_id}",
            kind=REMINDER,
            appointment_id=appointment.appointment_id,
            applicant_id=appointment.applicant_id,
            created_at=now,
            checkin_code=code,
            undelivered_day=local_day(now).isoformat(),
        )
        try:
            with transaction() as write:
                write.update(
                    appointment,
                    actions=[Appointment.checkin_code_hash.set(verification.code_digest(appointment.appointment_id, code))],
                    condition=Appointment.checkin_code_hash.does_not_exist() & (Appointment.status == CONFIRMED_STATUS),
                )
                write.save(reminder, condition=Notification.notification_id.does_not_exist())
        except TransactWriteError as error:
            if condition_failed(error):
                continue  # reminded already (an earlier run), or cancelled meanwhile
            raise
        written.append(reminder.notification_id)
    if written:
        enqueue(written)
    logger.info("reminders written", extra={"count": len(written)})
    return len(written)


def enqueue(notification_ids: list[str]) -> None:
    """Put notifications on the sender's queue. Best effort: if this fails, the re-queue
    schedule finds them (they are written already) and nothing is lost."""
    try:
        queue_url = wiring.queue_url(notifications_queue_name())
        for start in range(0, len(notification_ids), 10):
            wiring.sqs().send_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "MessageBody": json.dumps({"notification_id": n})} for i, n in enumerate(notification_ids[start:start + 10])],
            )
    except Exception:
        logger.exception("notifications not queued; the re-queue schedule will pick them up", extra={"count": len(notification_ids)})


def handle_queue_batch(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The SQS handler: each record is one notification to deliver; failed records are
    reported as partial batch failures so only they come back (stack-notes 6)."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    def deliver_record(record: Any) -> None:
        deliver(json.loads(record.body)["notification_id"])

    return process_partial_response(event=event, record_handler=deliver_record, processor=BatchProcessor(event_type=EventType.SQS), context=context)


def deliver(notification_id: str) -> None:
    """Send every channel of the notification that is not sent yet; raise if any failed."""
    try:
        notification = Notification.get(notification_id, consistent_read=True)
    except Notification.DoesNotExist:
        logger.warning("notification not found", extra={"notification_id": notification_id})
        return
    pending = [c for c in CHANNELS if getattr(notification, f"{c}_status") not in ("sent", "skipped")]
    if not pending:
        return
    outgoing = _prepare(notification)
    failures = []
    for channel in pending:
        now = clock.now()
        if not _claim(notification, channel, now):
            continue  # another sender holds it, or it was sent meanwhile
        if channel == "email" and outgoing.email_undeliverable:
            _skip_email(notification, now, email_feedback.UNDELIVERABLE)
            continue
        try:
            _send(channel, outgoing)
        except Exception as error:  # SNS or SES refused or failed: release, retry later
            _release(notification, channel, now, type(error).__name__)
            failures.append(channel)
            continue
        _mark_sent(notification, channel, now)
    if failures:
        raise DeliveryFailed(notification_id, failures)
    _close_if_delivered(notification_id)


class DeliveryFailed(Exception):
    def __init__(self, notification_id: str, channels: list[str]) -> None:
        super().__init__(f"notification {notification_id}: {', '.join(channels)} not delivered; will retry")


def requeue_undelivered(now: datetime | None = None) -> int:
    """Re-queue notifications still undelivered a while after they were written (their queue
    message was lost, or is resting in the dead-letter queue after an outage)."""
    now = now or clock.now()
    today = local_day(now)
    ids = []
    for back in range(REQUEUE_LOOKBACK_DAYS, -1, -1):
        day = (today - timedelta(days=back)).isoformat()
        for item in Notification.undelivered_by_day.query(day, Notification.created_at <= now - REQUEUE_AFTER):
            ids.append(item.notification_id)
    if ids:
        enqueue(ids)
    logger.info("undelivered notifications re-queued", extra={"count": len(ids)})
    return len(ids)


@dataclass(frozen=True)
class _Outgoing:
    notice: notices.Notice
    phone: str
    email: str
    email_undeliverable: bool = False  # SES said so (services/email_feedback.py): skip the email


def _prepare(notification: Notification) -> _Outgoing:
    applicant = Applicant.get(notification.applicant_id)
    facts = _facts(Appointment.get(notification.appointment_id), applicant)
    sender = wiring.email().sender
    if notification.kind == REMINDER:
        notice = notices.reminder(facts, sender, notification.checkin_code)
    elif notification.kind == CANCELLED:
        notice = notices.cancellation(facts, sender, notification.reason or "")
    else:
        notice = notices.confirmation(facts, sender)
    return _Outgoing(notice, applicant.phone, applicant.email, email_feedback.is_undeliverable(applicant))


def invitation_for(appointment_id: str) -> bytes:
    """The calendar invitation of an appointment, as the confirmation email carries it (the
    portal offers it for download on the confirmation page)."""
    appointment = Appointment.get(appointment_id)
    facts = _facts(appointment, Applicant.get(appointment.applicant_id))
    return notices.confirmation_invitation(facts, wiring.email().sender)


def _facts(appointment: Appointment, applicant: Applicant) -> notices.AppointmentFacts:
    return notices.AppointmentFacts(
        appointment_id=appointment.appointment_id,
        reference=appointment.reference,
        booked_at=appointment.created_at,
        start=appointment.start,
        end=appointment.end,
        directorate=find_directorate(appointment.directorate_id),
        service=find_service(appointment.service),
        given_name=applicant.given_name,
        email=applicant.email,
        language=applicant.language,
        portal_url=get_settings().portal_url,
    )


def _send(channel: str, outgoing: _Outgoing) -> None:
    notice = outgoing.notice
    if channel == "sms":
        wiring.sms().send(outgoing.phone, notice.sms)
    else:
        wiring.email().send(outgoing.email, notice.email_subject, notice.email_body, notice.calendar, notice.calendar_method)


def _claim(notification: Notification, channel: str, now: datetime) -> bool:
    status = getattr(Notification, f"{channel}_status")
    claimed_at = getattr(Notification, f"{channel}_claimed_at")
    return update_if(
        notification,
        [status.set("sending"), claimed_at.set(now)],
        (status == "pending") | ((status == "sending") & (claimed_at < now - CLAIM_LEASE)),
    )


def _release(notification: Notification, channel: str, claimed: datetime, error_type: str) -> None:
    status = getattr(Notification, f"{channel}_status")
    claimed_at = getattr(Notification, f"{channel}_claimed_at")
    notification.update(
        actions=[status.set("pending"), Notification.attempts.add(1), Notification.last_error.set(f"{channel}: {error_type}")],
        condition=(status == "sending") & (claimed_at == claimed),
    )
    logger.warning("notification channel failed", extra={"notification_id": notification.notification_id, "channel": channel, "error": error_type})


def _mark_sent(notification: Notification, channel: str, claimed: datetime) -> None:
    notification.update(
        actions=[getattr(Notification, f"{channel}_status").set("sent"), getattr(Notification, f"{channel}_sent_at").set(clock.now())],
        condition=getattr(Notification, f"{channel}_claimed_at") == claimed,
    )
    logger.info("notification channel sent", extra={"notification_id": notification.notification_id, "channel": channel})


def _skip_email(notification: Notification, claimed: datetime, reason: str) -> None:
    """The email is not sent, and why is kept on the notification (the SMS goes as usual)."""
    notification.update(
        actions=[Notification.email_status.set("skipped"), Notification.email_skipped.set(reason)],
        condition=Notification.email_claimed_at == claimed,
    )
    logger.info("notification email skipped", extra={"notification_id": notification.notification_id, "reason": reason})


def _close_if_delivered(notification_id: str) -> None:
    """Leave the undelivered index once every channel is sent; a check-in code is kept no
    longer than it takes to deliver it."""
    update_if(
        Notification(notification_id),
        [Notification.undelivered_day.remove(), Notification.checkin_code.remove()],
        (Notification.sms_status == "sent") & Notification.email_status.is_in("sent", "skipped"),
    )
