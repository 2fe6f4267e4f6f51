"""Administration: the registry feed and staff accounts."""

from __future__ import annotations

from chalicelib.api.http import ADMIN, endpoint
from chalicelib.contract import (
    CreateStaffRequest,
    DisableStaffRequest,
    ImportResidentsRequest,
    ImportResidentsResponse,
    SlotCapacity,
    SlotCapacityRequest,
    StaffAccount,
    StaffAccountStatus,
)
from chalicelib.domain.errors import DuplicateAccount, NotFound, ValidationFailed
from chalicelib.domain.roles import Caller
from chalicelib.services import accounts, booking, registry, staff_accounts



@endpoint(
    "Import residents-registry records (upsert by document number)",
    roles=ADMIN,
    errors=(ValidationFailed,),
)
def import_residents(body: ImportResidentsRequest) -> ImportResidentsResponse:
    return registry.import_residents(body)


@endpoint("Create a staff account bound to one directorate", status=201, roles=ADMIN, errors=(ValidationFailed, DuplicateAccount))
def create_staff(body: CreateStaffRequest) -> StaffAccount:
    return accounts.create_staff(body)


@endpoint(
    "Disable a staff account, with a reason: it can no longer sign in and its access tokens are refused at once "
    "(audited; calling it again changes nothing more)",
    roles=ADMIN,
    errors=(ValidationFailed, NotFound),
)
def disable_staff(caller: Caller, account_id: str, body: DisableStaffRequest) -> StaffAccountStatus:
    return staff_accounts.disable(caller, account_id, body)


@endpoint(
    "Change a slot's capacity (start: Istanbul wall time YYYY-MM-DDTHH:MM); never below what is booked",
    roles=ADMIN,
    errors=(ValidationFailed, NotFound),
)
def set_slot_capacity(caller: Caller, directorate_id: str, start: str, body: SlotCapacityRequest) -> SlotCapacity:
    return booking.set_slot_capacity(caller, directorate_id, start, body)
