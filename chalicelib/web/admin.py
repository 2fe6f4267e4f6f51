"""The administrator's pages: per directorate, how each service gives appointments (open,
assigned, or left to the demand rule) and how many places each time has, every change shown
with its impact before it is confirmed; and staff accounts for the directorate.

Choices travel in the query string (directorate ids, service codes, days and numbers of
places: never personal data); the changes are POSTed with the CSRF token."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from pydantic import ValidationError

from chalicelib.contract import CreateStaffRequest, DemandModeRequest, SlotCapacityRequest
from chalicelib.clock import clock
from chalicelib.domain.calendar import ISTANBUL, from_wall_time
from chalicelib.domain.catalogue import DIRECTORATES, SERVICES, find_directorate, find_province
from chalicelib.domain.demand import Setting
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.services import accounts, demand, kept_back, planning
from chalicelib.web.common import admin, field_error, refusal
from chalicelib.web.frame import WebRequest, WebResponse, redirect
from chalicelib.web.render import render

CAPACITY_DAYS = 14  # the days an administrator picks from: today and the next two weeks
CAPACITY_FIELD = "cap-"  # one form field per time: cap-0930 → the 09:30 slot


def home(request: WebRequest) -> WebResponse:
    if admin(request) is None:
        return redirect("/sign-in")
    provinces = [(find_province(code), list(group)) for code, group in groupby(DIRECTORATES, key=lambda d: d.province)]
    return render(request, "admin_home.html", provinces=provinces)


def directorate(request: WebRequest, directorate_id: str) -> WebResponse:
    if admin(request) is None:
        return redirect("/sign-in")
    return _directorate_page(request, directorate_id)


def _directorate_page(request: WebRequest, directorate_id: str, status: int = 200, errors: list | None = None, email: str = "") -> WebResponse:
    found = _found(directorate_id)
    today = clock.today()
    return render(
        request, "admin_directorate.html", status=status, errors=errors or [], directorate=found, modes=planning.modes(found.id),
        days=[today + timedelta(days=i) for i in range(CAPACITY_DAYS)], done=request.query.get("done"), email=email,
        changes=planning.recent_changes(found.id), services={s.code: s for s in SERVICES}, wall_time=from_wall_time,
        share=kept_back.share_of(found.id), staff_role=request.form.get("role", "staff") if request.method == "POST" else "staff",
        roles=ROLES,
    )


def mode(request: WebRequest, directorate_id: str) -> WebResponse:
    """Choose a setting, see its impact, confirm: three steps, each a plain form."""
    caller = admin(request)
    if caller is None:
        return redirect("/sign-in")
    source = request.form if request.method == "POST" else request.query
    found = _found(directorate_id)
    service = source.get("service", "")
    chosen = source.get("mode")
    current = next((m for m in planning.modes(found.id) if m.service.code == service), None)
    if current is None:
        raise NotFound("This directorate does not offer this service.")
    if chosen not in {s.value for s in Setting}:
        errors = [field_error(request, "error.choose", "mode")] if "mode" in source else []
        return render(request, "admin_mode.html", status=400 if errors else 200, errors=errors, directorate=found, current=current, impact=None)
    impact = planning.mode_impact(found.id, service, chosen)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        errors = [field_error(request, "admin.confirm_required", "confirm")] if request.method == "POST" else []
        return render(request, "admin_mode.html", status=400 if errors else 200, errors=errors, directorate=found, current=current, impact=impact)
    demand.set_mode(caller, found.id, service, DemandModeRequest(mode=chosen))
    return redirect(f"/admin/directorates/{found.id}?done=mode")


def capacity(request: WebRequest, directorate_id: str) -> WebResponse:
    """A day's times with their places; new numbers are previewed (places, free places, times
    that cannot go below their bookings), then confirmed."""
    caller = admin(request)
    if caller is None:
        return redirect("/sign-in")
    source = request.form if request.method == "POST" else request.query
    found = _found(directorate_id)
    try:
        day = date.fromisoformat(source.get("day", ""))
    except ValueError:
        return redirect(f"/admin/directorates/{found.id}")
    wanted, errors = _wanted_capacities(request, source)
    view = planning.day_capacity(found.id, day, wanted)
    if errors or (wanted and not view.impact.applied and not view.impact.refused):
        errors = errors or [field_error(request, "admin.capacity.nothing", None)]
        return _capacity_page(request, view, status=400, errors=errors, values=_typed(source))
    if not wanted:
        return _capacity_page(request, view)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        errors = [field_error(request, "admin.confirm_required", "confirm")] if request.method == "POST" else []
        return _capacity_page(request, view, status=400 if errors else 200, errors=errors, values=_typed(source), preview=True)
    return _capacity_page(request, planning.change_day(caller, found.id, day, wanted), result=True)


def _capacity_page(request: WebRequest, view: planning.DayCapacity, status: int = 200, errors: list | None = None,
                   values: dict[str, str] | None = None, preview: bool = False, result: bool = False) -> WebResponse:
    return render(request, "admin_capacity.html", status=status, errors=errors or [], view=view, values=values or {},
                  preview=preview, result=result, field_name=field_name)


ROLES = ("staff", "supervisor", "agent")


def create_staff(request: WebRequest, directorate_id: str) -> WebResponse:
    """A staff or supervisor account for this directorate, or an agent of the phone line (created
    from any directorate's page; bound to none)."""
    if admin(request) is None:
        return redirect("/sign-in")
    found = _found(directorate_id)
    email = request.form.get("email", "").strip()
    role = request.form.get("role", "staff")
    try:
        accounts.create_staff(CreateStaffRequest.model_validate({
            "email": email, "password": request.form.get("password", ""), "role": role,
            "directorate_id": None if role == "agent" else found.id,
        }))
    except ValidationError as invalid:
        fields = [{"directorate_id": "role"}.get(str(p["loc"][0]), str(p["loc"][0])) for p in invalid.errors() if p["loc"]] or ["email"]
        errors = [{"message": field_error(request, "error.field", None)["message"], "field": f"staff-{name}"} for name in dict.fromkeys(fields)]
        return _directorate_page(request, found.id, status=400, errors=errors, email=email)
    except DomainError as error:
        fields = {f.get("field") for f in error.details.get("fields", [])}
        field = "staff-password" if "password" in fields else "staff-email"
        return _directorate_page(request, found.id, status=400, errors=[refusal(request, error, field)], email=email)
    return redirect(f"/admin/directorates/{found.id}?done=staff")


def kept_back_share(request: WebRequest, directorate_id: str) -> WebResponse:
    """The directorate's default share of kept-back places: the new share, its impact (public
    places removed or added over the days not yet released), then the confirmation."""
    caller = admin(request)
    if caller is None:
        return redirect("/sign-in")
    found = _found(directorate_id)
    source = request.form if request.method == "POST" else request.query
    typed = source.get("share", "").strip()
    current = kept_back.share_of(found.id)
    if not typed:
        return render(request, "admin_kept_back.html", directorate=found, current=current, share="", plan=None)
    try:
        share = int(typed)
        plan = kept_back.plan_share(found.id, share)
    except (ValueError, DomainError):
        return render(request, "admin_kept_back.html", status=400, directorate=found, current=current, share=typed, plan=None,
                      errors=[field_error(request, "admin.kept_back.invalid", "share")])
    if request.method == "GET" or request.form.get("confirm") != "yes":
        errors = [field_error(request, "admin.confirm_required", "confirm")] if request.method == "POST" else []
        return render(request, "admin_kept_back.html", status=400 if errors else 200, errors=errors, directorate=found,
                      current=current, share=typed, plan=plan)
    kept_back.set_share(caller, found.id, share)
    return redirect(f"/admin/directorates/{found.id}?done=kept_back")


def _found(directorate_id: str):
    found = find_directorate(directorate_id)
    if found is None:
        raise NotFound("There is no such directorate.")
    return found


def _wanted_capacities(request: WebRequest, source: dict[str, str]) -> tuple[dict[str, int], list[dict]]:
    """The new numbers typed ("HH:MM" → places), and an error per field that is not one."""
    wanted: dict[str, int] = {}
    errors = []
    for name, value in source.items():
        if not name.startswith(CAPACITY_FIELD) or not value.strip():
            continue
        digits = name[len(CAPACITY_FIELD):]
        try:
            places = SlotCapacityRequest(capacity=int(value.strip())).capacity
        except (ValueError, ValidationError):
            errors.append(field_error(request, "admin.capacity.invalid", name))
            continue
        wanted[f"{digits[:2]}:{digits[2:]}"] = places
    return wanted, errors


def _typed(source: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in source.items() if name.startswith(CAPACITY_FIELD)}


def field_name(start) -> str:
    """The form field of a slot's new capacity, from its start."""
    return f"{CAPACITY_FIELD}{start.astimezone(ISTANBUL):%H%M}"
