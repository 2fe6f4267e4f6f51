"""What to bring: every service has its list, in every language, and the notices show it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.domain import notices
from chalicelib.domain.catalogue import SERVICES, find_directorate
from chalicelib.domain.documents import DOCUMENTS, documents_for, what_to_bring
from chalicelib.i18n import LANGUAGES, MESSAGES


def test_every_service_has_a_list_of_documents_each_with_a_text_in_every_language_and_the_receipt_last():
    for service in SERVICES:
        keys = documents_for(service.code)
        assert keys and keys[-1] == "receipt", service.code
        assert len(set(keys)) == len(keys), service.code
        for key in keys:
            for language in LANGUAGES:
                assert MESSAGES[f"document.{key}"].get(language, "").strip(), (key, language)
    assert set(DOCUMENTS) == {service.code for service in SERVICES}
    # Services differ in what they need: a residence permit application needs far more.
    assert len(documents_for("residence_permit_application")) > len(documents_for("permit_card_delivery"))


def test_the_confirmation_email_lists_the_services_documents_one_a_line_in_the_persons_language():
    start = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)
    service = next(s for s in SERVICES if s.code == "passport_number_update")
    facts = notices.AppointmentFacts(
        appointment_id="a-1", reference="GOC-7K3Q9XPA", booked_at=start - timedelta(days=2), start=start,
        end=start + timedelta(minutes=15), directorate=find_directorate("34-fatih"), service=service,
        given_name="Ayşe", email="a@example.org", language="tr", portal_url="https://randevu.example.org",
    )
    body = notices.confirmation(facts, "no-reply@randevu.example.org").email_body
    for line in what_to_bring("passport_number_update", "tr"):
        assert f"\n- {line}" in body
    assert "Yeni ve eski pasaportunuz" in body
    reminder = notices.reminder(facts, "no-reply@randevu.example.org", "123456").email_body
    assert all(f"\n- {line}" in reminder for line in what_to_bring("passport_number_update", "tr"))
