"""Use cases of personal details: reading them, and the in-person amendment by staff.

Every staff (or admin) read of a person's record is audited here, for the API and the console
alike: who, when, and through which lookup the record was reached (`document`: found by the
number presented; `applicant_id`: opened by its id; `appointment`: from an appointment)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import wiring
from chalicelib.adapters.cognito import EmailTaken
from chalicelib.adapters.dynamo import condition_failed, transaction
from chalicelib.adapters.tables import Applicant, IdentityClaim
from chalicelib.contract import AmendApplicantRequest, AmendmentResult, ApplicantProfile, AuditEntry
from chalicelib.clock import clock
from chalicelib.domain import identity, profile
from chalicelib.domain.catalogue import find_province
from chalicelib.domain.errors import DuplicateAccount, NotFound, ValidationFailed
from chalicelib.domain.lockout import lock_in_force
from chalicelib.domain.roles import Caller
from chalicelib.services import audit, email_feedback, phone_accounts
from chalicelib.services.accounts import ACTIVE
from chalicelib.services.auth import staff_directorate
from chalicelib.services.registry import find_residency, identity_claim, residency_copy, residency_of


AMENDED = "profile.amended"  # the audit action of an in-person amendment
VIEWED = "profile.viewed"  # a staff read of the person's details
TRAIL_VIEWED = "audit.viewed"  # a staff read of the person's audit trail (it holds details too)

# How staff reached the record (AuditEntry.lookup).
BY_DOCUMENT = "document"
BY_ID = "applicant_id"
BY_APPOINTMENT = "appointment"

RELEASED = "released"  # the status of an online account staff released (services/release.py)


def my_profile(caller: Caller) -> ApplicantProfile:
    applicant = _applicant(caller.account_id, "No applicant profile belongs to this account.")
    return _profile(applicant)


def refuse_self_amendment(caller: Caller) -> None:
    profile.refuse_online_amendment()


def find_by_document(caller: Caller, document_number: str) -> ApplicantProfile:
    """The person holding the document presented (any number the account holds, an earlier one
    too), within the caller's reach; an audited read, lookup `document`."""
    return view_applicant(caller, locate_by_document(caller, document_number), lookup=BY_DOCUMENT)


def locate_by_document(caller: Caller, document_number: str) -> str:
    """The id of the account holding the document, within the caller's reach — nothing of the
    record itself: whoever shows the record next reads it through `view_applicant` with lookup
    `document` (the console does so on the page it redirects to)."""
    try:
        claim = IdentityClaim.get(identity_claim(identity.canonical_document_number(document_number)))
    except IdentityClaim.DoesNotExist:
        raise NotFound("No applicant has signed up with this document.") from None
    return reachable_applicant(caller, claim.applicant_id).applicant_id


def view_applicant(caller: Caller, applicant_id: str, lookup: str = BY_ID) -> ApplicantProfile:
    """A staff read of the person's details: refused outside the caller's reach, audited."""
    applicant = reachable_applicant(caller, applicant_id)
    _audit_read(caller, applicant_id, VIEWED, lookup)
    return _profile(applicant)


def staff_page(caller: Caller, applicant_id: str, lookup: str = BY_ID) -> tuple[ApplicantProfile, list[AuditEntry]]:
    """The console's page of a person: the details (one audited read) and the changes made to
    them, newest first (the reads are in the full trail, `audit_trail`)."""
    person = view_applicant(caller, applicant_id, lookup)
    return person, changes_of(applicant_id)


def change_target(caller: Caller, applicant_id: str) -> ApplicantProfile:
    """The details a change sent from a page the person's record was read on is compared with:
    within the caller's reach, not recorded as another read (the change itself is audited)."""
    return _profile(reachable_applicant(caller, applicant_id))


def changes_of(applicant_id: str) -> list[AuditEntry]:
    """The changes made to the person's record, newest first."""
    return audit.trail(audit.applicant_subject(applicant_id))


def audit_trail(caller: Caller, applicant_id: str) -> list[AuditEntry]:
    """The person's whole trail, newest first: changes and staff reads, this one included."""
    reachable_applicant(caller, applicant_id)
    _audit_read(caller, applicant_id, TRAIL_VIEWED, BY_ID)
    return audit.trail(audit.applicant_subject(applicant_id), audit.applicant_reads_subject(applicant_id))


def _audit_read(caller: Caller, applicant_id: str, action: str, lookup: str) -> None:
    """Written before anything is shown: a read that cannot be recorded is not served."""
    audit.record(
        audit.applicant_reads_subject(applicant_id),
        action,
        actor_id=caller.account_id,
        actor_role=audit.actor_role(caller),
        at=clock.now(),
        lookup=lookup,
    ).save()


