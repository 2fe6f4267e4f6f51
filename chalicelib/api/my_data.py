"""The person's own data (KVKK): download everything held about them, and close the online account."""

from __future__ import annotations

from chalicelib.api.http import APPLICANT, endpoint
from chalicelib.contract import AccountClosed, MyData
from chalicelib.domain.errors import NotFound, RateLimited, ValidationFailed
from chalicelib.domain.roles import Caller
from chalicelib.services import closure, my_data


@endpoint(
    "Everything the service holds about me, as JSON (profile, registry records, appointments, requests, "
    "notifications, audit entries, sign-ins, sessions); the download is audited",
    roles=APPLICANT,
    errors=(NotFound, RateLimited),
)
def my_data_export(caller: Caller) -> MyData:
    return my_data.export(caller)


@endpoint(
    "Close my online account: sign-in and notifications end, appointments and audit records stay; "
    "the identity stays claimed until any 30-day lock has ended",
    roles=APPLICANT,
    errors=(NotFound, ValidationFailed, RateLimited),
)
def close_my_account(caller: Caller) -> AccountClosed:
    return closure.close(caller)
