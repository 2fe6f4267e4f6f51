"""The invariants every benchmark leaves true, checked over the stored items, for any bench.

    from bench import invariants
    found = invariants.check(invariants.moto_reader(region))    # in-process emulator (fast)
    found = invariants.check(invariants.scan_reader(client))   # any endpoint, e.g. a running `make run` stack
    broken = invariants.broken(found)                           # only the violated ones; {} when all hold

`check(read, *, skip_slot_partitions=())` returns {invariant: number of violations}, every key
present (0 when it holds), for:
- slots booked beyond capacity (`booked` > `capacity`, or `internal_booked` > `internal`);
- slot counters differing from their appointments: `booked` / `internal_booked` against the
  appointments of the slot still holding a place of that kind (every appointment but those whose
  place was given back and returned: `place_returned_at`; `place` "internal" for kept-back ones);
- applicants holding two confirmed appointments (the 30-day lock allows one; a request assigned
  twice, or a booking made twice, shows here);
- assigned requests whose appointment is missing or someone else's;
- appointments given to two requests;
- assigned or withdrawn requests still in the waiting index;
- waiting-queue counters (per shard and window: filed − settled) differing from the waiting
  requests they count (non-priority ones);
- waiting-queue shard totals (per shard: filed − settled) differing from the requests waiting in
  the shard (closure victims too): a total below them would hide the shard from the assigner.

`read(table)` gives every stored item of a table in DynamoDB JSON (as a Scan's "Items"), for
table in TABLES. `skip_slot_partitions`: slot partitions a bench writes outside the app (a bare
arm's slot-like item), left out of the slot checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

Item = dict[str, Any]
Reader = Callable[[str], Iterable[Item]]
TABLES = ("slots", "appointments", "requests", "windows")


def _models() -> dict[str, Any]:
    from chalicelib.adapters import tables

    return {"slots": tables.Slot, "appointments": tables.Appointment, "requests": tables.AssignmentRequest, "windows": tables.AssignmentWindow}


def moto_reader(region: str, lock: Any = None) -> Reader:
    """Items straight from the in-process emulator's memory (a Scan over HTTP of 100,000 items
    takes minutes there), under the emulator's lock when given."""
    from contextlib import nullcontext

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    def read(short: str) -> list[Item]:
        with lock or nullcontext():
            table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(_models()[short].Meta.table_name)
            if table.range_key_attr:
                items = [item for partition in table.items.values() for item in partition.values()]
            else:
                items = list(table.items.values())
            return [item.to_json()["Attributes"] for item in items]

    return read


def scan_reader(client: Any) -> Reader:
    """Items by Scan through a boto3 DynamoDB client (any endpoint)."""

    def read(short: str) -> Iterable[Item]:
        for page in client.get_paginator("scan").paginate(TableName=_models()[short].Meta.table_name):
            yield from page["Items"]

    return read


def _s(item: Item, name: str) -> str | None:
    value = item.get(name)
    return None if value is None else value.get("S")


def _n(item: Item, name: str) -> int:
    value = item.get(name)
    return int(value["N"]) if value and "N" in value else 0


def check(read: Reader, *, skip_slot_partitions: Iterable[str] = ()) -> dict[str, int]:
    skipped = set(skip_slot_partitions)
    appointments = list(read("appointments"))
    by_id = {_s(a, "appointment_id"): a for a in appointments}
    holding: Counter = Counter()  # (directorate, slot start, kind) -> appointments holding a place
    for a in appointments:
        if "place_returned_at" not in a:
            kind = "internal" if _s(a, "place") == "internal" else "public"
            holding[(_s(a, "directorate_id"), _s(a, "slot_start"), kind)] += 1
    oversold = mismatched = 0
    for slot in read("slots"):
        key = (_s(slot, "directorate_id"), _s(slot, "start"))
        if key[0] in skipped:
            continue
        booked, internal_booked = _n(slot, "booked"), _n(slot, "internal_booked")
        oversold += booked > _n(slot, "capacity") or internal_booked > _n(slot, "internal")
        mismatched += booked != holding[(*key, "public")] or internal_booked != holding[(*key, "internal")]
    confirmed = Counter(_s(a, "applicant_id") for a in appointments if _s(a, "status") == "confirmed")

    requests = list(read("requests"))
    pointed = Counter()
    wrong = left_in_index = 0
    waiting: Counter = Counter()  # (index partition, window) -> waiting non-priority requests
    in_shard: Counter = Counter()  # index partition -> waiting requests, priority ones too
    for r in requests:
        status = _s(r, "status")
        if status == "assigned":
            appointment = by_id.get(_s(r, "appointment_id"))
            pointed[_s(r, "appointment_id")] += 1
            wrong += appointment is None or _s(appointment, "applicant_id") != _s(r, "applicant_id")
        if status != "waiting" and "waiting_province" in r:
            left_in_index += 1
        if status == "waiting" and "waiting_province" in r:
            in_shard[_s(r, "waiting_province")] += 1
            if not r.get("priority", {}).get("BOOL", False):
                waiting[(_s(r, "waiting_province"), _s(r, "window_start"))] += 1
    counted: Counter = Counter()
    totals: Counter = Counter()
    for w in read("windows"):
        if "#" not in (_s(w, "province") or ""):  # a window's own item, not a shard's counters
            continue
        if (_s(w, "window_start") or "").startswith("total#"):  # services/waiting.FILED_TOTAL, SETTLED_TOTAL
            totals[_s(w, "province")] += _n(w, "filed") - _n(w, "settled")
        else:
            counted[(_s(w, "province"), _s(w, "window_start"))] += _n(w, "filed") - _n(w, "settled")
    counters_off = sum(1 for key in set(waiting) | set(counted) if waiting[key] != counted[key])
    totals_off = sum(1 for key in set(in_shard) | set(totals) if in_shard[key] != totals[key])
    return {
        "slots booked beyond capacity": oversold,
        "slot counters differing from their appointments": mismatched,
        "applicants holding two confirmed appointments": sum(1 for n in confirmed.values() if n > 1),
        "assigned requests whose appointment is missing or another's": wrong,
        "appointments given to two requests": sum(1 for n in pointed.values() if n > 1),
        "requests no longer waiting but still in the waiting index": left_in_index,
        "waiting-queue counters differing from the requests waiting": counters_off,
        "waiting-queue shard totals differing from the requests waiting": totals_off,
    }


def broken(found: dict[str, int]) -> dict[str, int]:
    return {name: n for name, n in found.items() if n}
