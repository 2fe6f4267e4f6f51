"""What one booking, one assignment and one page view cost, measured, and what a directorate, a
province and the country need from that (docs/capacity.md quotes this bench's output).

`python -m bench.capacity_bench [--quick | --smoke]`, in a fresh interpreter: it starts the stack
`make run` starts (in this process, so it can watch the emulator), makes applicants as people do
(bench.population.create_applicants_in_process), and then, each step metered apart:

- a booking: `POST /v1/appointments`, then what it sets off (the event pump's stream handlers,
  the notifications queue, the sender: the SMS and the email);
- a calendar page (`GET /v1/availability`) and a statistics read (`GET /v1/statistics`);
- an assignment: `POST /v1/assignment-requests` where the directorate assigns, then the assigner
  (services/assignment.assign_province, as its queue worker calls it) once the window closed,
  then what it sets off.

The meter is an observer of the emulator (`Emulator.observe`): every DynamoDB request and its
answer, priced by DynamoDB's own rules for on-demand tables: a write is one write unit per KB of
the item (the item after the write, for an update), twice that inside a transaction; a read is one
read unit per 4 KB, half that when eventually consistent, twice that inside a transaction, a Query
summed over the items it returns. Stream reads by Lambda are free and not counted. SMS segments
come from the texts sent (domain/sms_text.segments), emails from SES's sends. Handler time is the
wall time measured here, emulator included: an upper bound of the Lambda time.

Then the model: the places the catalogue offers on a working day (the slots the horizon opened,
summed per directorate), times the measured cost of each step, for one directorate (the largest),
one province (İstanbul) and the country, on a normal day (every place booked online, two calendar
pages per booking) and on a release day (SCENARIO below: its multipliers are assumptions, stated,
not measurements).

`--smoke` (for the test suite) runs the same steps once on a short horizon: its figures are not
measurements. `--quick` is the same as the full run (it is one booking and one assignment; the
steps are repeated `--repeat` times, 3 by default, 1 in smoke).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterator

from bench import smoke
from bench.process import figures_stream, in_fresh_interpreter, stdout_to

SERVICE = "address_registration"
BOOK_AT = "34-fatih"
ASSIGN_AT = "34-kadikoy"

# A release day, as assumed (not measured): the people who come, and what each does.
SCENARIO = {
    "applicants per place": 50,  # fifty people want each place released that day (tens of thousands in İstanbul)
    "calendar pages per applicant": 5,  # each opens the calendar a few times
    "requests per applicant": 1,  # and files one assignment request (assigned mode)
    "status reads per applicant": 3,  # and looks at its position a few times
}


# --- the meter ------------------------------------------------------------------------------


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: attribute names plus values (numbers ~ 1 byte per two
    digits + 1, sets and lists their members, maps and lists 3 bytes of overhead)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, content), = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return math.ceil(len(content.strip("-").replace(".", "")) / 2) + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: member}) for member in content)
    if kind == "L":
        return 3 + sum(_value_size(member) + 1 for member in content)
    if kind == "M":
        return 3 + item_size(content) + len(content)
    return 0


@dataclass
class Cost:
    operations: Counter = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    sms: int = 0
    sms_segments: int = 0
    emails: int = 0
    seconds: float = 0.0

    def add(self, other: "Cost") -> None:
        self.operations.update(other.operations)
        for name in ("read_units", "write_units", "sms", "sms_segments", "emails", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def scaled(self, factor: float) -> "Cost":
        out = Cost(Counter({k: v * factor for k, v in self.operations.items()}))
        for name in ("read_units", "write_units", "sms", "sms_segments", "emails", "seconds"):
            setattr(out, name, getattr(self, name) * factor)
        return out


class Meter:
    """Prices every DynamoDB request the emulator serves, into the section being measured."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.current: Cost | None = None

    def __call__(self, operation: str, request: bytes, response: bytes) -> None:
        if self.current is None or not operation.startswith("DynamoDB_20120810."):
            return
        name = operation.split(".", 1)[1]
        self.current.operations[name] += 1
        try:
            asked = json.loads(request or b"{}")
            answered = json.loads(response or b"{}")
        except ValueError:
            return
        self.current.read_units += self._reads(name, asked, answered)
        self.current.write_units += self._writes(name, asked)

    def _reads(self, name: str, asked: dict, answered: dict) -> float:
        strong = 1.0 if asked.get("ConsistentRead") else 0.5
        if name == "GetItem":
            return _read_units(item_size(answered.get("Item") or {})) * strong
        if name == "Query" or name == "Scan":
            return _read_units(sum(item_size(i) for i in answered.get("Items", []))) * strong
        if name == "BatchGetItem":
            return sum(_read_units(item_size(i)) * strong for items in answered.get("Responses", {}).values() for i in items)
        if name == "TransactGetItems":
            return sum(2 * _read_units(item_size(r.get("Item") or {})) for r in answered.get("Responses", []))
        return 0.0

    def _writes(self, name: str, asked: dict) -> float:
        if name == "TransactWriteItems":
            return sum(2 * self._write_units(kind, body) for entry in asked.get("TransactItems", []) for kind, body in entry.items())
        if name in ("PutItem", "UpdateItem", "DeleteItem"):
            return self._write_units(name.removesuffix("Item"), asked)
        if name == "BatchWriteItem":
            return sum(self._write_units("Put" if "PutRequest" in r else "Delete", r.get("PutRequest") or r.get("DeleteRequest"))
                       for requests in asked.get("RequestItems", {}).values() for r in requests)
        return 0.0

    def _write_units(self, kind: str, body: dict) -> float:
        if kind == "Put":
            return _write_units(item_size(body["Item"]))
        if kind == "ConditionCheck":
            return 0.5  # a condition check in a transaction: one read unit's worth, priced as half a write here
        stored = self._stored(body["TableName"], body["Key"])  # the item after the update (or before the delete)
        return _write_units(item_size(stored or body["Key"]))

    def _stored(self, table_name: str, key: dict) -> dict | None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        try:
            item = dynamodb_backends[DEFAULT_ACCOUNT_ID][self.region].get_item(table_name, key)
        except Exception:
            return None
        return item.to_json()["Attributes"] if item is not None else None

    @contextmanager
    def section(self, cost: Cost, outbox: Any) -> Iterator[None]:
        from chalicelib.domain.sms_text import segments

        sent_before = len(outbox.entries())
        started = time.perf_counter()
        self.current = cost
        try:
            yield
        finally:
            self.current = None
            cost.seconds += time.perf_counter() - started
            for entry in outbox.entries()[sent_before:]:
                if entry["channel"] == "sms":
                    cost.sms += 1
                    cost.sms_segments += segments(entry["body"])
                else:
                    cost.emails += 1


