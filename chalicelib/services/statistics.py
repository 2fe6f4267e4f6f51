"""Public statistics, kept by the slots' and the appointments' streams (domain/statistics.py).

Each record's slot or appointment contribution goes into its directorate's day ledger, newest
version winning (a duplicate or an older record changes nothing), and the day's totals, summed
again from its ledgers, are published under its province in the same transaction: one
BatchGetItem and one transaction per batch (thirty days at most each). A
slots batch also samples, per directorate, the days to its first free place from the
availability summary (one small Query), once an hour. The public read
(`GET /v1/statistics?province=`) is one Query of the province's published days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import condition_failed, transaction

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
    made: list[tuple[rules.Contribution, str, str]] = []  # (contribution, version, sequence)
    for record in event.get("Records", []):
        change = record["dynamodb"]
        sequence = change.get("SequenceNumber", "")
        try:
            one = contribution(change)
            if one is not None:
                made.append((one, summary.version_of(sequence), sequence))
        except Exception:  # noqa: BLE001 - retried alone; the others go on
            logger.exception("statistics record not read", extra={"sequence_number": sequence})
            failed.append(sequence)
    by_day: dict[tuple[str, str], list[tuple[rules.Contribution, str]]] = {}
    for one, version, _ in made:
        by_day.setdefault((one.directorate_id, one.day), []).append((one, version))
    days = list(by_day)
    try:
        for at in range(0, len(days), DAYS_PER_TRANSACTION):
            _keep_and_publish({day: by_day[day] for day in days[at:at + DAYS_PER_TRANSACTION]})
    except Exception:  # noqa: BLE001 - retried: keeping and publishing again is harmless
        logger.exception("statistics days not kept", extra={"days": len(days)})
        failed.extend(sequence for _, _, sequence in made)
    return {"batchItemFailures": [{"itemIdentifier": s} for s in dict.fromkeys(failed)]}, set(by_day)


DAYS_PER_TRANSACTION = 30  # a day: its ledger written, the other ledger checked, its totals put (100 items at most)
ATTEMPTS = 5


def _keep_and_publish(by_day: dict[tuple[str, str], list[tuple[rules.Contribution, str]]]) -> None:
    """One BatchGetItem of the days' two ledgers, then one transaction: each changed ledger
    (conditional on the revision read), a check that the day's other ledger did not change,
    and the day's totals summed from both, so a published day always sums ledgers as they are."""
    keys = [(_ledger(d, day), kind) for d, day in by_day for kind in (rules.SLOTS, rules.APPOINTMENTS)]
    for _ in range(ATTEMPTS):
        held = {(item.key, item.item): item for item in PublicStatistic.batch_get(keys, consistent_read=True)}
        try:
            _write(by_day, held)
            return
        except TransactWriteError as error:
            if not condition_failed(error) and "TransactionConflict" not in str(error):
                raise
    raise RuntimeError("statistics days kept changing")


def _write(by_day: dict[tuple[str, str], list[tuple[rules.Contribution, str]]], held: dict) -> None:
    with transaction() as write:
        for (directorate_id, day), contributions in by_day.items():
            ledgers = {}
            for kind in (rules.SLOTS, rules.APPOINTMENTS):
                item: PublicStatistic = held.get((_ledger(directorate_id, day), kind)) or PublicStatistic(_ledger(directorate_id, day), kind)
                before = _raw(item.entries)
                after = rules.kept(before, [(c, v) for c, v in contributions if c.kind == kind])
                unchanged = PublicStatistic.rev.does_not_exist() if item.rev is None else PublicStatistic.rev == item.rev
                if after != before:
                    item.entries, revision = after, item.rev
                    item.rev = (revision or 0) + 1
                    write.save(item, condition=unchanged)
                else:
                    write.condition_check(PublicStatistic, item.key, item.item, condition=unchanged)
                ledgers[kind] = after
            totals = rules.day_totals([*ledgers[rules.SLOTS].values(), *ledgers[rules.APPOINTMENTS].values()])
            write.save(PublicStatistic(_province(directorate_id), f"{day}#{directorate_id}", figures=totals))


def _ledger(directorate_id: str, day: str) -> str:
    return f"ledger#{directorate_id}#{day}"


def _province(directorate_id: str) -> str:
    directorate = find_directorate(directorate_id)
    return f"province#{directorate.province if directorate else '00'}"


def _raw(attribute) -> dict:
    return attribute.as_dict() if hasattr(attribute, "as_dict") else dict(attribute or {})


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
    first = summary_store.first_day_with_places(directorate_id, today + timedelta(days=1), last)
    wait = rules.days_to_first_free_place(today, first)
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
