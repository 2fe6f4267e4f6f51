"""The event pump runs SQS and schedule handlers against the emulator as Lambda would."""

import json
import logging
import threading
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from chalice import Chalice, Rate as ChaliceRate

from chalicelib.local.pump import Cron, EventPump, parse_schedule

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def sqs(emulator):
    return boto3.session.Session().client(
        "sqs", endpoint_url=emulator.endpoint_url, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )


class FakeClock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def queue(sqs):
    """A queue with a DLQ after 2 receives. Visibility timeout 0: moto measures it in real
    time, and 0 makes a message that was not deleted visible again at once."""
    name = f"q-{uuid.uuid4().hex[:8]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"name": name, "url": url, "arn": arn, "dlq_url": dlq_url}


def worker_app(queue_name, handle):
    """A Chalice app whose SQS handler passes each raw event to `handle` and returns its result."""
    app = Chalice(app_name="pump-test")
    batches = []

    @app.on_sqs_message(queue=queue_name, batch_size=5)
    def worker(event):
        batches.append(event.to_dict())
        return handle(event)

    return app, batches


def bodies(batch):
    return [record["body"] for record in batch["Records"]]


def messages_left(sqs, url):
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def send(sqs, url, *texts):
    for text in texts:
        sqs.send_message(QueueUrl=url, MessageBody=text)


# --- SQS --------------------------------------------------------------------------------


def test_delivers_an_sqs_shaped_event_and_deletes_the_batch_on_success(sqs, queue):
    contexts = []
    app, batches = worker_app(queue["name"], lambda event: contexts.append(event.context))
    sqs.send_message(
        QueueUrl=queue["url"],
        MessageBody='{"booking": "b-1"}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "booking-created"},
                           "raw": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}},
    )
    pump = EventPump(app, sqs)

    summary = pump.run_once()

    assert summary["worker"].invocations == 1
    assert summary["worker"].messages == summary["worker"].deleted == 1
    [record] = batches[0]["Records"]
    assert record["body"] == '{"booking": "b-1"}'
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queue["arn"]
    assert record["awsRegion"] == REGION
    assert record["messageAttributes"]["kind"]["stringValue"] == "booking-created"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert record["messageAttributes"]["raw"]["binaryValue"] == "AQI="  # base64, as in Lambda
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"messageId", "receiptHandle", "md5OfBody"} <= record.keys()
    [context] = contexts
    assert context.function_name == "pump-test-local-worker"
    assert context.invoked_function_arn.endswith(":function:pump-test-local-worker")
    assert context.get_remaining_time_in_millis() > 0 and context.aws_request_id
    assert messages_left(sqs, queue["url"]) == 0
    assert pump.run_once()["worker"].invocations == 0


def test_batches_hold_at_most_batch_size_messages(sqs, queue):
    app, batches = worker_app(queue["name"], lambda event: None)
    send(sqs, queue["url"], *[f"m{n}" for n in range(12)])

    summary = EventPump(app, sqs).run_once()

    assert [len(batch["Records"]) for batch in batches] == [5, 5, 2]
    assert summary["worker"].deleted == 12
    assert messages_left(sqs, queue["url"]) == 0


def test_a_partial_batch_response_keeps_only_the_failed_messages_for_redelivery(sqs, queue):
    def fail_the_bad_ones(event):
        return {"batchItemFailures": [{"itemIdentifier": record.to_dict()["messageId"]}
                                      for record in event if record.body.startswith("bad")]}

    app, batches = worker_app(queue["name"], fail_the_bad_ones)
    send(sqs, queue["url"], "good-1", "bad-1", "good-2")
    pump = EventPump(app, sqs)

    first = pump.run_once()
    second = pump.run_once()

    assert first["worker"].messages == 3 and first["worker"].deleted == 2
    assert bodies(batches[1]) == ["bad-1"]  # redelivered alone
    assert batches[1]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert second["worker"].deleted == 0
    assert messages_left(sqs, queue["url"]) == 1


def test_a_batch_item_failure_outside_the_batch_fails_the_whole_batch(sqs, queue):
    app, _ = worker_app(queue["name"], lambda event: {"batchItemFailures": [{"itemIdentifier": "nope"}]})
    send(sqs, queue["url"], "a", "b")

    summary = EventPump(app, sqs).run_once()

    assert summary["worker"].deleted == 0
    assert messages_left(sqs, queue["url"]) == 2


def test_a_poison_message_is_retried_then_moved_to_the_dlq_without_its_body_in_the_logs(sqs, queue, caplog):
    def explode(event):
        raise ValueError("cannot handle this")

    app, batches = worker_app(queue["name"], explode)
    send(sqs, queue["url"], "Ayşe Yılmaz, passport U1234567")
    pump = EventPump(app, sqs)

    with caplog.at_level(logging.ERROR, logger="chalicelib.local.pump"):
        runs = [pump.run_once()["worker"] for _ in range(3)]

    assert [(run.invocations, run.failed_invocations, run.deleted) for run in runs] == [
        (1, 1, 0), (1, 1, 0), (0, 0, 0)]  # moto moves it to the DLQ on the third receive
    dead = sqs.receive_message(QueueUrl=queue["dlq_url"], MaxNumberOfMessages=10)["Messages"]
    assert [message["Body"] for message in dead] == ["Ayşe Yılmaz, passport U1234567"]
    assert messages_left(sqs, queue["url"]) == 0
    message_id = batches[0]["Records"][0]["messageId"]
    assert message_id in caplog.text and "cannot handle this" in caplog.text
    assert "Yılmaz" not in caplog.text


