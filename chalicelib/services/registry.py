"""The residents registry: the authority's feed of who holds which permit, living where."""

from __future__ import annotations

from datetime import date

from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.tables import Applicant, IdentityClaim, ResidentRecord
from chalicelib.contract import ImportResidentsRequest, ImportResidentsResponse
from chalicelib.clock import clock
from chalicelib.domain.catalogue import PermitStatus
from chalicelib.domain.eligibility import Residency
from chalicelib.domain.identity import DocumentType
from chalicelib.domain.matching import NOBODY, PersonalDetails


def import_residents(request: ImportResidentsRequest) -> ImportResidentsResponse:
    """Upsert by document number: importing the same feed twice leaves the same registry.
    People who already have an account get their copy of the record refreshed."""
    now = clock.now()
    latest = {record.document_number: record for record in request.records}
    with ResidentRecord.batch_write() as batch:
        for record in latest.values():
            batch.save(
                ResidentRecord(
                    document_number=record.document_number,
                    permit_status=record.permit_status.value,
                    permit_valid_until=record.permit_valid_until.isoformat(),
                    province=record.province,
                    given_name=record.given_name,
                    family_name=record.family_name,
                    birth_date=record.birth_date.isoformat(),
                    nationality=record.nationality,
                    passport_number=record.passport_number,
                    guardian_document_number=record.guardian_document_number,
                    updated_at=now,
                )
            )
    _refresh_account_copies(latest)
    return ImportResidentsResponse(imported=len(latest))


def _refresh_account_copies(records: dict) -> None:
    claims = [identity_claim(number) for number in records]
    for start in range(0, len(claims), 100):
        for claim in IdentityClaim.batch_get(claims[start:start + 100]):
            number = claim.claim.removeprefix(CLAIM_PREFIX)
            record = records[number]
            actions = residency_copy(record.province, record.permit_status.value, record.permit_valid_until.isoformat())
            # A claim without its account (a sign-up that failed half-way) has nothing to refresh;
            # nor has the claim of a number the person held before an amendment: the account
            # follows the record of the document it holds now.
            update_if(Applicant(claim.applicant_id), actions, Applicant.document_number == number)


def residency_copy(province: str, permit_status: str, valid_until: str) -> list:
    """The update actions that copy a registry record onto an account."""
    return [
        Applicant.province.set(province),
        Applicant.permit_status.set(permit_status),
        Applicant.permit_valid_until.set(valid_until),
    ]


def residency_of(applicant: Applicant) -> Residency | None:
    """The registry record as copied onto the account (refreshed by every import)."""
    return _residency(applicant)


def _residency(item: Applicant | ResidentRecord) -> Residency | None:
    """Both items carry the registry's fields under the same names."""
    if not (item.province and item.permit_status and item.permit_valid_until):
        return None
    return Residency(
        document_number=item.document_number,
        permit_status=PermitStatus(item.permit_status),
        valid_until=date.fromisoformat(item.permit_valid_until),
        province=item.province,
    )


CLAIM_PREFIX = "document:"


def identity_claim(document_number: str) -> str:
    """The key of the item that reserves a person's document for exactly one account."""
    return f"{CLAIM_PREFIX}{document_number}"


def find_resident(document_type: DocumentType, number: str) -> ResidentRecord | None:
    """The registry record a sign-up names: by its key for a foreigner ID, through the passport
    index for a passport. Exactly one read either way, found or not."""
    if document_type is DocumentType.FOREIGN_ID:
        try:
            return ResidentRecord.get(number)
        except ResidentRecord.DoesNotExist:
            return None
    found = list(ResidentRecord.by_passport.query(number, limit=2))
    # Two records with one passport number would be the authority's error: match neither.
    return found[0] if len(found) == 1 else None


def permit_in_force(record: ResidentRecord | None, today: date) -> bool:
    residency = _residency(record) if record is not None else None
    return residency is not None and residency.in_force_on(today)


def details_of(record: ResidentRecord) -> PersonalDetails:
    """Who the registry says the person is (records imported before names were carried match
    nobody)."""
    return PersonalDetails(
        given_name=record.given_name or NOBODY.given_name,
        family_name=record.family_name or NOBODY.family_name,
        birth_date=record.birth_date or NOBODY.birth_date,
        nationality=record.nationality or NOBODY.nationality,
    )


def find_residency(document_number: str) -> Residency | None:
    try:
        return _residency(ResidentRecord.get(document_number))
    except ResidentRecord.DoesNotExist:
        return None
