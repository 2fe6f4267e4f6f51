"""Public endpoints: health and the catalogue."""

from __future__ import annotations

from chalicelib.api.http import endpoint
from chalicelib.contract import DirectorateOut, DirectoratesQuery, Health, ProvinceOut, ServiceOut
from chalicelib.domain.errors import ValidationFailed
from chalicelib.services import catalogue


@endpoint("Is the service up?")
def health() -> Health:
    return Health(status="ok")


@endpoint("The 81 provinces, by plate code")
def provinces() -> list[ProvinceOut]:
    return catalogue.provinces()


@endpoint("Migration directorates, optionally of one province", errors=(ValidationFailed,))
def directorates(query: DirectoratesQuery) -> list[DirectorateOut]:
    return catalogue.directorates(query)


@endpoint("Services that can be booked, with duration and eligible permit statuses")
def services() -> list[ServiceOut]:
    return catalogue.services()
