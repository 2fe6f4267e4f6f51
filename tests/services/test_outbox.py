"""The notifications outbox (services/outbox.py): a change writes its Notification item and
nothing else; the notifications table's stream puts it on the sender's queue."""

from __future__ import annotations

import json

import pytest

from chalicelib import wiring
from chalicelib.adapters.tables import Notification
from chalicelib.resources import notifications_queue_name
from chalicelib.services import notifications, outbox
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.world import FATIH, applicant, book, capture_queue, drain_outbox, free_slots


@pytest.fixture(autouse=True)
def open_horizon(aws, frozen_clock):
    extend_slot_horizon(only=(FATIH,))


def owed_ids(appointment_id: str) -> set[str]:
    return {n.notification_id for n in Notification.scan(Notification.appointment_id == appointment_id)}


def test_a_booking_queues_nothing_itself_and_its_notification_reaches_the_queue_from_the_stream(aws, monkeypatch):
    drain_outbox()
    queued = capture_queue(monkeypatch)
    caller = applicant()
    appointment = book(caller, free_slots(caller)[0].slot_id)
    assert queued == []  # the request path sent nothing
    drain_outbox()
    assert set(queued) == owed_ids(appointment.appointment_id) and len(queued) == len(set(queued))

    notifications.deliver(queued[0])  # its channels claimed and sent: changes, not new notifications
    queued.clear()
    drain_outbox()
    assert queued == []


def test_through_the_real_queue_the_sender_delivers_what_the_stream_queued(aws):
    drain_outbox()
    caller = applicant()
    appointment = book(caller, free_slots(caller)[0].slot_id)
    drain_outbox()
    sqs, url = wiring.sqs(), wiring.queue_url(notifications_queue_name())
    owed = owed_ids(appointment.appointment_id)
    seen: set[str] = set()
    while not owed <= seen:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", [])
        assert received, f"not queued: {owed - seen}"
        # this booking's; other tests of the session may have left theirs (they stay hidden for 30 s)
        messages = [m for m in received if json.loads(m["Body"])["notification_id"] in owed]
        if not messages:
            continue
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"], "attributes": {},
                    "messageAttributes": {}, "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": "arn",
                    "awsRegion": "eu-west-3"} for m in messages]
        assert notifications.handle_queue_batch({"Records": records}) == {"batchItemFailures": []}
        seen |= {json.loads(m["Body"])["notification_id"] for m in messages}
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    for notification_id in owed:
        stored = Notification.get(notification_id)
        assert (stored.sms_status, stored.email_status) == ("sent", "sent")


def record(sequence: int, notification_id: str, event: str = "INSERT", sms: str = "pending", email: str = "pending") -> dict:
    return {"eventID": str(sequence), "eventName": event, "eventSourceARN": "arn", "dynamodb": {
        "Keys": {"notification_id": {"S": notification_id}}, "SequenceNumber": str(sequence), "StreamViewType": "NEW_IMAGE",
        "NewImage": {"notification_id": {"S": notification_id}, "sms_status": {"S": sms}, "email_status": {"S": email}}}}


class FakeSqs:
    """Records each SendMessageBatch; refuses the entries whose notification id is in `refuse`."""

    def __init__(self, refuse=(), down=False):
        self.batches: list[list[str]] = []
        self.refuse, self.down = set(refuse), down

    def send_message_batch(self, QueueUrl, Entries):
        if self.down:
            raise ConnectionError("SQS unreachable")
        ids = [json.loads(e["MessageBody"])["notification_id"] for e in Entries]
        self.batches.append(ids)
        return {"Successful": [{"Id": e["Id"]} for e, n in zip(Entries, ids) if n not in self.refuse],
                "Failed": [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError"} for e, n in zip(Entries, ids) if n in self.refuse]}


def test_ten_to_a_batch_only_new_notifications_with_a_channel_to_deliver_and_failures_by_sequence_number(aws, monkeypatch):
    fake = FakeSqs(refuse={"n-13"})
    monkeypatch.setattr(wiring, "sqs", lambda: fake)
    records = [record(n, f"n-{n}") for n in range(23)]
    records += [record(30, "n-sent", sms="sent", email="skipped"), record(31, "n-1", event="MODIFY"), record(32, "n-2", event="REMOVE")]

    result = outbox.handle_stream_batch({"Records": records})

    assert [len(batch) for batch in fake.batches] == [10, 10, 3]
    assert [n for batch in fake.batches for n in batch] == [f"n-{n}" for n in range(23)]
    assert result == {"batchItemFailures": [{"itemIdentifier": "13"}]}  # the stream retries from it


def test_an_unreachable_queue_fails_every_record_so_the_stream_keeps_them(aws, monkeypatch):
    monkeypatch.setattr(wiring, "sqs", lambda: FakeSqs(down=True))
    result = outbox.handle_stream_batch({"Records": [record(1, "a"), record(2, "b")]})
    assert result == {"batchItemFailures": [{"itemIdentifier": "1"}, {"itemIdentifier": "2"}]}
