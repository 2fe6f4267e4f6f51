"""My details: the person changes the language of their SMS, email and calendar invitations
(not personal data; `services/notification_language.py`). A plain form, no script needed; it
is apart from the page's own language, which the language links at the top choose."""

from __future__ import annotations

from pydantic import ValidationError

from chalicelib.contract import LanguageRequest
from chalicelib.services import notification_language, profile
from chalicelib.web.common import applicant, field_error
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.render import render

FIELD = "notification-language"  # the fieldset the error summary links to


def change(request: WebRequest) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    try:
        chosen = LanguageRequest(language=request.form.get("language", ""))
    except ValidationError:
        return render(request, "me.html", status=400, me=profile.my_profile(caller), language_saved=False, language_invalid=True,
                      errors=[field_error(request, "me.notifications.error", FIELD)])
    notification_language.change(caller, chosen.language)
    return redirect("/me?saved=language")
