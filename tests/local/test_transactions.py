"""TransactWriteItems on the emulator: DynamoDB's all-or-nothing semantics at O(items) cost.

Everything goes through boto3 against a running Emulator, as the application does.
"""

import copy
import threading
import uuid

import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends

from bench.emulator_bench import create_table, dynamodb_client, fill_table, scan_all


@pytest.fixture(scope="module")
def client(emulator):
    return dynamodb_client(emulator.endpoint_url)


@pytest.fixture
def table(client):
    """A fresh table holding a slot with one place left, a counter and an old booking."""
    name = f"txn-{uuid.uuid4().hex[:8]}"
    create_table(client, name)
    client.put_item(TableName=name, Item={"pk": {"S": "slot#1"}, "places": {"N": "2"}, "booked": {"N": "1"}})
    client.put_item(TableName=name, Item={"pk": {"S": "counter"}, "n": {"N": "10"}})
    client.put_item(TableName=name, Item={"pk": {"S": "booking#old"}, "status": {"S": "active"}})
    return name


def key(pk):
    return {"pk": {"S": pk}}


def check_slot_has_room(table):
    return {
        "ConditionCheck": {
            "TableName": table,
            "Key": key("slot#1"),
            "ConditionExpression": "booked < places",
        }
    }


def put_booking(table, pk="booking#new"):
    return {
        "Put": {
            "TableName": table,
            "Item": {"pk": {"S": pk}, "status": {"S": "active"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def increment_counter(table, below=100):
    return {
        "Update": {
            "TableName": table,
            "Key": key("counter"),
            "UpdateExpression": "SET n = n + :one",
            "ConditionExpression": "n < :limit",
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": str(below)}},
        }
    }


def cancellation_codes(error):
    return [reason["Code"] for reason in error.response["CancellationReasons"]]


def test_a_conditional_transaction_of_three_items_applies_all(client, table):
    client.transact_write_items(
        TransactItems=[check_slot_has_room(table), put_booking(table), increment_counter(table)]
    )

    items = scan_all(client, table)
    assert items["booking#new"]["status"] == {"S": "active"}
    assert items["counter"]["n"] == {"N": "11"}
    assert items["slot#1"]["booked"] == {"N": "1"}  # a ConditionCheck writes nothing


@pytest.mark.parametrize("failing", [0, 1, 2])
def test_one_failing_condition_cancels_every_op(client, table, failing):
    ops = [check_slot_has_room(table), put_booking(table), increment_counter(table)]
    # Make op `failing` fail: a full slot, an existing booking, a counter at its limit.
    ops[failing] = [
        {"ConditionCheck": {**ops[0]["ConditionCheck"], "ConditionExpression": "booked > places"}},
        put_booking(table, pk="booking#old"),
        increment_counter(table, below=10),
    ][failing]
    before = scan_all(client, table)

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=ops)

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    expected = ["None", "None", "None"]
    expected[failing] = "ConditionalCheckFailed"
    assert cancellation_codes(raised.value) == expected
    assert scan_all(client, table) == before


def test_every_failing_condition_is_reported_with_the_old_item_when_asked(client, table):
    full_slot = {"ConditionCheck": {**check_slot_has_room(table)["ConditionCheck"],
                                    "ConditionExpression": "booked > places"}}
    duplicate = put_booking(table, pk="booking#old")
    duplicate["Put"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=[full_slot, increment_counter(table), duplicate])

    reasons = raised.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None", "ConditionalCheckFailed"]
    assert reasons[0]["Message"] == "The conditional request failed"
    assert "Item" not in reasons[0]
    assert reasons[2]["Item"] == {"pk": {"S": "booking#old"}, "status": {"S": "active"}}
    assert scan_all(client, table)["counter"]["n"] == {"N": "10"}


def test_an_update_that_fails_while_applying_rolls_back_the_earlier_ops(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "text"}, "n": {"S": "not a number"}})
    before = scan_all(client, table)
    ops = [
        put_booking(table),  # creates an item
        {"Delete": {"TableName": table, "Key": key("booking#old")}},  # removes one
        increment_counter(table),  # changes one in place
        {  # passes its condition, then fails: n is a string here
            "Update": {
                "TableName": table,
                "Key": key("text"),
                "UpdateExpression": "SET n = n + :one",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=ops)

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert scan_all(client, table) == before


def test_rollback_restores_items_of_a_table_with_a_sort_key_and_drops_their_stream_records(emulator, client):
    name = f"txn-sorted-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    client.put_item(TableName=name, Item={"pk": {"S": "office"}, "sk": {"S": "slot#1"}, "n": {"N": "1"}})
    client.put_item(TableName=name, Item={"pk": {"S": "office"}, "sk": {"S": "text"}, "n": {"S": "x"}})
    moto_table = dynamodb_backends[DEFAULT_ACCOUNT_ID][client.meta.region_name].get_table(name)
    before, records_before = scan_all_sorted(client, name), len(moto_table.stream_shard.items)

    def sorted_key(sk):
        return {"pk": {"S": "office"}, "sk": {"S": sk}}

    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {**sorted_key("slot#2"), "n": {"N": "0"}}}},
            {"Update": {"TableName": name, "Key": sorted_key("slot#1"), "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Update": {"TableName": name, "Key": sorted_key("text"), "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        ])

    assert scan_all_sorted(client, name) == before
    with emulator.lock:
        assert len(moto_table.stream_shard.items) == records_before


def scan_all_sorted(client, table):
    return sorted(client.scan(TableName=table, ConsistentRead=True)["Items"], key=lambda item: item["sk"]["S"])


def test_a_hundred_items_is_the_limit(client, table):
    checks = [
        {"ConditionCheck": {"TableName": table, "Key": key(f"absent#{n}"),
                            "ConditionExpression": "attribute_not_exists(pk)"}}
        for n in range(101)
    ]
    client.transact_write_items(TransactItems=checks[:100])

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=checks)

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "less than or equal to 100" in raised.value.response["Error"]["Message"]


def test_two_ops_on_one_item_are_refused_and_nothing_is_written(client, table):
    before = scan_all(client, table)
    ops = [
        put_booking(table),
        increment_counter(table),
        {"Delete": {"TableName": table, "Key": key("booking#new")}},
    ]

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=ops)

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "multiple operations on one item" in raised.value.response["Error"]["Message"]
    assert scan_all(client, table) == before


def test_the_work_done_does_not_depend_on_table_size(emulator, client, monkeypatch):
    """Counts the objects deep-copied while the backend runs a transaction (every
    copy.deepcopy call, nested ones included), with 10 and with 2,000 items in the table.
    moto's own implementation copies whole tables and fails this test."""
    tables = {}
    for size in (10, 2000):
        tables[size] = f"txn-size-{size}-{uuid.uuid4().hex[:8]}"
        create_table(client, tables[size])
        fill_table(emulator, tables[size], size)

    inside = threading.local()  # set in the request thread running the transaction
    copies = {"count": 0}
    real_deepcopy, real_transaction = copy.deepcopy, DynamoDBBackend.transact_write_items

    def counting_deepcopy(value, memo=None):
        if getattr(inside, "transaction", False):
            copies["count"] += 1
        return real_deepcopy(value, memo)

    def traced_transaction(backend, transact_items):
        inside.transaction = True
        try:
            return real_transaction(backend, transact_items)
        finally:
            inside.transaction = False

    def copies_made_by_a_transaction(table):
        copies["count"] = 0
        client.transact_write_items(
            TransactItems=[
                {"ConditionCheck": {"TableName": table, "Key": key("item#1"),
                                    "ConditionExpression": "attribute_exists(pk)"}},
                {"Put": {"TableName": table, "Item": {"pk": {"S": "booking#1"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"TableName": table, "Key": key("item#2"),
                            "UpdateExpression": "SET booked = booked + :one",
                            "ConditionExpression": "booked < places",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            ]
        )
        return copies["count"]

    monkeypatch.setattr(copy, "deepcopy", counting_deepcopy)
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", traced_transaction)
    small, big = (copies_made_by_a_transaction(tables[size]) for size in (10, 2000))

    assert small > 0  # the spy sees the snapshots
    assert big == small


def take_place(table):
    return {
        "Update": {
            "TableName": table,
            "Key": key("slot#1"),
            "UpdateExpression": "SET booked = booked + :one",
            "ConditionExpression": "booked < places",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def test_a_resent_transaction_with_its_token_is_not_applied_twice_and_succeeds_again(client, table):
    """What a client library does when the answer to a booking is lost to a timeout: it sends the
    same request again. Without the token the resend would find the last place taken (by itself)
    and be cancelled; with it DynamoDB (and the emulator) answers success without writing."""
    token = str(uuid.uuid4())
    request = [take_place(table), put_booking(table)]
    client.transact_write_items(TransactItems=request, ClientRequestToken=token)
    client.transact_write_items(TransactItems=request, ClientRequestToken=token)  # the resend

    assert client.get_item(TableName=table, Key=key("slot#1"))["Item"]["booked"] == {"N": "2"}
    with pytest.raises(ClientError) as again:  # a new request (a new token) is judged afresh
        client.transact_write_items(TransactItems=[take_place(table)], ClientRequestToken=str(uuid.uuid4()))
    assert again.value.response["Error"]["Code"] == "TransactionCanceledException"
    with pytest.raises(ClientError) as mismatch:  # the same token for other items is refused
        client.transact_write_items(TransactItems=[put_booking(table, "booking#other")], ClientRequestToken=token)
    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"


def test_the_services_transactions_each_carry_a_token_of_their_own():
    from chalicelib.adapters.dynamo import transaction

    first, second = transaction(), transaction()
    assert first._client_request_token and second._client_request_token
    assert first._client_request_token != second._client_request_token
