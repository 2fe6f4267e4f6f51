"""The event pump: runs a Chalice app's SQS and schedule handlers locally, as Lambda would.

`chalice local` serves HTTP only; SQS and scheduled handlers never fire there (stack-notes 3).
The pump reads the emulated queues and invokes each `@app.on_sqs_message` handler with an
SQS-shaped Lambda event, and fires each `@app.schedule` handler when its expression is due
according to an injected clock.

What it reproduces from AWS:
- A batch is deleted when the handler returns. If the handler raises, nothing is deleted:
  the messages come back after the queue's visibility timeout, and after `maxReceiveCount`
  receives the queue's RedrivePolicy moves them to the dead-letter queue (moto does this
  on receive; tests/local/test_pump.py proves it).
- A partial batch response `{"batchItemFailures": [{"itemIdentifier": messageId}]}` keeps only
  the listed messages (stack-notes 6: the deployed event source mapping needs
  `ReportBatchItemFailures`). As in Lambda, an identifier that is not in the batch fails the
  whole batch.
- `rate(...)` and AWS's 6-field `cron(...)`, in UTC. A rate schedule counts from the pump's
  creation. Occurrences missed while the pump was not running fire once, not in a burst.

- `@app.on_sns_message` handlers: given an SNS client, the pump subscribes a queue of its own
  (`<topic>-local-pump`) to each handler's topic, once the topic exists, and invokes the handler
  with an SNS-shaped event for each message published there (one record per invocation, as
  Lambda does). The message is deleted whether the handler returns or raises.

What it does not: retries of a failed scheduled invocation or of a failed SNS invocation (Lambda
retries an asynchronous invocation twice), FIFO group blocking beyond what
moto does, batching windows, batches larger than 10 (one ReceiveMessage call per batch),
enforcing the function timeout (the context only reports the remaining time).

- `@app.on_dynamodb_record` handlers: given a `StreamReader` (chalicelib/local/streams.py), the
  pump hands each handler the records written to its table since its last batch, in order, in
  batches of the handler's `batch_size` (at most 1,000 per run), before the queues are drained
  (a change's queue message goes out in the same run). As Lambda does with a stream: a batch
  that raises is retried whole on the next run; with a partial batch response, the records from
  the first failed one (by `SequenceNumber`) on are retried. Lambda's retry limit, bisection and
  on-failure destination (set in infrastructure/) are not reproduced: a record that always fails
  is retried on every run and logged each time.

Logs name handlers, queues and message ids, never message bodies: they can hold personal data.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from chalice.app import Chalice, DynamoDBEventConfig, ScheduledEventConfig, SNSEventConfig, SQSEventConfig

from chalicelib.resources import table_of_stream

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's account


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# --- What a handler receives ------------------------------------------------------------


class LambdaContext:
    """The part of Lambda's context object that handlers and Powertools use."""

    def __init__(self, function_name: str, region: str, account_id: str,
                 timeout_seconds: int = 60, memory_limit_in_mb: int = 128):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """Lambda's event for a batch of messages as returned by SQS ReceiveMessage."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {
                    name: _lambda_message_attribute(value)
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def _lambda_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """SQS API shape ({"StringValue", "DataType"}) to Lambda's ({"stringValue", "dataType"})."""
    converted: dict[str, Any] = {
        "dataType": value["DataType"],
        "stringListValues": [],
        "binaryListValues": [],
    }
    if "StringValue" in value:
        converted["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        converted["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    return converted


def sns_event(envelope: dict[str, Any], subscription_arn: str) -> dict[str, Any]:
    """Lambda's event for one SNS message, from the JSON envelope SNS delivers to a queue."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": {
                    "Type": envelope.get("Type", "Notification"),
                    "MessageId": envelope.get("MessageId", ""),
                    "TopicArn": envelope.get("TopicArn", ""),
                    "Subject": envelope.get("Subject"),
                    "Message": envelope.get("Message", ""),
                    "Timestamp": envelope.get("Timestamp", ""),
                    "SignatureVersion": envelope.get("SignatureVersion", "1"),
                    "Signature": envelope.get("Signature", ""),
                    "SigningCertUrl": envelope.get("SigningCertURL", ""),
                    "UnsubscribeUrl": envelope.get("UnsubscribeURL", ""),
                    "MessageAttributes": envelope.get("MessageAttributes", {}),
                },
            }
        ]
    }


def scheduled_event(fire_time: datetime, rule_arn: str, region: str, account_id: str) -> dict[str, Any]:
    """EventBridge's event for a scheduled rule."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": fire_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


# --- Schedule expressions ---------------------------------------------------------------


class Rate:
    """`rate(N unit)`: every N minutes/hours/days, counted from `anchor`."""

    UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}

    def __init__(self, period: timedelta, anchor: datetime):
        self.period = period
        self.anchor = anchor

    def latest_due(self, after: datetime, until: datetime) -> datetime | None:
        """The last occurrence in (after, until], or None."""
        count = (until - self.anchor) // self.period
        if count < 1:
            return None
        occurrence = self.anchor + count * self.period
        return occurrence if occurrence > after else None