def _read_units(size: int) -> int:
    return max(1, math.ceil(size / 4096))


def _write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


# --- the steps ------------------------------------------------------------------------------


def settle(stack: Any) -> None:
    """Run the event pump until nothing is left to do (streams, queues)."""
    for _ in range(50):
        runs = stack.pump.run_once()
        if not any(run.messages for run in runs.values()):
            return


def measure(repeat: int, out: Any) -> int:
    import requests

    from bench import population
    from chalicelib.clock import clock
    from chalicelib.domain import reminders
    from chalicelib.domain.calendar import local_day
    from chalicelib.services import notifications
    from chalicelib.local.stack import REGION, start
    from chalicelib.settings import get_settings

    stack = start(port=0, pump_interval=None).serve_in_background()
    try:
        meter = Meter(REGION)
        stack.emulator.observe(meter)
        settle(stack)  # the catalogue's slots through the summary and the statistics
        people = population.create_applicants_in_process(stack.outbox, 2 * repeat + 1, seed=13)
        settle(stack)
        admin = population.admin_token(stack.url, stack.admin_email, stack.admin_password, stack.admin_totp_secret)
        session = requests.Session()

        def call(method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            answer = session.request(method, f"{stack.url}{path}", headers=headers, timeout=120, **kwargs)
            if answer.status_code >= 300:
                raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
            return answer.json()

        costs = {name: Cost() for name in ("booking", "booking, afterwards", "reminder", "calendar page", "statistics read",
                                            "assignment request", "request status read", "assignment", "assignment, afterwards")}
        day_query = f"/v1/availability?directorate={BOOK_AT}&service={SERVICE}&days=7"
        for person in people[:repeat]:
            with meter.section(costs["calendar page"], stack.outbox):
                slots = call("GET", day_query, person.token)["slots"]
            # a time whose reminder is not owed at once, so that the day-before run is measured apart, whatever the hour
            slot = next(s for s in slots if not reminders.due_at_booking(datetime.fromisoformat(s["start"]), clock.now()))
            with meter.section(costs["booking"], stack.outbox):
                booked = call("POST", "/v1/appointments", person.token, json={"slot_id": slot["slot_id"], "service": SERVICE})
            with meter.section(costs["booking, afterwards"], stack.outbox):
                settle(stack)
            start = datetime.fromisoformat(booked["start"])
            with meter.section(costs["reminder"], stack.outbox):  # the day-before run's piece for this directorate and day
                notifications.remind_page(BOOK_AT, local_day(start).isoformat(), reminders.reminder_run_for(local_day(start)), limit=200)
                settle(stack)
            with meter.section(costs["statistics read"], stack.outbox):
                call("GET", "/v1/statistics?province=34")

        call("PUT", f"/v1/admin/directorates/{ASSIGN_AT}/services/{SERVICE}/mode", admin, json={"mode": "assigned"})
        settle(stack)
        for person in people[repeat:2 * repeat]:
            with meter.section(costs["assignment request"], stack.outbox):
                filed = call("POST", "/v1/assignment-requests", person.token, json={"service": SERVICE, "directorate": ASSIGN_AT})
            with meter.section(costs["request status read"], stack.outbox):
                call("GET", f"/v1/assignment-requests/{filed['request_id']}", person.token)
        from chalicelib.services import assignment

        window = timedelta(minutes=get_settings().assignment_window_minutes + 1)
        with meter.section(costs["assignment"], stack.outbox):
            served = assignment.assign_province("34", clock.now() + window)
        with meter.section(costs["assignment, afterwards"], stack.outbox):
            settle(stack)
        if len(served.assigned) != repeat:
            print(f"capacity bench FAILED: {len(served.assigned)} of {repeat} requests assigned", file=out)
            return 1
        from bench import invariants

        broken = invariants.broken(invariants.check(invariants.moto_reader(REGION, stack.emulator.lock)))
        if broken:
            print(f"capacity bench FAILED: invariants broken: {broken}", file=out)
            return 1
        per = {name: cost.scaled(1 / repeat) for name, cost in costs.items()}
        report(per, places_per_directorate(), out)
        print("  invariants: no slot over capacity, every counter equal to its appointments, every request assigned at most once", file=out)
        return 0
    finally:
        stack.stop()


def places_per_directorate() -> dict[str, int]:
    """The places (public and kept back) each directorate offers on its fullest day ahead."""
    from chalicelib.adapters.tables import Slot
    from chalicelib.domain.catalogue import DIRECTORATES

    fullest: dict[str, int] = {}
    for directorate in DIRECTORATES:
        per_day: Counter = Counter()
        for slot in Slot.query(directorate.id):
            per_day[slot.start[:10]] += int(slot.capacity or 0) + int(slot.internal or 0)
        fullest[directorate.id] = max(per_day.values(), default=0)
    return fullest


# --- the report -----------------------------------------------------------------------------


def _line(name: str, cost: Cost) -> str:
    calls = ", ".join(f"{op} {n:g}" for op, n in sorted(cost.operations.items()))
    return (f"  {name:<24} {cost.read_units:6.1f} RRU {cost.write_units:6.1f} WRU  {cost.sms:3.1f} SMS ({cost.sms_segments:3.1f} segments) "
            f"{cost.emails:3.1f} email  {cost.seconds * 1000:7.0f} ms  [{calls}]")


def report(per: dict[str, Cost], places: dict[str, int], out: Any) -> None:
    from chalicelib.domain.catalogue import find_directorate

    print("capacity per step (DynamoDB on-demand read and write request units, messages, handler time measured here):", file=out)
    for name, cost in per.items():
        print(_line(name, cost), file=out)
    booking, assignment = Cost(), Cost()
    for name in ("booking", "booking, afterwards", "reminder"):
        booking.add(per[name])
    for name in ("assignment request", "assignment", "assignment, afterwards"):
        assignment.add(per[name])
    print(_line("one booking in all", booking), file=out)
    print(_line("one assignment in all", assignment), file=out)

    largest = max(places, key=places.get)
    istanbul = sum(n for d, n in places.items() if find_directorate(d).province == "34")
    country = sum(places.values())
    print(f"places a working day: largest directorate ({largest}) {places[largest]:,}, İstanbul {istanbul:,}, the country {country:,}", file=out)
    page, stats_read, request = per["calendar page"], per["statistics read"], per["assignment request"]
    for scope, count in ((f"directorate {largest}", places[largest]), ("İstanbul", istanbul), ("the country", country)):
        normal = booking.scaled(count)
        normal.add(page.scaled(2 * count))
        applicants = SCENARIO["applicants per place"] * count
        release = assignment.scaled(count)
        release.add(page.scaled(SCENARIO["calendar pages per applicant"] * applicants))
        release.add(request.scaled(SCENARIO["requests per applicant"] * applicants - count))  # the served ones are in `assignment`
        release.add(per["request status read"].scaled(SCENARIO["status reads per applicant"] * applicants))
        release.add(stats_read.scaled(applicants))  # and each looks at the public figures once
        for label, total in (("normal day", normal), ("release day", release)):
            print(f"  {scope:<22} {label:<11}: {total.read_units:>12,.0f} RRU {total.write_units:>12,.0f} WRU  {total.sms:>9,.0f} SMS "
                  f"({total.sms_segments:>9,.0f} segments) {total.emails:>9,.0f} emails  {total.seconds:>9,.0f} s of handler time", file=out)
    print(f"  release day assumed: {', '.join(f'{k} {v}' for k, v in SCENARIO.items())}; normal day: every place booked online, "
          f"two calendar pages per booking", file=out)
    filed = SCENARIO["applicants per place"] * istanbul * SCENARIO["requests per applicant"]
    print(f"  İstanbul's release filed in its first 10 minutes: {filed:,} requests, {filed / 600:,.0f} requests/s, "
          f"{request.write_units * filed / 600:,.0f} WRU/s and {request.read_units * filed / 600:,.0f} RRU/s on the tables; "
          f"its {SCENARIO['calendar pages per applicant'] * filed:,} calendar pages in that hour: "
          f"{SCENARIO['calendar pages per applicant'] * filed / 3600:,.0f}/s", file=out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="the same steps, repeated 3 times")
    parser.add_argument("--repeat", type=int, default=None, help="how many bookings and assignments to average (default 3)")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.in_process:
        return in_fresh_interpreter("bench.capacity_bench", argv)
    if args.smoke:
        smoke.announce(stack=True)
    repeat = args.repeat or (1 if args.smoke else 3)
    out = figures_stream()
    with open(os.devnull, "w") as quiet, stdout_to(quiet):
        return measure(repeat, out)


if __name__ == "__main__":
    sys.exit(main())
