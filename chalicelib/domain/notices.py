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
from chalicelib.domain.documents import what_to_bring
from chalicelib.i18n import FALLBACK, LANGUAGES, text

CALENDAR_PRODUCT = "-//Migration Directorate appointments//EN"
# The kinds of notice (their texts are `sms.<kind>`, `email.<kind>.subject`, `email.<kind>.body`).
CONFIRMED, REMINDER, CANCELLED = "appointment_confirmed", "appointment_reminder", "appointment_cancelled"
WITHDRAWN = "request_withdrawn"  # an assignment request the system withdrew (no appointment, no invitation)
GIVEN_BACK, FOLLOW_UP = "appointment_given_back", "appointment_follow_up"  # issue 12


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
    # A dependant's appointment (issue 12): the guardian's given name. The message goes to the
    # guardian and names the child (`given_name`) it concerns: the SMS by the child's first name,
    # the email in its subject and its first line.
    guardian_name: str | None = None


@dataclass(frozen=True)
class Notice:
    sms: str
    email_subject: str
    email_body: str
    calendar: bytes | None  # an iCalendar invitation, or its cancellation (none for a withdrawn request)
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


@dataclass(frozen=True)
class WithdrawalFacts:
    """A waiting assignment request the system withdrew, and why (domain/assignment.py's reasons)."""

    request_id: str
    reason: str
    service: Service
    given_name: str
    language: str
    portal_url: str


def withdrawal(facts: WithdrawalFacts) -> Notice:
    """The request was withdrawn by the system (the person moved province, their permit ended,
    ...): why, in one sentence, by SMS (with the portal link) and by email (with the link to
    the request's page, and that it is not held against them)."""
    language = _language(facts)
    reason = text(f"request.withdrawn.{facts.reason}", language)
    values = {"name": facts.given_name, "service": facts.service.name_in(language), "reason": reason}
    return Notice(
        sms=person_sms(f"sms.{WITHDRAWN}", language, facts.given_name, reason=reason, link=facts.portal_url),
        email_subject=text(f"email.{WITHDRAWN}.subject", language, **values),
        email_body=text(f"email.{WITHDRAWN}.body", language, **{**values, "link": f"{facts.portal_url}/requests/{facts.request_id}"}),
        calendar=None,
    )


def given_back(facts: AppointmentFacts, organizer_email: str, locked_until: datetime | None) -> Notice:
    """The person gave the place back: it is no no-show, and the lock stays until its end. The
    invitation cancels the calendar entry."""
    until = f"{locked_until.astimezone(ISTANBUL):%d.%m.%Y %H:%M}" if locked_until else "-"
    return _notice(GIVEN_BACK, facts, organizer_email, method="CANCEL", until=until)


def follow_up(facts: AppointmentFacts, organizer_email: str) -> Notice:
    """Staff issued a follow-up visit for the same matter: like a confirmation, and it starts
    no new 30-day wait."""
    return _notice(FOLLOW_UP, facts, organizer_email)


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
        "name": facts.given_name if facts.guardian_name is None else facts.guardian_name,
        **extra,
    }
    subject, body = text(f"email.{kind}.subject", language, **values), text(f"email.{kind}.body", language, **values)
    if facts.guardian_name is not None:
        subject = f"{facts.given_name}: {subject}"
        body = f"{text('email.about_dependant', language, person=facts.given_name)}\n\n{body}"
    return Notice(
        sms=sms(kind, facts, code=extra.get("code", ""), until=extra.get("until", "")),
        email_subject=subject,
        email_body=body,
        calendar=invitation(facts, organizer_email, summary=_summary(facts, language), method=method),
        calendar_method=method,
    )


def sms(kind: str, facts: AppointmentFacts, code: str = "", until: str = "") -> str:
    """The SMS of a notice (`CONFIRMED`, `REMINDER` with its check-in code, `CANCELLED`): the
    first name, date and time, the directorate's short name, the reference and the portal link;
    never the address, the service, what to bring or a cancellation's reason (the email has them)."""
    return person_sms(
        f"sms.{kind}", _language(facts), facts.given_name, when=_when(facts), directorate=facts.directorate.short_name,
        reference=facts.reference, link=facts.portal_url, code=code, until=until,
    )


def person_sms(key: str, language: str, given_name: str, **values: object) -> str:
    """Every SMS: it names the person by first name (families share phones) and is spelled in
    GSM-7 where that keeps it GSM-7 (`sms_text`). The code SMS (`sms.verification_code`,
    `sms.password_reset_code`) are built here directly."""
    return sms_text.for_sms(text(key, language, name=sms_text.first_name(given_name), **values))


def _when(facts: AppointmentFacts) -> str:
    return f"{facts.start.astimezone(ISTANBUL):%d.%m.%Y %H:%M}"


def _language(facts: AppointmentFacts | WithdrawalFacts) -> str:
    return facts.language if facts.language in LANGUAGES else FALLBACK


def _summary(facts: AppointmentFacts, language: str) -> str:
    summary = f"{facts.service.name_in(language)} – {facts.reference}"
    return summary if facts.guardian_name is None else f"{facts.given_name}: {summary}"


def _what_to_bring(service_code: str, language: str) -> str:
    """The service's documents list (`domain/documents.py`), one "- " line each."""
    return "\n".join(f"- {line}" for line in what_to_bring(service_code, language))


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
    event.add("summary", summary, parameters={"LANGUAGE": _language(facts)})  # RFC 5545: the summary's language
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
