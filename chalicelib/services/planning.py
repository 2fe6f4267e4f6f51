"""Use cases of an administrator's planning: a directorate's mode per service and its capacity
per slot, each shown with its impact before it is confirmed.

The changes themselves go through the same use cases as the API (`demand.set_mode`,
`booking.set_slot_capacity`, a conditional update per slot), so a booking made between the
preview and the confirmation is never taken away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.adapters.tables import DemandMode, Slot
from chalicelib.contract import SlotCapacityRequest
from chalicelib.clock import clock
from chalicelib.domain import capacity as rules
from chalicelib.domain.calendar import ISTANBUL, wall_time
from chalicelib.domain.catalogue import SERVICES, Directorate, Service, find_directorate
from chalicelib.domain.demand import Mode, Setting, effective
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.roles import Caller
from chalicelib.observability import logger
from chalicelib.services import assignment, audit, booking, demand
from chalicelib.settings import get_settings


@dataclass(frozen=True)
class ModeImpact:
    """What switching a directorate's service to a setting does, shown before it is confirmed."""

    directorate: Directorate
    service: Service
    setting_before: Setting
    mode_before: Mode
    setting_after: Setting
    mode_after: Mode  # under auto: what the rule chose last
    lookahead_days: int
    places: int  # over the lookahead days
    free: int
    waiting: int  # waiting requests this directorate could serve: they stay and are assigned either way


def mode_impact(directorate_id: str, service_code: str, setting: str, now: datetime | None = None) -> ModeImpact:
    directorate, service = demand.offered(directorate_id, service_code)
    try:
        item = DemandMode.get(directorate.id, service.code)
        before, auto_mode = Setting(item.setting), Mode(item.auto_mode)
    except DemandMode.DoesNotExist:
        before, auto_mode = Setting.AUTO, Mode.OPEN
    capacity, booked = demand.coming_days(directorate, now or clock.now())
    after = Setting(setting)
    return ModeImpact(
        directorate, service, before, effective(before, auto_mode), after, effective(after, auto_mode),
        get_settings().demand.lookahead_days, capacity[service.code], capacity[service.code] - booked[service.code],
        assignment.waiting_at(directorate.id, service.code),
    )


@dataclass(frozen=True)
class DayCapacity:
    directorate: Directorate
    day: date
    impact: rules.CapacityImpact
    waiting: int  # waiting requests this directorate could serve: added places go to them first
    raced: tuple[datetime, ...] = ()  # refused at confirmation: booked meanwhile beyond the new capacity


def day_capacity(directorate_id: str, day: date, wanted: dict[str, int] | None = None) -> DayCapacity:
    """A day's open slots with the impact of `wanted` (new capacities by Istanbul time "HH:MM";
    none: the day as it is)."""
    directorate = _directorate(directorate_id)
    slots = [booking.slot_state(s) for s in Slot.query(directorate.id, Slot.start.between(f"{day.isoformat()}T00:00", f"{day.isoformat()}T23:59"), consistent_read=True)]
    by_time = {f"{s.start.astimezone(ISTANBUL):%H:%M}": s.start for s in slots}
    starts = {by_time[t]: n for t, n in (wanted or {}).items() if t in by_time}
    return DayCapacity(directorate, day, rules.impact(slots, starts), assignment.waiting_at(directorate.id))


def change_day(caller: Caller, directorate_id: str, day: date, wanted: dict[str, int]) -> DayCapacity:
    """Apply the allowed changes of a preview; a slot booked beyond its new capacity meanwhile
    keeps its capacity and is reported."""
    planned = day_capacity(directorate_id, day, wanted)
    raced = []
    for change in planned.impact.applied:
        try:
            booking.set_slot_capacity(caller, planned.directorate.id, wall_time(change.start), SlotCapacityRequest(capacity=change.new_capacity))
        except ValidationFailed:
            raced.append(change.start)
    logger.info(
        "capacity changed",
        extra={"directorate_id": planned.directorate.id, "day": day.isoformat(), "actor_id": caller.account_id,
               "slots": len(planned.impact.applied) - len(raced), "refused": len(planned.impact.refused) + len(raced)},
    )
    after = day_capacity(directorate_id, day)
    return DayCapacity(after.directorate, day, after.impact, after.waiting, tuple(raced))


def _directorate(directorate_id: str) -> Directorate:
    directorate = find_directorate(directorate_id)
    if directorate is None:
        raise NotFound("There is no such directorate.")
    return directorate


@dataclass(frozen=True)
class ServiceMode:
    service: Service
    setting: Setting
    mode: Mode


def modes(directorate_id: str) -> list[ServiceMode]:
    """Each service of a directorate with its setting and the mode in force (one Query)."""
    directorate = _directorate(directorate_id)
    stored = {item.service: item for item in DemandMode.query(directorate.id)}
    return [
        ServiceMode(service, Setting(stored[service.code].setting) if service.code in stored else Setting.AUTO, demand.mode_of(stored.get(service.code)))
        for service in SERVICES
        if service.code in directorate.services
    ]


def recent_changes(directorate_id: str, limit: int = 10):
    """The directorate's latest changes of mode and capacity, newest first (its audit trail)."""
    return audit.trail(audit.directorate_subject(_directorate(directorate_id).id), limit=limit)