def test_a_queue_created_after_the_pump_is_picked_up(sqs):
    name = f"late-{uuid.uuid4().hex[:8]}"
    app, batches = worker_app(name, lambda event: None)
    pump = EventPump(app, sqs)

    assert pump.run_once()["worker"].invocations == 0

    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    send(sqs, url, "hello")
    assert pump.run_once()["worker"].deleted == 1
    assert bodies(batches[0]) == ["hello"]


def test_start_and_stop_pump_in_the_background(sqs, queue):
    delivered = threading.Event()
    app, _ = worker_app(queue["name"], lambda event: delivered.set())
    pump = EventPump(app, sqs)
    pump.start(interval_seconds=0.01)
    try:
        send(sqs, queue["url"], "x")
        assert delivered.wait(timeout=10)
    finally:
        pump.stop()
    assert pump._thread is None


# --- Schedules --------------------------------------------------------------------------

START = datetime(2025, 1, 3, 8, 58, 30, tzinfo=timezone.utc)  # a Friday


def scheduled_app(expression):
    app = Chalice(app_name="pump-test")
    events = []

    @app.schedule(expression)
    def tick(event):
        events.append(event.to_dict())

    return app, events


def fires_at(pump, clock, moments):
    """For each moment: move the clock there, run the pump, note whether `tick` fired."""
    fired = []
    for moment in moments:
        clock.now = moment
        fired.append(pump.run_once()["tick"].invocations)
    return fired


def test_a_rate_fires_every_period_from_the_start_and_once_after_a_gap(sqs):
    app, events = scheduled_app("rate(5 minutes)")
    clock = FakeClock(START)
    pump = EventPump(app, sqs, clock)
    minutes = [0, 4, 4.99, 5, 5.5, 9.99, 10, 60]

    fired = fires_at(pump, clock, [START + timedelta(minutes=m) for m in minutes])

    assert fired == [0, 0, 0, 1, 0, 0, 1, 1]
    assert [event["time"] for event in events] == [
        "2025-01-03T09:03:30Z", "2025-01-03T09:08:30Z", "2025-01-03T09:58:30Z"]
    event = events[0]
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["detail"] == {} and event["region"] == REGION and event["account"]
    assert event["resources"] == [f"arn:aws:events:{REGION}:{event['account']}:rule/pump-test-local-tick"]


def test_a_chalice_rate_object_is_understood(sqs):
    app, _ = scheduled_app(ChaliceRate(1, unit=ChaliceRate.HOURS))
    clock = FakeClock(START)
    pump = EventPump(app, sqs, clock)

    assert fires_at(pump, clock, [START + timedelta(minutes=59), START + timedelta(hours=1)]) == [0, 1]


def test_a_weekday_cron_fires_at_its_minute_on_weekdays_only(sqs):
    app, events = scheduled_app("cron(0 9 ? * MON-FRI *)")
    clock = FakeClock(START)
    pump = EventPump(app, sqs, clock)
    friday_9 = datetime(2025, 1, 3, 9, 0, tzinfo=timezone.utc)
    moments = [
        friday_9 - timedelta(seconds=1),
        friday_9,
        friday_9 + timedelta(minutes=1),
        friday_9 + timedelta(days=1),  # Saturday
        friday_9 + timedelta(days=2),  # Sunday
        friday_9 + timedelta(days=3, minutes=30),  # Monday 09:30: 09:00 was due meanwhile
    ]

    assert fires_at(pump, clock, moments) == [0, 1, 0, 0, 0, 1]
    assert [event["time"] for event in events] == ["2025-01-03T09:00:00Z", "2025-01-06T09:00:00Z"]


@pytest.mark.parametrize(
    "expression, moment, due",
    [
        ("0/15 * * * ? *", "2025-01-03T10:45", True),
        ("0/15 * * * ? *", "2025-01-03T10:50", False),
        ("*/10 8-18/2 * * ? *", "2025-01-03T10:20", True),
        ("*/10 8-18/2 * * ? *", "2025-01-03T11:20", False),
        ("30 6 1,15 JAN-MAR ? 2025", "2025-03-15T06:30", True),
        ("30 6 1,15 JAN-MAR ? 2025", "2025-04-15T06:30", False),
        ("30 6 1,15 JAN-MAR ? 2025", "2026-01-01T06:30", False),
        ("0 12 ? * 1 *", "2025-01-05T12:00", True),  # 1 is Sunday in AWS cron
        ("0 12 ? * 1 *", "2025-01-06T12:00", False),
        ("0 12 ? * SAT,SUN *", "2025-01-04T12:00", True),
    ],
)
def test_cron_fields(expression, moment, due):
    at = datetime.fromisoformat(moment).replace(tzinfo=timezone.utc)

    latest = Cron(expression).latest_due(at - timedelta(minutes=1), at)

    assert (latest == at) is due


@pytest.mark.parametrize(
    "expression",
    ["cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 L * ? *)", "cron(0 12 ? * 2#1 *)",
     "cron(0 24 * * ? *)", "cron(0 12 * *)", "cron(0 12 ? * FRI-MON *)", "rate(0 minutes)", "rate(5 weeks)", "every 5 minutes"],
)
def test_unsupported_or_invalid_expressions_are_refused(expression):
    with pytest.raises(ValueError):
        parse_schedule(expression, START)
