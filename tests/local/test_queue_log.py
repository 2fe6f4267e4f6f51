"""The local stack's log of queued messages (`GET /local/queue-messages`): every message an
emulated queue accepted, single or in a batch, with its queue's name, in the order sent; nothing
else the emulator serves."""

from __future__ import annotations

import boto3

from chalicelib.local.queue_log import QueueLog


def test_every_message_sent_alone_or_in_a_batch_is_logged_with_its_queue(emulator):
    log = QueueLog()
    emulator.observe(log.observe)
    sqs = boto3.client("sqs", endpoint_url=emulator.endpoint_url, region_name="eu-central-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    url = sqs.create_queue(QueueName="probe-notifications")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"notification_id": "n-1"}')
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "0", "MessageBody": "second"}, {"Id": "1", "MessageBody": "third"}])
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)  # reading is not sending
    assert [(e["queue"], e["body"]) for e in log.entries()] == [
        ("probe-notifications", '{"notification_id": "n-1"}'), ("probe-notifications", "second"), ("probe-notifications", "third"),
    ]
    assert all(e["sent_at"] for e in log.entries())


def test_the_older_query_protocol_is_read_too():
    log = QueueLog()
    log.observe("sqs.eu-central-1.localhost:SendMessageBatch",
                b"Action=SendMessageBatch&QueueUrl=http%3A%2F%2Fx%2F123%2Fq&SendMessageBatchRequestEntry.1.Id=a"
                b"&SendMessageBatchRequestEntry.1.MessageBody=hello", b"")
    log.observe("DynamoDB_20120810.PutItem", b'{"TableName": "t", "MessageBody": "not a queue"}', b"")
    assert [(e["queue"], e["body"]) for e in log.entries()] == [("q", "hello")]
