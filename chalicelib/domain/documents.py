"""What to bring: the documents each service needs, as a list, in one place.

The confirmation page, the confirmation and reminder emails and the PDF receipt all show this
list, in the person's language; each document's text is `document.<key>` in `chalicelib/i18n.py`.
Illustrative, like the catalogue: in production the authority's own list replaces it."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from chalicelib.domain.catalogue import SERVICES
from chalicelib.i18n import text

# The receipt (or the reference) closes every list: it is how the person is found at the door.
_RECEIPT = "receipt"

DOCUMENTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "address_registration": ("identity", "permit_card", "proof_of_address", _RECEIPT),
    "personal_data_update": ("identity", "permit_card", "change_evidence", _RECEIPT),
    "passport_number_update": ("new_and_old_passport", "permit_card", _RECEIPT),
    "biometrics": ("identity", "application_document", _RECEIPT),
    "residence_permit_application": (
        "identity", "application_form", "photos", "health_insurance", "proof_of_address", "fee_receipts", _RECEIPT,
    ),
    "permit_card_delivery": ("identity", "old_card", _RECEIPT),
    "international_protection": ("protection_identity", "supporting_documents", _RECEIPT),
    "temporary_protection": ("temporary_protection_card", _RECEIPT),
})

# Every service of the catalogue has its list (checked at import, as the catalogue checks itself).
_MISSING = {service.code for service in SERVICES} - set(DOCUMENTS)
if _MISSING:
    raise RuntimeError(f"no documents list for the services {sorted(_MISSING)}")


def documents_for(service_code: str) -> tuple[str, ...]:
    """The keys of the documents a service needs (an unknown service: an identity document and
    the receipt, which every visit needs)."""
    return DOCUMENTS.get(service_code, ("identity", _RECEIPT))


def what_to_bring(service_code: str, language: str) -> list[str]:
    """The documents a service needs, one line each, in `language`."""
    return [text(f"document.{key}", language) for key in documents_for(service_code)]
