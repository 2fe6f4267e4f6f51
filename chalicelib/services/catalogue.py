"""Use cases of the catalogue: what exists (provinces, directorates, services) and the rolling
horizon of bookable slots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import condition_failed, transaction
from chalicelib.adapters.tables import DirectorateDay, Slot
from chalicelib.contract import DirectorateOut, DirectoratesQuery, ProvinceOut, ServiceOut
from chalicelib.clock import clock
from chalicelib.domain import calendar
from chalicelib.domain import kept_back as rules
from chalicelib.domain.catalogue import DIRECTORATES, PROVINCES, SERVICES, Directorate, directorates_in
from chalicelib import observability
from chalicelib.observability import logger
from chalicelib.services import batches, kept_back
from chalicelib.settings import get_settings


def provinces() -> list[ProvinceOut]:
    return [ProvinceOut(code=p.code, name=p.name) for p in PROVINCES]


def directorates(query: DirectoratesQuery) -> list[DirectorateOut]:
    chosen = directorates_in(query.province) if query.province else DIRECTORATES
    return [
        DirectorateOut(id=d.id, province=d.province, name=d.name, address=d.address, services=sorted(d.services))
        for d in chosen
    ]


def services() -> list[ServiceOut]:
    return [
        ServiceOut(
            code=s.code,
            name=s.name,
            names=dict(s.names),
            duration_minutes=s.duration_minutes,
            eligible_statuses=sorted(s.eligible_statuses, key=lambda status: status.value),
        )
        for s in SERVICES
    ]


HORIZON_PAGE = 31  # days per piece when done in process (extend_slot_horizon)


def extend_slot_horizon(today: date | None = None, only: tuple[Directorate, ...] | None = None) -> int:
    """Open the days that have entered the booking horizon, every directorate (or `only` these)
    in one go, here (the nightly schedule fans the same pieces out over the batch-jobs queue
    instead: services/fanout.py); returns how many days were opened."""
    today = today or clock.today()
    opened = sum(
        batches.exhaust(lambda cursor, d=directorate: open_days_page(d, today, HORIZON_PAGE, cursor))
        for directorate in only or DIRECTORATES
    )
    logger.info("slot horizon extended", extra={"days_opened": opened})
    # The nightly alarm "horizon not extended" waits for this (infrastructure/stacks/monitoring.py).
    observability.record(observability.SLOT_HORIZON_EXTENDED)
    return opened


def open_days_page(
    directorate: Directorate, today: date, limit: int, cursor: batches.Cursor | None = None, time_left: Callable[[], bool] = batches.always
) -> batches.Page:
    """One piece of the horizon extension for one directorate: up to `limit` of the days in the
    booking horizon that are not open yet, from the day `cursor` names, each opened in one
    transaction with its slots (at most one day's slots: one transaction's worth).

    Each (directorate, day) is written once, conditional on the day being new: running this
    twice, or concurrently, never regenerates a day and so never resets the capacity already
    taken on it."""
    days = calendar.horizon_days(today, get_settings().slot_horizon_days)
    if cursor:
        days = [day for day in days if day.isoformat() >= cursor["day"]]
    if not days:
        return batches.Page(0, 0, None)
    share = kept_back.share_of(directorate.id)
    existing = {
        item.day
        for item in DirectorateDay.query(directorate.id, DirectorateDay.day.between(days[0].isoformat(), days[-1].isoformat()))
    }
    missing = [day for day in days if day.isoformat() not in existing]
    read, opened, rest = batches.first(missing, lambda day: _open_day(directorate, day, share), limit, time_left)
    return batches.Page(read, opened, {"day": rest.isoformat()} if rest else None)


def _open_day(directorate: Directorate, day: date, share: int = 0) -> bool:
    """The day and its slots, each keeping back the directorate's share of its places, with the
    secret moment its unused kept-back places go public (services/kept_back.py)."""
    specs = calendar.slots_for_day(directorate, day)
    now = clock.now()
    release = kept_back.day_release(min(spec.start for spec in specs), share) if specs else {}
    try:
        with transaction() as write:
            write.save(
                DirectorateDay(directorate.id, day.isoformat(), status="open", slot_count=len(specs), generated_at=now, **release),
                condition=DirectorateDay.day.does_not_exist(),
            )
            for spec in specs:
                public, internal = rules.split(spec.capacity, rules.internal_for(spec.capacity, share))
                write.save(
                    Slot(
                        directorate.id,
                        calendar.wall_time(spec.start),
                        end=calendar.wall_time(spec.end),
                        capacity=public,
                        booked=0,
                        internal=internal,
                        internal_booked=0,
                        services=set(spec.services),
                    )
                )
    except TransactWriteError as error:
        if condition_failed(error):
            return False  # another run opened it first
        raise
    return True
