"""What a person is told about their appointment, in their language: the SMS, the email and the
calendar invitation. Pure: it renders text and bytes, and sends nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import Directorate, Service
from chalicelib.i18n import FALLBACK, LANGUAGES, MESSAGES, text

CALENDAR_PRODUCT = "-//Migration Directorate appointments//EN"


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
    email: str
    language: str


@dataclass(frozen=True)
class Notice:
    sms: str
    email_subject: str
    email_body: str
    calendar: bytes  # an iCalendar invitation, or its cancellation
    calendar_method: str = "REQUEST"  # REQUEST | CANCEL: the invitation's METHOD, for the mail part too


def confirmation(facts: AppointmentFacts, organizer_email: str) -> Notice:
    """The appointment is confirmed: when, where, what for, the reference, what to bring."""
    return _notice("appointment_confirmed", facts, organizer_email)


def confirmation_invitation(facts: AppointmentFacts, organizer_email: str) -> bytes:
    """The confirmation's calendar invitation alone (the portal offers it for download)."""
    return invitation(facts, organizer_email, summary=_summary(facts, _language(facts)))


def reminder(facts: AppointmentFacts, organizer_email: str, checkin_code: str) -> Notice:
    """The day before: the same facts, and the one-time code to give at the counter."""
    return _notice("appointment_reminder", facts, organizer_email, code=checkin_code)


def cancellation(facts: AppointmentFacts, organizer_email: str, reason: str) -> Notice:
    """The directorate cancelled the appointment (a closure): it does not count against the
    person, and a new appointment is being assigned to them first. The invitation cancels the
    calendar entry."""
    return _notice("appointment_cancelled", facts, organizer_email, method="CANCEL", reason=reason)


def _notice(kind: str, facts: AppointmentFacts, organizer_email: str, method: str = "REQUEST", **extra: str) -> Notice:
    language = _language(facts)
    values = {
        "when": f"{facts.start.astimezone(ISTANBUL):%d.%m.%Y %H:%M}",
        "directorate": facts.directorate.name,
        "address": facts.directorate.address,
        "service": facts.service.name_in(language),
        "reference": facts.reference,
        "bring": _what_to_bring(facts.service.code, language),
        "name": facts.given_name,
        **extra,
    }
    return Notice(
        sms=text(f"sms.{kind}", language, **values),
        email_subject=text(f"email.{kind}.subject", language, **values),
        email_body=text(f"email.{kind}.body", language, **values),
        calendar=invitation(facts, organizer_email, summary=_summary(facts, language), method=method),
        calendar_method=method,
    )


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
    attendee = vCalAddress(f"mailto:{facts.email}")
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
