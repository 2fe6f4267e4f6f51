"""The console's second sign-in step, for staff and admin: the TOTP code, and at the first
sign-in the enrolment of an authenticator app (a QR code drawn on the server with segno, and
the key as text for typing in by hand). The pending sign-in lives in the server-side session
(never in a URL); the rules are the API's (services/second_factor.py)."""

from __future__ import annotations

from markupsafe import Markup, escape
from pydantic import ValidationError

from chalicelib.adapters.tables import WebSession
from chalicelib.contract import MfaRequest
from chalicelib.domain.errors import Unauthenticated
from chalicelib.i18n import text
from chalicelib.services import second_factor
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.pages import signed_in
from chalicelib.web.render import render


def code(request: WebRequest) -> WebResponse:
    challenge = second_factor.pending(request.session.sign_in_challenge)
    if challenge is None:
        return _start_again(request)
    if request.method == "GET":
        return _page(request, challenge)
    typed = request.form.get("code", "").strip().replace(" ", "")
    try:
        token = second_factor.answer(MfaRequest.model_validate({"session": challenge.challenge_id, "code": typed}))
    except ValidationError:
        return _page(request, challenge, error="mfa.error.code")
    except Unauthenticated as refused:
        if refused.details.get("reason") == "code_incorrect" and refused.details.get("attempts_left", 0) > 0:
            return _page(request, challenge, error="mfa.error.code")
        return _start_again(request)
    return signed_in(request, token.access_token)


def _page(request: WebRequest, challenge, error: str | None = None) -> WebResponse:
    setup = second_factor.setup_details(challenge) if challenge.kind == second_factor.MFA_SETUP else None
    errors = [{"message": text(error, request.language), "field": "code"}] if error else []
    return render(
        request,
        "sign_in_code.html",
        status=401 if error else 200,
        errors=errors,
        setup=setup,
        qr=_qr_code(setup.otpauth_uri, text("mfa.setup.qr_label", request.language)) if setup else None,
        key_groups=" ".join(setup.secret[i : i + 4] for i in range(0, len(setup.secret), 4)) if setup else "",
    )


def _start_again(request: WebRequest) -> WebResponse:
    if request.session.sign_in_challenge:
        request.session.update(actions=[WebSession.sign_in_challenge.remove()])
    return redirect("/sign-in?again=1")


def _qr_code(uri: str, label: str) -> Markup:
    """The otpauth:// address as an inline SVG QR code, announced as one image with a name."""
    import segno

    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff", title=label, svgclass="qr", lineclass=None, omitsize=True)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
