"""TransactWriteItems for the emulator at a cost of O(items in the transaction).

moto's own `DynamoDBBackend.transact_write_items` deep-copies every table the transaction
touches so that it can roll back; a local booking against a realistic slot catalogue then
takes about a second (stack-notes 1). This replacement keeps DynamoDB's all-or-nothing
semantics in two phases:

1. Check, writing nothing: find each op's current item and evaluate its
   ConditionExpression (ConditionCheck ops included). If any condition fails, the
   transaction is cancelled with one reason per op, in request order, as DynamoDB does.
2. Apply: snapshot only the items about to be written, then apply Put/Delete/Update through
   the backend's ordinary methods. If an op still fails there (say, an UpdateExpression that
   does not validate against the item), every touched item is restored from its snapshot.

Conditions are checked once, in phase 1, against the state before the transaction, as in
DynamoDB; this is sound because two ops on one item are refused, and because the emulator
serialises requests (emulator.py), so nothing changes between the phases.
Errors are the ones moto raises (same classes, messages and cancellation reasons).

Idempotency, as DynamoDB gives it (moto ignores it): a TransactWriteItems carrying a
`ClientRequestToken` that succeeded is not applied again when the same token comes back within
ten minutes with the same items; it succeeds again without writing. The same token with other
items is refused (IdempotentParameterMismatchException). The service sends a fresh token with
every transaction (adapters/dynamo.py), so when the client library resends a transaction whose
answer it did not get (a timeout under load), the resend cannot cancel on the first send's own
writes and answer "locked out" to the person who just booked.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

MAX_ITEMS = 100
OP_TYPES = ("ConditionCheck", "Put", "Delete", "Update")

# One cancellation reason per op, shaped as moto's TransactionCanceledException expects:
# (code, message, item returned by ReturnValuesOnConditionCheckFailure=ALL_OLD).
Reason = tuple[Any, Any, Any]
NO_ERROR: Reason = (None, None, None)


TOKEN_LIFETIME_SECONDS = 600


def install() -> None:
    """Replaces moto's implementation for every DynamoDB backend (idempotent)."""
    DynamoDBBackend.transact_write_items = transact_write_items
    if not getattr(DynamoHandler.transact_write_items, "honours_tokens", False):
        DynamoHandler.transact_write_items = _idempotent(DynamoHandler.transact_write_items)


class IdempotentParameterMismatch(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("IdempotentParameterMismatchException",
                         "The request uses the same client token as a previous, but non-identical request.")


def _idempotent(handle: Callable[[DynamoHandler], Any]) -> Callable[[DynamoHandler], Any]:
    """moto's TransactWriteItems handler, answering a token it has seen succeed from memory."""
    succeeded: dict[str, tuple[str, float]] = {}  # token -> (the items' digest, when)

    def transact_write_items(self: DynamoHandler) -> Any:
        token = self.body.get("ClientRequestToken")
        if token is None:
            return handle(self)
        digest = hashlib.sha256(json.dumps(self.body["TransactItems"], sort_keys=True).encode()).hexdigest()
        now = time.monotonic()
        for old in [t for t, (_, at) in succeeded.items() if now - at > TOKEN_LIFETIME_SECONDS]:
            del succeeded[old]
        if token in succeeded:
            if succeeded[token][0] != digest:
                raise IdempotentParameterMismatch()
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = handle(self)
        succeeded[token] = (digest, now)
        return result

    transact_write_items.honours_tokens = True  # type: ignore[attr-defined]
    return transact_write_items


@dataclass
class _Op:
    kind: str  # one of OP_TYPES
    params: dict[str, Any]  # the request's Put/Delete/Update/ConditionCheck body
    table: Table
    key: dict[str, Any]  # the item's primary key, in DynamoDB JSON


@dataclass
class _Snapshot:
    table: Table
    hash_key: DynamoType
    range_key: DynamoType | None
    item: Item | None  # a deep copy of the item before the transaction; None if absent


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > MAX_ITEMS:
        raise TooManyTransactionsException()

    # Phase 1: evaluate every condition; write nothing.
    ops: list[_Op | None] = []
    reasons: list[Reason] = []
    seen_keys: set[tuple[str, str]] = set()
    for transact_item in transact_items:
        op, reason = _check(self, transact_item, seen_keys)
        ops.append(op)
        reasons.append(reason)
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)

    # Phase 2: apply, with snapshots of exactly the items being written.
    writes = [op for op in ops if op is not None and op.kind != "ConditionCheck"]
    snapshots = [_snapshot(self, op) for op in writes]
    stream_lengths = _stream_lengths(writes)
    reasons = []
    for op in ops:
        try:
            if op is not None and op.kind != "ConditionCheck":
                _apply(self, op)
            reasons.append(NO_ERROR)
        except MockValidationException:
            _restore(snapshots, stream_lengths)
            raise
        except Exception as error:  # moto reports any other failure as a reason
            reasons.append((type(error).__name__, str(error), None))
    if any(code is not None for code, _, _ in reasons):
        _restore(snapshots, stream_lengths)
        raise TransactionCanceledException(reasons)


