"""PynamoDB sends a transaction's items grouped by kind (checks, deletes, puts, updates), not in
call order (stack-notes 7); the names of failed items must follow what DynamoDB reports."""

import uuid

import pytest
from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import IdentityClaim
from chalicelib.clock import clock


def claim(name: str) -> IdentityClaim:
    return IdentityClaim(f"test:{name}:{uuid.uuid4()}", applicant_id="a", created_at=clock.now())


@pytest.mark.parametrize("failing", ["updated-first", "saved-second", "deleted-third"])
def test_the_failed_item_is_named_whatever_the_call_order(aws, failing):
    existing = {name: claim(name) for name in ("updated-first", "saved-second", "deleted-third")}
    for item in existing.values():
        item.save()
    write = NamedTransaction()
    never = IdentityClaim.applicant_id == "nobody"
    with pytest.raises(TransactWriteError) as cancelled:
        with write:
            write.update("updated-first", existing["updated-first"], actions=[IdentityClaim.applicant_id.set("b")],
                         condition=never if failing == "updated-first" else None)
            write.save("saved-second", existing["saved-second"],
                       condition=never if failing == "saved-second" else None)
            write.delete("deleted-third", existing["deleted-third"],
                         condition=never if failing == "deleted-third" else None)
    assert write.failed(cancelled.value) == {failing}
    assert IdentityClaim.get(existing["updated-first"].claim).applicant_id == "a"  # nothing was written


@pytest.fixture
def conflicts(monkeypatch):
    """The emulator cancels the next `left` transactions with TransactionConflict, as DynamoDB
    does when another transaction writes one of their items at that moment; counts every send."""
    from moto.dynamodb.exceptions import TransactionCanceledException
    from moto.dynamodb.models import DynamoDBBackend

    state = {"left": 0, "sent": 0}
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        state["sent"] += 1
        if state["left"] > 0:
            state["left"] -= 1
            raise TransactionCanceledException([("TransactionConflict", "Transaction is ongoing for the item", None)] * len(transact_items))
        return original(self, transact_items)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", transact_write_items)
    return state


def test_a_transaction_cancelled_by_a_conflict_is_sent_again_and_lands_once(aws, conflicts):
    item = claim("conflicted")
    conflicts["left"] = 2
    with NamedTransaction() as write:
        write.save("claim", item, condition=IdentityClaim.claim.does_not_exist())
    assert conflicts["sent"] == 3 and IdentityClaim.get(item.claim).applicant_id == "a"


def test_a_lasting_conflict_is_raised_and_a_failed_condition_is_never_sent_again(aws, conflicts):
    conflicts["left"] = 100
    with pytest.raises(TransactWriteError):
        with NamedTransaction() as write:
            write.save("claim", claim("busy"))
    assert conflicts["sent"] == NamedTransaction.CONFLICT_ATTEMPTS

    conflicts.update(left=0, sent=0)
    existing = claim("taken")
    existing.save()
    write = NamedTransaction()
    with pytest.raises(TransactWriteError) as refused:
        with write:
            write.save("claim", existing, condition=IdentityClaim.claim.does_not_exist())
    assert conflicts["sent"] == 1 and write.failed(refused.value) == {"claim"}
