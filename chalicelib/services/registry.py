"""The residents registry: the authority's feed of who holds which permit, living where."""

from __future__ import annotations

from datetime import date

from chalicelib.adapters.tables import ResidentRecord
from chalicelib.api.schemas import ImportResidentsRequest, ImportResidentsResponse
from chalicelib.clock import clock
from chalicelib.domain.catalogue import PermitStatus
from chalicelib.domain.eligibility import Residency


def import_residents(request: ImportResidentsRequest) -> ImportResidentsResponse:
    """Upsert by document number: importing the same feed twice leaves the same registry."""
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
                    updated_at=now,
                )
            )
    return ImportResidentsResponse(imported=len(latest))


def find_residency(document_number: str) -> Residency | None:
    try:
        record = ResidentRecord.get(document_number)
    except ResidentRecord.DoesNotExist:
        return None
    return Residency(
        document_number=record.document_number,
        permit_status=PermitStatus(record.permit_status),
        valid_until=date.fromisoformat(record.permit_valid_until),
        province=record.province,
    )
