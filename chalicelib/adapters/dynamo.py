"""Transactions and conditional updates, and reading DynamoDB's answers to them."""

from __future__ import annotations

import random
import time
import uuid

from functools import lru_cache

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.settings import get_settings


def failed_conditions(error: TransactWriteError) -> list[bool]:
    """For each item of the cancelled transaction, whether its condition failed.

    PynamoDB sends condition checks, then deletes, puts, updates — not in call order
    (stack-notes 7); callers that need to know *which* item failed must map positions through
    that order."""
    return [bool(r and r.code == "ConditionalCheckFailed") for r in (error.cancellation_reasons or [])]


def only_conflicts(error: TransactWriteError) -> bool:
    """Whether the transaction was cancelled only because another one was writing one of its
    items at the same moment (no condition failed): sending it again is the cure."""
    codes = {r.code for r in (error.cancellation_reasons or []) if r is not None and r.code not in (None, "None")}
    return codes == {"TransactionConflict"}


def condition_failed(error: TransactWriteError) -> bool:
    return any(failed_conditions(error))


def update_if(item, actions: list, condition) -> bool:
    """Apply `actions` to `item` if `condition` holds on the stored item; False when it does not
    (any other failure is raised)."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


@lru_cache(maxsize=1)
def connection() -> Connection:
    """The connection transactions are sent on (models keep their own)."""
    return Connection(region=get_settings().region, max_pool_connections=64)


def transaction(client_request_token: str | None = None) -> TransactWrite:
    """A DynamoDB transaction (all-or-nothing, up to 100 items) on the shared connection, with
    its own idempotency token: when the client library resends it (its answer lost to a timeout),
    DynamoDB does not apply it twice, so the resend cannot be cancelled by the first send's own
    writes and turn a booking made into a refusal."""
    return _WriteOnceAware(connection=connection(), client_request_token=client_request_token or str(uuid.uuid4()))


class _WriteOnceAware(TransactWrite):
    """A transaction whose puts of a record that is never replaced (a model with `write_once`:
    tables.AuditRecord) carry that record's condition, as its own `save` does."""

    def save(self, model, condition=None, return_values=None) -> None:  # type: ignore[override]
        if hasattr(model, "write_once"):
            condition = model.write_once(condition)
        super().save(model, condition=condition, return_values=return_values)


def reset() -> None:
    connection.cache_clear()


class NamedTransaction:
    """A transaction whose items have names, so a cancellation says which conditions failed.

    PynamoDB sends condition checks, then deletes, then puts, then updates — not in call order
    (PynamoDB #1284, stack-notes 7) — and DynamoDB reports one cancellation reason per item in
    the order sent. This class keeps the names in that same order."""

    _ORDER = ("condition_check", "delete", "save", "update")

    def __init__(self, client_request_token: str | None = None) -> None:
        self._write = transaction(client_request_token)
        self._names: dict[str, list[str]] = {kind: [] for kind in self._ORDER}

    def __enter__(self) -> "NamedTransaction":
        self._write.__enter__()
        return self

    # DynamoDB cancels a transaction that overlaps another one writing the same item
    # ("TransactionConflict", e.g. two filings adding to one queue counter at once); nothing was
    # written, and AWS's advice is to send it again. Up to this many sends, each with a new token.
    CONFLICT_ATTEMPTS = 4

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is not None:
            self._write.__exit__(*exc_info)
            return
        for attempt in range(1, self.CONFLICT_ATTEMPTS + 1):
            try:
                self._write._commit()
                return
            except TransactWriteError as error:
                if attempt == self.CONFLICT_ATTEMPTS or not only_conflicts(error):
                    raise
            self._write._client_request_token = str(uuid.uuid4())
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # jittered backoff before the next send

    def condition_check(self, name: str, model_cls, hash_key, range_key=None, condition=None) -> None:
        self._names["condition_check"].append(name)
        self._write.condition_check(model_cls, hash_key, range_key=range_key, condition=condition)

    def delete(self, name: str, model, condition=None) -> None:
        self._names["delete"].append(name)
        self._write.delete(model, condition=condition)

    def save(self, name: str, model, condition=None) -> None:
        self._names["save"].append(name)
        self._write.save(model, condition=condition)

    def update(self, name: str, model, actions, condition=None) -> None:
        self._names["update"].append(name)
        self._write.update(model, actions=actions, condition=condition)

    def failed(self, error: TransactWriteError) -> set[str]:
        """The names of the items whose condition failed in this cancelled transaction."""
        sent = [name for kind in self._ORDER for name in self._names[kind]]
        return {name for name, failed in zip(sent, failed_conditions(error)) if failed}
