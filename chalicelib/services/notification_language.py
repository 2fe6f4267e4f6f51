"""The person changes their notification language online (issue 12, item 9).

The language SMS, email and calendar invitations are written in is not personal data: it names
no one and proves nothing, so it is not held by the rule that personal details change only in
person at a directorate (`domain/profile.py`; `PATCH /v1/me` stays refused). Every notice is
rendered when it is sent (`services/notifications.py` reads the account then), so a change
holds for every message from then on, reminders of appointments already booked included.
Which languages exist is the contract's `NotificationLanguage` (the text catalogue's six)."""

from __future__ import annotations

from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.tables import Applicant
from chalicelib.clock import clock
from chalicelib.contract import ApplicantProfile
from chalicelib.domain.errors import NotFound
from chalicelib.domain.roles import Caller
from chalicelib.services import profile


def change(caller: Caller, language: str) -> ApplicantProfile:
    """Set the caller's notification language; the profile as it now is. The record's
    `updated_at` moves too, so an amendment staff were making from the record as it was is
    refused as changed meanwhile rather than writing over this."""
    changed = update_if(
        Applicant(caller.account_id),
        actions=[Applicant.language.set(language), Applicant.updated_at.set(clock.now())],
        condition=Applicant.applicant_id.exists(),
    )
    if not changed:
        raise NotFound("No applicant profile belongs to this account.")
    return profile.my_profile(caller)
