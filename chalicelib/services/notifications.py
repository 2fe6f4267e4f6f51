"""Use cases of notifications: every confirmed appointment is announced by SMS and by email.

The intent (a Notification item) is written in the same transaction as the appointment, so it
cannot be lost. The table's stream then puts its id on the notifications queue (services/outbox.py); the sender delivers each channel
at most once: a channel is claimed (pending → sending, conditional) before it is sent and
marked sent after. When SNS or SES fail, the claim is released and the message comes back from
the queue later (after `max_receive_count` failures it rests in the dead-letter queue, which
alarms); a schedule re-queues notifications whose queue message never arrived.

Retries are bounded: the `notification_max_attempts`-th failed send of a channel marks it
`failed` instead (sending → failed, on condition that this sender holds the claim and the
channel has failed that often), in one transaction with the appointment's
`undelivered_channels`, which the staff console shows. A failed channel is never claimed or
sent again, counts in the `NotificationFailed` metric (dimension `channel`, alarmed), and once
no channel is left to deliver the notification leaves the undelivered index, so the re-queue
schedule stops reading it. Sends keep the pace the stack sets (`pacing.py`), which keeps all
workers together within the account's SMS and email quotas.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import wiring
from chalicelib.adapters.dynamo import NamedTransaction, condition_failed, transaction, update_if
from chalicelib.adapters.tables import Applicant, Appointment, AssignmentRequest, Notification
from chalicelib.clock import clock
from chalicelib.domain import closure, notices, reminders, retention, verification
from chalicelib.domain.attendance import CONFIRMED as CONFIRMED_STATUS
from chalicelib.domain.calendar import local_day
from chalicelib.domain.catalogue import DIRECTORATES, find_directorate, find_service
from chalicelib.observability import NOTIFICATION_FAILED, logger, record  # monitoring.py alarms on it, per channel
from chalicelib.resources import notifications_queue_name
from chalicelib.services import batches
from chalicelib.services.pacing import Pace
from chalicelib.services import email_feedback
from chalicelib.settings import get_settings

CONFIRMED = "appointment.confirmed"
REMINDER = "appointment.reminder"
CANCELLED = "appointment.cancelled"
WITHDRAWN = "request.withdrawn"  # an assignment request the system withdrew: no appointment
GIVEN_BACK = "appointment.given_back"  # issue 12: the person gave the place back (services/giving_back.py)
FOLLOW_UP = "appointment.follow_up"  # issue 12: staff issued a follow-up visit (services/corrections.py)
CHANNELS = ("sms", "email")
SENT, FAILED, SKIPPED = "sent", "failed", "skipped"
# Why an email was skipped when the person has no address at all (booked for by the phone line
# or the counter without one, services/people.py): the SMS goes as usual.
NO_ADDRESS = "no_address"
# Nothing more is done about a channel in any of these states (skipped: an email to an address
# that bounced or complained; services/email_feedback.py).
SETTLED = (SENT, FAILED, SKIPPED)
# A claim older than this is taken to be from a sender that died mid-way: the channel may be claimed again.
CLAIM_LEASE = timedelta(minutes=5)
# Notifications still undelivered this long after being written are re-queued by the schedule.
REQUEUE_AFTER = timedelta(minutes=2)
REQUEUE_LOOKBACK_DAYS = 2


def _owed(notification_id: str, kind: str, appointment: Appointment, now: datetime, **more) -> Notification:
    """A notification about `appointment`, owed from `now` (on the undelivered index until sent)."""
    return Notification(
        notification_id, kind=kind, appointment_id=appointment.appointment_id, applicant_id=appointment.applicant_id,
        created_at=now, undelivered_day=local_day(now).isoformat(), expires=retention.notification_expires(now), **more,
    )


def confirmation_for(appointment: Appointment, now: datetime) -> Notification:
    """The notification owed for a newly confirmed appointment (save it in the booking's transaction)."""
    return _owed(str(uuid.uuid4()), CONFIRMED, appointment, now)


def cancellation_for(appointment: Appointment, reason: str, now: datetime) -> Notification:
    """The notification owed when the authority cancels an appointment (save it in the same
    transaction as the cancellation)."""
    return _owed(f"cancelled-{appointment.appointment_id}", CANCELLED, appointment, now, reason=reason)


def withdrawal_for(request_id: str, applicant_id: str, reason: str, now: datetime) -> Notification:
    """The notification owed when the system withdraws a waiting assignment request (save it in
    the same transaction as the withdrawal); one per request, whoever withdraws it."""
    return Notification(
        f"withdrawn-{request_id}", kind=WITHDRAWN, request_id=request_id, applicant_id=applicant_id,
        created_at=now, reason=reason, undelivered_day=local_day(now).isoformat(), expires=retention.notification_expires(now),
    )


def given_back_for(appointment: Appointment, now: datetime) -> Notification:
    """The notification owed when a person gives their place back (one per appointment)."""
    return _owed(f"given-back-{appointment.appointment_id}", GIVEN_BACK, appointment, now)


def follow_up_for(appointment: Appointment, now: datetime) -> Notification:
    """The notification owed for a follow-up visit staff issued (like a booking's confirmation)."""
    return _owed(str(uuid.uuid4()), FOLLOW_UP, appointment, now)


def reminder_for(appointment: Appointment, now: datetime) -> tuple[Notification, str]:
    """The reminder of an appointment, with a new one-time check-in code, and the code's digest
    (kept on the appointment). Its id is the appointment's: whoever writes it (the day-before run,
    or the booking when that run has passed — domain/reminders.py) writes it on condition that it
    does not exist yet, so each appointment gets one."""
    code = verification.new_code()
    reminder = _owed(f"reminder-{appointment.appointment_id}", REMINDER, appointment, now, checkin_code=code)
    return reminder, verification.code_digest(appointment.appointment_id, code)


def owed_for_new(appointment: Appointment, now: datetime, first: Callable[[Appointment, datetime], Notification] = confirmation_for) -> list[Notification]:
    """The notifications owed for an appointment just made (a booking's confirmation, or `first`):
    and its reminder with the check-in code, at once, when the day-before reminder run has passed
    already (domain/reminders.py); the code's digest goes on the appointment."""
    owed = [first(appointment, now)]
    if reminders.due_at_booking(appointment.start, now):
        reminder, appointment.checkin_code_hash = reminder_for(appointment, now)
        owed.append(reminder)
    return owed


def save_in(write, owed: list[Notification]) -> None:
    """Each notification in `write`, once (named by its kind)."""
    for notice in owed:
        write.save(notice.kind, notice, condition=Notification.notification_id.does_not_exist())


REMINDER_PAGE = 100  # appointments per piece when the run is done in process (send_reminders)


def send_reminders(now: datetime | None = None) -> int:
    """The day before: a reminder with a one-time check-in code for every appointment of
    tomorrow, every directorate in one go, here (the schedule fans the same pieces out over the
    batch-jobs queue instead: services/fanout.py)."""
    now = now or clock.now()
    day = reminder_day(now)
    written = sum(
        batches.exhaust(lambda cursor, d=directorate.id: remind_page(d, day, now, REMINDER_PAGE, cursor))
        for directorate in DIRECTORATES
    )
    logger.info("reminders written", extra={"count": written})
    return written


def reminder_day(now: datetime) -> str:
    """The day whose appointments the run at `now` reminds: tomorrow, in Istanbul."""
    return (local_day(now) + timedelta(days=1)).isoformat()


def remind_page(
    directorate_id: str, day: str, now: datetime, limit: int, cursor: batches.Cursor | None = None, time_left: Callable[[], bool] = batches.always
) -> batches.Page:
    """One piece of the reminder run: up to `limit` of a directorate's appointments on `day` not
    marked yet (a page of a sparse index), from `cursor`. Each appointment gets one reminder
    however often this runs, and whether or not its booking wrote one already: the code and the
    notification are written together, on condition that neither exists yet; the notifications
    table's stream queues it (services/outbox.py)."""

    def remind(appointment: Appointment) -> bool:
        if appointment.checkin_code_hash is not None:
            return False  # reminded already (an earlier run, or at booking)
        reminder, digest = reminder_for(appointment, now)
        try:
            with transaction() as write:
                write.update(
                    appointment,
                    actions=[Appointment.checkin_code_hash.set(digest)],
                    condition=Appointment.checkin_code_hash.does_not_exist() & (Appointment.status == CONFIRMED_STATUS),
                )
                write.save(reminder, condition=Notification.notification_id.does_not_exist())
        except TransactWriteError as error:
            if condition_failed(error):
                return False  # reminded already (an earlier run, or at booking), or cancelled meanwhile
            raise
        return True

    results = Appointment.unmarked_by_directorate.query(
        directorate_id, Appointment.unmarked_day == day, limit=limit, page_size=limit, last_evaluated_key=cursor
    )
    return batches.walk(results, remind, limit, time_left)


def enqueue(notification_ids: list[str]) -> None:
    """Put notifications on the sender's queue, best effort: what is not queued now the re-queue
    schedule finds (they are written already) and nothing is lost. (A change that writes a
    notification does not call this: the notifications table's stream queues it, services/outbox.py.)"""
    not_queued = queue(notification_ids)
    if not_queued:
        logger.error("notifications not queued; the re-queue schedule will pick them up", extra={"count": len(not_queued)})


def queue(notification_ids: list[str]) -> list[str]:
    """Put notifications on the sender's queue, ten to a SendMessageBatch; returns the ids that
    were not queued (SQS refused them, or could not be reached)."""
    not_queued: list[str] = []
    try:
        queue_url = wiring.queue_url(notifications_queue_name())
    except Exception:
        logger.exception("notifications queue not found", extra={"count": len(notification_ids)})
        return list(notification_ids)
    for start in range(0, len(notification_ids), 10):
        chunk = notification_ids[start:start + 10]
        try:
            answer = wiring.sqs().send_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "MessageBody": json.dumps({"notification_id": n})} for i, n in enumerate(chunk)],
            )
        except Exception:
            logger.exception("notifications not queued", extra={"count": len(chunk)})
            not_queued += chunk
            continue
        not_queued += [chunk[int(entry["Id"])] for entry in answer.get("Failed", [])]
    return not_queued


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
    pending = [c for c in CHANNELS if getattr(notification, f"{c}_status") not in SETTLED]
    if not pending:
        return
    outgoing = _prepare(notification)
    failures = []
    for channel in pending:
        now = clock.now()
        if not _claim(notification, channel, now):
            continue  # another sender holds it, or it was sent or given up meanwhile
        if outgoing.account_closed:  # its person closed the account: nothing more is sent to them
            _skip(notification, channel, now, closure.SKIPPED_REASON)
            continue
        if channel == "email" and outgoing.email is None:
            _skip_email(notification, now, NO_ADDRESS)
            continue
        if channel == "email" and outgoing.email_undeliverable:
            _skip_email(notification, now, email_feedback.UNDELIVERABLE)
            continue
        try:
            _pace(channel).take()
            _send(channel, outgoing)
        except Exception as error:  # SNS or SES refused or failed: retry later, or give up
            if not _fail(notification, channel, now, type(error).__name__):
                failures.append(channel)
            continue
        _mark_sent(notification, channel, now)
    if failures:
        raise DeliveryFailed(notification_id, failures)
    _close_if_settled(notification_id)


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
    email: str | None  # None: the person has no address (nothing is emailed)
    email_undeliverable: bool = False  # SES said so (services/email_feedback.py): skip the email
    account_closed: bool = False  # the addressee closed their account (services/closure.py): skip both


