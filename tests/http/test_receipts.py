"""The receipt over HTTP and in the browser: the person downloads a PDF that names them, masks
their document number and carries a signed QR code; at the door, staff of the directorate paste
the code on the console and see genuine and whose it is; one altered character, or a token
signed by another key, is not genuine (axe at WCAG 2.2 AA on each answer)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from bench.population import Resident, create_applicants
from chalicelib.i18n import text
from tests.http.browser import STAFF_PASSWORD, check_accessible, check_answer_in_every_language, click_through, new_staff_member, sign_in
from tests.http.test_booking import open_slots

DIRECTORATE = "34-kadikoy"
SERVICE = "address_registration"


def _qr_code(pdf: bytes) -> str:
    import zxingcpp

    [image] = PdfReader(io.BytesIO(pdf)).pages[0].images
    [found] = zxingcpp.read_barcodes(image.image, formats=zxingcpp.BarcodeFormat.QRCode)  # a QR code's modules can also read as a short linear code
    return found.text


def _foreign_token(code: str) -> str:
    """The same header and claims, signed by a P-256 key that is not the receipt key."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    signed = code.rsplit(".", 1)[0]
    r, s = decode_dss_signature(ec.generate_private_key(ec.SECP256R1()).sign(signed.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signed}.{base64.urlsafe_b64encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big')).rstrip(b'=').decode()}"


@pytest.fixture(scope="module")
def receipt(base_url, api) -> tuple[Resident, dict, bytes]:
    [person] = create_applicants(base_url, 1, province="34")
    slot = open_slots(api, person.token, DIRECTORATE, SERVICE)[0]
    booked = api.post("/v1/appointments", {"slot_id": slot["slot_id"], "service": SERVICE}, token=person.token)
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    response = api.get(f"/v1/appointments/{appointment['appointment_id']}/receipt.pdf", token=person.token)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    return person, appointment, response.content


def test_the_pdf_parses_names_the_appointment_and_shows_the_document_number_masked_only(receipt, api):
    person, appointment, pdf = receipt
    reader = PdfReader(io.BytesIO(pdf))
    shown = reader.pages[0].extract_text()
    assert appointment["reference"] in shown and "Kadıköy" in shown
    assert f"***{person.document_number[-4:]}" in shown
    assert person.document_number not in shown and person.document_number.encode() not in pdf
    assert person.document_number not in _qr_code(pdf)
    stranger = create_applicants(api.base_url, 1, province="34")[0]
    assert api.get(f"/v1/appointments/{appointment['appointment_id']}/receipt.pdf", token=stranger.token).status_code == 404
    assert api.get(f"/v1/appointments/{appointment['appointment_id']}/receipt.pdf").status_code == 401


def test_the_verify_route_says_genuine_and_whose_to_the_directorates_staff_and_no_to_an_altered_code(receipt, api, admin_token):
    person, appointment, pdf = receipt
    code = _qr_code(pdf)
    staff_token = api.login(new_staff_member(api, admin_token, DIRECTORATE), STAFF_PASSWORD)
    genuine = api.post("/v1/staff/receipts/verify", {"code": code}, token=staff_token)
    assert genuine.status_code == 200, genuine.text
    body = genuine.json()
    assert body["valid"] is True and body["appointment_id"] == appointment["appointment_id"]
    assert body["holder"]["masked_document"] == f"***{person.document_number[-4:]}"
    assert body["holder"]["reference"] == appointment["reference"] and body["holder"]["status"] == "confirmed"
    altered = code[:40] + ("x" if code[40] != "x" else "y") + code[41:]
    for wrong in (altered, _foreign_token(code), "not a receipt"):
        answer = api.post("/v1/staff/receipts/verify", {"code": wrong}, token=staff_token)
        assert (answer.status_code, answer.json()) == (200, {"valid": False})
    other_staff = api.login(new_staff_member(api, admin_token, "34-fatih"), STAFF_PASSWORD)
    elsewhere = api.post("/v1/staff/receipts/verify", {"code": code}, token=other_staff).json()
    assert elsewhere["valid"] is True and elsewhere.get("holder") is None
    assert api.post("/v1/staff/receipts/verify", {"code": code}, token=person.token).status_code == 403
    empty = api.post("/v1/staff/receipts/verify", {"code": ""}, token=staff_token)
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "VALIDATION_FAILED"


def test_on_the_console_a_genuine_code_shows_the_person_and_an_altered_or_foreign_one_is_refused(receipt, browser, base_url, api, admin_token):
    person, appointment, pdf = receipt
    code = _qr_code(pdf)
    context, page = sign_in(browser, base_url, new_staff_member(api, admin_token, DIRECTORATE), STAFF_PASSWORD, language="en")
    try:
        click_through(page, "nav.main-nav a[href='/staff/receipts']")
        check_accessible(page)

        def check(value: str, expected: str | None = None):
            def answer(page) -> None:
                page.fill("#code", value)
                with page.expect_navigation():
                    page.press("#code", "Enter")  # as a scanner ends its typing
                if expected:
                    assert page.locator(expected).count() == 1, page.locator("main").inner_text()
            return answer

        check_answer_in_every_language(page, f"{base_url}/staff/receipts", check(code, ".receipt-genuine"))
        page.goto(f"{base_url}/staff/receipts?lang=en")
        check(code)(page)
        assert page.locator(".receipt-genuine").count() == 1, page.locator("main").inner_text()
        assert page.locator(".receipt-genuine").inner_text().strip() == text("staff.receipt.genuine", "en")
        assert page.locator(".receipt-document").inner_text() == f"***{person.document_number[-4:]}"
        assert appointment["reference"] in page.locator(".receipt-details").inner_text()
        for wrong in (code[:-5] + ("A" if code[-5] != "A" else "B") + code[-4:], _foreign_token(code)):
            check(wrong)(page)
            assert page.locator(".receipt-not-genuine").count() == 1 and page.locator(".receipt-genuine").count() == 0
            check_accessible(page)
        check_answer_in_every_language(page, f"{base_url}/staff/receipts", check(_foreign_token(code), ".receipt-not-genuine"))
    finally:
        context.close()
