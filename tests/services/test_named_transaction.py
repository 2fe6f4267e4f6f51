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
