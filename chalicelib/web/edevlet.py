"""The portal's e-Devlet pages: the start of the OpenID Connect round trip, its callback, and a
new person's phone number, email address and their two codes (chalicelib/services/edevlet.py).

What the round trip needs (state, nonce, PKCE verifier) and what it gives (the verified identity
number, the account being made) stay in the server-side session, never in an address beyond
what OpenID Connect itself carries. Every failure gets a page in the person's language.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from chalicelib.adapters.tables import WebSession
from chalicelib.api.errors import status_and_code
from chalicelib.contract import Email, TurkishMobile
from chalicelib.clock import clock
from chalicelib.domain.errors import DomainError, DuplicateAccount, NotEligible, ValidationFailed
from chalicelib.domain.roles import Role
from chalicelib.services import edevlet
from chalicelib.settings import get_settings
from chalicelib.web import privacy as privacy_pages
from chalicelib.web.common import field_error, refusal
from chalicelib.web.frame import WebRequest, WebResponse, redirect, renew
from chalicelib.web.render import render

CONTACT, PHONE_CODE, EMAIL_CODE = "/sign-in/e-devlet/contact", "/sign-in/e-devlet/phone-code", "/sign-in/e-devlet/email-code"


class ContactDetails(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    phone: TurkishMobile
    email: Email


def start(request: WebRequest) -> WebResponse:
    """Off to e-Devlet, the request's state, nonce and verifier kept in this session."""
    try:
        authorization = edevlet.begin()
    except edevlet.SignInNotCompleted as failure:
        return _not_completed(request, failure.reason)
    _remember(request, oidc_state=authorization.state, oidc_nonce=authorization.nonce, oidc_verifier=authorization.code_verifier)
    return redirect(authorization.url)


def callback(request: WebRequest) -> WebResponse:
    """e-Devlet's answer. The request it answers is used up whatever the outcome."""
    session = request.session
    state, nonce, verifier = session.oidc_state, session.oidc_nonce, session.oidc_verifier
    if state and request.kept:
        session.update(actions=[WebSession.oidc_state.remove(), WebSession.oidc_nonce.remove(), WebSession.oidc_verifier.remove()])
    try:
        outcome = edevlet.complete(request.query, state, nonce, verifier)
    except edevlet.SignInNotCompleted as failure:
        return _not_completed(request, failure.reason)
    except NotEligible as refused:
        return render(request, "error.html", status=status_and_code(refused)[0], errors=[refusal(request, refused, None)])
    if isinstance(outcome, edevlet.SignedIn):
        return _signed_in(request, outcome)
    # A verified identity starts a session of its own (no session fixation), like signing in.
    request.session = renew(request.session, access_token=None, account_id=None)
    if isinstance(outcome, edevlet.NewPerson):
        request.session.update(actions=[WebSession.edevlet_document.set(outcome.document_number), WebSession.edevlet_until.set(outcome.until)])
        return redirect(CONTACT)
    request.session.update(actions=[
        WebSession.edevlet_document.set(outcome.document_number),
        WebSession.edevlet_applicant.set(outcome.applicant_id),
        WebSession.edevlet_until.set(clock.now() + edevlet.VERIFIED_FOR),
    ])
    return redirect(EMAIL_CODE)


def contact(request: WebRequest) -> WebResponse:
    """A new person's Turkish mobile number and email address; a code goes to each."""
    document = _verified_document(request)
    if document is None:
        return redirect("/sign-in")
    if request.method == "GET":
        return _contact_page(request, {}, {})
    values = {name: request.form.get(name, "").strip() for name in ("phone", "email")}
    try:
        details = ContactDetails.model_validate(values)
        applicant_id = edevlet.start_account(document, details.phone, details.email, request.language, replacing=request.session.edevlet_applicant,
                                             notice_version=privacy_pages.seen_on_the_form(request))
    except ValidationError as invalid:
        fields = {str(problem["loc"][0]) for problem in invalid.errors() if problem["loc"]}
        errors = {name: field_error(request, f"edevlet.error.{name}", name) for name in ("phone", "email") if name in fields}
        return _contact_page(request, values, errors, status=400)
    except DuplicateAccount as taken:
        return _contact_page(request, values, {"email": refusal(request, taken, "email")}, status=status_and_code(taken)[0])
    except NotEligible as refused:
        return render(request, "error.html", status=status_and_code(refused)[0], errors=[refusal(request, refused, None)])
    request.session.update(actions=[WebSession.edevlet_applicant.set(applicant_id)])
    return redirect(PHONE_CODE)


def phone_code(request: WebRequest) -> WebResponse:
    return _code_page(request, PHONE_CODE, "signup.code.title", "signup.code.hint", edevlet.confirm_phone)


def email_code(request: WebRequest) -> WebResponse:
    return _code_page(request, EMAIL_CODE, "edevlet.email_code.title", "edevlet.email_code.hint", edevlet.confirm_email)


# -- helpers ---------------------------------------------------------------------------------


def _code_page(request: WebRequest, action: str, title: str, hint: str, confirm) -> WebResponse:
    document, applicant_id = _verified_document(request), request.session.edevlet_applicant
    if document is None or applicant_id is None:
        return redirect("/sign-in")
    minutes = get_settings().verification_code_ttl_minutes
    page = {"action": action, "title": title, "hint": hint, "minutes": minutes}
    if request.method == "GET":
        return render(request, "edevlet_code.html", **page)
    code = request.form.get("code", "").strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return render(request, "edevlet_code.html", status=400, errors=[field_error(request, "error.code", "code")], **page)
    try:
        outcome = confirm(applicant_id, document, code)
    except ValidationFailed:
        return render(request, "edevlet_code.html", status=400, errors=[field_error(request, "error.code", "code")], **page)
    except DomainError as refused:
        return render(request, "edevlet_code.html", status=status_and_code(refused)[0], errors=[refusal(request, refused, "code")], **page)
    if isinstance(outcome, edevlet.SignedIn):
        return _signed_in(request, outcome)
    if outcome.applicant_id != applicant_id:  # the identity's own account, whose email waits
        request.session.update(actions=[WebSession.edevlet_applicant.set(outcome.applicant_id)])
    return redirect(EMAIL_CODE)


def _contact_page(request: WebRequest, values: dict, errors: dict, status: int = 200) -> WebResponse:
    return render(request, "edevlet_contact.html", status=status, values=values, field_errors=errors,
                  errors=list(errors.values()), minutes=get_settings().verification_code_ttl_minutes,
                  **privacy_pages.for_sign_up(request))  # the privacy notice, before the account is made


def _signed_in(request: WebRequest, outcome: edevlet.SignedIn) -> WebResponse:
    request.session = renew(request.session, access_token=outcome.access_token, account_id=outcome.applicant_id, role=Role.APPLICANT.value)
    return redirect(privacy_pages.after_sign_in(outcome.applicant_id, privacy_pages.APPLICANT_HOME))  # a new privacy notice first, once


def _not_completed(request: WebRequest, reason: str) -> WebResponse:
    status = 200 if reason == "cancelled" else 400
    return render(request, "edevlet_error.html", status=status, reason=reason)


def _remember(request: WebRequest, **values) -> None:
    """Keep `values` in the session: stored with it on a first visit, or updated."""
    if not request.kept:
        for name, value in values.items():
            setattr(request.session, name, value)
        request.kept = True
        return
    request.session.update(actions=[getattr(WebSession, name).set(value) for name, value in values.items()])


def _verified_document(request: WebRequest) -> str | None:
    session = request.session
    if not session.edevlet_document or session.edevlet_until is None or session.edevlet_until < clock.now():
        return None
    return session.edevlet_document
