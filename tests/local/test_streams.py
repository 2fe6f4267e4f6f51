"""DynamoDB streams, locally: the pump hands each `@app.on_dynamodb_record` handler its table's
changes as Lambda would (chalicelib/local/streams.py, chalicelib/local/pump.py)."""

import uuid

import boto3
import pytest
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from chalice import Chalice

from chalicelib.local.pump import EventPump
from chalicelib.local.streams import StreamReader
from chalicelib.resources import table_of_stream

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def clients(emulator):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return session.client("dynamodb", endpoint_url=emulator.endpoint_url), session.client("sqs", endpoint_url=emulator.endpoint_url)


@pytest.fixture
def table(clients):
    dynamodb, _ = clients
    name = f"t-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name


def stream_app(arn, *handlers):
    """An app with one stream handler per function in `handlers` (each gets the raw event)."""
    app = Chalice(app_name="stream-test")
    for number, handle in enumerate(handlers):
        def handler(event, handle=handle):
            return handle(event.to_dict())
        handler.__name__ = f"reader_{number}"
        app.on_dynamodb_record(stream_arn=arn, batch_size=2, name=f"reader_{number}")(handler)
    return app


def pump_for(app, emulator, clients):
    return EventPump(app, clients[1], streams=StreamReader(REGION, emulator.lock))


def put(clients, table, key, **values):
    item = {"k": {"S": key}, **{name: {"S": value} for name, value in values.items()}}
    clients[0].put_item(TableName=table, Item=item)


def test_changes_reach_the_handler_once_in_order_shaped_as_lambdas(emulator, clients, table):
    seen = []
    reader = StreamReader(REGION, emulator.lock)
    app = stream_app(reader.arn(table), lambda event: seen.extend(event["Records"]))
    pump = pump_for(app, emulator, clients)
    dynamodb = clients[0]
    put(clients, table, "a", v="1")
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": {"k": {"S": "b"}}}},
        {"Update": {"TableName": table, "Key": {"k": {"S": "a"}}, "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "2"}}}},
    ])
    dynamodb.delete_item(TableName=table, Key={"k": {"S": "b"}})

    run = pump.run_once()["reader_0"]
    pump.run_once()  # nothing new: nothing delivered twice

    assert [(r["eventName"], r["dynamodb"]["Keys"]["k"]["S"]) for r in seen] == [
        ("INSERT", "a"), ("INSERT", "b"), ("MODIFY", "a"), ("REMOVE", "b")]
    modify = seen[2]
    assert modify["dynamodb"]["OldImage"]["v"] == {"S": "1"} and modify["dynamodb"]["NewImage"]["v"] == {"S": "2"}
    assert "NewImage" not in seen[3]["dynamodb"] and seen[3]["dynamodb"]["OldImage"]["k"] == {"S": "b"}
    assert all(r["eventSource"] == "aws:dynamodb" and table_of_stream(r["eventSourceARN"]) == table for r in seen)
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in seen]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4
    assert run.invocations == 2  # batches of two


def test_a_partial_batch_failure_is_retried_from_the_first_failed_record(emulator, clients, table):
    attempts = []

    def handle(event):
        attempts.append([r["dynamodb"]["Keys"]["k"]["S"] for r in event["Records"]])
        failed = [r for r in event["Records"] if r["dynamodb"]["Keys"]["k"]["S"] == "b" and len(attempts) == 1]
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}

    app = stream_app(StreamReader(REGION).arn(table), handle)
    pump = pump_for(app, emulator, clients)
    for key in "abc":
        put(clients, table, key)

    pump.run_once()  # [a, b]: b fails, so the run stops there
    pump.run_once()  # from b on

    assert attempts == [["a", "b"], ["b", "c"]]


def test_a_batch_that_raises_comes_again_whole_and_nothing_is_lost(emulator, clients, table):
    attempts = []

    def handle(event):
        attempts.append([r["dynamodb"]["Keys"]["k"]["S"] for r in event["Records"]])
        if len(attempts) == 1:
            raise RuntimeError("the sender is down")

    app = stream_app(StreamReader(REGION).arn(table), handle)
    pump = pump_for(app, emulator, clients)
    put(clients, table, "a")

    assert pump.run_once()["reader_0"].failed_invocations == 1
    pump.run_once()

    assert attempts == [["a"], ["a"]]


def test_every_handler_of_a_table_gets_every_change_and_moto_lets_go_of_what_all_have(emulator, clients, table):
    first, second = [], []
    reader = StreamReader(REGION, emulator.lock)
    app = stream_app(reader.arn(table), lambda e: first.extend(e["Records"]), lambda e: second.extend(e["Records"]))
    pump = EventPump(app, clients[1], streams=reader)
    for key in "abc":
        put(clients, table, key)

    pump.run_once()

    assert [r["dynamodb"]["Keys"]["k"]["S"] for r in first] == [r["dynamodb"]["Keys"]["k"]["S"] for r in second] == ["a", "b", "c"]
    assert reader.pending(table, "reader_0") == reader.pending(table, "reader_1") == 0
    from moto.dynamodb.models import dynamodb_backends
    with emulator.lock:
        assert dynamodb_backends["123456789012"][REGION].tables[table].stream_shard.items == []


def test_a_table_made_again_is_read_from_its_first_change(emulator, clients, table):
    """A test module's fresh tables, or a local stack whose tables are made again: moto numbers
    the new stream from the same value as the old one, below where the old one's reader got to.
    The reader must not wait for the new stream to catch up, losing every change before."""
    reader = StreamReader(REGION, emulator.lock)
    for key in "abc":
        put(clients, table, key)
    assert len(reader.take(table, "outbox")) == 3
    reader.advance(table, "outbox", 3)

    dynamodb, _ = clients
    definition = dynamodb.describe_table(TableName=table)["Table"]
    dynamodb.delete_table(TableName=table)
    dynamodb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=definition["KeySchema"],
        AttributeDefinitions=definition["AttributeDefinitions"],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    put(clients, table, "d")

    assert [r["dynamodb"]["Keys"]["k"]["S"] for r in reader.take(table, "outbox")] == ["d"]
    assert reader.pending(table, "outbox") == 1
    reader.advance(table, "outbox", 1)
    assert reader.take(table, "outbox") == [] and reader.pending(table, "outbox") == 0


def test_a_reader_that_came_before_its_table_reads_its_first_change(emulator, clients):
    reader = StreamReader(REGION, emulator.lock)
    name = f"t-{uuid.uuid4().hex[:8]}"
    assert reader.take(name, "outbox") == []  # no table yet
    clients[0].create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    put(clients, name, "a")
    assert [r["dynamodb"]["Keys"]["k"]["S"] for r in reader.take(name, "outbox")] == ["a"]


def test_powertools_reads_the_event_and_its_partial_failures_are_honoured(emulator, clients, table):
    """The app's handlers use Powertools' BatchProcessor for streams: it must accept the
    pump's records and report a failure by sequence number."""
    handled = []

    def handle(event):
        def one(record):
            key = record.dynamodb.keys["k"]
            if key == "b" and key not in handled:
                handled.append(key)
                raise ValueError("not yet")
            handled.append(key)
        return process_partial_response(event=event, record_handler=one, processor=BatchProcessor(event_type=EventType.DynamoDBStreams))

    app = stream_app(StreamReader(REGION).arn(table), handle)
    pump = pump_for(app, emulator, clients)
    for key in "ab":
        put(clients, table, key)

    pump.run_once()
    pump.run_once()

    assert handled == ["a", "b", "b"]