class Cron:
    """AWS's `cron(minutes hours day-of-month month day-of-week year)`, in UTC.

    Supports `*`, `?`, `,`, `-`, `/`, and names (JAN-DEC, SUN-SAT). Day-of-week counts
    1 = SUN .. 7 = SAT, as in AWS. One of day-of-month and day-of-week must be `?`.
    `L`, `W` and `#` are refused rather than misread.
    """

    MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    def __init__(self, fields: str):
        parts = fields.split()
        if len(parts) != 6:
            raise ValueError(f"cron needs 6 fields, got {len(parts)}: {fields!r}")
        minutes, hours, days, months, weekdays, years = parts
        if (days == "?") == (weekdays == "?"):
            raise ValueError(f"exactly one of day-of-month and day-of-week must be '?': {fields!r}")
        self.minutes = _cron_field(minutes, 0, 59)
        self.hours = _cron_field(hours, 0, 23)
        self.days = None if days == "?" else _cron_field(days, 1, 31)
        self.months = _cron_field(months, 1, 12, self.MONTHS)
        self.weekdays = None if weekdays == "?" else _cron_field(weekdays, 1, 7, self.DAYS)
        self.years = _cron_field(years, 1970, 2199)

    def matches_day(self, t: datetime) -> bool:
        aws_weekday = t.isoweekday() % 7 + 1  # Monday=1..Sunday=7  ->  Sunday=1..Saturday=7
        return (
            t.year in self.years
            and t.month in self.months
            and (self.days is None or t.day in self.days)
            and (self.weekdays is None or aws_weekday in self.weekdays)
        )

    def latest_due(self, after: datetime, until: datetime) -> datetime | None:
        """The last matching minute in (after, until], or None.

        Walks back from `until`, skipping whole days and hours that cannot match.
        """
        t = until.replace(second=0, microsecond=0)
        while t > after:
            if not self.matches_day(t):
                t = t.replace(hour=0, minute=0) - timedelta(minutes=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0) - timedelta(minutes=1)
            elif t.minute not in self.minutes:
                t -= timedelta(minutes=1)
            else:
                return t
        return None


def _cron_field(text: str, low: int, high: int, names: list[str] | None = None) -> set[int]:
    """The values of one cron field: `*`, `5`, `1,15`, `MON-FRI`, `0/15`, `*/10`, `8-18/2`."""

    def number(token: str) -> int:
        token = token.upper()
        if names and token in names:
            return names.index(token) + low
        if not token.isdigit():  # L, W, 3#2 and typos alike
            raise ValueError(f"unsupported cron value {token!r} in {text!r}")
        value = int(token)
        if not low <= value <= high:
            raise ValueError(f"{value} out of range {low}-{high}")
        return value

    values: set[int] = set()
    for part in text.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            start, end = low, high
        elif "-" in span:
            start, end = (number(token) for token in span.split("-", 1))
            if start > end:  # AWS wraps FRI-MON around; refuse rather than never fire
                raise ValueError(f"descending range {span!r} is not supported")
        else:
            start = number(span)
            end = high if step else start
        values.update(range(start, end + 1, int(step) if step else 1))
    return values


