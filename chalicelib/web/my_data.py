"""The portal's "My data" (KVKK): a readable summary of everything held about the person, its
download as a JSON file, and "Close my account" with a warning and a confirmation. Each page
calls the same use cases as the API (services/my_data.py, services/closure.py); no script needed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.api.errors import status_and_code
from chalicelib.contract import MyData
from chalicelib.domain.catalogue import find_directorate, find_service
from chalicelib.domain.errors import DomainError
from chalicelib.i18n import MESSAGES, text
from chalicelib.services import closure, my_data, profile
from chalicelib.web.common import applicant, field_error, refusal
from chalicelib.web.frame import WebRequest, WebResponse, redirect, renew
from chalicelib.web.render import format_when, render


def summary(request: WebRequest) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    data = my_data.export(caller)
    return render(request, "my_data.html", data=data, sections=_sections(data, request.language),
                  person=data.profile, generated=format_when(data.generated_at, request.language))


def download(request: WebRequest) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    data = my_data.export(caller)
    body = json.dumps(data.model_dump(mode="json"), ensure_ascii=False, indent=2)
    filename = f"my-data-{data.generated_at.date().isoformat()}.json"
    return WebResponse(200, body, content_type="application/json; charset=utf-8",
                       headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def close(request: WebRequest) -> WebResponse:
    caller = applicant(request)
    if caller is None:
        return redirect("/sign-in")
    me = profile.my_profile(caller)
    if request.method == "GET":
        return _close_page(request, me.locked_until)
    if request.form.get("confirm") != "yes":
        return _close_page(request, me.locked_until, status=400, errors=[field_error(request, "close.error.confirm", "confirm")])
    try:
        closure.close(caller)
    except DomainError as refused:
        return _close_page(request, me.locked_until, status=status_and_code(refused)[0], errors=[refusal(request, refused, None)])
    request.session = renew(request.session, access_token=None, account_id=None)  # signed out here too
    return render(request, "account_closed.html")


def _close_page(request: WebRequest, locked_until: datetime | None, *, status: int = 200, errors: list | None = None) -> WebResponse:
    return render(request, "close_account.html", status=status, locked_until=locked_until, errors=errors or [])


# -- the readable summary: one table per kind of record -------------------------------------------


def _sections(data: MyData, language: str) -> list[dict[str, Any]]:
    def t(key: str) -> str:
        return text(key, language)

    def when(value: str | None) -> str:
        return format_when(datetime.fromisoformat(value), language) if value else ""

    def status(value: str | None) -> str:
        key = f"status.{value}"
        return text(key, language) if key in MESSAGES else (value or "")

    def appointment_row(a: dict) -> list[str]:
        directorate = find_directorate(a.get("directorate_id", ""))
        service = find_service(a.get("service", ""))
        return [when(a.get("start")), directorate.name if directorate else "", service.name_in(language) if service else "",
                status(a.get("attendance") or a.get("status")), a.get("reference", "")]

    def method(value: str) -> str:
        key = f"mydata.method.{value}"
        return text(key, language) if key in MESSAGES else value

    appointment_columns = [t("book.check.when"), t("book.check.directorate"), t("book.check.service"), t("mydata.col.status"), t("book.confirmed.reference")]
    return [
        {"id": "appointments", "title": t("mydata.section.appointments"), "columns": appointment_columns,
         "rows": [appointment_row(a) for a in data.appointments]},
        {"id": "dependants", "title": t("mydata.section.dependants"), "columns": appointment_columns,
         "rows": [appointment_row(a) for a in data.dependants_appointments]},
        {"id": "requests", "title": t("mydata.section.requests"),
         "columns": [t("mydata.col.when"), t("book.check.service"), t("mydata.col.status")],
         "rows": [[when(r.get("received_at")), _service_name(r.get("service"), language), r.get("status", "")] for r in data.assignment_requests]},
        {"id": "notifications", "title": t("mydata.section.notifications"),
         "columns": [t("mydata.col.when"), t("mydata.col.what"), t("mydata.col.sms"), t("mydata.col.email")],
         "rows": [[when(n.get("created_at")), n.get("kind", ""), n.get("sms_status", ""), n.get("email_status", "")] for n in data.notifications],
         "note": t("mydata.not_held")},
        {"id": "audit", "title": t("mydata.section.audit"),
         "columns": [t("mydata.col.when"), t("mydata.col.what"), t("mydata.col.by")],
         "rows": [[when(e.get("at")), e.get("action", ""), e.get("actor_role", "")] for e in data.audit]},
        {"id": "sign-ins", "title": t("mydata.section.sign_ins"), "columns": [t("mydata.col.when"), t("mydata.col.method")],
         "rows": [[when(s.get("at")), method(s.get("method", ""))] for s in data.sign_ins]},
        {"id": "sessions", "title": t("mydata.section.sessions"), "columns": [t("mydata.col.when"), t("mydata.col.until")],
         "rows": [[when(s.get("created_at")), when(s.get("expires"))] for s in data.sessions]},
    ]


def _service_name(code: str | None, language: str) -> str:
    service = find_service(code or "")
    return service.name_in(language) if service else (code or "")
