"""The assisted-booking console: an agent of the phone line (or staff at the counter) books for a
person who does not use the portal, through the use cases the API calls (services/assisted.py).

Three plain forms, each POSTed with the CSRF token, so it works without JavaScript: find the
person (document number and birth date), choose the service, the directorate and the contact for
the messages, then a time (kept-back and public places shown apart), and the confirmation.
The document number and birth date travel in the posted forms, never in an address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from chalicelib.api.errors import status_and_code
from chalicelib.contract import AssistedBookingRequest
from chalicelib.domain.catalogue import SERVICES, Directorate, Service, find_directorate, find_service
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.identity import normalize_registry_document_number
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import assisted
from chalicelib.web.common import field_error, refusal
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.i18n import LANGUAGES
from chalicelib.web.render import LANGUAGE_NAMES, render

CONTACT = ("phone", "email", "language")


def assisting(request: WebRequest) -> Caller | None:
    """An agent of the phone line, or staff at the counter."""
    caller = request.caller()
    return caller if caller is not None and (Role.AGENT in caller.roles or Role.STAFF in caller.roles) else None


def _identity(request: WebRequest) -> tuple[str, str]:
    return request.form.get("document_number", "").strip(), request.form.get("birth_date", "").strip()


def find(request: WebRequest) -> WebResponse:
    """Step 1: the person, by document number and birth date (one refusal for both wrong)."""
    caller = assisting(request)
    if caller is None:
        return redirect("/sign-in")
    if request.method == "GET":
        return render(request, "assisted_find.html", document_number="", birth_date="")
    number, born = _identity(request)
    found = _found(request, number, born)
    if isinstance(found, WebResponse):
        return found
    return _choose_page(request, caller, found, number, born)


def _found(request: WebRequest, number: str, born: str):
    """The person, or the find page again with what was wrong."""
    try:
        _, person = assisted.identify(normalize_registry_document_number(number), date.fromisoformat(born))
    except (ValueError, NotFound) as refused:
        status = 404 if isinstance(refused, NotFound) else 400
        return render(request, "assisted_find.html", status=status, document_number=number, birth_date=born,
                      errors=[field_error(request, "assisted.error.not_found", "document_number")])
    return person


def _choose_page(request: WebRequest, caller: Caller, person: assisted.Person, number: str, born: str,
                 status: int = 200, errors: list | None = None) -> WebResponse:
    directorates = assisted.directorates_for(caller, person)
    offered = {code for d in directorates for code in d.services}
    return render(request, "assisted_choose.html", status=status, errors=errors or [], person=person, document_number=number,
                  birth_date=born, directorates=directorates, services=[s for s in SERVICES if s.code in offered],
                  values={name: request.form.get(name, "") for name in ("service", "directorate", "channel")},
                  channel_default=assisted.default_channel(caller))


@dataclass(frozen=True)
class _Posted:
    """What steps 2 and 3 post: the caller, the person found again, and the directorate and service chosen."""

    caller: Caller
    person: assisted.Person
    number: str
    born: str
    directorate: Directorate | None
    service: Service | None


def _posted(request: WebRequest) -> _Posted | WebResponse:
    """Steps 2 and 3 start alike: only agents and staff, only by POST, the person found again
    from the posted document number and birth date (nothing about them is kept between steps)."""
    caller = assisting(request)
    if caller is None:
        return redirect("/sign-in")
    if request.method == "GET":
        return redirect("/assisted")
    number, born = _identity(request)
    person = _found(request, number, born)
    if isinstance(person, WebResponse):
        return person
    return _Posted(caller, person, number, born, find_directorate(request.form.get("directorate", "")),
                   find_service(request.form.get("service", "")))


def slots(request: WebRequest) -> WebResponse:
    """Step 2: the times of the chosen directorate for the chosen service, kept-back places shown."""
    posted = _posted(request)
    if isinstance(posted, WebResponse):
        return posted
    caller, person, number, born, directorate, service = (posted.caller, posted.person, posted.number, posted.born,
                                                          posted.directorate, posted.service)
    if directorate is None or directorate not in assisted.directorates_for(caller, person):
        return _choose_page(request, caller, person, number, born, 400, [field_error(request, "error.choose", "directorate")])
    if service is None or service.code not in directorate.services:
        return _choose_page(request, caller, person, number, born, 400, [field_error(request, "error.choose", "service")])
    return _slots_page(request, caller, person, number, born, directorate, service)


def _slots_page(request: WebRequest, caller: Caller, person, number, born, directorate, service, status: int = 200, errors: list | None = None) -> WebResponse:
    return render(request, "assisted_slots.html", status=status, errors=errors or [], person=person, document_number=number,
                  birth_date=born, directorate=directorate, service=service, slots=assisted.slots(directorate, service),
                  channel=request.form.get("channel") or assisted.default_channel(caller), values={name: request.form.get(name, "") for name in CONTACT},
                  languages_offered=[(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES])


def book(request: WebRequest) -> WebResponse:
    """Step 3: book, and show the confirmation (or the refusal, on the times page)."""
    posted = _posted(request)
    if isinstance(posted, WebResponse):
        return posted
    caller, person, number, born, directorate, service = (posted.caller, posted.person, posted.number, posted.born,
                                                          posted.directorate, posted.service)
    if directorate is None or service is None:
        return redirect("/assisted")
    form = {name: request.form.get(name, "").strip() for name in (*CONTACT, "channel", "slot")}
    try:
        body = AssistedBookingRequest.model_validate({
            "document_number": number, "birth_date": born, "slot_id": form["slot"], "service": service.code,
            "channel": form["channel"] or assisted.default_channel(caller), "phone": form["phone"] or None, "email": form["email"] or None,
            "language": form["language"] or None,
        })
    except ValidationError as invalid:
        named = [str(p["loc"][0]) for p in invalid.errors() if p["loc"]] or ["slot"]
        errors = [field_error(request, "assisted.error.contact" if n in CONTACT else "error.choose", "times" if n == "slot_id" else n) for n in dict.fromkeys(named)]
        return _slots_page(request, caller, person, number, born, directorate, service, 400, errors)
    try:
        appointment = assisted.book(caller, body)
    except DomainError as refused:
        error = refusal(request, refused, "times")
        if error.get("field") == "slot_id":
            error["field"] = "times"
        return _slots_page(request, caller, person, number, born, directorate, service, status_and_code(refused)[0], [error])
    return render(request, "assisted_done.html", appointment=appointment, person=person, service=service,
                  directorate=directorate)