def _prepare(notification: Notification) -> _Outgoing:
    applicant = Applicant.get(notification.applicant_id)
    if notification.kind == WITHDRAWN:
        return _Outgoing(_withdrawal(notification, applicant), applicant.phone, applicant.email, email_feedback.is_undeliverable(applicant),
                         applicant.status == closure.CLOSED)
    appointment = Appointment.get(notification.appointment_id)
    contact = _contact(appointment, applicant)
    facts = _facts(appointment, applicant, contact)
    build = _APPOINTMENT_NOTICES.get(notification.kind)
    if build is None:  # never silently sent as something else
        raise ValueError(f"no message is written for notifications of kind {notification.kind!r}")
    notice = build(facts, wiring.email().sender, notification, applicant)
    return _Outgoing(notice, contact.phone, contact.email, email_feedback.is_undeliverable(contact), contact.status == closure.CLOSED)


# The message of each kind of notification about an appointment (a withdrawn request has none:
# `_withdrawal`), from its facts, the sender's address, the notification and the person's item.
_APPOINTMENT_NOTICES = {
    CONFIRMED: lambda facts, sender, notification, person: notices.confirmation(facts, sender),
    REMINDER: lambda facts, sender, notification, person: notices.reminder(facts, sender, notification.checkin_code),
    CANCELLED: lambda facts, sender, notification, person: notices.cancellation(facts, sender, notification.reason or ""),
    GIVEN_BACK: lambda facts, sender, notification, person: notices.given_back(facts, sender, person.locked_until),
    FOLLOW_UP: lambda facts, sender, notification, person: notices.follow_up(facts, sender),
}