def amend(caller: Caller, applicant_id: str, request: AmendApplicantRequest) -> AmendmentResult:
    applicant = reachable_applicant(caller, applicant_id)
    if applicant.status == RELEASED:
        raise ValidationFailed("This online account was released: its record is kept as it was and is not amended.")
    requested = _requested_changes(applicant, request)
    before, after = profile.amendment(_amendable_view(applicant), requested)
    now = clock.now()
    amendment_record = audit.record(
        audit.applicant_subject(applicant_id),
        AMENDED,
        actor_id=caller.account_id,
        actor_role=audit.actor_role(caller),
        at=now,
        reason=request.reason,
        before=before,
        after=after,
    )
    email_changed = "email" in after
    if email_changed:
        try:
            wiring.accounts().change_email(applicant.email, after["email"])
        except EmailTaken:
            raise DuplicateAccount("Another account already uses this email address.") from None
    try:
        with transaction() as write:
            actions = [getattr(Applicant, field).set(value) for field, value in after.items()]
            actions.append(Applicant.updated_at.set(now))
            if email_changed:
                actions += email_feedback.cleared_marks()
            if "document_number" in after and (renewed := find_residency(after["document_number"])):
                # A new document the registry knows: the account follows the registry's record of it.
                actions += residency_copy(renewed.province, renewed.permit_status.value, renewed.valid_until.isoformat())
            if "document_number" in after:
                # Every number the person has held stays claimed by this account (a second
                # account is never opened with the old one); the new one is claimed too, unless
                # another account holds it. Release frees them all (services/release.py).
                actions.append(Applicant.document_numbers.add({applicant.document_number, after["document_number"]}))
            # Conditional on the record read: an amendment never overwrites one made meanwhile
            # (nor a release: a released account's record is kept as it was).
            write.update(applicant, actions=actions, condition=Applicant.updated_at == applicant.updated_at)
            write.save(amendment_record)
            moves_phone = "phone" in after and applicant.status == ACTIVE
            if moves_phone:  # the account becomes one of the new number's live accounts (at most three)
                phone_accounts.hold(write, after["phone"])
                if phone_accounts.live_accounts(applicant.phone) > 0:
                    phone_accounts.let_go(write, applicant.phone)
            if "document_number" in after:
                write.save(
                    IdentityClaim(identity_claim(after["document_number"]), applicant_id=applicant_id, created_at=now),
                    condition=IdentityClaim.claim.does_not_exist() | (IdentityClaim.applicant_id == applicant_id),
                )
    except TransactWriteError as error:
        if email_changed:
            wiring.accounts().change_email(after["email"], applicant.email)
        if condition_failed(error) and "phone" in after and phone_accounts.full(after["phone"]):
            raise phone_accounts.refusal() from None
        if condition_failed(error) and "document_number" in after:
            raise DuplicateAccount("Another account already uses this document number.") from None
        if condition_failed(error):
            raise ValidationFailed("The record changed while you were amending it. Reload it and try again.") from None
        raise
    refreshed = _applicant(applicant_id, "The applicant no longer exists.")
    return AmendmentResult(profile=_profile(refreshed), audit=audit.as_entry(amendment_record))


def _requested_changes(applicant: Applicant, request: AmendApplicantRequest) -> dict[str, Any]:
    changes = request.model_dump(exclude={"reason"}, exclude_none=True, mode="json")
    if "document_number" in changes or "document_type" in changes:
        document_type = identity.DocumentType(changes.get("document_type", applicant.document_type))
        number = changes.get("document_number", applicant.document_number)
        try:
            changes["document_number"] = identity.normalize_document_number(document_type, number)
        except ValueError as problem:
            raise ValidationFailed(details={"fields": [{"field": "document_number", "message": str(problem)}]}) from None
    return changes


def _amendable_view(applicant: Applicant) -> dict[str, Any]:
    return {field: getattr(applicant, field) for field in profile.AMENDABLE_FIELDS}


def reachable_applicant(caller: Caller, applicant_id: str) -> Applicant:
    """The account, if the caller may reach it: staff, people of their directorate's province;
    admins, anyone. Anyone else gets NotFound, as for an id that does not exist."""
    applicant = _applicant(applicant_id, "No applicant with this id is registered in your directorate's province.")
    directorate = staff_directorate(caller)
    residency = residency_of(applicant)
    profile.require_staff_reach(
        caller, directorate.province if directorate else None, residency.province if residency else None
    )
    return applicant


def _applicant(applicant_id: str, message: str) -> Applicant:
    try:
        return Applicant.get(applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        raise NotFound(message) from None


def _profile(applicant: Applicant) -> ApplicantProfile:
    residency = residency_of(applicant)
    province = find_province(residency.province) if residency else None
    return ApplicantProfile(
        applicant_id=applicant.applicant_id,
        status=applicant.status,
        document_type=applicant.document_type,
        document_number=applicant.document_number,
        nationality=applicant.nationality,
        given_name=applicant.given_name,
        family_name=applicant.family_name,
        birth_date=date.fromisoformat(applicant.birth_date),
        email=applicant.email,
        phone=applicant.phone,
        language=applicant.language,
        province=residency.province if residency else None,
        province_name=province.name if province else None,
        permit_status=residency.permit_status if residency else None,
        permit_valid_until=residency.valid_until if residency else None,
        locked_until=lock_in_force(applicant.locked_until, clock.now()),
        email_undeliverable=email_feedback.is_undeliverable(applicant),
        notice_version=applicant.notice_version,
        notice_seen_at=applicant.notice_seen_at,
    )
