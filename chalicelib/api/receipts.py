"""Receipts: the PDF an applicant keeps, and the check staff make at the door."""

from __future__ import annotations

from chalicelib.api.http import APPLICANT, STAFF, endpoint
from chalicelib.contract import PdfDownload, ReceiptCheckRequest, ReceiptGenuine, ReceiptNotGenuine
from chalicelib.domain.errors import NotFound
from chalicelib.domain.roles import Caller
from chalicelib.services import receipts



@endpoint(
    "The appointment's receipt (PDF, in the person's language): name, masked document number, the "
    "appointment, what to bring, the rules and a QR code with a signed token staff check at the door. "
    "For the person the appointment is for, or their guardian",
    roles=APPLICANT,
    errors=(NotFound,),
    tag="booking",
)
def receipt_pdf(caller: Caller, appointment_id: str) -> PdfDownload:
    return receipts.receipt_pdf_for(caller, appointment_id)


@endpoint(
    "Check a receipt's QR code: {\"valid\": false} when it was not signed by this service or was "
    "altered; else the appointment it names and, for staff of its directorate (and admins), whose "
    "it is now (the read is audited)",
    roles=STAFF,
    tag="staff",
)
def verify_receipt(caller: Caller, body: ReceiptCheckRequest) -> ReceiptGenuine | ReceiptNotGenuine:
    return receipts.check(caller, body)
