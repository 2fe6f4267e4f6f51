"""The receipt against the emulated KMS: the person (or their guardian) gets a PDF whose QR code
carries a token the receipt key signed; staff of the directorate see whose it is (audited), other
staff only that it is genuine; anything altered is not genuine; checks need no KMS call each."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from chalicelib import wiring
from chalicelib.adapters.tables import Applicant, Appointment, AuditRecord
from chalicelib.contract import ReceiptCheckRequest, ReceiptGenuine, ReceiptNotGenuine
from chalicelib.domain.documents import what_to_bring
from chalicelib.domain.errors import NotFound
from chalicelib.services import audit, receipts
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.world import FATIH, MERKEZ, applicant, book, free_slots, staff_of


def _qr_code(pdf: bytes) -> str:
    import zxingcpp

    [image] = PdfReader(io.BytesIO(pdf)).pages[0].images
    [found] = zxingcpp.read_barcodes(image.image, formats=zxingcpp.BarcodeFormat.QRCode)  # a QR code's modules can also read as a short linear code
    return found.text


def _text(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.fixture(scope="module")
def horizon(aws):
    extend_slot_horizon(only=(FATIH,))


@pytest.fixture
def booked(aws, horizon):
    person = applicant(language="en")
    appointment = book(person, free_slots(person, service="passport_number_update")[0].slot_id, service="passport_number_update")
    return person, appointment, Applicant.get(person.account_id)


def test_the_receipt_names_the_person_masks_the_document_lists_what_to_bring_and_its_qr_code_is_genuine(booked):
    person, appointment, record = booked
    pdf = receipts.receipt_pdf_for(person, appointment.appointment_id)
    assert pdf.media_type == "application/pdf" and pdf.content.startswith(b"%PDF-")
    shown = _text(pdf.content)
    assert "Test Person" in shown and appointment.reference in shown
    assert f"***{record.document_number[-4:]}" in shown and record.document_number not in shown
    for line in what_to_bring("passport_number_update", "en"):
        assert line in shown.replace("\n", " ")
    code = _qr_code(pdf.content)
    assert record.document_number not in code
    result = receipts.check(staff_of(FATIH), ReceiptCheckRequest(code=code))
    assert isinstance(result, ReceiptGenuine) and result.appointment_id == appointment.appointment_id
    assert result.holder.given_name == "Test" and result.holder.masked_document == f"***{record.document_number[-4:]}"
    assert result.holder.reference == appointment.reference and result.holder.status == "confirmed"


def test_staff_of_another_directorate_learn_only_that_it_is_genuine_and_staff_reads_are_audited(booked):
    person, appointment, _ = booked
    code = _qr_code(receipts.receipt_pdf_for(person, appointment.appointment_id).content)
    elsewhere = receipts.check(staff_of(MERKEZ), ReceiptCheckRequest(code=code))
    assert isinstance(elsewhere, ReceiptGenuine) and elsewhere.holder is None and elsewhere.directorate == FATIH.id
    door = staff_of(FATIH)
    receipts.check(door, ReceiptCheckRequest(code=code))
    reads = list(AuditRecord.query(audit.applicant_reads_subject(person.account_id)))
    assert [(r.actor_id, r.action, r.lookup) for r in reads] == [(door.account_id, receipts.CHECKED, "appointment")]


def test_an_altered_code_or_one_signed_by_another_key_is_not_genuine(booked, aws):
    person, appointment, _ = booked
    code = _qr_code(receipts.receipt_pdf_for(person, appointment.appointment_id).content)
    door = staff_of(FATIH)
    middle = len(code) // 2
    altered = code[:middle] + ("A" if code[middle] != "A" else "B") + code[middle + 1:]
    assert receipts.check(door, ReceiptCheckRequest(code=altered)) == ReceiptNotGenuine()
    # Another asymmetric key of the same kind, in the same KMS: its signatures are not ours.
    kms = wiring._client("kms")
    other = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    from chalicelib.adapters.signing import KmsSigner
    from chalicelib.domain import receipt

    header_and_claims = code.rsplit(".", 1)[0]
    forged = f"{header_and_claims}.{receipt._b64(KmsSigner(kms, other).sign(header_and_claims.encode()))}"
    assert receipts.check(door, ReceiptCheckRequest(code=forged)) == ReceiptNotGenuine()


def test_checks_use_the_public_key_fetched_once_not_a_kms_call_each(booked, monkeypatch):
    person, appointment, _ = booked
    code = _qr_code(receipts.receipt_pdf_for(person, appointment.appointment_id).content)
    signer = wiring.receipt_signer()
    signer.public_key()  # the process has fetched it
    calls = []
    monkeypatch.setattr(signer._client, "get_public_key", lambda **kwargs: calls.append(kwargs))
    for _ in range(3):
        assert isinstance(receipts.check(staff_of(FATIH), ReceiptCheckRequest(code=code)), ReceiptGenuine)
    assert calls == []


def test_only_the_person_or_their_guardian_gets_the_receipt(booked):
    person, appointment, record = booked
    with pytest.raises(NotFound):
        receipts.receipt_pdf_for(applicant(), appointment.appointment_id)
    with pytest.raises(NotFound):
        receipts.receipt_pdf_for(person, str(uuid.uuid4()))
    guardian = applicant()  # the guardian an appointment names (services/booking.py `holds`)
    Appointment(appointment.appointment_id).update(actions=[Appointment.guardian_id.set(guardian.account_id)])
    pdf = receipts.receipt_pdf_for(guardian, appointment.appointment_id, "ar")
    assert "Test Person" in _text(pdf.content) and "يرجى إحضار" in _text(pdf.content)


def test_after_the_receipt_key_is_rotated_the_receipts_it_signed_stay_genuine_while_its_public_key_is_honoured(booked, aws, monkeypatch):
    """An asymmetric KMS key cannot rotate itself: a new key signs from the deployment on, and the
    old key's public half is honoured (RECEIPT_PREVIOUS_PUBLIC_KEYS) until its receipts are past."""
    import base64

    from chalicelib.adapters.signing import KmsSigner
    from chalicelib.domain import receipt
    from chalicelib.settings import reset_settings

    person, appointment, _ = booked
    code = _qr_code(receipts.receipt_pdf_for(person, appointment.appointment_id).content)
    kms = wiring._client("kms")
    old_key = KmsSigner(kms, kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"])
    header_and_claims = code.rsplit(".", 1)[0]
    signed_by_old_key = f"{header_and_claims}.{receipt._b64(old_key.sign(header_and_claims.encode()))}"
    door = staff_of(FATIH)
    try:
        assert receipts.check(door, ReceiptCheckRequest(code=signed_by_old_key)) == ReceiptNotGenuine()
        monkeypatch.setenv("RECEIPT_PREVIOUS_PUBLIC_KEYS", base64.b64encode(old_key.public_key()).decode())
        reset_settings()
        honoured = receipts.check(door, ReceiptCheckRequest(code=signed_by_old_key))
        assert isinstance(honoured, ReceiptGenuine) and honoured.appointment_id == appointment.appointment_id
        assert isinstance(receipts.check(door, ReceiptCheckRequest(code=code)), ReceiptGenuine)  # the new key's too
        monkeypatch.delenv("RECEIPT_PREVIOUS_PUBLIC_KEYS")
        reset_settings()
        assert receipts.check(door, ReceiptCheckRequest(code=signed_by_old_key)) == ReceiptNotGenuine()  # its time is over
    finally:
        reset_settings()
