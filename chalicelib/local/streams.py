"""DynamoDB Streams, locally: the change records of the emulated tables, read in-process.

moto records every write of a table created with a `StreamSpecification` (put, update, delete,
and each item of a TransactWriteItems) in the table's one stream shard. Its server mode cannot
serve the DynamoDB Streams API to a client: both services sign as "dynamodb", and the server
routes a request by its signing name, so `GetRecords` reaches the DynamoDB backend and is
answered "not yet implemented". Whatever runs in the emulator's process (the event pump, a
service test) reads the shard directly instead, as the outbox reads sent SMS (stack-notes 8).

Each consumer (an `@app.on_dynamodb_record` handler, a test) reads a table's stream from its
own position, as each Lambda event source mapping does: `take(table, consumer)` returns the
records after that position, shaped as Lambda hands them to a handler (`eventSourceARN` is the
stand-in ARN the app names, `chalicelib.resources.stream_arn`), and `advance(table, consumer,
count)` moves past the first `count` of them: a handler that failed a record advances only up
to it, so it comes first again next time, as Lambda retries from a batch's first failed record.
Records every consumer has moved past are dropped from moto's shard (its sequence numbers go
on), so a long run of the local stack does not keep every change in memory.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from chalicelib.resources import stand_in_stream_arn


class StreamReader:
    def __init__(self, region: str, lock: threading.Lock | None = None, account_id: str = DEFAULT_ACCOUNT_ID):
        self.region = region
        self.account_id = account_id
        self._lock = lock  # the emulator's lock, when moto serves other threads meanwhile
        self._positions: dict[str, dict[str, int]] = {}  # table -> consumer -> next sequence number
        self._read: dict[str, Any] = {}  # table -> the shard those positions are in

    def arn(self, table_name: str) -> str:
        return stand_in_stream_arn(table_name, self.region)

    def subscribe(self, table_name: str, consumer: str) -> None:
        """`consumer` reads `table_name`'s stream from the records written from now on (or from
        the oldest one kept, when it is the table's first consumer)."""
        with self._lock or nullcontext():
            self._follow(table_name, consumer)

    def take(self, table_name: str, consumer: str, limit: int = 100) -> list[dict[str, Any]]:
        """Up to `limit` records after `consumer`'s position, oldest first ([] when the table
        has no stream, or does not exist yet)."""
        with self._lock or nullcontext():
            shard = self._follow(table_name, consumer)
            if shard is None:
                return []
            first = self._positions[table_name][consumer] - shard.starting_sequence_number
            fresh = [item.to_json() for item in shard.items[first:first + limit]]
        return [self._lambda_record(r, table_name) for r in fresh]

    def advance(self, table_name: str, consumer: str, count: int) -> None:
        """`consumer` is done with the first `count` records `take` gave it."""
        with self._lock or nullcontext():
            shard = self._shard(table_name)
            if shard is None or shard is not self._read.get(table_name):
                return  # the records taken were the old table's: nothing of the new one is done
            consumers = self._positions[table_name]
            consumers[consumer] += count
            done = min(consumers.values()) - shard.starting_sequence_number
            if done > 0:
                del shard.items[:done]
                shard.starting_sequence_number += done

    def pending(self, table_name: str, consumer: str) -> int:
        """How many records `consumer` has not moved past yet."""
        with self._lock or nullcontext():
            shard = self._follow(table_name, consumer)
            if shard is None:
                return 0
            return shard.starting_sequence_number + len(shard.items) - self._positions[table_name][consumer]

    def _follow(self, table_name: str, consumer: str) -> Any:
        """The table's shard, with `consumer` subscribed to it (under the lock)."""
        shard = self._shard(table_name)
        consumers = self._positions.setdefault(table_name, {})
        if shard is not None and shard is not self._read.get(table_name):
            # The table is new, or was made again: a new shard, whose numbers moto starts at the
            # same value again, below where the old shard's readers had got to. Every reader
            # starts at its beginning.
            self._read[table_name] = shard
            for reader in consumers:
                consumers[reader] = shard.starting_sequence_number
        if consumer not in consumers:
            consumers[consumer] = min(consumers.values(), default=shard.starting_sequence_number if shard else 0)
        return shard

    def _shard(self, table_name: str) -> Any:
        table = dynamodb_backends[self.account_id][self.region].tables.get(table_name)
        return getattr(table, "stream_shard", None)

    def _lambda_record(self, record: dict[str, Any], table_name: str) -> dict[str, Any]:
        change = dict(record["dynamodb"])
        created = change.get("ApproximateCreationDateTime")
        if created is not None and not isinstance(created, (int, float)):
            change["ApproximateCreationDateTime"] = int(created.timestamp())  # epoch seconds, as Lambda's
        return {**record, "dynamodb": change, "awsRegion": self.region, "eventSourceARN": self.arn(table_name)}
