"""A request's own checks, made as items of the use case's one transaction: the token not
revoked (services/revocation.py) and the route's per-account rate limits (services/limits.py),
so that a booking is one data-store call instead of a read, an UpdateItem and its transaction.

The API makes these checks before an endpoint runs (chalicelib/api/http.py), except for an
endpoint that takes an `Admission`: it gets them to make itself. Its use case either writes them
into its transaction (`write_in`, then `admitted` once it committed, or `refused_in` once it was
cancelled), or settles them on their own (`settle`) before it writes anything. What the endpoint
left unsettled, the API settles after it (a request refused before any transaction, an answer
replayed for an Idempotency-Key), and a refusal of these checks replaces the endpoint's answer:
every attempt counts, refused or not, so hammering costs a bot its limit as before, and a revoked
token is answered 401 whatever else was wrong with the request.

Which check refused: a revoked token first (401, nothing counted, as when it was refused before
the count), then a spent limit (429 RATE_LIMITED with Retry-After, nothing counted).
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.clock import clock
from chalicelib.domain.errors import Unauthenticated
from chalicelib.services import limits as counters
from chalicelib.services import revocation

TOKEN = "admission:token"  # the name of the token's ConditionCheck in a transaction


def _counter(limit: counters.Limit) -> str:
    return f"admission:{limit.kind}"  # the name of a limit's counter in a transaction


@dataclass
class Admission:
    """The checks of one request by a signed-in account, until settled (made once)."""

    account_id: str
    issued_at: int  # the token's `iat`
    limits: tuple[counters.Limit, ...]
    settled: bool = False

    def write_in(self, write: NamedTransaction) -> None:
        """Adds the checks to `write` (nothing when settled already): a ConditionCheck of the
        token's validity, and per limit the conditional ADD of its counter. The use case calls
        `admitted` after `write` committed, or `refused_in` when it was cancelled."""
        if self.settled:
            return
        revocation.require_valid_in(write, TOKEN, self.account_id, self.issued_at)
        now = clock.now()
        for limit in self.limits:
            counters.spend_in(write, _counter(limit), limit.kind, self.account_id, limit.limit, now, limit.period)

    def admitted(self) -> None:
        """The transaction holding the checks committed: the request is counted."""
        self.settled = True

    def refused_in(self, write: NamedTransaction, error: TransactWriteError) -> None:
        """`write`, holding the checks, was cancelled (or failed): raises Unauthenticated when
        the token's check failed, RateLimited when a limit was spent. Otherwise the checks passed
        and nothing was counted: the refused attempt is counted now, on its own (RateLimited
        should the limit have been reached meanwhile), and the use case says why it refused."""
        if self.settled:
            return
        self.settled = True
        failed = write.failed(error)
        if TOKEN in failed:
            raise Unauthenticated()
        now = clock.now()
        for limit in self.limits:
            if _counter(limit) in failed:
                raise limit.refusal(now)
        self._count(now)

    def settle(self) -> None:
        """The checks on their own, as the API makes them before other endpoints: the token's
        revocation (a cached read, services/revocation.py), then each limit's counter."""
        if self.settled:
            return
        self.settled = True
        if revocation.is_revoked(self.account_id, self.issued_at):
            raise Unauthenticated()
        self._count(clock.now())

    def _count(self, now) -> None:
        for limit in self.limits:
            if not counters.spend(limit.kind, self.account_id, limit.limit, now, limit.period):
                raise limit.refusal(now)
