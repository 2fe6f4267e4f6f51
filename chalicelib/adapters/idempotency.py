"""`Idempotency-Key` on write calls, with Powertools Idempotency and its DynamoDB store.

The first call with a key runs and its outcome (status and body) is stored; a retry with the
same key and the same body gets that outcome back without running again; the same key with
another body is refused. A retry that arrives while the first call is still running waits for
its outcome (bounded), so concurrent retries all receive the one answer.
"""

from __future__ import annotations

import hashlib
import time
from functools import lru_cache
from typing import Any, Callable

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from chalicelib.adapters.tables import IdempotencyRecord
from chalicelib.domain import retention
from chalicelib.domain.errors import RateLimited, ValidationFailed

RETENTION_SECONDS = int(retention.IDEMPOTENCY_RECORD.total_seconds())
IN_PROGRESS_WAIT_SECONDS = 20.0


class KeyReused(ValidationFailed):
    default_message = "This Idempotency-Key was already used with a different request."


@lru_cache(maxsize=1)
def _store() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=IdempotencyRecord.Meta.table_name)


def once(scope: str, body: bytes | None, compute: Callable[[], dict[str, Any]], lambda_context: Any = None) -> tuple[dict[str, Any], bool]:
    """Run `compute` at most once per `scope` (caller, route and key); returns its outcome and
    whether it was replayed from an earlier call."""
    ran = False

    def run_and_note() -> dict[str, Any]:
        nonlocal ran
        ran = True
        return compute()

    config = IdempotencyConfig(
        event_key_jmespath="scope",
        payload_validation_jmespath="body",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=RETENTION_SECONDS,
        hash_function="sha256",
    )
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)  # an interrupted call frees its key

    @idempotent_function(data_keyword_argument="call", persistence_store=_store(), config=config)
    def idempotent(call: dict[str, str]) -> dict[str, Any]:
        return run_and_note()

    call = {"scope": scope, "body": hashlib.sha256(body or b"").hexdigest()}
    deadline = time.monotonic() + IN_PROGRESS_WAIT_SECONDS
    pause = 0.02
    while True:
        try:
            outcome = idempotent(call=call)
            return outcome, not ran
        except IdempotencyValidationError:
            raise KeyReused() from None
        except IdempotencyAlreadyInProgressError:
            # Another call with this key is running: wait for its outcome rather than run twice.
            if time.monotonic() > deadline:
                raise RateLimited("A request with this Idempotency-Key is still being processed. Retry shortly.") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


def reset() -> None:
    _store.cache_clear()
