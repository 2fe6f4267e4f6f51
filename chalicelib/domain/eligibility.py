"""Who may use the service: a person the residents registry knows, with a permit in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.catalogue import PermitStatus
from chalicelib.domain.errors import NotEligible


@dataclass(frozen=True)
class Residency:
    """The authority's record of one person: permit status, until when, living where."""

    document_number: str
    permit_status: PermitStatus
    valid_until: date
    province: str

    def in_force_on(self, day: date) -> bool:
        return day <= self.valid_until


def require_permit_in_force(residency: Residency | None, today: date) -> Residency:
    """Only holders of a residence or work permit, or people under international or temporary
    protection, whose status is valid today, may have an account."""
    if residency is None:
        raise NotEligible()
    if not residency.in_force_on(today):
        raise NotEligible(
            "The permit registered for this document expired on "
            f"{residency.valid_until.isoformat()}. Renew it before using this service.",
            valid_until=residency.valid_until.isoformat(),
        )
    return residency
