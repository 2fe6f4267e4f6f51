"""Receipts on the portal: the person downloads theirs (PDF) from the appointment's page, and
staff check one at the door ("Check a receipt"): a scanner types the QR code's content into the
field like a keyboard and presses Enter, or staff type or paste it. Works without JavaScript."""

from __future__ import annotations

from pydantic import ValidationError

from chalicelib.contract import ReceiptCheckRequest, ReceiptGenuine
from chalicelib.domain.catalogue import find_directorate, find_service
from chalicelib.i18n import MESSAGES, text
from chalicelib.services import receipts
from chalicelib.web.common import field_error, staff
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.render import render


def receipt_pdf(request: WebRequest, appointment_id: str) -> WebResponse:
    """The appointment's receipt, in the page's language (for its person or their guardian)."""
    caller = request.caller()
    if caller is None:
        return redirect("/sign-in")
    pdf = receipts.receipt_pdf_for(caller, appointment_id, request.language)
    return WebResponse(200, pdf.content, content_type=pdf.media_type,  # type: ignore[arg-type]
                       headers={"Content-Disposition": f'attachment; filename="{pdf.filename}"'})


def check_receipt(request: WebRequest) -> WebResponse:
    caller = staff(request)
    if caller is None:
        return redirect("/sign-in")
    if request.method == "GET":
        return render(request, "staff_receipt.html", result=None)
    try:
        body = ReceiptCheckRequest.model_validate({"code": request.form.get("code", "")})
    except ValidationError:
        return render(request, "staff_receipt.html", status=400, result=None,
                      errors=[field_error(request, "staff.receipt.error.missing", "code")])
    result = receipts.check(caller, body)
    if not isinstance(result, ReceiptGenuine):
        return render(request, "staff_receipt.html", result=result, genuine=False)
    directorate = find_directorate(result.directorate)
    holder = result.holder
    service = find_service(holder.service) if holder else None
    status_key = f"status.{holder.status}" if holder else ""
    return render(
        request, "staff_receipt.html", result=result, genuine=True, holder=holder,
        directorate_name=directorate.name if directorate else result.directorate,
        service_name=service.name_in(request.language) if service else (holder.service if holder else ""),
        status_name=text(status_key, request.language) if status_key in MESSAGES else (holder.status if holder else ""),
    )
