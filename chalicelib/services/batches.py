"""A page of a batch job's work: how the reminder run, the no-show sweep, the horizon extension
and the demand evaluation do one bounded piece of one directorate's share (services/fanout.py
hands the pieces out and chains them).

A piece reads at most `limit` items, one DynamoDB page of them, and stops early when its
invocation runs short of time; its `cursor` says where the next piece starts (a Query's
LastEvaluatedKey, plain JSON), or is None when the directorate's share is done. Whatever makes
an item's work idempotent stays with the item (conditions on its write), so a piece done twice
changes nothing the second time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

Item = TypeVar("Item")
Cursor = dict[str, Any]


@dataclass(frozen=True)
class Page:
    read: int  # items looked at (each costs at most one transaction)
    done: int  # items changed: reminders written, no-shows marked, days opened, modes switched
    cursor: Cursor | None  # where the next piece starts; None: the share is done


def always() -> bool:
    return True


def walk(results: Any, handle: Callable[[Item], bool], limit: int, time_left: Callable[[], bool] = always) -> Page:
    """Handle the items of a PynamoDB query (made with `limit=page_size=limit`) one by one, until
    the page ends, `limit` were read, or `time_left()` says stop. The cursor resumes after the
    last item handled (PynamoDB rebuilds it from that item when stopping mid-page)."""
    read = done = 0
    for item in results:
        read += 1
        done += bool(handle(item))
        if read >= limit or not time_left():
            break
    return Page(read, done, results.last_evaluated_key)


def first(items: Iterable[Item], handle: Callable[[Item], bool], limit: int, time_left: Callable[[], bool] = always) -> tuple[int, int, Item | None]:
    """Like `walk`, over a plain list: (read, done, the first item not handled or None)."""
    read = done = 0
    for item in items:
        if read >= limit or (read and not time_left()):
            return read, done, item
        read += 1
        done += bool(handle(item))
    return read, done, None


def exhaust(piece: Callable[[Cursor | None], Page]) -> int:
    """Every piece of one share, one after the other, here (not through the queue): how many
    items were changed. For callers that run a job in process (tests, the local stack)."""
    done, cursor = 0, None
    while True:
        page = piece(cursor)
        done, cursor = done + page.done, page.cursor
        if cursor is None:
            return done
