"""Use cases of demand modes: read the mode in force, let an admin set it, and let the demand
rule re-evaluate `auto` directorates on a schedule (`chalicelib/domain/demand.py` decides)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from chalicelib.adapters.dynamo import transaction, update_if
from chalicelib.adapters.tables import DemandMode, Slot
from chalicelib.contract import DemandModeOut, DemandModeRequest
from chalicelib.clock import clock
from chalicelib.domain.catalogue import DIRECTORATES, Directorate, Service, find_directorate, find_service
from chalicelib.domain.calendar import local_day
from chalicelib.domain.demand import Demand, Mode, Setting, decide, effective
from chalicelib.domain.errors import NotFound
from chalicelib.domain.roles import Caller
from chalicelib.observability import logger
from chalicelib.services import audit
from chalicelib.settings import get_settings

MODE_SET = "demand.mode_set"  # the audit action of an administrator's choice of mode


def mode_of(item: DemandMode | None) -> Mode:
    """The mode in force for a stored setting (none stored: auto, which starts open)."""
    if item is None:
        return Mode.OPEN
    return effective(Setting(item.setting), Mode(item.auto_mode))


def current_mode(directorate_id: str, service_code: str) -> Mode:
    try:
        return mode_of(DemandMode.get(directorate_id, service_code))
    except DemandMode.DoesNotExist:
        return Mode.OPEN


def set_mode(caller: Caller, directorate_id: str, service_code: str, request: DemandModeRequest) -> DemandModeOut:
    """An admin forces `open` or `assigned`, or hands the choice back to the rule (`auto`);
    audited in the same transaction."""
    directorate, service = offered(directorate_id, service_code)
    now = clock.now()
    try:
        stored = DemandMode.get(directorate.id, service.code, consistent_read=True)
    except DemandMode.DoesNotExist:
        stored = DemandMode(directorate.id, service.code, setting=Setting.AUTO.value, auto_mode=Mode.OPEN.value)
    record = audit.record(
        audit.directorate_subject(directorate.id), MODE_SET, actor_id=caller.account_id, actor_role=audit.actor_role(caller), at=now,
        before={"service": service.code, "setting": stored.setting}, after={"service": service.code, "setting": request.mode},
    )
    # The rule may write auto_mode meanwhile, and that is fine: the setting is the admin's alone.
    with transaction() as write:
        write.update(
            DemandMode(directorate.id, service.code),
            actions=[
                DemandMode.setting.set(request.mode),
                DemandMode.auto_mode.set(DemandMode.auto_mode | Mode.OPEN.value),
                DemandMode.updated_by.set(caller.account_id),
                DemandMode.updated_at.set(now),
            ],
        )
        write.save(record)
    logger.info("demand mode set", extra={"directorate_id": directorate.id, "service_code": service.code, "setting": request.mode})
    stored.setting = request.mode
    return mode_out(stored)


def offered(directorate_id: str, service_code: str) -> tuple[Directorate, Service]:
    directorate = find_directorate(directorate_id)
    service = find_service(service_code)
    if directorate is None or service is None or service.code not in directorate.services:
        raise NotFound("This directorate does not offer this service.")
    return directorate, service


def mode_out(item: DemandMode) -> DemandModeOut:
    return DemandModeOut(
        directorate=item.directorate_id,
        service=item.service,
        setting=item.setting,
        mode=mode_of(item).value,
        auto_mode=item.auto_mode,
    )


def evaluate(now: datetime | None = None) -> int:
    """The demand rule's run over every directorate and service, in one go, here (the schedule
    fans it out per directorate over the batch-jobs queue instead: services/fanout.py): returns
    how many switched mode. One Query of the coming days' slots per directorate; an item is written
    only when its counts or its mode changed."""
    now = now or clock.now()
    switched = 0
    for directorate in DIRECTORATES:
        switched += evaluate_directorate(directorate, now)
    logger.info("demand evaluated", extra={"switched": switched})
    return switched


def coming_days(directorate: Directorate, now: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Places and bookings per service over the rule's lookahead days (one Query)."""
    policy = get_settings().demand
    first = local_day(now) + timedelta(days=1)
    last = first + timedelta(days=policy.lookahead_days - 1)
    capacity: dict[str, int] = defaultdict(int)
    booked: dict[str, int] = defaultdict(int)
    for slot in Slot.query(directorate.id, Slot.start.between(first.isoformat(), f"{last.isoformat()}T99:99")):
        if not slot.is_open:
            continue
        for code in slot.services or ():
            capacity[code] += int(slot.capacity)
            booked[code] += int(min(slot.booked, slot.capacity))
    return capacity, booked


def evaluate_directorate(directorate: Directorate, now: datetime) -> int:
    policy = get_settings().demand
    capacity, booked = coming_days(directorate, now)
    stored = {item.service: item for item in DemandMode.query(directorate.id)}
    switched = 0
    for code in sorted(directorate.services):
        item = stored.get(code) or DemandMode(directorate.id, code, setting=Setting.AUTO.value, auto_mode=Mode.OPEN.value)
        if item.evaluated_at is not None and item.evaluated_at >= now:
            continue  # evaluated at this moment already (a redelivered message) or later: never twice
        rate = None
        if item.booked_total is not None and item.evaluated_at is not None and now > item.evaluated_at:
            minutes = (now - item.evaluated_at).total_seconds() / 60
            rate = max(booked[code] - int(item.booked_total), 0) / minutes
        before = Mode(item.auto_mode)
        after = decide(before, Demand(capacity=capacity[code], free=capacity[code] - booked[code], bookings_per_minute=rate), policy)
        if after is before and item.booked_total is not None and int(item.booked_total) == booked[code]:
            continue  # nothing booked since: the last count stands (a rush is measured from it)
        # On condition that no evaluation at this moment or later wrote meanwhile (the same
        # message delivered twice at once): a mode is switched once per evaluation.
        if not update_if(
            item,
            actions=[
                DemandMode.setting.set(DemandMode.setting | Setting.AUTO.value),
                DemandMode.auto_mode.set(after.value),
                DemandMode.booked_total.set(booked[code]),
                DemandMode.evaluated_at.set(now),
            ],
            condition=DemandMode.evaluated_at.does_not_exist() | (DemandMode.evaluated_at < now),
        ):
            continue
        if after is not before:
            switched += 1
            logger.info(
                "demand rule switched mode",
                extra={"directorate_id": directorate.id, "service_code": code, "mode": after.value, "free": capacity[code] - booked[code], "capacity": capacity[code]},
            )
    return switched