def _contact(appointment: Appointment, person: Applicant) -> Applicant:
    """Whom messages about an appointment go to: the guardian who booked it for a dependant (or
    the offline person's guardian), else the person themselves."""
    guardian_id = appointment.guardian_id or person.guardian_id
    if guardian_id is None or guardian_id == person.applicant_id:
        return person
    try:
        return Applicant.get(guardian_id)
    except Applicant.DoesNotExist:  # the guardian's account is gone: the contact copied on the person
        return person


def _withdrawal(notification: Notification, applicant: Applicant) -> notices.Notice:
    request = AssignmentRequest.get(notification.request_id)
    return notices.withdrawal(
        notices.WithdrawalFacts(
            request_id=request.request_id,
            reason=notification.reason,
            service=find_service(request.service),
            given_name=applicant.given_name,
            language=applicant.language,
            portal_url=get_settings().portal_url,
        )
    )


def invitation_for(appointment_id: str) -> bytes:
    """The calendar invitation of an appointment, as the confirmation email carries it (the
    portal offers it for download on the confirmation page)."""
    appointment = Appointment.get(appointment_id)
    person = Applicant.get(appointment.applicant_id)
    facts = _facts(appointment, person, _contact(appointment, person))
    return notices.confirmation_invitation(facts, wiring.email().sender)


