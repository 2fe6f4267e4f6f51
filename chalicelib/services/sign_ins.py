"""Sign-ins of applicants' accounts: recorded when they happen (when and how, nothing more:
`domain/sign_ins.py`), read back for the person's data export."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from chalicelib.adapters.tables import SignInRecord
from chalicelib.clock import clock
from chalicelib.domain.sign_ins import KEPT_FOR
from chalicelib.observability import logger

PAGE = 100


def record(account_id: str, method: str) -> None:
    """Best effort: a sign-in that cannot be recorded still signs the person in (they asked for
    access, not for a record), and the failure is logged for the operators."""
    now = clock.now()
    try:
        SignInRecord(account_id, f"{now.isoformat()}#{uuid.uuid4()}", method=method, at=now, expires=now + KEPT_FOR).save()
    except Exception:
        logger.exception("sign-in not recorded", extra={"account_id": account_id, "method": method})


def of(account_id: str) -> Iterator[SignInRecord]:
    """The account's sign-ins, oldest first (one Query, a page at a time). Records past their
    period are left out even before DynamoDB's TTL removes them (the emulator never does)."""
    now = clock.now()
    for item in SignInRecord.query(account_id, page_size=PAGE):
        if item.at + KEPT_FOR > now:
            yield item
