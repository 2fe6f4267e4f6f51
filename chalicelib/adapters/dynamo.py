"""Reading DynamoDB's answers to transactions."""

from __future__ import annotations

from functools import lru_cache

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.settings import get_settings


def failed_conditions(error: TransactWriteError) -> list[bool]:
    """For each item of the cancelled transaction, whether its condition failed.

    PynamoDB sends condition checks, then deletes, puts, updates — not in call order
    (stack-notes 7); callers that need to know *which* item failed must map positions through
    that order."""
    return [bool(r and r.code == "ConditionalCheckFailed") for r in (error.cancellation_reasons or [])]


def condition_failed(error: TransactWriteError) -> bool:
    return any(failed_conditions(error))


@lru_cache(maxsize=1)
def _connection() -> Connection:
    return Connection(region=get_settings().region, max_pool_connections=64)


def transaction(client_request_token: str | None = None) -> TransactWrite:
    """A DynamoDB transaction (all-or-nothing, up to 100 items) on the shared connection."""
    return TransactWrite(connection=_connection(), client_request_token=client_request_token)


def reset() -> None:
    _connection.cache_clear()
