"""Revoking an account's access tokens before they expire, and checking a token against it.

`revoke` moves the account's "tokens valid from" instant to now (never backwards); `is_revoked`
answers for a verified token from a short, bounded per-process cache, so that checking it costs
one read per account per `CACHE_SECONDS` at most, and another instance's revocation is obeyed
within `REFUSED_WITHIN_SECONDS`. A revocation made in this process is obeyed here at once.
A use case may check a token instead as one item of its own transaction (`require_valid_in`,
services/admission.py): no read, and a revocation obeyed at once by every instance.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable

from chalicelib import wiring
from chalicelib.adapters.dynamo import NamedTransaction, update_if
from chalicelib.adapters.tables import TokenValidity
from chalicelib.clock import clock
from chalicelib.domain.revocation import CACHE_ENTRIES, CACHE_SECONDS, issued_before_revocation
from chalicelib.observability import logger

PASSWORD_RESET = "password_reset"
SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
DISABLED = "disabled"
RELEASED = "released"


def token_clock() -> int:
    """Now, in whole seconds on the clock that stamps tokens (`iat`): real time, in AWS and
    locally alike (the local stack's movable clock does not move the emulator's tokens)."""
    return int(time.time())


class ValidFromCache:
    """account id → (valid-from instant or None, when it was read), at most `entries` of them,
    each trusted for `seconds`."""

    def __init__(self, seconds: float = CACHE_SECONDS, entries: int = CACHE_ENTRIES,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._entries = entries
        self._monotonic = monotonic
        self._items: OrderedDict[str, tuple[int | None, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, account_id: str, load: Callable[[str], int | None]) -> int | None:
        now = self._monotonic()
        with self._lock:
            cached = self._items.get(account_id)
            if cached is not None and now - cached[1] < self._seconds:
                return cached[0]
        valid_from = load(account_id)
        self.put(account_id, valid_from, now)
        return valid_from

    def put(self, account_id: str, valid_from: int | None, read_at: float | None = None) -> None:
        with self._lock:
            self._items[account_id] = (valid_from, self._monotonic() if read_at is None else read_at)
            self._items.move_to_end(account_id)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


_cache = ValidFromCache()


def _stored_valid_from(account_id: str) -> int | None:
    try:
        return int(TokenValidity.get(account_id, consistent_read=True).valid_from)
    except TokenValidity.DoesNotExist:
        return None


def is_revoked(account_id: str, issued_at: int) -> bool:
    """Whether a token of `account_id` issued at `issued_at` (its `iat`) was revoked since."""
    return issued_before_revocation(issued_at, _cache.get(account_id, _stored_valid_from))


def require_valid_in(write: NamedTransaction, name: str, account_id: str, issued_at: int) -> None:
    """A ConditionCheck (item `name` of `write`) that a token of `account_id` issued at
    `issued_at` is not revoked: no instant stored, or one not after it — `issued_before_revocation`
    as a condition (tests/services/test_admission.py holds the two to the same verdict)."""
    valid = TokenValidity.valid_from.does_not_exist() | (TokenValidity.valid_from <= issued_at)
    write.condition_check(name, TokenValidity, account_id, condition=valid)


def revoke(account_id: str, reason: str, *, final: bool = False) -> None:
    """Refuse every access token of the account issued before now. Idempotent; the instant only
    ever moves forward, so of two revocations at once the later one stands. `final`: the account
    is never signed in to again (a closure), so a token of this very second is refused too (the
    grace of `issued_before_revocation` is for a person who signs in again at once)."""
    valid_from = token_clock() + (1 if final else 0)
    item = TokenValidity(account_id, valid_from=valid_from, reason=reason, updated_at=clock.now())
    moved = update_if(
        item,
        [
            TokenValidity.valid_from.set(valid_from),
            TokenValidity.reason.set(reason),
            TokenValidity.updated_at.set(item.updated_at),
        ],
        TokenValidity.account_id.does_not_exist() | (TokenValidity.valid_from < valid_from),
    )
    if not moved:  # a later revocation is stored already: remember that one
        valid_from = _stored_valid_from(account_id) or valid_from
    _cache.put(account_id, valid_from)
    logger.info("access tokens revoked", extra={"account_id": account_id, "reason": reason})


def end_access(email: str, account_id: str, reason: str, *, final: bool = False) -> None:
    """Sign-in refused from now on (the login disabled), and every access token issued until now
    (both idempotent): a released applicant, a disabled staff account, a closed account (`final`)."""
    wiring.accounts().disable(email)
    revoke(account_id, reason, final=final)
