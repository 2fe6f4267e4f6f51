"""The portal's part of families (issue 12): on the booking's check step a guardian ticks who
comes (themselves and each dependant) and books them in one step; My appointments lists the
children's appointments too. Plain form fields (one checkbox per person, named by the opaque
dependant id): it works without JavaScript."""

from __future__ import annotations

from chalicelib.contract import AppointmentOut, BookingRequest, DependantOut
from chalicelib.domain.errors import DomainError, ValidationFailed
from chalicelib.domain.family import SELF
from chalicelib.domain.roles import Caller
from chalicelib.i18n import text
from chalicelib.services import booking, family
from chalicelib.web.common import field_error, refusal
from chalicelib.web.frame import WebRequest

OFFERED = "family"  # a hidden field: the form offered a choice of people
PERSON_FIELD = "person_{choice}"


def dependants(caller: Caller) -> list[DependantOut]:
    """Whom the check step offers besides the caller (none: the step looks as it always did)."""
    return family.my_dependants(caller)


def chosen(request: WebRequest, offered: list[DependantOut]) -> list[str] | None:
    """Who was ticked, in the order offered ("self" first); None when the form offered no choice.
    Nobody ticked is a field error."""
    if request.form.get(OFFERED) != "yes" or not offered:
        return None
    choices = [SELF, *(d.dependant_id for d in offered)]
    people = [c for c in choices if request.form.get(PERSON_FIELD.format(choice=c)) == "yes"]
    if not people:
        raise ValidationFailed("Choose at least one person who will come.", field="people")
    return people


def book(caller: Caller, slot_id: str, service: str, people: list[str] | None) -> str:
    """Book, and where to go next: the appointment's page for one person booking themselves, My
    appointments for several."""
    if people is None or people == [SELF]:
        appointment = booking.book(caller, BookingRequest(slot_id=slot_id, service=service))
        return f"/appointments/{appointment.appointment_id}"
    family.book_together(caller, BookingRequest(slot_id=slot_id, service=service, people=people))
    return "/appointments?booked=family"


def refusal_shown(request: WebRequest, error: DomainError, offered: list[DependantOut]) -> dict:
    """A refusal for the error summary: nobody ticked says so at the choice of people; a refusal
    about one person (details.person) says whom it concerns, before what it says."""
    if isinstance(error, ValidationFailed) and error.details.get("field") == "people":
        return field_error(request, "family.error.people", "people")
    shown = refusal(request, error, "slot")
    person = error.details.get("person")
    names = {d.dependant_id: d.given_name for d in offered}
    name = text("family.you", request.language) if person == SELF else names.get(person or "")
    return {**shown, "message": f"{name}: {shown['message']}"} if name else shown


def childrens_appointments(caller: Caller) -> list[AppointmentOut]:
    return family.dependants_appointments(caller)
