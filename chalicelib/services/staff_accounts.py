"""An administrator ends a staff account: its holder left the directorate, or its password or
authenticator may be in someone else's hands.

From then on the account cannot sign in, and every access token it holds is refused at once by
this instance and within a minute by every other (`services/revocation.py`). The staff record and
everything the account did stay, and the change is audited with who, when and why. Safe to
retry: disabling a disabled account records nothing more and completes the sign-in and token
steps a failed first attempt may have left undone.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import condition_failed, transaction
from chalicelib.adapters.tables import StaffMember
from chalicelib.contract import DisableStaffRequest, StaffAccountStatus
from chalicelib.clock import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.roles import Caller
from chalicelib.observability import logger
from chalicelib.services import audit, revocation

ACTION = "staff.disabled"
DISABLED = "disabled"


def staff_subject(account_id: str) -> str:
    return f"staff:{account_id}"


def disable(caller: Caller, account_id: str, request: DisableStaffRequest) -> StaffAccountStatus:
    try:
        member = StaffMember.get(account_id, consistent_read=True)
    except StaffMember.DoesNotExist:
        raise NotFound("There is no staff account with this id.") from None
    if member.disabled_at is None:
        _record(caller, member, request.reason)
    revocation.end_access(member.email, account_id, revocation.DISABLED)
    logger.info("staff account disabled", extra={"account_id": account_id})
    return StaffAccountStatus(account_id=account_id, status=DISABLED)


def _record(caller: Caller, member: StaffMember, reason: str) -> None:
    """The account marked disabled and the audit record, in one transaction; of two calls at
    once, one records."""
    now = clock.now()
    record = audit.record(
        staff_subject(member.account_id), ACTION, actor_id=caller.account_id,
        actor_role=audit.actor_role(caller), at=now, reason=reason,
        before={"status": "active", "directorate_id": member.directorate_id or "", "role": member.role or "staff"},
        after={"status": DISABLED},
    )
    try:
        with transaction() as write:
            write.update(member, actions=[StaffMember.disabled_at.set(now)], condition=StaffMember.disabled_at.does_not_exist())
            write.save(record)
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