def _check(
    backend: DynamoDBBackend, transact_item: dict[str, Any], seen_keys: set[tuple[str, str]]
) -> tuple[_Op | None, Reason]:
    """Validates one op and evaluates its condition against the current item.

    Returns the parsed op (None if it could not be parsed) and its cancellation reason.
    Validation errors (a second op on one item, a malformed key) are raised, failing the
    whole request, as moto and DynamoDB do.
    """
    if len(transact_item) > 1:
        raise TransactWriteSingleOpException
    kind, params = next(iter(transact_item.items()))
    try:
        if kind not in OP_TYPES:
            raise ValueError("Unsupported transaction operation")
        table = backend.get_table(params["TableName"])
        key = _key_of(table, kind, params)
        _claim(seen_keys, table, key)
        current = backend.get_item(table.name, key)
        condition = get_filter_expression(
            params.get("ConditionExpression"),
            params.get("ExpressionAttributeNames"),
            params.get("ExpressionAttributeValues"),
        )
        if not condition.expr(current):
            old_item = None
            if params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old_item = current.to_json()["Attributes"]
            return None, ("ConditionalCheckFailed", ConditionalCheckFailed().message, old_item)
        return _Op(kind, params, table, key), NO_ERROR
    except MockValidationException:
        raise
    except Exception as error:  # e.g. an unknown table: moto reports it as a reason
        return None, (type(error).__name__, str(error), None)


def _key_of(table: Table, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    if kind != "Put":
        return params["Key"]
    attrs = params["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _claim(seen_keys: set[tuple[str, str]], table: Table, key: dict[str, Any]) -> None:
    """Refuses a second op on the same item, as DynamoDB does."""
    identity = (table.name, str(sorted(key.items())))
    if identity in seen_keys:
        raise MultipleTransactionsException()
    seen_keys.add(identity)


def _apply(backend: DynamoDBBackend, op: _Op) -> None:
    """Writes through the backend's ordinary methods. Conditions were checked in phase 1."""
    params = op.params
    if op.kind == "Put":
        backend.put_item(
            op.table.name,
            params["Item"],
            expression_attribute_names=params.get("ExpressionAttributeNames"),
            expression_attribute_values=params.get("ExpressionAttributeValues"),
        )
    elif op.kind == "Delete":
        backend.delete_item(op.table.name, op.key)
    elif op.kind == "Update":
        backend.update_item(
            op.table.name,
            op.key,
            update_expression=params["UpdateExpression"],
            expression_attribute_names=params.get("ExpressionAttributeNames"),
            expression_attribute_values=params.get("ExpressionAttributeValues"),
        )


def _snapshot(backend: DynamoDBBackend, op: _Op) -> _Snapshot:
    hash_key, range_key = backend.get_keys_value(op.table, op.key)
    current = op.table.get_item(hash_key, range_key)
    # A copy, not the object: update_item modifies the stored Item in place.
    return _Snapshot(op.table, hash_key, range_key, copy.deepcopy(current))


def _stream_lengths(writes: list[_Op]) -> dict[str, tuple[Table, int]]:
    """Stream record counts before phase 2, so that a rollback also drops its records."""
    return {
        op.table.name: (op.table, len(op.table.stream_shard.items))
        for op in writes
        if op.table.stream_shard is not None
    }


def _restore(snapshots: list[_Snapshot], stream_lengths: dict[str, tuple[Table, int]]) -> None:
    for snap in snapshots:
        items = snap.table.items
        if snap.range_key is None:
            if snap.item is None:
                items.pop(snap.hash_key, None)
            else:
                items[snap.hash_key] = snap.item
        else:
            if snap.item is None:
                items[snap.hash_key].pop(snap.range_key, None)
            else:
                items[snap.hash_key][snap.range_key] = snap.item
    for table, length in stream_lengths.values():
        del table.stream_shard.items[length:]
