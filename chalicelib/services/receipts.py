"""The appointment receipt: a PDF the person keeps (printed or on a phone), with a QR code staff
scan at the door to see whether it is genuine and whose it is.

Issuing: the owner of the appointment (or the guardian the person's record names) downloads it;
the token in the QR code is signed by the receipt key in KMS (`domain/receipt.py` says what it
carries and when it is genuine). Checking: the token is verified in the function with the key's
public half, fetched from KMS once per process (`adapters/signing.py`): no KMS call per check.
A genuine token is then looked up: staff of the appointment's directorate (and admins) see whose
it is, as the service holds it now, and that read is audited like any read of a person's record;
staff of another directorate learn only that it is genuine, and for which directorate and time."""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.adapters.tables import Applicant, Appointment
from chalicelib.clock import clock
from chalicelib.contract import PdfDownload, ReceiptCheckRequest, ReceiptGenuine, ReceiptHolder, ReceiptNotGenuine
from chalicelib.domain import receipt, receipt_pdf
from chalicelib.domain.catalogue import find_directorate, find_service
from chalicelib.domain.documents import what_to_bring
from chalicelib.domain.catalogue import DEFAULT_GRACE_MINUTES
from chalicelib.domain.errors import NotFound
from chalicelib.domain.identity import mask_document_number
from chalicelib.domain.roles import Caller, Role
from chalicelib.i18n import LANGUAGES
from chalicelib.services import audit, booking
from chalicelib.services.auth import staff_directorate
from chalicelib.settings import get_settings

CHECKED = "receipt.checked"  # a staff read of whose appointment a genuine receipt is
BY_APPOINTMENT = "appointment"  # the read's lookup: the person was reached through an appointment


def receipt_pdf_for(caller: Caller, appointment_id: str, language: str | None = None) -> PdfDownload:
    """The receipt of an appointment, for the person it is for or their guardian (anyone else:
    404, as if it did not exist), in `language` (default: the person's notification language)."""
    appointment, person = _holders_appointment(caller, appointment_id)
    directorate = find_directorate(appointment.directorate_id)
    service = find_service(appointment.service)
    language = language if language in LANGUAGES else person.language
    masked = mask_document_number(person.document_number)
    claims = receipt.ReceiptClaims(
        appointment_id=appointment.appointment_id,
        masked_document=masked,
        directorate_id=appointment.directorate_id,
        start=appointment.start,
        issued_at=clock.now(),
    )
    signature = wiring.receipt_signer().sign(receipt.signing_input(claims))
    facts = receipt_pdf.ReceiptFacts(
        language=language,
        given_name=person.given_name,
        family_name=person.family_name,
        masked_document=masked,
        directorate_name=directorate.name if directorate else appointment.directorate_id,
        directorate_address=directorate.address if directorate else "",
        service_name=service.name_in(language) if service else appointment.service,
        start=appointment.start,
        reference=appointment.reference,
        documents=tuple(what_to_bring(appointment.service, language)),
        grace_minutes=directorate.grace_minutes if directorate else DEFAULT_GRACE_MINUTES,
        token=receipt.token(claims, signature),
    )
    return PdfDownload(content=receipt_pdf.render(facts), filename=f"receipt-{appointment.reference}.pdf")


def check(caller: Caller, request: ReceiptCheckRequest) -> ReceiptGenuine | ReceiptNotGenuine:
    """Whether a receipt's code is genuine and, for staff of its directorate, whose it is."""
    claims = _genuine_claims(request.code)
    if claims is None:
        return ReceiptNotGenuine()
    genuine = ReceiptGenuine(
        appointment_id=claims.appointment_id,
        directorate=claims.directorate_id,
        start=claims.start,
        issued_at=claims.issued_at,
        masked_document=claims.masked_document,
    )
    if not _serves(caller, claims.directorate_id):
        return genuine
    try:
        appointment = Appointment.get(claims.appointment_id)
        person = Applicant.get(appointment.applicant_id)
    except (Appointment.DoesNotExist, Applicant.DoesNotExist):
        return genuine  # signed by us, yet nothing to show: the officer looks the person up
    audit.record(
        audit.applicant_reads_subject(person.applicant_id), CHECKED, actor_id=caller.account_id,
        actor_role=audit.actor_role(caller), at=clock.now(), lookup=BY_APPOINTMENT,
    ).save()  # before anything is shown: a read that cannot be recorded is not served
    genuine.holder = ReceiptHolder(
        applicant_id=person.applicant_id,
        given_name=person.given_name,
        family_name=person.family_name,
        masked_document=mask_document_number(person.document_number),
        reference=appointment.reference,
        service=appointment.service,
        status=appointment.attendance or appointment.status,
    )
    return genuine


def _genuine_claims(code: str) -> receipt.ReceiptClaims | None:
    """The claims of a code signed by the receipt key, or by a key rotated out whose receipts are
    still honoured (settings.receipt_previous_public_keys): a rotation voids no receipt in hand."""
    for public_key in (wiring.receipt_signer().public_key(), *get_settings().receipt_previous_public_keys):
        claims = receipt.genuine_claims(code, public_key)
        if claims is not None:
            return claims
    return None


def _serves(caller: Caller, directorate_id: str) -> bool:
    """Staff see the people of their own directorate's appointments; admins everyone's."""
    if Role.ADMIN in caller.roles:
        return True
    directorate = staff_directorate(caller)
    return directorate is not None and directorate.id == directorate_id


def _holders_appointment(caller: Caller, appointment_id: str) -> tuple[Appointment, Applicant]:
    """The appointment and its person, when the caller is that person or their guardian."""
    not_found = NotFound("There is no appointment with this id.")
    try:
        appointment = Appointment.get(appointment_id)
        person = Applicant.get(appointment.applicant_id)
    except (Appointment.DoesNotExist, Applicant.DoesNotExist):
        raise not_found from None
    if not booking.holds(caller, appointment):
        raise not_found
    return appointment, person
