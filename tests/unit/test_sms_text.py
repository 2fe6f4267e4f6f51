"""Short SMS (issue 11, item 3): every appointment SMS names the person, gives the date and time,
the directorate's short name, the reference and the portal link, and stays within its segment
budget for every directorate of the catalogue and every language, with the longest values the
service can put in it. Segments are counted by the GSM 03.38 codec (`gsm0338`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain import notices
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import DIRECTORATES, SHORT_NAME_MAX, find_directorate, find_service
from chalicelib.domain.identity import MAX_NAME_LENGTH
from chalicelib.domain.sms_text import GSM7, UCS2, encoding, first_name, for_sms, gsm_spelling, segments
from chalicelib.i18n import LANGUAGES
from chalicelib.settings import DEFAULT_PORTAL_URL

# Confirmation + reminder, in segments (the budget); the cancellation's own budget.
# Arabic, Persian and Cyrillic letters travel as UCS-2 (70 characters a segment, not 160).
PAIR_BUDGET = {"tr": 3, "en": 3, "ar": 4, "fa": 4, "ru": 4, "uk": 4}
CANCELLATION_BUDGET = {"tr": 2, "en": 2, "ar": 3, "fa": 3, "ru": 3, "uk": 3}
UCS2_LANGUAGES = ("ar", "fa", "ru", "uk")
# The longest values: a two-digit day and month at a two-digit hour, a reference of the booking
# rules' alphabet, a six-digit code, and given names whose SMS form is the longest allowed
# (Turkish letters, and a 64-letter registry name that is cut), as residence permits and the
# registry write them: in Latin letters. An Arabic or Persian SMS may also carry a name in Arabic
# letters, a Russian or Ukrainian one a name in Cyrillic.
# (A name in another script makes a Turkish or English SMS UCS-2: see the last test.)
LATEST = datetime(2026, 12, 31, 16, 30, tzinfo=ISTANBUL)
REFERENCE = "GOC-WXYZ9876"
CODE = "987654"
LATIN_NAMES = ("Ayşegül Gülşah Nazlı", "Ş" * MAX_NAME_LENGTH)
ARABIC_NAME = "عبد الرحمن محمد علي"
PERSIAN_NAME = "محمدحسین غلامرضایی"
CYRILLIC_NAME = "Александра Валерьевна"
NAMES = {
    "tr": LATIN_NAMES, "en": LATIN_NAMES, "ar": (*LATIN_NAMES, ARABIC_NAME), "fa": (*LATIN_NAMES, PERSIAN_NAME, ARABIC_NAME),
    "ru": (*LATIN_NAMES, CYRILLIC_NAME), "uk": (*LATIN_NAMES, CYRILLIC_NAME),
}
LINKS = (DEFAULT_PORTAL_URL, "https://randevu.goc.gov.tr")


def facts(directorate, given_name="Ayşe", language="tr", link=DEFAULT_PORTAL_URL) -> notices.AppointmentFacts:
    return notices.AppointmentFacts(
        appointment_id="4f1c2d9e-0000-4000-8000-000000000001",
        reference=REFERENCE,
        booked_at=LATEST - timedelta(days=10),
        start=LATEST,
        end=LATEST + timedelta(minutes=30),
        directorate=directorate,
        service=find_service("residence_permit_application"),
        given_name=given_name,
        email="ayse@example.org",
        language=language,
        portal_url=link,
    )


def test_gsm7_holds_the_turkish_capitals_and_umlauts_but_not_the_other_turkish_letters():
    assert encoding("ÇÖÜöü") == GSM7
    for letter in "çıİşŞğĞ":
        assert encoding(letter) == UCS2, letter


def test_turkish_letters_are_spelled_as_gsm7_turkish_sms_spell_them():
    assert gsm_spelling("Şanlıurfa Göç İdaresi, Ağrı, Çağrı, Kâhta – “ok” ’") == "Sanliurfa Göc Idaresi, Agri, Çagri, Kahta - \"ok\" '"
    assert for_sms("Iğdır Göç İdaresi") == "Igdir Göc Idaresi"
    assert encoding(for_sms("Iğdır Göç İdaresi")) == GSM7


def test_a_message_that_stays_ucs2_anyway_keeps_every_letter():
    arabic = "أيشه، موعدك مؤكد: Şanlıurfa Göç İdaresi"
    assert for_sms(arabic) == arabic
    cyrillic_name = "Ольга, your appointment is confirmed: Iğdır Göç İdaresi"
    assert for_sms(cyrillic_name) == cyrillic_name


def test_segments_follow_gsm_03_38_and_ucs2_sizes():
    assert [segments("a" * n) for n in (1, 160, 161, 306, 307)] == [1, 1, 2, 2, 3]
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # the extension table takes two septets
    assert segments("a" * 152 + "€" + "a" * 8) == 2  # 162 septets, the escape pair is not split
    assert [segments("ş" * n) for n in (70, 71, 134, 135)] == [1, 2, 2, 3]
    assert segments("a" * 159 + "ı") == 3  # one Turkish letter: 160 UTF-16 units


def test_the_sms_name_is_the_given_name_up_to_twenty_characters_at_a_word_boundary():
    assert first_name("Mehmet Ali") == "Mehmet Ali"
    assert first_name("Muhammad Abdulrahman Yusuf") == "Muhammad Abdulrahman"
    assert first_name("Abdulkerimmuhammedmustafa") == "Abdulkerimmuhammedmu"


def test_every_directorate_has_a_short_name_within_the_bound():
    assert all(0 < len(d.short_name) <= SHORT_NAME_MAX for d in DIRECTORATES)
    assert find_directorate("34-kadikoy").short_name == "Kadıköy Hizmet Noktası"
    assert find_directorate("63-merkez").short_name == "Şanlıurfa Göç İdaresi"


@pytest.mark.parametrize("language", LANGUAGES)
def test_confirmation_and_reminder_fit_the_segment_budget_for_every_directorate(language):
    over = []
    for directorate in DIRECTORATES:
        for name in NAMES[language]:
            for link in LINKS:
                subject = facts(directorate, name, language, link)
                confirmed = notices.sms(notices.CONFIRMED, subject)
                reminded = notices.sms(notices.REMINDER, subject, code=CODE)
                cancelled = notices.sms(notices.CANCELLED, subject)
                pair = segments(confirmed) + segments(reminded)
                if pair > PAIR_BUDGET[language] or segments(cancelled) > CANCELLATION_BUDGET[language]:
                    over.append((directorate.id, name, link, segments(confirmed), segments(reminded), segments(cancelled)))
    assert not over, over[:5]


@pytest.mark.parametrize("language", ("tr", "en"))
def test_turkish_and_english_sms_travel_as_gsm7_for_every_directorate(language):
    for directorate in DIRECTORATES:
        for kind in (notices.CONFIRMED, notices.REMINDER, notices.CANCELLED):
            body = notices.sms(kind, facts(directorate, "Ayşegül Çağla", language), code=CODE)
            assert encoding(body) == GSM7, body


def test_the_sms_has_the_essentials_and_the_email_keeps_everything_else():
    fatih = find_directorate("34-fatih")
    notice = notices.cancellation(facts(fatih, "Ayşegül Çağla", "en"), "no-reply@example.org", "Power cut in the building")
    assert notice.sms == ("Aysegül Çagla, your appointment on 31.12.2026 16:30 was cancelled by Fatih Hizmet Noktasi. "
                          f"You will get a new one first. Reference: {REFERENCE}. {DEFAULT_PORTAL_URL}")
    for detail in ("Power cut in the building", fatih.name, "Residence permit application submission"):
        assert detail in notice.email_body
    reminder = notices.reminder(facts(fatih, "Ayşegül Çağla", "tr"), "no-reply@example.org", CODE)
    assert reminder.sms.startswith("Aysegül Çagla, yarin 31.12.2026 16:30 randevunuz var: Fatih Hizmet Noktasi.")
    assert f"Giris kodu: {CODE}" in reminder.sms and "Akşemsettin" not in reminder.sms
    assert "Akşemsettin Mah." in reminder.email_body and "Yanınızda getirin" in reminder.email_body


@pytest.mark.parametrize("language", LANGUAGES)
def test_code_sms_name_the_person_and_fit_two_segments(language):
    for key in ("sms.verification_code", "sms.password_reset_code"):
        body = notices.person_sms(key, language, "Ayşegül Gülşah Nazlı", code=CODE, minutes=15)
        expected = {"ar": "Ayşegül Gülşah Nazlı،", "fa": "Ayşegül Gülşah Nazlı،", "ru": "Ayşegül Gülşah Nazlı,", "uk": "Ayşegül Gülşah Nazlı,"}
        assert body.startswith(expected.get(language, "Aysegül Gülsah Nazli,")) and CODE in body
        assert segments(body) <= 2, body
        assert encoding(body) == (UCS2 if language in UCS2_LANGUAGES else GSM7)


@pytest.mark.parametrize("language", ("tr", "en"))
def test_a_name_in_another_script_keeps_its_letters_at_the_cost_of_ucs2(language):
    for directorate in DIRECTORATES:
        subject = facts(directorate, ARABIC_NAME, language)
        for kind in (notices.CONFIRMED, notices.REMINDER, notices.CANCELLED):
            body = notices.sms(kind, subject, code=CODE)
            assert body.startswith(ARABIC_NAME) and encoding(body) == UCS2
            assert segments(body) <= 3, body


# A request the system withdrew (issue 12, item 8): why, in one sentence, and the portal link.
WITHDRAWAL_BUDGET = {"tr": 2, "en": 2, "ar": 3, "fa": 3, "ru": 3, "uk": 3}


def withdrawal_facts(reason: str, given_name: str, language: str, link: str = DEFAULT_PORTAL_URL) -> notices.WithdrawalFacts:
    return notices.WithdrawalFacts(request_id="4f1c2d9e-0000-4000-8000-000000000002", reason=reason,
                                   service=find_service("residence_permit_application"), given_name=given_name, language=language, portal_url=link)


@pytest.mark.parametrize("language", sorted(WITHDRAWAL_BUDGET))
def test_the_withdrawal_sms_fits_its_budget_for_every_reason_and_says_why(language):
    from chalicelib.domain.assignment import SYSTEM_REASONS
    from chalicelib.i18n import text

    names = (*LATIN_NAMES, ARABIC_NAME) if language not in ("tr", "en") else LATIN_NAMES
    for reason in SYSTEM_REASONS:
        for name in names:
            for link in LINKS:
                # Rendered through the same text function as delivery, in the language asked for.
                body = notices.person_sms("sms.request_withdrawn", language, name, reason=text(f"request.withdrawn.{reason}", language), link=link)
                assert segments(body) <= WITHDRAWAL_BUDGET[language], (reason, name, body)
                assert link in body
                assert language not in ("tr", "en") or encoding(body) == GSM7, body


def test_the_withdrawal_notice_explains_why_by_sms_and_email_and_links_the_request():
    notice = notices.withdrawal(withdrawal_facts("permit_ended", "Ayşegül Çağla", "en"))
    assert notice.sms == ("Aysegül Çagla, your appointment request was withdrawn: Your permit ends before the first day "
                          f"we could give you. Details: {DEFAULT_PORTAL_URL}")
    assert "Your permit ends before the first day we could give you." in notice.email_body
    assert f"{DEFAULT_PORTAL_URL}/requests/4f1c2d9e-0000-4000-8000-000000000002" in notice.email_body
    assert "Residence permit application submission" in notice.email_subject and notice.calendar is None
    turkish = notices.withdrawal(withdrawal_facts("moved_province", "Ayşe", "tr"))
    assert "baska bir ilde" in turkish.sms and "başka bir ilde" in turkish.email_body
