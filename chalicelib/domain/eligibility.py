"""Who may use the service: a person the residents registry knows, with a permit in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.catalogue import Directorate, PermitStatus, Service
from chalicelib.domain.errors import NotEligible, WrongProvince


@dataclass(frozen=True)
class Residency:
    """The authority's record of one person: permit status, until when, living where."""

    document_number: str
    permit_status: PermitStatus
    valid_until: date
    province: str

    def in_force_on(self, day: date) -> bool:
        return day <= self.valid_until


def last_day_offered(residency: Residency | None, last_day: date) -> date:
    """Only days on which the permit is still in force are offered (availability, the portal's
    calendar, the assigner): up to `last_day`, or the permit's last day when that comes first.
    Someone the registry does not know is refused at booking; their days are not cut here."""
    if residency is None or residency.in_force_on(last_day):
        return last_day
    return residency.valid_until


def permit_ends_before(residency: Residency | None, last_day: date) -> date | None:
    """The permit's last day when it ends before `last_day` (the portal says so), else None."""
    return residency.valid_until if residency is not None and not residency.in_force_on(last_day) else None


def require_eligible_for(service: Service, residency: Residency | None, appointment_day: date) -> None:
    """A service is for the permit statuses it names, and the permit must still be valid on the
    day of the appointment."""
    if residency is None:
        raise NotEligible()
    if residency.permit_status not in service.eligible_statuses:
        raise NotEligible(
            f"The service '{service.name}' is not available with your status "
            f"({residency.permit_status.value.replace('_', ' ')}).",
            permit_status=residency.permit_status.value,
        )
    if not residency.in_force_on(appointment_day):
        raise NotEligible(
            f"Your permit expires on {residency.valid_until.isoformat()}, before the appointment day. "
            "Choose an earlier day or renew your permit first.",
            valid_until=residency.valid_until.isoformat(),
        )


def require_in_province(directorate: Directorate, residency: Residency | None) -> None:
    """Appointments only at a directorate of the province of registered residence."""
    if residency is None:
        raise NotEligible()  # the registry does not know the person at all
    if directorate.province != residency.province:
        raise WrongProvince(
            f"You can only book at a migration directorate in the province where you are registered ({residency.province}).",
            province=residency.province,
        )
