"""Benchmark of the embedded emulator's two promises (stack-notes 1 and 2).

1. A TransactWriteItems costs O(items in the transaction), not O(table size): the median
   latency of a 3-item conditional transaction against a table of 100,000 items is compared
   with one against a table of 1,000 items, measured in alternating rounds so that a noisy
   machine hurts both sides alike.
2. No acknowledged write is lost under 32 concurrent clients. `run_concurrent_writes` is the
   workload; tests/local/test_emulator.py runs the same function with fewer operations.

Run from the repository root:  python -m bench.emulator_bench [--quick | --smoke]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench import smoke
from chalicelib.local.emulator import Emulator

REGION = "eu-central-1"

# No retries: a retried 5xx would hide the error, and a retried ADD could count twice.
_NO_RETRIES = Config(retries={"mode": "standard", "max_attempts": 1}, max_pool_connections=4)


def dynamodb_client(endpoint_url: str, region: str = REGION, session: Any = None) -> Any:
    """A DynamoDB client to the emulator, from `session` or a new one.

    Clients are thread-safe, sessions are not: create clients from a shared session in one
    thread (fast: it caches the service model), then hand one to each worker thread.
    """
    return (session or boto3.session.Session()).client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=_NO_RETRIES,
    )


def create_table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def scan_all(client: Any, table: str) -> dict[str, dict[str, Any]]:
    """Every item of `table`, by its pk."""
    items: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page["Items"]:
            items[item["pk"]["S"]] = item
    return items


# --- Lost writes under concurrency --------------------------------------------------------

COUNTERS = 4  # the few shared keys every thread increments
SENTINEL = "sentinel"  # exists, so a ConditionCheck attribute_not_exists on it always fails


@dataclass
class WriteReport:
    """What the clients were told, against what the table holds afterwards."""

    acknowledged: int  # puts + increments the emulator acknowledged
    found: int  # of those, how many are visible afterwards
    cancelled: int  # transactions cancelled, as intended
    phantom: int  # effects that must not exist: items of cancelled transactions, extra increments
    http_5xx: int
    unexpected: list[str] = field(default_factory=list)  # errors other than intended cancellations

    @property
    def lost(self) -> int:
        return self.acknowledged - self.found


@dataclass
class _Tally:
    """One thread's record of acknowledged writes; merged only after the threads ended."""

    puts: list[str] = field(default_factory=list)
    increments: Counter = field(default_factory=Counter)
    cancelled_puts: list[str] = field(default_factory=list)
    cancelled: int = 0
    http_5xx: int = 0
    unexpected: list[str] = field(default_factory=list)


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}}


