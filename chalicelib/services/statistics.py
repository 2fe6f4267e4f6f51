"""Public statistics, kept by the slots' and the appointments' streams (domain/statistics.py).

Each record's slot or appointment contribution is written once per version, newest winning
(a conditional put: a duplicate or an older record changes nothing); then each directorate's
day it touched is summed again from its contributions and published under its province. A
slots batch also samples, per directorate, the days to its first free place from the
availability summary (one small Query), once an hour. The public read
(`GET /v1/statistics?province=`) is one Query of the province's published days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.adapters import availability_summary as summary_store
from chalicelib.adapters.tables import Appointment, PublicStatistic, Slot
from chalicelib.clock import clock
from chalicelib.contract import DayFigures, DirectorateDayFigures, Statistics, StatisticsDay, StatisticsQuery
from chalicelib.domain import availability_summary as summary
from chalicelib.domain import statistics as rules
from chalicelib.domain.catalogue import find_directorate
from chalicelib.observability import logger
from chalicelib.services.booking import slot_state
from chalicelib.settings import get_settings

WAIT = "#wait"


def handle_slot_batch(event: dict[str, Any], context: Any = None) -> dict:
    """The slots stream: places offered, and a sample of the wait for a free place."""
    def contribution(change: dict) -> rules.Contribution | None:
        old, new = (slot_state(Slot.from_raw_data(i)) if i else None for i in (change.get("OldImage"), change.get("NewImage")))
        return rules.of_slot(old, new)
    answer, touched = _handle(event, contribution)
    for directorate_id in {d for d, _ in touched}:
        try:
            sample_wait(directorate_id)
        except Exception:  # noqa: BLE001 - a sample missed is harmless; the next batch takes one
            logger.exception("wait not sampled", extra={"directorate_id": directorate_id})
    return answer


def handle_appointment_batch(event: dict[str, Any], context: Any = None) -> dict:
    """The appointments stream: bookings, releases, no-shows and assigned bookings."""
    def contribution(change: dict) -> rules.Contribution | None:
        image = change.get("NewImage") or change.get("OldImage")
        item = Appointment.from_raw_data(image)
        return rules.of_appointment(item.directorate_id, item.slot_start, item.appointment_id, item.status, item.attendance,
                                    bool(item.assigned))
    return _handle(event, contribution)[0]


def _handle(event: dict[str, Any], contribution) -> tuple[dict, set[tuple[str, str]]]:
    failed: list[str] = []
    touched: dict[tuple[str, str], list[str]] = {}
    for record in event.get("Records", []):
        change = record["dynamodb"]
        sequence = change.get("SequenceNumber", "")
        try:
            made = contribution(change)
            if made is not None:
                _keep(made, summary.version_of(sequence))
                touched.setdefault((made.directorate_id, made.day), []).append(sequence)
        except Exception:  # noqa: BLE001 - retried alone; the others go on
            logger.exception("statistics record not kept", extra={"sequence_number": sequence})
            failed.append(sequence)
    for (directorate_id, day), sequences in touched.items():
        try:
            publish(directorate_id, day)
        except Exception:  # noqa: BLE001 - retried: publishing again is harmless
            logger.exception("statistics day not published", extra={"directorate_id": directorate_id, "day": day})
            failed.extend(sequences)
    return {"batchItemFailures": [{"itemIdentifier": s} for s in dict.fromkeys(failed)]}, set(touched)


def _ledger(directorate_id: str, day: str) -> str:
    return f"ledger#{directorate_id}#{day}"


def _province(directorate_id: str) -> str:
    directorate = find_directorate(directorate_id)
    return f"province#{directorate.province if directorate else '00'}"


def _keep(made: rules.Contribution, version: str) -> None:
    """The contribution, unless one at least as new is kept already."""
    item = PublicStatistic(_ledger(made.directorate_id, made.day), made.item, figures=dict(made.figures), version=version)
    try:
        item.save(condition=PublicStatistic.version.does_not_exist() | (PublicStatistic.version < version))
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def publish(directorate_id: str, day: str) -> None:
    """The day's totals, summed again from all its contributions."""
    kept = PublicStatistic.query(_ledger(directorate_id, day), consistent_read=True)
    totals = rules.day_totals(item.figures.as_dict() if hasattr(item.figures, "as_dict") else dict(item.figures) for item in kept)
    PublicStatistic(_province(directorate_id), f"{day}#{directorate_id}", figures=totals).save()


def sample_wait(directorate_id: str) -> None:
    """Once an hour per directorate: days from today to its first free public place."""
    today, hour = clock.today(), f"{clock.now().hour:02d}"
    key = (_province(directorate_id), f"{today.isoformat()}#{directorate_id}{WAIT}")
    try:
        held = PublicStatistic.get(*key)
    except PublicStatistic.DoesNotExist:
        held = PublicStatistic(*key, waits={})
    waits = held.waits.as_dict() if hasattr(held.waits, "as_dict") else dict(held.waits or {})
    if hour in waits:
        return
    last = today + timedelta(days=get_settings().slot_horizon_days)
    wait = rules.days_to_first_free_place(today, summary_store.days_with_places(directorate_id, today + timedelta(days=1), last))
    if wait is None:
        return
    waits[hour] = wait
    held.waits = waits
    held.save()


def statistics(query: StatisticsQuery) -> Statistics:
    """A province's published days: one Query."""
    first = query.from_ or clock.today() - timedelta(days=7)
    last = first + timedelta(days=query.days - 1)
    rows = PublicStatistic.query(f"province#{query.province}", PublicStatistic.item.between(first.isoformat(), f"{last.isoformat()}~"))
    figures: dict[str, dict[str, dict]] = {}
    waits: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        day, rest = row.item.split("#", 1)
        if rest.endswith(WAIT):
            raw = row.waits.as_dict() if hasattr(row.waits, "as_dict") else dict(row.waits or {})
            waits.setdefault(day, {})[rest.removesuffix(WAIT)] = [int(v) for v in raw.values()]
        else:
            figures.setdefault(day, {})[rest] = row.figures.as_dict() if hasattr(row.figures, "as_dict") else dict(row.figures)
    days = []
    for day in sorted(set(figures) | set(waits)):
        directorates = sorted(set(figures.get(day, {})) | set(waits.get(day, {})))
        out = [DirectorateDayFigures(directorate=d, **_figures(figures.get(day, {}).get(d, {}), waits.get(day, {}).get(d, [])))
               for d in directorates]
        province_totals = rules.day_totals(figures.get(day, {}).values())
        every_wait = [w for d in directorates for w in waits.get(day, {}).get(d, [])]
        days.append(StatisticsDay(date=date.fromisoformat(day), province=DayFigures(**_figures(province_totals, every_wait)),
                                  directorates=out))
    return Statistics(province=query.province, days=days)


def _figures(raw: dict, waits: list[int]) -> dict:
    totals = rules.day_totals([raw])
    return {"offered": totals["offered"], "booked": totals["booked"], "released": totals["released"],
            "no_shows": totals["no_shows"], "median_days_to_first_free_place": rules.median_wait(waits),
            "assigned_share": rules.assigned_share(totals)}
