"""The availability summary's items (tables.AvailabilityDay) to and from domain entries.

Translation only: which entries win is domain/availability_summary.fold's decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, timezone

from pynamodb.exceptions import PutError

from chalicelib.adapters.tables import AvailabilityDay
from chalicelib.domain.availability_summary import Entry
from chalicelib.domain.calendar import from_wall_time

BUILT = "#built"  # the sort key of a directorate's "summary complete" item; sorts before any day
KEEP_PAST_DAYS = 2  # DynamoDB's TTL removes a summary day this long after it


def built_item(directorate_id: str) -> tuple[str, str]:
    """The key of the item that says a directorate's summary is complete."""
    return directorate_id, BUILT


def mark_built(directorate_id: str, now: datetime) -> None:
    try:
        AvailabilityDay(*built_item(directorate_id), slots={"built_at": now.isoformat()}).save()
    except PutError as error:  # marked already (a repeated rebuild)
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def is_built(directorate_id: str) -> bool:
    try:
        AvailabilityDay.get(*built_item(directorate_id), consistent_read=True, attributes_to_get=["key"])
        return True
    except AvailabilityDay.DoesNotExist:
        return False


def entries_of(item: AvailabilityDay) -> dict[str, Entry]:
    raw = item.slots.as_dict() if hasattr(item.slots, "as_dict") else dict(item.slots or {})
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


class Contended(Exception):
    """Another writer kept changing the day: the stream record is retried."""


def update_day(directorate_id: str, day: str, change: Callable[[Mapping[str, Entry]], dict[str, Entry]],
               attempts: int = 5) -> bool:
    """Read the day, apply `change` to its entries, write it back unless another writer wrote in
    between (the item's version), then again from the fresh item. False: nothing to write."""
    key = directorate_id
    for _ in range(attempts):
        try:
            item = AvailabilityDay.get(key, day, consistent_read=True)
        except AvailabilityDay.DoesNotExist:
            item = AvailabilityDay(key, day, slots={}, expires=_expiry(day))
        held = entries_of(item)
        folded = change(held)
        if folded == held:
            return False
        item.slots = {start: {"end": e.end, "services": sorted(e.services), "left": e.left, "v": e.version}
                      for start, e in folded.items()}
        try:
            item.save()
            return True
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    raise Contended(f"summary day {key} {day} kept changing")


def _expiry(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day) + timedelta(days=KEEP_PAST_DAYS), time(), tzinfo=timezone.utc)