def _increment(table: str, counter: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": _key(counter),
            "UpdateExpression": "ADD n :one",
            "ConditionExpression": "attribute_not_exists(frozen)",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def _put_new(table: str, pk: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": _key(pk),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _failing_check(table: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": table,
            "Key": _key(SENTINEL),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _write_mix(client: Any, table: str, thread_no: int, ops: int, start: threading.Barrier) -> _Tally:
    """Cycles through PutItem, UpdateItem ADD, a succeeding and a cancelled transaction.

    The cancelled transaction lists its failing ConditionCheck last, so that an emulator
    applying ops in order before checking would leave visible effects.
    """
    tally = _Tally()
    start.wait()
    for i in range(ops):
        counter = f"counter#{(thread_no + i) % COUNTERS}"
        unique = f"{thread_no}#{i}"
        kind = ("put", "add", "txn", "cancelled-txn")[i % 4]
        try:
            if kind == "put":
                client.put_item(TableName=table, Item=_key(f"put#{unique}"))
                tally.puts.append(f"put#{unique}")
            elif kind == "add":
                client.update_item(
                    TableName=table,
                    Key=_key(counter),
                    UpdateExpression="ADD n :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
                tally.increments[counter] += 1
            elif kind == "txn":
                items = [_increment(table, counter), _put_new(table, f"txn#{unique}")]
                client.transact_write_items(TransactItems=items)
                tally.increments[counter] += 1
                tally.puts.append(f"txn#{unique}")
            else:
                pk = f"cancelled#{unique}"
                items = [_increment(table, counter), _put_new(table, pk), _failing_check(table)]
                tally.cancelled_puts.append(pk)
                try:
                    client.transact_write_items(TransactItems=items)
                except ClientError as error:
                    if error.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                    tally.cancelled += 1
                else:
                    tally.unexpected.append("a transaction that had to be cancelled succeeded")
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            tally.http_5xx += status >= 500
            tally.unexpected.append(f"{kind}: HTTP {status} {error.response['Error']['Code']}")
        except BotoCoreError as error:  # connection reset, timeout...
            tally.unexpected.append(f"{kind}: {type(error).__name__}: {error}")
    return tally


def run_concurrent_writes(endpoint_url: str, threads: int = 32, ops_per_thread: int = 200) -> WriteReport:
    """`threads` clients write at once into a fresh table; then every acknowledged write is
    looked for. See `_write_mix` for the mix of operations."""
    setup = dynamodb_client(endpoint_url)
    table = f"lost-writes-{uuid.uuid4().hex[:8]}"
    create_table(setup, table)
    setup.put_item(TableName=table, Item=_key(SENTINEL))

    session = boto3.session.Session()
    clients = [dynamodb_client(endpoint_url, session=session) for _ in range(threads)]
    start = threading.Barrier(threads)
    tallies: list[_Tally] = [_Tally() for _ in range(threads)]

    def run(thread_no: int) -> None:
        tallies[thread_no] = _write_mix(clients[thread_no], table, thread_no, ops_per_thread, start)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    stored = scan_all(setup, table)
    puts = [pk for tally in tallies for pk in tally.puts]
    increments = sum((tally.increments for tally in tallies), Counter())
    counter_values = {c: int(stored[c]["n"]["N"]) if c in stored else 0 for c in increments}
    found = sum(pk in stored for pk in puts) + sum(
        min(counter_values[c], acked) for c, acked in increments.items()
    )
    phantom = sum(pk in stored for tally in tallies for pk in tally.cancelled_puts) + sum(
        max(0, counter_values[c] - acked) for c, acked in increments.items()
    )
    return WriteReport(
        acknowledged=len(puts) + sum(increments.values()),
        found=found,
        cancelled=sum(tally.cancelled for tally in tallies),
        phantom=phantom,
        http_5xx=sum(tally.http_5xx for tally in tallies),
        unexpected=[message for tally in tallies for message in tally.unexpected],
    )


# --- Transaction cost against table size ------------------------------------------------


@dataclass
class CostReport:
    small_items: int
    big_items: int
    small_ms: list[float]
    big_ms: list[float]
    fill_seconds: float  # to write both tables' items into moto

    @property
    def ratio(self) -> float:
        return statistics.median(self.big_ms) / statistics.median(self.small_ms)


def fill_table(emulator: Emulator, table: str, count: int, region: str = REGION) -> None:
    """Writes `count` slot-like items straight into moto's backend, under the emulator lock.

    Going around HTTP makes 100,000 items a matter of seconds; the lock keeps the write
    safe against requests being served meanwhile.
    """
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    with emulator.lock:
        moto_table = backend.get_table(table)
        for n in range(count):
            moto_table.put_item(
                {
                    "pk": {"S": f"item#{n}"},
                    "office": {"S": "IST-FATIH"},
                    "starts_at": {"S": f"2025-01-01T09:{n % 60:02d}:00+03:00"},
                    "places": {"N": "4"},
                    "booked": {"N": "0"},
                }
            )


def _booking_transaction(table: str, size: int, round_no: int) -> list[dict[str, Any]]:
    """The shape of a booking: check one slot, create a booking, take a place in another slot."""
    return [
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": _key(f"item#{(round_no * 7) % size}"),
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
        {
            "Put": {
                "TableName": table,
                "Item": {"pk": {"S": f"booking#{uuid.uuid4().hex}"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        {
            "Update": {
                "TableName": table,
                "Key": _key(f"item#{(round_no * 13 + 1) % size}"),
                "UpdateExpression": "SET booked = booked + :one",
                "ConditionExpression": "booked < :limit",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": "1000000"}},
            }
        },
    ]


def measure_transaction_cost(
    emulator: Emulator, small: int = 1_000, big: int = 100_000, rounds: int = 200, warmup: int = 10
) -> CostReport:
    client = dynamodb_client(emulator.endpoint_url)
    tables = {}
    started = time.perf_counter()
    for size in (small, big):
        tables[size] = f"txn-cost-{size}-{uuid.uuid4().hex[:8]}"
        create_table(client, tables[size])
        fill_table(emulator, tables[size], size)
    fill_seconds = time.perf_counter() - started

    timings: dict[int, list[float]] = {small: [], big: []}
    for round_no in range(warmup + rounds):
        order = (small, big) if round_no % 2 == 0 else (big, small)
        for size in order:
            items = _booking_transaction(tables[size], size, round_no)
            started = time.perf_counter()
            client.transact_write_items(TransactItems=items)
            elapsed_ms = (time.perf_counter() - started) * 1000
            if round_no >= warmup:
                timings[size].append(elapsed_ms)
    return CostReport(small, big, timings[small], timings[big], fill_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="fewer rounds and writes")
    args = parser.parse_args(argv)
    if args.smoke:
        smoke.announce()
        small, big, rounds, warmup, ops_per_thread = 100, 2_000, 4, 2, 4  # 4: each kind of write once
    elif args.quick:
        small, big, rounds, warmup, ops_per_thread = 1_000, 100_000, 50, 10, 25
    else:
        small, big, rounds, warmup, ops_per_thread = 1_000, 100_000, 200, 10, 200
    threads = 32

    with Emulator() as emulator:
        cost = measure_transaction_cost(emulator, small=small, big=big, rounds=rounds, warmup=warmup)
        print(
            f"txn-cost ratio ({smoke.size(cost.big_items)}/{smoke.size(cost.small_items)} items): "
            f"{cost.ratio:.2f}  [median {smoke.size(cost.small_items)}: "
            f"{statistics.median(cost.small_ms):.1f} ms, {smoke.size(cost.big_items)}: "
            f"{statistics.median(cost.big_ms):.1f} ms, n={rounds}; "
            f"filling {cost.small_items + cost.big_items} items took {cost.fill_seconds:.1f} s]"
        )

        started = time.perf_counter()
        writes = run_concurrent_writes(emulator.endpoint_url, threads=threads, ops_per_thread=ops_per_thread)
        print(
            f"lost writes under {threads} concurrent clients: {writes.lost} of {writes.acknowledged} "
            f"acknowledged; 5xx: {writes.http_5xx}  [found {writes.found}, "
            f"cancelled as intended {writes.cancelled}, phantom effects {writes.phantom}, "
            f"unexpected errors {len(writes.unexpected)}, {time.perf_counter() - started:.1f} s]"
        )
        for message in writes.unexpected[:5]:
            print(f"  unexpected: {message}")
    fast_enough = args.smoke or cost.ratio <= 1.5  # a smoke run measures nothing
    ok = fast_enough and writes.lost == 0 and writes.phantom == 0 and not writes.unexpected
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
