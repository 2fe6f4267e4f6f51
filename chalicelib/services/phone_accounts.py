"""At most three live accounts per phone number (the authority's rule for e-appointments).

A count per phone number (an item of the RateCounter table with no window and no TTL, keyed by a
digest of the number) is raised in the very transaction that activates an account, on condition
that it is below three, and lowered in the transaction that releases one or moves it to another
number (a staff amendment). So parallel activations can never make a fourth.

A sign-up naming a phone that already serves three accounts is refused early with
VALIDATION_FAILED naming `phone`, and the activation refuses it again if the count filled up
meanwhile. Is that an oracle? It is answered only after the registry match (to someone who typed
a real person's document, names, birth date and nationality), and it tells only that the number
they typed serves three accounts — not whose, nor which emails. The person needs that answer to
act (use their own number); NOT_ELIGIBLE would send them to the directorate for nothing.
Accounts activated before this count existed are not in it (it starts at zero)."""

from __future__ import annotations

from chalicelib.adapters.tables import RateCounter
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.limits import LIVE_ACCOUNTS_PER_PHONE
from chalicelib.services import limits as counters

FULL_MESSAGE = f"This phone number already belongs to {LIVE_ACCOUNTS_PER_PHONE} accounts, the most allowed. Use another mobile number."


def _tally(phone: str) -> RateCounter:
    return RateCounter(counters.tally_key(counters.LIVE_ACCOUNTS, phone))


def live_accounts(phone: str) -> int:
    try:
        return int(RateCounter.get(counters.tally_key(counters.LIVE_ACCOUNTS, phone), consistent_read=True).count)
    except RateCounter.DoesNotExist:
        return 0


def full(phone: str) -> bool:
    return live_accounts(phone) >= LIVE_ACCOUNTS_PER_PHONE


def refusal() -> ValidationFailed:
    return ValidationFailed(FULL_MESSAGE, field="phone", reason="phone_full", details={"fields": [{"field": "phone", "message": FULL_MESSAGE}]})


def refuse_if_full(phone: str) -> None:
    if full(phone):
        raise refusal()


def hold(write, phone: str) -> None:
    """In `write` (a transaction): one more live account on `phone`, only while below the rule."""
    write.update(
        _tally(phone),
        actions=[RateCounter.count.add(1)],
        condition=RateCounter.count.does_not_exist() | (RateCounter.count < LIVE_ACCOUNTS_PER_PHONE),
    )


def let_go(write, phone: str) -> None:
    """In `write`: one live account fewer on `phone` (never below zero; an account activated before
    the count existed lowers nothing)."""
    write.update(_tally(phone), actions=[RateCounter.count.add(-1)], condition=RateCounter.count > 0)