def parse_schedule(expression: str, anchor: datetime) -> Rate | Cron:
    """`rate(5 minutes)` or `cron(0 3 * * ? *)`; the anchor is where a rate counts from."""
    expression = expression.strip()
    rate = re.fullmatch(r"rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)", expression)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        if count < 1:
            raise ValueError(f"rate must be positive: {expression!r}")
        return Rate(count * Rate.UNITS[unit], anchor)
    cron = re.fullmatch(r"cron\((.*)\)", expression)
    if cron:
        return Cron(cron.group(1))
    raise ValueError(f"unsupported schedule expression: {expression!r}")


# --- The pump ---------------------------------------------------------------------------


@dataclass
class HandlerRun:
    """What one `run_once` did for one handler."""

    invocations: int = 0
    failed_invocations: int = 0  # the handler raised
    messages: int = 0  # SQS messages delivered
    deleted: int = 0  # SQS messages deleted afterwards


@dataclass
class _Schedule:
    name: str
    expression: Rate | Cron
    rule_arn: str
    checked_until: datetime  # occurrences up to here were handled


class EventPump:
    """Delivers SQS messages and fires schedules for the handlers of a Chalice app.

    `run_once()` does what is available or due now and returns counts per handler (what
    tests call); `start(interval_seconds)` / `stop()` repeat it in a background thread for
    the local server.

    Queues are looked up by name on every run, so the pump can be created before the local
    stack is provisioned.
    """

    def __init__(self, app: Chalice, sqs_client: Any, clock: Clock = utc_now, *,
                 account_id: str = DEFAULT_ACCOUNT_ID, stage: str = "local",
                 timeout_seconds: int = 60, memory_limit_in_mb: int = 128,
                 sns_client: Any = None, streams: Any = None):
        self.app = app
        self.streams = streams
        self._stream_sources = [s for s in app.event_sources if isinstance(s, DynamoDBEventConfig)] if streams else []
        self.sqs = sqs_client
        self.sns = sns_client
        self._topic_sources = [s for s in app.event_sources if isinstance(s, SNSEventConfig)] if sns_client else []
        self._bridges: dict[str, tuple[str, str]] = {}  # handler -> (queue URL, subscription ARN)
        self.clock = clock
        self.region = sqs_client.meta.region_name
        self.account_id = account_id
        self.stage = stage
        self.timeout_seconds = timeout_seconds
        self.memory_limit_in_mb = memory_limit_in_mb
        self._queue_sources = [s for s in app.event_sources if isinstance(s, SQSEventConfig)]
        started = _utc(clock())
        self._schedules = [
            _Schedule(
                name=source.name,
                expression=parse_schedule(_expression_text(source.schedule_expression), started),
                rule_arn=f"arn:aws:events:{self.region}:{account_id}:rule/"
                f"{self._function_name(source.name)}",
                checked_until=started,
            )
            for source in app.event_sources
            if isinstance(source, ScheduledEventConfig)
        ]
        self._missing_queues_reported: set[str] = set()
        self._run_lock = threading.Lock()  # one run at a time, background or not
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        for topic_source in self._topic_sources:  # subscribe now: SNS keeps nothing for later subscribers
            self._bridge(topic_source)
        for stream_source in self._stream_sources:  # each from the oldest change kept, none dropped before all have it
            table = table_of_stream(stream_source.stream_arn)
            if table is not None:
                streams.subscribe(table, stream_source.name)

    # -- running

    def run_once(self) -> dict[str, HandlerRun]:
        """Fires the schedules due now, then drains the messages visible now."""
        with self._run_lock:
            summary = {name: HandlerRun() for name in self._handler_names()}
            now = _utc(self.clock())
            for schedule in self._schedules:
                self._fire_if_due(schedule, now, summary[schedule.name])
            for stream_source in self._stream_sources:
                self._deliver_stream(stream_source, summary[stream_source.name])
            for source in self._queue_sources:
                self._drain(source, summary[source.name])
            for topic_source in self._topic_sources:
                self._deliver_topic(topic_source, summary[topic_source.name])
            return summary

    def start(self, interval_seconds: float = 1.0) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(interval_seconds,), name="event-pump", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join()
        self._thread = None

    def _loop(self, interval_seconds: float) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:  # the emulator restarting, say: keep pumping
                logger.exception("event pump run failed")
            self._stopping.wait(interval_seconds)

    # -- schedules

    def _fire_if_due(self, schedule: _Schedule, now: datetime, run: HandlerRun) -> None:
        fire_time = schedule.expression.latest_due(schedule.checked_until, now)
        schedule.checked_until = max(schedule.checked_until, now)
        if fire_time is None:
            return
        event = scheduled_event(fire_time, schedule.rule_arn, self.region, self.account_id)
        self._invoke(schedule.name, event, run)

    # -- queues

    def _drain(self, source: SQSEventConfig, run: HandlerRun) -> None:
        """Delivers the messages visible when the drain starts, batch after batch.

        The count taken at the start bounds the drain: with a visibility timeout of 0, a
        failed message is visible again at once and would otherwise be redelivered in a loop.
        """
        url = self._queue_url(source)
        if url is None:
            return
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn", "ApproximateNumberOfMessages"]
        )["Attributes"]
        arn, remaining = attributes["QueueArn"], int(attributes["ApproximateNumberOfMessages"])
        while remaining > 0:
            messages = self.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(source.batch_size, 10, remaining),
                WaitTimeSeconds=0,  # never long-poll the emulator: see emulator.py
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                return
            remaining -= len(messages)
            run.messages += len(messages)
            result = self._invoke(source.name, sqs_event(messages, arn, self.region), run)
            to_delete = self._succeeded(source.name, messages, result)
            self._delete(url, to_delete)
            run.deleted += len(to_delete)

    def _succeeded(self, name: str, messages: list[dict[str, Any]], result: _Result) -> list[dict[str, Any]]:
        """The messages to delete after the handler ran, as Lambda decides."""
        if not result.returned:
            return []
        value = result.value
        if not (isinstance(value, dict) and "batchItemFailures" in value):
            return messages
        ids = {message["MessageId"] for message in messages}
        failed = {item.get("itemIdentifier") for item in value["batchItemFailures"] or []}
        if not failed <= ids:
            logger.error("handler %s reported batch item failures that are not in its batch; "
                         "the whole batch fails", name)
            return []
        return [message for message in messages if message["MessageId"] not in failed]

    def _delete(self, url: str, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):  # SQS deletes at most 10 per call
            chunk = messages[start:start + 10]
            response = self.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(chunk)],
            )
            for failure in response.get("Failed", []):
                logger.error("could not delete message %s: %s",
                             chunk[int(failure["Id"])]["MessageId"], failure.get("Code"))

    def _queue_url(self, source: SQSEventConfig) -> str | None:
        """Looked up on every run: queues may be created, or recreated, while the pump runs."""
        name = source.queue or source.queue_arn.rsplit(":", 1)[-1]
        try:
            return self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except self.sqs.exceptions.QueueDoesNotExist:
            if name not in self._missing_queues_reported:
                logger.warning("queue %s does not exist (yet); handler %s waits for it", name, source.name)
                self._missing_queues_reported.add(name)
            return None

    # -- streams

    MAX_STREAM_RECORDS_PER_RUN = 1000

    def _deliver_stream(self, source: DynamoDBEventConfig, run: HandlerRun) -> None:
        """Hands the handler its table's new records, batch after batch, up to the first batch
        that fails (it comes first again on the next run)."""
        table = table_of_stream(source.stream_arn)
        if table is None:
            logger.warning("handler %s reads a stream that is not one of this app's tables", source.name)
            return
        delivered = 0
        while delivered < self.MAX_STREAM_RECORDS_PER_RUN:
            records = self.streams.take(table, source.name, limit=min(source.batch_size, 1000))
            if not records:
                return
            run.messages += len(records)
            result = self._invoke(source.name, {"Records": records}, run)
            done = self._stream_records_done(source.name, records, result)
            self.streams.advance(table, source.name, done)
            run.deleted += done
            delivered += done
            if done < len(records):
                return

    def _stream_records_done(self, name: str, records: list[dict[str, Any]], result: _Result) -> int:
        """How many records of the batch, from its start, the handler is done with."""
        if not result.returned:
            return 0
        value = result.value
        if not (isinstance(value, dict) and value.get("batchItemFailures")):
            return len(records)
        numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        failed = {item.get("itemIdentifier") for item in value["batchItemFailures"]}
        if not failed <= set(numbers):
            logger.error("handler %s reported batch item failures that are not in its batch; the whole batch fails", name)
            return 0
        return min(numbers.index(number) for number in failed)

    # -- topics

    def _deliver_topic(self, source: SNSEventConfig, run: HandlerRun) -> None:
        """Invokes the handler once per message published to its topic since the last run."""
        bridge = self._bridge(source)
        if bridge is None:
            return
        url, subscription_arn = bridge
        while True:
            messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                return
            run.messages += len(messages)
            for message in messages:
                self._invoke(source.name, sns_event(json.loads(message["Body"]), subscription_arn), run)
            self._delete(url, messages)
            run.deleted += len(messages)

    def _bridge(self, source: SNSEventConfig) -> tuple[str, str] | None:
        """The pump's queue subscribed to the handler's topic, made when the topic first exists."""
        if source.name in self._bridges:
            return self._bridges[source.name]
        topic = source.topic
        topic_arn = topic if topic.startswith("arn:") else f"arn:aws:sns:{self.region}:{self.account_id}:{topic}"
        try:
            self.sns.get_topic_attributes(TopicArn=topic_arn)
        except self.sns.exceptions.NotFoundException:
            if topic_arn not in self._missing_queues_reported:
                logger.warning("topic %s does not exist (yet); handler %s waits for it", topic_arn, source.name)
                self._missing_queues_reported.add(topic_arn)
            return None
        name = f"{topic_arn.rsplit(':', 1)[-1]}-local-pump"
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        subscription_arn = self.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
        self._bridges[source.name] = (url, subscription_arn)
        return self._bridges[source.name]

    # -- invoking

    def _invoke(self, name: str, event: dict[str, Any], run: HandlerRun) -> _Result:
        context = LambdaContext(self._function_name(name), self.region, self.account_id,
                                self.timeout_seconds, self.memory_limit_in_mb)
        run.invocations += 1
        try:
            return _Result(returned=True, value=self.app.handler_map[name](event, context))
        except Exception:
            run.failed_invocations += 1
            ids = [record.get("messageId") or record.get("eventID") for record in event.get("Records", [])]
            logger.exception("handler %s failed (request %s, message ids %s)",
                             name, context.aws_request_id, ids)
            return _Result(returned=False)

    def _function_name(self, handler_name: str) -> str:
        return f"{self.app.app_name}-{self.stage}-{handler_name}"

    def _handler_names(self) -> list[str]:
        return ([s.name for s in self._queue_sources] + [s.name for s in self._schedules] + [s.name for s in self._topic_sources]
                + [s.name for s in self._stream_sources])


@dataclass
class _Result:
    returned: bool  # False if the handler raised
    value: Any = None


def _expression_text(expression: Any) -> str:
    """Chalice accepts a string or a chalice.Rate/Cron object."""
    return expression if isinstance(expression, str) else expression.to_string()


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the pump's clock must return an aware datetime")
    return moment.astimezone(timezone.utc)