def _facts(appointment: Appointment, applicant: Applicant, contact: Applicant | None = None) -> notices.AppointmentFacts:
    """The facts of a notice about `applicant`'s appointment, for `contact` (their guardian, or
    themselves): the person is named, the contact's address and language are used."""
    contact = contact or applicant
    return notices.AppointmentFacts(
        appointment_id=appointment.appointment_id,
        reference=appointment.reference,
        booked_at=appointment.created_at,
        start=appointment.start,
        end=appointment.end,
        directorate=find_directorate(appointment.directorate_id),
        service=find_service(appointment.service),
        given_name=applicant.given_name,
        email=contact.email,
        language=contact.language,
        portal_url=get_settings().portal_url,
        guardian_name=contact.given_name if contact is not applicant else None,
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


_PACES: dict[tuple[str, float], Pace] = {}


def _pace(channel: str) -> Pace:
    """This process's pace of `channel` sends (one per rate, kept across warm invocations)."""
    settings = get_settings()
    rate = settings.notification_sms_per_second if channel == "sms" else settings.notification_email_per_second
    return _PACES.setdefault((channel, rate), Pace(rate))


def _fail(notification: Notification, channel: str, claimed: datetime, error_type: str) -> bool:
    """Count a failed send of `channel`: give the channel up if this was its last attempt (True),
    else release the claim for a retry (False). Either only while this sender holds the claim."""
    status = getattr(Notification, f"{channel}_status")
    claimed_at = getattr(Notification, f"{channel}_claimed_at")
    attempts = getattr(Notification, f"{channel}_attempts")
    counted = [attempts.add(1), Notification.attempts.add(1), Notification.last_error.set(f"{channel}: {error_type}")]
    held = (status == "sending") & (claimed_at == claimed)
    remaining = get_settings().notification_max_attempts - 1  # failures before this one that make it the last
    last = held & (attempts >= remaining) if remaining > 0 else held
    log = {"notification_id": notification.notification_id, "channel": channel, "error": error_type}
    write = NamedTransaction()
    try:
        with write:
            write.update("notification", notification, actions=[status.set(FAILED), *counted], condition=last)
            if notification.appointment_id is not None:  # the staff console shows it on the appointment
                write.update(
                    "appointment",
                    Appointment(notification.appointment_id),
                    actions=[Appointment.undelivered_channels.add({channel})],
                    condition=Appointment.appointment_id.exists(),
                )
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        if "notification" not in write.failed(error):  # the appointment is gone: give up all the same
            update_if(notification, [status.set(FAILED), *counted], last)
        elif update_if(notification, [status.set("pending"), *counted], held):
            logger.warning("notification channel failed; will retry", extra=log)
            return False
        else:
            return False  # the claim was lost (lease expired): its new holder decides
    logger.error("notification channel given up", extra=log)
    record(NOTIFICATION_FAILED, channel=channel)
    return True


def _mark_sent(notification: Notification, channel: str, claimed: datetime) -> None:
    notification.update(
        actions=[getattr(Notification, f"{channel}_status").set(SENT), getattr(Notification, f"{channel}_sent_at").set(clock.now())],
        condition=getattr(Notification, f"{channel}_claimed_at") == claimed,
    )
    logger.info("notification channel sent", extra={"notification_id": notification.notification_id, "channel": channel})


def _skip_email(notification: Notification, claimed: datetime, reason: str) -> None:
    """The email is not sent, and why is kept on the notification (the SMS goes as usual)."""
    _skip(notification, "email", claimed, reason)


def _skip(notification: Notification, channel: str, claimed: datetime, reason: str) -> None:
    """`channel` is not sent, and why is kept on the notification."""
    notification.update(
        actions=[getattr(Notification, f"{channel}_status").set(SKIPPED), getattr(Notification, f"{channel}_skipped").set(reason)],
        condition=getattr(Notification, f"{channel}_claimed_at") == claimed,
    )
    logger.info(f"notification {channel} skipped", extra={"notification_id": notification.notification_id, "reason": reason})


def _close_if_settled(notification_id: str) -> None:
    """Leave the undelivered index once every channel is sent or given up; the message's body (a
    check-in code, a cancellation's reason) is kept no longer than it takes to deliver it
    (domain/retention.py): the delivery record stays."""
    update_if(
        Notification(notification_id),
        [Notification.undelivered_day.remove(), Notification.checkin_code.remove(), Notification.reason.remove()],
        Notification.sms_status.is_in(*SETTLED) & Notification.email_status.is_in(*SETTLED),
    )
