"""SES's bounces and complaints reach the service and the address is emailed no more: a
permanent bounce or a complaint marks every account holding the address (My details shows it),
a transient bounce or an unknown address changes nothing, a malformed record never stops the
others, and the notification sender then sends the SMS but skips the email, saying why."""

from __future__ import annotations

import json
import uuid

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.adapters.tables import Applicant, Notification
from chalicelib.clock import clock
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.services import email_feedback, notifications, profile
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.conftest import REGION
from tests.services.world import slot_owing_confirmation_only, FATIH, applicant, book, free_slots


def ses_event(kind: str, *addresses: str, bounce_type: str = "Permanent") -> dict:
    """An SES configuration-set event as its SNS destination publishes it (the `Message`)."""
    event = {
        "eventType": kind,
        "mail": {"timestamp": "2026-01-05T10:00:00.000Z", "source": "no-reply@randevu.example.org",
                 "messageId": str(uuid.uuid4()), "destination": list(addresses)},
    }
    if kind == "Bounce":
        event["bounce"] = {
            "bounceType": bounce_type, "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": a, "action": "failed", "status": "5.1.1"} for a in addresses],
            "timestamp": "2026-01-05T10:00:01.000Z", "feedbackId": str(uuid.uuid4()),
        }
    elif kind == "Complaint":
        event["complaint"] = {
            "complainedRecipients": [{"emailAddress": a} for a in addresses],
            "complaintFeedbackType": "abuse", "timestamp": "2026-01-05T10:00:01.000Z", "feedbackId": str(uuid.uuid4()),
        }
    return event


def sns_records(*messages) -> dict:
    """Lambda's SNS event; a message that is not a dict is sent as it is (malformed input)."""
    return {"Records": [
        {"EventSource": "aws:sns", "Sns": {"Message": m if isinstance(m, str) else json.dumps(m)}} for m in messages
    ]}


def email_of(caller) -> str:
    return Applicant.get(caller.account_id).email


def undeliverable(caller) -> bool:
    return profile.my_profile(caller).email_undeliverable


def test_a_permanent_bounce_marks_the_address_and_my_details_show_it(aws):
    person, bystander = applicant(), applicant()
    address = email_of(person)
    assert not undeliverable(person)

    assert email_feedback.handle_sns_event(sns_records(ses_event("Bounce", address.upper()))) == 1

    assert undeliverable(person) and not undeliverable(bystander)
    stored = Applicant.get(person.account_id)
    assert stored.email_undeliverable == "bounce" and stored.email_undeliverable_since is not None


def test_a_transient_bounce_changes_nothing(aws):
    person = applicant()
    for bounce_type in ("Transient", "Undetermined"):
        assert email_feedback.handle_sns_event(sns_records(ses_event("Bounce", email_of(person), bounce_type=bounce_type))) == 0
    assert not undeliverable(person)


def test_a_complaint_marks_the_address(aws):
    person = applicant()
    email_feedback.handle_sns_event(sns_records(ses_event("Complaint", email_of(person))))
    assert undeliverable(person) and Applicant.get(person.account_id).email_undeliverable == "complaint"


def test_an_address_no_account_holds_is_ignored(aws):
    person = applicant()
    assert email_feedback.handle_sns_event(sns_records(ses_event("Bounce", f"nobody-{uuid.uuid4()}@example.net"))) == 0
    assert not undeliverable(person)


def test_malformed_records_are_skipped_and_the_rest_of_the_batch_is_applied(aws):
    first, second = applicant(), applicant()
    batch = sns_records(
        "not json at all",
        {"eventType": "Bounce"},  # no bounce object
        {"eventType": "Complaint", "complaint": {"complainedRecipients": "x"}},
        {"mail": {}},  # no event type
        ses_event("Bounce", "not an address"),
        ses_event("Delivery", email_of(first)),  # not feedback
        ses_event("Bounce", email_of(first)),
        ["a list"],
    )
    batch["Records"].insert(0, {"no": "Sns"})
    batch["Records"].append({"EventSource": "aws:sns", "Sns": {"Message": json.dumps(ses_event("Complaint", email_of(second)))}})

    assert email_feedback.handle_sns_event(batch) == 2
    assert undeliverable(first) and undeliverable(second)


def test_the_sender_sends_the_sms_but_skips_the_email_to_an_undeliverable_address_and_says_why(aws, frozen_clock):
    extend_slot_horizon(only=(FATIH,))
    person = applicant()
    appointment = book(person, slot_owing_confirmation_only(person).slot_id)
    email_feedback.handle_sns_event(sns_records(ses_event("Bounce", email_of(person))))
    phone, address = Applicant.get(person.account_id).phone, email_of(person)
    today = clock.now().astimezone(ISTANBUL).date().isoformat()
    [owed] = [n for n in Notification.undelivered_by_day.query(today) if n.appointment_id == appointment.appointment_id]

    notifications.deliver(owed.notification_id)

    sms = [to for to, _ in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == phone]
    emails = [m for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages if address in m.destinations]
    assert len(sms) == 1 and emails == []
    done = Notification.get(owed.notification_id)
    assert (done.sms_status, done.email_status, done.email_skipped) == ("sent", "skipped", "undeliverable")
    assert done.undelivered_day is None  # nothing left to deliver: not re-queued for ever


def test_every_email_is_sent_with_the_configuration_set(aws, monkeypatch):
    from chalicelib import wiring

    calls = []
    sender = wiring.email()
    client = sender._client
    monkeypatch.setattr(sender, "_client", type("Spy", (), {"send_raw_email": lambda self, **kw: calls.append(kw) or client.send_raw_email(**kw)})())
    sender.send("someone@example.net", "Subject", "Body")
    assert calls[0]["ConfigurationSetName"] == aws.email_configuration_set != ""


def test_a_bounce_published_to_the_topic_reaches_my_details_through_the_event_pump(aws):
    """The real path locally: SES's event on the emulated feedback topic, the pump's subscribed
    queue, the app's SNS handler, the account, My details."""
    from app import app
    from chalicelib.local.pump import EventPump

    session = boto3.session.Session(region_name=REGION)
    pump = EventPump(app, session.client("sqs", endpoint_url=aws.endpoint_url),
                     sns_client=session.client("sns", endpoint_url=aws.endpoint_url))
    person = applicant()
    session.client("sns", endpoint_url=aws.endpoint_url).publish(
        TopicArn=aws.email_feedback_topic_arn, Message=json.dumps(ses_event("Bounce", email_of(person)))
    )

    run = pump.run_once()["record_email_feedback"]

    assert (run.invocations, run.failed_invocations, run.deleted) == (1, 0, 1)
    assert undeliverable(person)
