"""What a person is told about their appointment, in their language: the SMS, the email and the
calendar invitation. Pure: it renders text and bytes, and sends nothing.

The SMS is short (a segment or two): the person's first name (families share phones), the date
and time, the directorate's short name, the reference and the portal link, in GSM-7 spelling
where that keeps it GSM-7 (`sms_text`). The email carries everything: the full name and address,
the service, what to bring, the rules, the reason for a cancellation, and the invitation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain import sms_text
from chalicelib.domain.catalogue import Directorate, Service
from chalicelib.i18n import FALLBACK, LANGUAGES, MESSAGES, text

CALENDAR_PRODUCT = "-//Migration Directorate appointments//EN"
# The kinds of notice (their texts are `sms.<kind>`, `email.<kind>.subject`, `email.<kind>.body`).
CONFIRMED, REMINDER, CANCELLED = "appointment_confirmed", "appointment_reminder", "appointment_cancelled"


@dataclass(frozen=True)
class AppointmentFacts:
    appointment_id: str
    reference: str
    booked_at: datetime
    start: datetime
    end: datetime
    directorate: Directorate
    service: Service
    given_name: str
    email: str | None
    language: str
    portal_url: str  # where the person sees their appointments; the SMS links to it


@dataclass(frozen=True)
class Notice:
    sms: str
    email_subject: str
    email_body: str
    calendar: bytes  # an iCalendar invitation, or its cancellation
    calendar_method: str = "REQUEST"  # REQUEST | CANCEL: the invitation's METHOD, for the mail part too


def confirmation(facts: AppointmentFacts, organizer_email: str) -> Notice:
    """The appointment is confirmed: when, where, what for, the reference, what to bring."""
    return _notice(CONFIRMED, facts, organizer_email)


def confirmation_invitation(facts: AppointmentFacts, organizer_email: str) -> bytes:
    """The confirmation's calendar invitation alone (the portal offers it for download)."""
    return invitation(facts, organizer_email, summary=_summary(facts, _language(facts)))


def reminder(facts: AppointmentFacts, organizer_email: str, checkin_code: str) -> Notice:
    """The day before: the same facts, and the one-time code to give at the counter."""
    return _notice(REMINDER, facts, organizer_email, code=checkin_code)


def cancellation(facts: AppointmentFacts, organizer_email: str, reason: str) -> Notice:
    """The directorate cancelled the appointment (a closure): it does not count against the
    person, and a new appointment is being assigned to them first. The invitation cancels the
    calendar entry."""
    return _notice(CANCELLED, facts, organizer_email, method="CANCEL", reason=reason)


def _notice(kind: str, facts: AppointmentFacts, organizer_email: str, method: str = "REQUEST", **extra: str) -> Notice:
    language = _language(facts)
    values = {
        "when": _when(facts),
        "directorate": facts.directorate.name,
        "address": facts.directorate.address,
        "service": facts.service.name_in(language),
        "reference": facts.reference,
        "bring": _what_to_bring(facts.service.code, language),
        "late": text("appointment.late", language, grace=facts.directorate.grace_minutes),
        "name": facts.given_name,
        **extra,
    }
    return Notice(
        sms=sms(kind, facts, code=extra.get("code", "")),
        email_subject=text(f"email.{kind}.subject", language, **values),
        email_body=text(f"email.{kind}.body", language, **values),
        calendar=invitation(facts, organizer_email, summary=_summary(facts, language), method=method),
        calendar_method=method,
    )


def sms(kind: str, facts: AppointmentFacts, code: str = "") -> str:
    """The SMS of a notice (`CONFIRMED`, `REMINDER` with its check-in code, `CANCELLED`): the
    first name, date and time, the directorate's short name, the reference and the portal link;
    never the address, the service, what to bring or a cancellation's reason (the email has them)."""
    return person_sms(
        f"sms.{kind}", _language(facts), facts.given_name, when=_when(facts), directorate=facts.directorate.short_name,
        reference=facts.reference, link=facts.portal_url, code=code,
    )


def person_sms(key: str, language: str, given_name: str, **values: object) -> str:
    """Every SMS: it names the person by first name (families share phones) and is spelled in
    GSM-7 where that keeps it GSM-7 (`sms_text`). The code SMS (`sms.verification_code`,
    `sms.password_reset_code`) are built here directly."""
    return sms_text.for_sms(text(key, language, name=sms_text.first_name(given_name), **values))


def _when(facts: AppointmentFacts) -> str:
    return f"{facts.start.astimezone(ISTANBUL):%d.%m.%Y %H:%M}"


def _language(facts: AppointmentFacts) -> str:
    return facts.language if facts.language in LANGUAGES else FALLBACK


def _summary(facts: AppointmentFacts, language: str) -> str:
    return f"{facts.service.name_in(language)} – {facts.reference}"


def _what_to_bring(service_code: str, language: str) -> str:
    key = f"bring.{service_code}"
    return text(key if key in MESSAGES else "bring.default", language)


def invitation(facts: AppointmentFacts, organizer_email: str, summary: str, method: str = "REQUEST") -> bytes:
    """An iCalendar invitation (METHOD:REQUEST), or its cancellation (METHOD:CANCEL, same UID)."""
    from icalendar import Calendar, Event, vCalAddress

    calendar = Calendar()
    calendar.add("prodid", CALENDAR_PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{facts.appointment_id}@md-appointments")
    event.add("dtstamp", facts.booked_at)
    if method == "CANCEL":
        event.add("status", "CANCELLED")
        event.add("sequence", 1)
    event.add("dtstart", facts.start.astimezone(ISTANBUL))
    event.add("dtend", facts.end.astimezone(ISTANBUL))
    event.add("summary", summary)
    event.add("location", f"{facts.directorate.name}, {facts.directorate.address}")
    event.add("description", f"{facts.reference}")
    event.add("organizer", vCalAddress(f"mailto:{organizer_email}"))
    if facts.email:  # a person booked for without an address has an invitation (to print) with no attendee
        attendee = vCalAddress(f"mailto:{facts.email}")
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
