"""A base-table Query reads one partition (queries.py) and answers exactly what moto answered."""

from __future__ import annotations

import pytest
from moto.dynamodb.models.table import Table

from chalicelib.local.emulator import Emulator
from tests.aws import fresh_account_session


@pytest.fixture(scope="module")
def dynamodb():
    with Emulator() as emulator:
        client = fresh_account_session().client("dynamodb", endpoint_url=emulator.endpoint_url)
        client.create_table(
            TableName="slots",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "n", "AttributeType": "N"},
            ],
            GlobalSecondaryIndexes=[{
                "IndexName": "by-n",
                "KeySchema": [{"AttributeName": "n", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }],
        )
        for p in range(20):
            for s in range(30):
                client.put_item(TableName="slots", Item={"pk": {"S": f"p{p:02d}"}, "sk": {"S": f"{s:03d}"}, "n": {"N": str(s % 4)}})
        yield client


def query(client, **extra):
    pages, kwargs = [], {}
    while True:
        response = client.query(
            TableName="slots",
            KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues={":p": {"S": "p07"}, ":a": {"S": "005"}, ":b": {"S": "024"}, **extra.pop("values", {})},
            **extra, **kwargs,
        )
        pages.append([item["sk"]["S"] for item in response["Items"]])
        if "LastEvaluatedKey" not in response:
            return pages
        kwargs = {"ExclusiveStartKey": response["LastEvaluatedKey"]}


def test_a_base_table_query_never_walks_the_whole_table(dynamodb, monkeypatch):
    def refuse(self):
        raise AssertionError("the whole table was read")

    monkeypatch.setattr(Table, "all_items", refuse)
    assert query(dynamodb) == [[f"{s:03d}" for s in range(5, 25)]]


def test_answers_match_moto_in_order_paging_and_filters(dynamodb):
    backwards = query(dynamodb, ScanIndexForward=False, Limit=7)
    assert [sk for page in backwards for sk in page] == [f"{s:03d}" for s in range(24, 4, -1)]
    assert [len(page) for page in backwards] == [7, 7, 6]
    filtered = query(dynamodb, FilterExpression="n = :n", values={":n": {"N": "1"}})
    assert filtered == [[f"{s:03d}" for s in range(5, 25) if s % 4 == 1]]
    assert dynamodb.query(TableName="slots", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "absent"}})["Items"] == []


def test_index_queries_never_sort_the_whole_table_and_answer_as_moto_does(dynamodb, monkeypatch):
    def refuse(self):
        raise AssertionError("the whole table was sorted")

    monkeypatch.setattr(Table, "all_items", refuse)
    pages, key = [], None
    while True:
        response = dynamodb.query(
            TableName="slots", IndexName="by-n", KeyConditionExpression="n = :n",
            ExpressionAttributeValues={":n": {"N": "2"}}, Limit=25, **({"ExclusiveStartKey": key} if key else {}),
        )
        pages.append([(item["pk"]["S"], item["sk"]["S"]) for item in response["Items"]])
        key = response.get("LastEvaluatedKey")
        if not key:
            break
    flat = [entry for page in pages for entry in page]
    assert [sk for _, sk in flat] == sorted(sk for _, sk in flat)  # in the index's order across pages
    assert sorted(flat) == [(f"p{p:02d}", f"{s:03d}") for p in range(20) for s in range(30) if s % 4 == 2]  # none lost, none twice
    response = dynamodb.query(
        TableName="slots", IndexName="by-n",
        KeyConditionExpression="n = :n AND sk = :s",
        ExpressionAttributeValues={":n": {"N": "3"}, ":s": {"S": "007"}},
    )
    assert sorted(item["pk"]["S"] for item in response["Items"]) == [f"p{p:02d}" for p in range(20)]
