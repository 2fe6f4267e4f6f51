"""The portal's privacy notice (KVKK article 10): its public page, the short version and the
whole text on the sign-up pages (self-service and e-Devlet), and a new version shown once after
sign-in (`services/privacy_notice.py` keeps the rules)."""

from __future__ import annotations

from typing import Any

from chalicelib.domain import privacy_notice as notice_rules
from chalicelib.domain.errors import ValidationFailed
from chalicelib.i18n import text
from chalicelib.services import privacy_notice
from chalicelib.web.common import applicant
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.render import render

UPDATED = "/privacy/updated"
APPLICANT_HOME = "/book"


def ltr(value: str) -> str:
    """A version id ("2026-12-02") kept left to right inside an Arabic or Persian sentence
    (Unicode isolates: the texts are plain text, escaped in the page)."""
    return f"\u2066{value}\u2069"


def page(request: WebRequest) -> WebResponse:
    """The whole notice, for anyone, in the page's language."""
    return render(request, "privacy.html", notice=privacy_notice.notice(request.language), ltr=ltr)


def for_sign_up(request: WebRequest) -> dict[str, Any]:
    """What a sign-up page shows above its form: the short version, the whole notice (folded
    away), and the version its form posts (`notice_version`)."""
    return {
        "notice": privacy_notice.notice(request.language),
        "notice_summary": [text(key, request.language) for key in notice_rules.SUMMARY],
        "ltr": ltr,
    }


def seen_on_the_form(request: WebRequest) -> str | None:
    """The version the sign-up form says it showed, if it is one that was published (a form
    without one, or with a made-up one, records nothing: the notice is shown at the first sign-in)."""
    version = request.form.get("notice_version", "").strip()
    return version if notice_rules.versions.find(version) is not None else None


def after_sign_in(account_id: str, home: str) -> str:
    """Where a fresh sign-in lands: the notice in force, once, for an applicant who has not
    seen it; otherwise their home page."""
    return UPDATED if home == APPLICANT_HOME and privacy_notice.to_show(account_id) is not None else home


def updated(request: WebRequest) -> WebResponse:
    """The notice in force for a signed-in applicant who has not seen it, with "I have read it".
    Pressing it records the version (audited); the page is not shown again. Leaving without
    pressing: it is shown at the next sign-in."""
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    if request.method == "POST":
        try:
            privacy_notice.acknowledge(caller, request.form.get("notice_version", ""))
        except ValidationFailed:  # a newer version was published while the page was open: show it
            return _updated_page(request, caller.account_id, status=400, errors=[{"message": text("privacy.changed", request.language), "field": None}])
        return redirect(APPLICANT_HOME)
    if privacy_notice.to_show(caller.account_id) is None:
        return redirect(APPLICANT_HOME)
    return _updated_page(request, caller.account_id)


def _updated_page(request: WebRequest, account_id: str, status: int = 200, errors: list | None = None) -> WebResponse:
    first = privacy_notice.seen(account_id) is None  # never shown any version: "before you continue"
    return render(
        request, "privacy_updated.html", status=status, errors=errors or [],
        notice=privacy_notice.notice(request.language), ltr=ltr,
        title="privacy.first.title" if first else "privacy.updated.title",
        intro="privacy.first.intro" if first else "privacy.updated.intro",
    )
