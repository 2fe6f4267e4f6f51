"""The availability summary's items (tables.AvailabilityDay) to and from domain entries.

Translation only: which entries win is domain/availability_summary.fold's decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, timezone

from pynamodb.exceptions import PutError, TransactWriteError

from chalicelib.adapters.dynamo import condition_failed, transaction

from chalicelib.adapters.tables import AvailabilityDay
from chalicelib.domain.availability_summary import Entry, has_public_place
from chalicelib.domain.calendar import from_wall_time

BUILT = "#built"  # the sort key of a directorate's "summary complete" item; sorts before any day
KEEP_PAST_DAYS = 2  # DynamoDB's TTL removes a summary day this long after it
DAYS_PER_PAGE = 3  # a weekend and a full day ahead of the first with a place still fit one page


def built_item(directorate_id: str) -> tuple[str, str]:
    """The key of the item that says a directorate's summary is complete."""
    return directorate_id, BUILT


def mark_built(directorate_id: str, read_from: float) -> None:
    """The directorate's summary is complete: rebuilt from a read that started at `read_from`."""
    try:
        AvailabilityDay(*built_item(directorate_id), slots={"read_from": read_from}).save()
    except PutError as error:  # marked already (a repeated rebuild)
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def built_at(directorate_id: str) -> float | None:
    """When the directorate's summary was rebuilt (epoch seconds), None when it never was."""
    try:
        item = AvailabilityDay.get(*built_item(directorate_id), consistent_read=True)
    except AvailabilityDay.DoesNotExist:
        return None
    return float(entries_raw(item).get("read_from", 0))


def entries_raw(item: AvailabilityDay) -> dict:
    return item.slots.as_dict() if hasattr(item.slots, "as_dict") else dict(item.slots or {})


def entries_of(item: AvailabilityDay) -> dict[str, Entry]:
    raw = entries_raw(item)
    return {start: Entry(end=str(e["end"]), services=frozenset(e.get("services") or ()), left=int(e["left"]), version=str(e["v"]))
            for start, e in raw.items()}


def read_days(directorate_id: str, first: date, last: date) -> list[dict[str, Entry]]:
    """The summary days from `first` to `last`: one small Query (one item per day)."""
    items = AvailabilityDay.query(directorate_id, AvailabilityDay.day.between(first.isoformat(), last.isoformat()))
    return [entries_of(item) for item in items]


def offers(directorate_id: str, service: str, first: date, last: date) -> list[tuple[datetime, datetime, int]]:
    """(start, end, public places left) of every slot the summary holds for those days, by start."""
    return [
        (from_wall_time(start), from_wall_time(entry.end), entry.offers(service))
        for day in read_days(directorate_id, first, last)
        for start, entry in sorted(day.items())
        if service in entry.services
    ]


def first_day_with_places(directorate_id: str, first: date, last: date) -> date | None:
    """The first day from `first` to `last` with a public place left in some slot. The days are
    read in order, a few per page, until one has a place: usually the first page (a day item
    holds a day's every slot, so reading the whole horizon cost twenty times as much)."""
    items = AvailabilityDay.query(directorate_id, AvailabilityDay.day.between(first.isoformat(), last.isoformat()),
                                  page_size=DAYS_PER_PAGE)
    for item in items:
        if has_public_place(entries_of(item)):
            return date.fromisoformat(item.day)
    return None


class Contended(Exception):
    """Other writers kept changing the days: the stream records are retried."""


Fold = Callable[[tuple[str, str], Mapping[str, Entry]], dict[str, Entry]]
CHUNK = 100  # keys per BatchGetItem, items per TransactWriteItems


def update_days(days: list[tuple[str, str]], change: Fold, attempts: int = 5) -> int:
    """Read the (directorate, day) items (one BatchGetItem per hundred), apply `change` to each
    day's entries, and write back the ones that changed in one transaction per hundred, each
    conditional on the version read; when another writer came in between, again from fresh
    items. Returns how many days were written."""
    written = 0
    for at in range(0, len(days), CHUNK):
        written += _update_chunk(days[at:at + CHUNK], change, attempts)
    return written


def _update_chunk(days: list[tuple[str, str]], change: Fold, attempts: int) -> int:
    for _ in range(attempts):
        held = {(item.key, item.day): item for item in AvailabilityDay.batch_get(days, consistent_read=True)}
        changed: list[AvailabilityDay] = []
        for key in days:
            item: AvailabilityDay = held.get(key) or AvailabilityDay(*key, slots={}, expires=_expiry(key[1]))
            entries = entries_of(item)
            folded = change(key, entries)
            if folded != entries:
                item.slots = {start: {"end": e.end, "services": sorted(e.services), "left": e.left, "v": e.version}
                              for start, e in folded.items()}
                changed.append(item)
        if not changed:
            return 0
        try:
            with transaction() as write:
                for item in changed:
                    write.save(item)
            return len(changed)
        except TransactWriteError as error:
            if not condition_failed(error) and "TransactionConflict" not in str(error):
                raise
    raise Contended(f"{len(days)} summary days kept changing")


def _expiry(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day) + timedelta(days=KEEP_PAST_DAYS), time(), tzinfo=timezone.utc)
