"""The immutability rule: personal details are fixed at sign-up and change only in person.

An applicant can never amend their own details online; staff amend them at the directorate,
with a reason, and every amendment is audited with what it was before and after.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import NotFound, ProfileLocked, ValidationFailed
from chalicelib.domain.roles import Caller, Role

AMENDABLE_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "nationality",
    "document_type",
    "document_number",
    "email",
    "phone",
    "language",
)
MIN_REASON_LENGTH = 5


def refuse_online_amendment() -> None:
    raise ProfileLocked()


def amendment(current: dict[str, Any], requested: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that really change, as (before, after). Refuses an amendment that changes nothing."""
    unknown = set(requested) - set(AMENDABLE_FIELDS)
    if unknown:
        raise ValidationFailed(details={"fields": [{"field": f, "message": "cannot be amended"} for f in sorted(unknown)]})
    after = {k: v for k, v in requested.items() if v is not None and current.get(k) != v}
    if not after:
        raise ValidationFailed("The amendment changes nothing.")
    before = {k: current.get(k) for k in after}
    return before, after


def require_staff_reach(caller: Caller, staff_province: str | None, applicant_province: str | None) -> None:
    """Staff amend the details of people registered in their directorate's province; admins of anyone."""
    if Role.ADMIN in caller.roles:
        return
    if staff_province is None or staff_province != applicant_province:
        raise NotFound("No applicant with this id is registered in your directorate's province.")
