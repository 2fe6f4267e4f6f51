"""Benchmark of assignment under high demand, on an in-process emulator, two figures:

1. assignment throughput vs bare TransactWriteItems: waiting requests spread over all 81
   provinces (in proportion to their desks, at least one each) are served by the real
   assigner (`assignment.assign_province` for every province, as the SQS handler does for a
   message), in assignments per second, against bare boto3 `TransactWriteItems` of the same
   eight-item shape (conditional slot Update, conditional applicant Update, appointment Put,
   audit Put, notification Put, conditional request Update, the waiting queue's window counter
   Update and its shard's total Update: the items and expressions PynamoDB sends for `assignment._assign`, into the same tables,
   fresh keys each) on the same emulator.
   Goal: ratio ≥ 0.5. Printed with it: where an assignment's time goes (time inside the
   emulator by operation, and the rest, spent in this process), and a cost model fitted to
   the provinces served (the fixed cost of serving a province, and the cost per assignment),
   which tells what the ratio would be with more requests per round. Afterwards
   the stored items are read straight from the emulator: every request filed is assigned
   exactly once, to an appointment of its own applicant, none is left waiting or marked on
   its applicant.
2. release day: N applicants of one province compete for K places released at once (one day
   of one directorate; the admin's capacity use case makes that day hold exactly K), 10 % of
   them "fast": every delay of theirs is 100x shorter. Open mode: a person's first look at
   `booking.availability` for that day comes after a random delay (slow: exponential, mean
   60 s; fast: 0.6 s); they then book the first slot with room with `booking.book` after a
   reaction time (slow: exponential, mean 1 s; fast: 0.01 s), so two people can go for the last
   place of a slot; on SLOT_FULL they look again after another delay of their kind, until all
   places are gone. Assigned mode (`demand.set_mode` to `assigned`): fresh applicants with the
   same delays file a request for that day at their first-look time, all within one window;
   the window closes and the assigner serves the province. Printed: the fast people's share
   of the places in each mode. Goal for assigned: within 2 points of 10 %, judged on the places
   of all assigned trials pooled; the line gives the standard error a fair lottery would have
   on that many places (in the full run, 1,000 places: ±0.85 points, so the goal's margin is
   2.4 of them, and a fair lottery misses it about 2 % of the time); with fewer places than
   make the margin 2 standard errors (`--quick`), the goal is not judged.

3. the cost of assigning places, whatever waits: in rounds, three arms side by side in a
   shuffled order: the assigner (as the queue handler runs it: a message, then each follow-up
   it sends, with the configured budget of requests per message) gives P places in a province
   where P requests wait, and P places in one where W wait, and bare transactions of the same
   eight-item shape give P. Printed: the cost ratio W-waiting vs P-waiting (goal ≤ 1.5) with
   the requests read and messages taken, and the assigner's throughput against the bare
   transactions (goal ≥ 0.5). The W waiting are put straight into the emulator's table (not
   filed through the use case: 100,000 filings would take long here and measure nothing of the
   assigner), with the queue's counters as filing leaves them; applicants are made (untimed)
   only for the requests the assigner can reach in a round, which it would otherwise withdraw —
   a withdrawal is reported as an error. Full: P = 1,000, W = 100,000, 3 rounds; `--quick`:
   200 and 20,000, 1 round; the P places are the only free ones of the province's directorate.

At the end, for everything the figures did, the appointments stored are exactly those the
clients were told of (the assigner's answers, the bookings', the bare transactions'), nobody
holds two, and every slot's counter equals its appointments, none beyond its capacity; and `bench/invariants.py`
checks the same over the stored items, with every request assigned at most once and the waiting
queue's counters equal to the requests waiting. A broken invariant fails the run (exit status 1);
a missed goal does not.

Method
- Side by side: figure 1 runs its two arms in rounds, each round both arms in a shuffled order
  (fixed seed); a first round in three provinces is warm-up (the process's lazy set-up) and is
  discarded. Each arm times only its serving (the assigner) or its transactions (bare), never
  the filing or set-up before them; the ratio is that of the arms' median per-round
  throughputs. Figure 2 runs in simulated time (the injected clock is moved to each event's
  instant), so it measures no time at all: its numbers do not drift with the machine. Open
  trial i uses the same people's delays as assigned trial i (paired); open trials are fewer,
  since fast people take their share of places however often it is drawn, and are spread
  among the assigned ones.
- Sizes: the full run serves the issue's 10,000 requests, 5 rounds of 2,000 against 5 x 2,000
  bare transactions (several minutes on a 2-core machine), and 5 assigned (2 open) release-day
  trials of 1,000 people for 200 places. Serving a province has a fixed cost (its reads: see
  the cost model printed), so the measured ratio grows with the round size; `--quick` serves
  one round of 200, and `--rounds`, `--requests-per-round`, `--bare-per-round` resize it.
- Filing without the position query: a request is stored as `request_assignment` stores it
  (the request from `assignment.new_request`, the applicant's `waiting_request` marker, the
  "assignment.requested" audit record, the window's item with its seed and its count of
  requests filed), written in batches. `request_assignment` itself reads the oldest waiting
  request of the province from the waiting-by-province index for the position it answers
  with, and moto's index Query sorts the whole requests table each time (~0.2 s at 10,000
  requests): thousands of calls would take minutes here, where DynamoDB reads one item.
  Applicants are `Applicant` items (active, residence permit valid for a year, language en),
  not Cognito accounts: the assigner and the booking use cases read only the item.
- Queues: nothing here consumes the notifications queue, and moto's SendMessage costs
  O(messages in the queue), so the queue is purged (untimed) before each province is served,
  as the local stack's pump drains it. Provinces are served directly, not from the
  assignments queue.
- Emulator time is measured around moto's WSGI app, under the emulator's lock.
- Clock: moved to 09:00 Istanbul of the day at start, so that nothing crosses midnight (the
  booking window would move). Slots come from `extend_slot_horizon()` for every directorate;
  figure 2's day is the last full working day of the booking window, which figure 1's
  requests (earliest slot first) never reach, in provinces of one two-desk directorate each.
- Isolation: `main()` runs the measurement in a fresh interpreter (moto's state is global to a
  process), which ends with `os._exit` (freeing the emulator's objects one by one would take
  seconds); the app's JSON log lines go to a temporary file, named on failure.
- `--smoke` (for the test suite): one round of 100 requests against 20 bare transactions, one
  trial of each mode with 100 applicants for 20 places (enough for some SLOT_FULL in open mode),
  on a shorter slot horizon (`bench/smoke.py`): its figures are not measurements.

Run from the repository root:  python -m bench.assignment_bench [--quick | --smoke]
"""

from __future__ import annotations

import argparse
import dataclasses
import heapq
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, TextIO

from bench import invariants, smoke
from bench.process import figures_stream, in_fresh_interpreter, stdout_to

REGION = "eu-central-1"
SERVICE = "address_registration"
SEED = 20240601
BARE_PARTITION = "zz-bench-bare"  # the bare arm's slot-like item, and its requests' "province"
BARE_SLOT_START = "2099-01-05T09:00"
WARMUP_PROVINCES = 3
FAST_SHARE = 0.10
SPEEDUP = 100  # a fast person's delays are this many times shorter
FIRST_LOOK_MEAN_S = 60.0  # a slow person's, exponential
REACTION_MEAN_S = 1.0  # from seeing a free slot to booking it, a slow person's
ASSIGNED_GOAL_POINTS = 2.0
MIN_MARGIN_SE = 2.0  # figure 2's goal is judged only if its margin is this many standard errors


@dataclass(frozen=True)
class Plan:
    rounds: int  # figure 1, measured rounds per arm
    requests_per_round: int  # figure 1, filed and served per round (every province gets some)
    bare_per_round: int  # figure 1, bare transactions per round
    applicants: int  # figure 2, per trial and mode
    places: int  # figure 2, per trial
    trials: int  # figure 2, assigned trials
    open_trials: int  # figure 2, open trials (at most `trials`; each pairs with an assigned one)
    scale_rounds: int = 0  # figure 3, rounds of its three arms
    scale_places: int = 0  # figure 3, places given per round and arm
    scale_small: int = 0  # figure 3, requests waiting in the small arm
    scale_large: int = 0  # figure 3, requests waiting in the large arm


QUICK = Plan(rounds=1, requests_per_round=200, bare_per_round=200, applicants=400, places=80, trials=1, open_trials=1,
             scale_rounds=1, scale_places=200, scale_small=200, scale_large=20_000)
FULL = Plan(rounds=5, requests_per_round=2000, bare_per_round=2000, applicants=1000, places=200, trials=5, open_trials=2,
            scale_rounds=3, scale_places=1000, scale_small=1000, scale_large=100_000)
SMOKE = Plan(rounds=1, requests_per_round=100, bare_per_round=20, applicants=100, places=20, trials=1, open_trials=1,
             scale_rounds=1, scale_places=20, scale_small=20, scale_large=400)


# --- The world: an emulator, the app's resources, the clock -------------------------------------


class EmulatorTimer:
    """Time spent inside the emulator, by operation (`X-Amz-Target`), measured around moto's
    WSGI app, i.e. under the emulator's lock: what the emulator itself costs."""

    def __init__(self, emulator: Any) -> None:
        middleware = emulator._server.app  # the SerialisingMiddleware the server runs
        inner = middleware.app
        self.seconds: Counter = Counter()
        self.calls: Counter = Counter()

        def timed(environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
            operation = (environ.get("HTTP_X_AMZ_TARGET") or "other").rsplit(".", 1)[-1]
            if operation == "Query":
                operation += f" {_queried(environ)}"
            started = time.perf_counter()
            chunks = inner(environ, start_response)
            try:
                body = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
            self.seconds[operation] += time.perf_counter() - started
            self.calls[operation] += 1
            return [body]

        middleware.app = timed

    def snapshot(self) -> tuple[Counter, Counter]:
        return Counter(self.seconds), Counter(self.calls)

    def since(self, snapshot: tuple[Counter, Counter]) -> tuple[Counter, Counter]:
        seconds, calls = snapshot
        return self.seconds - seconds, self.calls - calls


def _queried(environ: dict) -> str:
    """What a Query reads: its table's short name, or its index's name. The middleware has
    already read the request body into a BytesIO (emulator.py), so it can be read again."""
    import io
    import json

    from chalicelib.settings import resource_prefix

    body = environ.get("wsgi.input")
    if not isinstance(body, io.BytesIO):
        return "?"
    request = json.loads(body.getvalue() or b"{}")
    return request.get("IndexName") or str(request.get("TableName", "?")).removeprefix(f"{resource_prefix()}-")


@dataclass
class World:
    emulator: Any
    ddb: Any  # boto3 DynamoDB client to the emulator, no retries
    tables: dict[str, str]  # short name -> physical name
    timer: EmulatorTimer
    window_minutes: int
    admin: Any  # an admin Caller
    errors: list[str] = field(default_factory=list)
    told: set[str] = field(default_factory=set)  # every appointment id a client was given

    def purge_notifications(self) -> None:
        from chalicelib import wiring
        from chalicelib.resources import notifications_queue_name

        wiring.sqs().purge_queue(QueueUrl=wiring.queue_url(notifications_queue_name()))

    def at(self, moment: datetime) -> None:
        """Moves the injected clock to `moment` (it keeps running from there)."""
        from chalicelib.clock import clock

        clock.travel(moment - clock.now())

    def fresh_window(self) -> datetime:
        """Moves the clock into a window no request was filed in yet (1 s after its start)."""
        from chalicelib.clock import clock
        from chalicelib.domain import assignment as rules

        start = rules.window_of(clock.now(), self.window_minutes) + timedelta(minutes=self.window_minutes, seconds=1)
        self.at(start)
        return start

    def close_window(self, opened: datetime) -> None:
        """Moves the clock a minute past the end of the window `opened` lies in."""
        from chalicelib.domain import assignment as rules

        self.at(rules.window_of(opened, self.window_minutes) + timedelta(minutes=self.window_minutes + 1))


def start_world() -> World:
    # The bench purges the notifications queue often (see the docstring); moto otherwise
    # allows one purge a minute, as SQS does.
    os.environ["MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR"] = "false"
    import boto3

    from bench.emulator_bench import dynamodb_client
    from chalicelib import wiring
    from chalicelib.adapters import tables as models
    from chalicelib.clock import clock
    from chalicelib.domain.calendar import ISTANBUL
    from chalicelib.domain.roles import Caller, Role
    from chalicelib.local.emulator import Emulator, configure_environment
    from chalicelib.local.provision import provision
    from chalicelib.resources import resources
    from chalicelib.settings import get_settings

    emulator = Emulator().start()
    configure_environment(emulator.endpoint_url, REGION)
    local = provision(boto3.session.Session(region_name=REGION), resources(), endpoint_url=emulator.endpoint_url)
    os.environ.update(local.environment())
    wiring.reset()
    now = clock.now()
    nine = datetime.combine(now.astimezone(ISTANBUL).date(), datetime.min.time(), tzinfo=ISTANBUL) + timedelta(hours=9)
    clock.travel(nine - now)
    names = {
        "slots": models.Slot, "applicants": models.Applicant, "appointments": models.Appointment,
        "audit": models.AuditRecord, "notifications": models.Notification, "requests": models.AssignmentRequest,
        "windows": models.AssignmentWindow,
    }
    return World(
        emulator=emulator,
        ddb=dynamodb_client(emulator.endpoint_url, REGION),
        tables={short: model.Meta.table_name for short, model in names.items()},
        timer=EmulatorTimer(emulator),
        window_minutes=get_settings().assignment_window_minutes,
        admin=Caller("bench-admin", frozenset({Role.ADMIN})),
    )


def _moto_table(world: World, short: str) -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(world.tables[short])


def stored_items(world: World, short: str) -> list[dict[str, Any]]:
    """Every item of a table, read from the emulator's memory under its lock (a Scan over HTTP
    of tens of thousands of items would take minutes): DynamoDB JSON, as a Scan returns it."""
    with world.emulator.lock:
        table = _moto_table(world, short)
        partitions = list(table.items.values())
        if table.range_key_attr:
            items = [item for partition in partitions for item in partition.values()]
        else:
            items = partitions
        return [item.to_json()["Attributes"] for item in items]


def stored_by_key(world: World, short: str, keys: list[str]) -> dict[str, dict[str, Any] | None]:
    """Items of a table with a string partition key and no sort key, by key (None: absent),
    read from the emulator's memory under its lock."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    with world.emulator.lock:
        table = _moto_table(world, short)
        found = {}
        for key in keys:
            item = table.items.get(DynamoType({"S": key}))
            found[key] = item.to_json()["Attributes"] if item is not None else None
        return found


# --- Writing what the API would store ----------------------------------------------------------


def new_applicant(province: str, now: datetime, applicant_id: str | None = None, waiting_request: str | None = None) -> Any:
    """An active applicant's item, as sign-up and a registry import leave it."""
    from chalicelib.adapters.tables import Applicant
    from chalicelib.domain.calendar import local_day

    applicant_id = applicant_id or str(uuid.uuid4())
    return Applicant(
        applicant_id, status="active", document_type="foreign_id", document_number=f"99{uuid.uuid4().int % 10**9:09d}",
        nationality="SYR", given_name="Bench", family_name="Person", birth_date="1990-01-01",
        email=f"{applicant_id}@example.net", phone=f"+90555{uuid.uuid4().int % 10**7:07d}", language="en",
        province=province, permit_status="residence_permit",
        permit_valid_until=(local_day(now) + timedelta(days=365)).isoformat(),
        created_at=now, updated_at=now, waiting_request=waiting_request,
    )


@dataclass(frozen=True)
class Filed:
    request_id: str
    applicant_id: str
    province: str
    stored_under: str = ""  # the request's waiting-index partition ("<province>#<shard>")
    window_start: str = ""


def file_requests(arrivals: list[tuple[str, datetime]], day: date | None = None) -> list[Filed]:
    """One fresh applicant and one request per (province, time filed), stored as
    `request_assignment` stores them: the request (its rank drawn from the window's seed, which
    `new_request` records on the window's item when its first request arrives), the applicant's
    marker, the audit record, and the count of requests filed in each shard of each window."""
    from chalicelib.adapters.tables import Applicant, AssignmentRequest, AuditRecord
    from chalicelib.domain.roles import Role
    from chalicelib.services import assignment, audit

    filed = []
    counts: Counter = Counter()  # (index partition, window) -> requests filed
    with Applicant.batch_write() as applicants, AssignmentRequest.batch_write() as requests, \
            AuditRecord.batch_write() as records:
        for province, now in arrivals:
            applicant_id = str(uuid.uuid4())
            request = assignment.new_request(applicant_id=applicant_id, province=province, service=SERVICE,
                                             directorate_id=None, earliest=day, latest=day, now=now)
            applicants.save(new_applicant(province, now, applicant_id, waiting_request=request.request_id))
            requests.save(request)
            records.save(audit.record(
                audit.applicant_subject(applicant_id), "assignment.requested", actor_id=applicant_id,
                actor_role=Role.APPLICANT.value, at=now,
                after={"request_id": request.request_id, "service": SERVICE, "directorate": ""},
            ))
            counts[(request.waiting_province, request.window_start)] += 1
            filed.append(Filed(request.request_id, applicant_id, province, request.waiting_province, request.window_start))
    add_filed(counts)
    return filed


def add_filed(counts: Counter) -> None:
    """The waiting queue's counters, as the filing transactions leave them (one ADD each): each
    shard's window counter and each shard's total."""
    from chalicelib.adapters.tables import AssignmentWindow
    from chalicelib.services import waiting

    totals: Counter = Counter()
    for (stored_under, window_start), n in counts.items():
        AssignmentWindow(stored_under, window_start).update(actions=[AssignmentWindow.filed.add(n)])
        totals[stored_under] += n
    for stored_under, n in totals.items():
        AssignmentWindow(stored_under, waiting.FILED_TOTAL).update(actions=[AssignmentWindow.filed.add(n)])


# --- Figure 1: the assigner against bare transactions ------------------------------------------


def province_shares(total: int) -> dict[str, int]:
    """`total` requests over the 81 provinces in proportion to their desks (largest remainder),
    at least one each."""
    from chalicelib.domain.catalogue import PROVINCES, directorates_in

    desks = {p.code: sum(d.desks for d in directorates_in(p.code)) for p in PROVINCES}
    if total < len(desks):
        raise ValueError(f"every province gets a request: at least {len(desks)} per round")
    rest = total - len(desks)
    whole = sum(desks.values())
    exact = {code: rest * n / whole for code, n in desks.items()}
    shares = {code: 1 + int(x) for code, x in exact.items()}
    for code in sorted(exact, key=lambda c: exact[c] - int(exact[c]), reverse=True)[: total - sum(shares.values())]:
        shares[code] += 1
    return shares


@dataclass
class Served:
    requests: int
    assigned: int
    seconds: float
    emulator_s: Counter
    emulator_calls: Counter
    provinces: list[tuple[str, int, float]]  # (province, assigned, seconds) of each province served


def serve_round(world: World, shares: dict[str, int], filed: list[Filed]) -> Served:
    """Files `shares[province]` requests in each province in a fresh window (untimed), closes
    the window, then serves those provinces with the real assigner (timed)."""
    from chalicelib.services import assignment

    opened = world.fresh_window()
    arrivals = [(code, opened) for code, n in shares.items() for _ in range(n)]
    filed.extend(file_requests(arrivals))
    world.close_window(opened)
    assigned = 0
    seconds = 0.0
    emulator_s: Counter = Counter()
    calls: Counter = Counter()
    provinces = []
    for province in shares:
        world.purge_notifications()
        before = world.timer.snapshot()
        started = time.perf_counter()
        served = assignment.assign_province(province)
        elapsed = time.perf_counter() - started
        seconds += elapsed
        provinces.append((province, len(served.assigned), elapsed))
        spent, made = world.timer.since(before)
        emulator_s += spent
        calls += made
        assigned += len(served.assigned)
        world.told.update(served.assigned)
        if served.waiting or served.withdrawn:
            world.errors.append(f"province {province}: {served.waiting} left waiting, {served.withdrawn} withdrawn")
    return Served(sum(shares.values()), assigned, seconds, emulator_s, calls, provinces)


class BareAssignments:
    """Bare boto3 TransactWriteItems of the assigner's shape (the items and expressions
    PynamoDB sends for `assignment._assign`), into the same seven tables, fresh keys each: a
    slot-like item of its own (capacity a million), fresh applicant and request items."""

    def __init__(self, world: World) -> None:
        self.world = world
        world.ddb.put_item(TableName=world.tables["slots"], Item={
            "directorate_id": {"S": BARE_PARTITION}, "start": {"S": BARE_SLOT_START}, "end": {"S": "2099-01-05T09:30"},
            "capacity": {"N": "1000000"}, "booked": {"N": "0"}, "services": {"SS": [SERVICE]}, "is_open": {"BOOL": True},
        })

    def prepare(self, count: int) -> list[Filed]:
        """Applicants holding a waiting request each (untimed)."""
        from chalicelib.clock import clock

        return file_requests([(BARE_PARTITION, clock.now())] * count)

    def run(self, people: list[Filed]) -> float:
        from chalicelib.clock import clock

        t = self.world.tables
        now = clock.now()
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
        until = (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
        elapsed = 0.0
        for person in people:
            appointment_id, notification_id = str(uuid.uuid4()), str(uuid.uuid4())
            items = [
                {"Put": {
                    "TableName": t["appointments"],
                    "Item": {
                        "appointment_id": {"S": appointment_id}, "applicant_id": {"S": person.applicant_id},
                        "created_at": {"S": stamp}, "directorate_id": {"S": BARE_PARTITION},
                        "end": {"S": "2099-01-05T06:15:00.000000+0000"}, "reference": {"S": "GOC-BENCHBAR"},
                        "service": {"S": SERVICE}, "slot_start": {"S": BARE_SLOT_START},
                        "start": {"S": "2099-01-05T06:00:00.000000+0000"}, "status": {"S": "confirmed"},
                        "unmarked_day": {"S": "2099-01-05"},
                    },
                    "ConditionExpression": "attribute_not_exists (#0)",
                    "ExpressionAttributeNames": {"#0": "appointment_id"},
                }},
                {"Put": {
                    "TableName": t["audit"],
                    "Item": {
                        "subject": {"S": f"applicant:{person.applicant_id}"}, "entry": {"S": f"{now.isoformat()}#{uuid.uuid4()}"},
                        "action": {"S": "appointment.booked"}, "actor_id": {"S": "system:assigner"},
                        "actor_role": {"S": "system"}, "at": {"S": stamp},
                        "after": {"M": {"appointment_id": {"S": appointment_id}, "slot_id": {"S": f"{BARE_PARTITION}@{BARE_SLOT_START}"},
                                        "service": {"S": SERVICE}, "request_id": {"S": person.request_id}}},
                    },
                }},
                {"Put": {
                    "TableName": t["notifications"],
                    "Item": {
                        "notification_id": {"S": notification_id}, "applicant_id": {"S": person.applicant_id},
                        "appointment_id": {"S": appointment_id}, "attempts": {"N": "0"}, "created_at": {"S": stamp},
                        "email_status": {"S": "pending"}, "kind": {"S": "appointment.confirmed"},
                        "sms_status": {"S": "pending"}, "undelivered_day": {"S": now.date().isoformat()},
                    },
                }},
                {"Update": {
                    "TableName": t["slots"],
                    "Key": {"directorate_id": {"S": BARE_PARTITION}, "start": {"S": BARE_SLOT_START}},
                    "ConditionExpression": "(#0 < #1 AND #2 = :0)",
                    "UpdateExpression": "ADD #0 :1",
                    "ExpressionAttributeNames": {"#0": "booked", "#1": "capacity", "#2": "is_open"},
                    "ExpressionAttributeValues": {":0": {"BOOL": True}, ":1": {"N": "1"}},
                }},
                {"Update": {
                    "TableName": t["applicants"],
                    "Key": {"applicant_id": {"S": person.applicant_id}},
                    "ConditionExpression": "((#0 = :0 AND (attribute_not_exists (#1) OR #1 <= :1)) AND #2 = :2)",
                    "UpdateExpression": "SET #1 = :3 REMOVE #2",
                    "ExpressionAttributeNames": {"#0": "status", "#1": "locked_until", "#2": "waiting_request"},
                    "ExpressionAttributeValues": {":0": {"S": "active"}, ":1": {"S": stamp},
                                                  ":2": {"S": person.request_id}, ":3": {"S": until}},
                }},
                {"Update": {
                    "TableName": t["windows"],
                    "Key": {"province": {"S": person.stored_under}, "window_start": {"S": person.window_start}},
                    "UpdateExpression": "ADD #0 :0",
                    "ExpressionAttributeNames": {"#0": "settled"},
                    "ExpressionAttributeValues": {":0": {"N": "1"}},
                }},
                {"Update": {
                    "TableName": t["windows"],
                    "Key": {"province": {"S": person.stored_under}, "window_start": {"S": "total#settled"}},
                    "UpdateExpression": "ADD #0 :0",
                    "ExpressionAttributeNames": {"#0": "settled"},
                    "ExpressionAttributeValues": {":0": {"N": "1"}},
                }},
                {"Update": {
                    "TableName": t["requests"],
                    "Key": {"request_id": {"S": person.request_id}},
                    "ConditionExpression": "#0 = :0",
                    "UpdateExpression": "SET #0 = :1, #1 = :2, #2 = :3 REMOVE #3",
                    "ExpressionAttributeNames": {"#0": "status", "#1": "appointment_id", "#2": "decided_at", "#3": "waiting_province"},
                    "ExpressionAttributeValues": {":0": {"S": "waiting"}, ":1": {"S": "assigned"},
                                                  ":2": {"S": appointment_id}, ":3": {"S": stamp}},
                }},
            ]
            started = time.perf_counter()
            self.world.ddb.transact_write_items(TransactItems=items)
            elapsed += time.perf_counter() - started
            self.world.told.add(appointment_id)
        return elapsed

    def clean_up(self, people: list[Filed]) -> None:
        """The bare arm's request items leave the requests table (untimed): the emulator's index
        Query reads the whole table, and they must not slow the assigner down."""
        from chalicelib.adapters.tables import AssignmentRequest

        with AssignmentRequest.batch_write() as batch:
            for person in people:
                batch.delete(AssignmentRequest(person.request_id))


@dataclass
class Throughput:
    assigner: list[Served]
    bare: list[tuple[int, float]]  # (transactions, seconds) per round
    filed: list[Filed]
    invariants: dict[str, int]

    @staticmethod
    def rate(count: int, seconds: float) -> float:
        return count / seconds if seconds else float("nan")

    @property
    def assigner_rate(self) -> float:
        return statistics.median(self.rate(s.assigned, s.seconds) for s in self.assigner)

    @property
    def bare_rate(self) -> float:
        return statistics.median(self.rate(n, s) for n, s in self.bare)

    @property
    def ratio(self) -> float:
        return self.assigner_rate / self.bare_rate

    @property
    def round_ratios(self) -> list[float]:
        return [self.rate(a.assigned, a.seconds) / self.rate(n, s) for a, (n, s) in zip(self.assigner, self.bare)]

    @property
    def ok(self) -> bool:
        return not any(self.invariants.values())

    def cost_model(self) -> tuple[list[float], list[float], int]:
        """Least squares over the provinces of one directorate (77 of 81) served in the measured
        rounds: seconds = base + per_assignment × assignments. Returns ([base, per_assignment],
        their standard errors, servings). The four provinces with several directorates are left
        out: they are also those with the most requests, which would confound the two costs."""
        from chalicelib.domain.catalogue import directorates_in

        rows, ys = [], []
        for served in self.assigner:
            for province, assigned, seconds in served.provinces:
                if len(directorates_in(province)) == 1:
                    rows.append((1.0, float(assigned)))
                    ys.append(seconds)
        coefficients, errors = least_squares(rows, ys)
        return coefficients, errors, len(rows)

    def predicted_rate(self, requests_per_round: int) -> float:
        """Assignments per second at another round size, by the cost model, counting each
        directorate of a province as another base cost (its free-slot Query dominates it)."""
        from chalicelib.domain.catalogue import directorates_in

        (base, per_assignment), _, _ = self.cost_model()
        shares = province_shares(requests_per_round)
        seconds = sum(base * len(directorates_in(p)) + per_assignment * n for p, n in shares.items())
        return requests_per_round / seconds


def least_squares(rows: list[tuple[float, ...]], ys: list[float]) -> tuple[list[float], list[float]]:
    """The coefficients minimising the squared error of rows · coefficients against ys, and
    their standard errors (normal equations, Gauss-Jordan; a few unknowns only)."""
    k, n = len(rows[0]), len(rows)
    normal = [[sum(r[i] * r[j] for r in rows) for j in range(k)] for i in range(k)]
    identity = [[float(i == j) for j in range(k)] for i in range(k)]
    augmented = [normal[i] + [sum(r[i] * y for r, y in zip(rows, ys))] + identity[i] for i in range(k)]
    for col in range(k):
        pivot = max(range(col, k), key=lambda r: abs(augmented[r][col]))
        augmented[col], augmented[pivot] = augmented[pivot], augmented[col]
        if abs(augmented[col][col]) < 1e-12:
            return [float("nan")] * k, [float("nan")] * k
        augmented[col] = [x / augmented[col][col] for x in augmented[col]]
        for r in range(k):
            if r != col:
                factor = augmented[r][col]
                augmented[r] = [x - factor * y for x, y in zip(augmented[r], augmented[col])]
    coefficients = [augmented[i][k] for i in range(k)]
    residual = sum((y - sum(c * x for c, x in zip(coefficients, r))) ** 2 for r, y in zip(rows, ys))
    variance = residual / (n - k) if n > k else float("nan")
    errors = [(variance * augmented[i][k + 1 + i]) ** 0.5 for i in range(k)]
    return coefficients, errors


def measure_throughput(world: World, plan: Plan, rng: random.Random, log: TextIO) -> Throughput:
    bare = BareAssignments(world)
    filed: list[Filed] = []
    assigner_rounds: list[Served] = []
    bare_rounds: list[tuple[int, float]] = []
    for round_no in range(1 + plan.rounds):
        warmup = round_no == 0
        # The warm-up pays for the process's lazy set-up, in a few provinces only: serving a
        # province costs seconds here, however few its requests (see the docstring).
        shares = province_shares(plan.requests_per_round)
        if warmup:
            shares = dict(list(shares.items())[:WARMUP_PROVINCES])
        transactions = sum(shares.values()) if warmup else plan.bare_per_round
        arms = ["assigner", "bare"]
        rng.shuffle(arms)
        for arm in arms:
            if arm == "assigner":
                served = serve_round(world, shares, filed)
                if not warmup:
                    assigner_rounds.append(served)
                print(f"  [round {round_no}{' (warm-up)' if warmup else ''}: assigner {served.assigned} in "
                      f"{served.seconds:.1f} s]", file=log, flush=True)
            else:
                people = bare.prepare(transactions)
                seconds = bare.run(people)
                bare.clean_up(people)
                if not warmup:
                    bare_rounds.append((transactions, seconds))
                print(f"  [round {round_no}{' (warm-up)' if warmup else ''}: bare {transactions} in {seconds:.1f} s]",
                      file=log, flush=True)
    return Throughput(assigner_rounds, bare_rounds, filed, check_assigned(world, filed))


def check_assigned(world: World, filed: list[Filed]) -> dict[str, int]:
    """Figure 1's hard invariants, from the stored items: each request filed is assigned, to
    an appointment of its own applicant, and nothing of it is left waiting."""
    requests = stored_by_key(world, "requests", [person.request_id for person in filed])
    applicants = stored_by_key(world, "applicants", [person.applicant_id for person in filed])
    told = [item["appointment_id"]["S"] for item in requests.values() if item and "appointment_id" in item]
    appointments = stored_by_key(world, "appointments", told)
    not_assigned = still_waiting = wrong_appointment = marker_left = 0
    for person in filed:
        item = requests[person.request_id]
        if item is None or item["status"]["S"] != "assigned" or "appointment_id" not in item:
            not_assigned += 1
            continue
        if "waiting_province" in item:
            still_waiting += 1
        appointment = appointments[item["appointment_id"]["S"]]
        if appointment is None or appointment["applicant_id"]["S"] != person.applicant_id:
            wrong_appointment += 1
        if "waiting_request" in (applicants[person.applicant_id] or {}):
            marker_left += 1
    return {
        "requests not assigned": not_assigned,
        "requests assigned and still in the waiting index": still_waiting,
        "requests pointing at a missing or another's appointment": wrong_appointment,
        "requests sharing an appointment": len(told) - len(set(told)),
        "applicants still marked waiting": marker_left,
    }


def check_everything(world: World) -> dict[str, int]:
    """Once, at the end: the appointments stored are exactly those the clients were told of
    (the assigner's answers, the bookings', the bare transactions'), nobody holds two, and
    every slot's counter equals its appointments, none beyond its capacity."""
    appointments = stored_items(world, "appointments")
    stored = {item["appointment_id"]["S"] for item in appointments}
    holders = Counter(item["applicant_id"]["S"] for item in appointments)
    oversold, mismatched = slot_invariants(world, [a for a in appointments if a["directorate_id"]["S"] != BARE_PARTITION])
    return {
        "appointments told of but not stored (lost)": len(world.told - stored),
        "appointments stored but never told of (phantom)": len(stored - world.told),
        "applicants holding two appointments": sum(1 for n in holders.values() if n > 1),
        "slots booked beyond capacity": oversold,
        "slot counters differing from their appointments": mismatched,
    }


def slot_invariants(world: World, appointments: list[dict[str, Any]]) -> tuple[int, int]:
    """(slots with booked > capacity, slots whose counter differs from their appointments),
    over every slot but the bare arm's."""
    per_slot = Counter((item["directorate_id"]["S"], item["slot_start"]["S"]) for item in appointments
                       if item["status"]["S"] == "confirmed")
    oversold = mismatched = 0
    with world.emulator.lock:
        table = _moto_table(world, "slots")
        for partition in table.items.values():
            for slot in partition.values():
                key = (slot.hash_key.value, slot.range_key.value)
                if key[0] == BARE_PARTITION:
                    continue
                booked, capacity = int(slot.attrs["booked"].value), int(slot.attrs["capacity"].value)
                oversold += booked > capacity
                mismatched += booked != per_slot.get(key, 0)
    return oversold, mismatched


# --- Figure 2: release day, open vs assigned -----------------------------------------------------


@dataclass(frozen=True)
class Person:
    fast: bool
    first_look_s: float  # after the release, in the window


def people_for(trial_no: int, count: int, window_s: float) -> list[Person]:
    """The trial's people: 10 % fast, each with a first-look delay that falls inside one
    assignment window (a delay too long for it is drawn again: p ≈ 1e-4 for a slow person)."""
    rng = random.Random(SEED * 1000 + trial_no)
    fast = set(rng.sample(range(count), round(count * FAST_SHARE)))
    people = []
    for i in range(count):
        mean = FIRST_LOOK_MEAN_S / SPEEDUP if i in fast else FIRST_LOOK_MEAN_S
        delay = rng.expovariate(1 / mean)
        while delay >= window_s:
            delay = rng.expovariate(1 / mean)
        people.append(Person(i in fast, delay))
    return people


@dataclass
class Trial:
    mode: str
    province: str
    places: int
    won_fast: int = 0
    won: int = 0
    looks: int = 0
    books: int = 0
    slot_full: int = 0
    gave_up: int = 0  # looked after every place was gone
    waiting: int = 0  # assigned mode: requests left waiting
    gone_after_s: float = 0.0  # open mode: simulated time until the last place was taken
    serve_s: float = 0.0  # assigned mode: the assigner's time
    seconds: float = 0.0  # the whole trial, set-up included (wall time, for the log)
    appointments: dict[str, str] = field(default_factory=dict)  # appointment id -> applicant id, as told
    problems: list[str] = field(default_factory=list)

    @property
    def fast_share(self) -> float:
        return self.won_fast / self.won if self.won else float("nan")


def release_day(world: World, province: str, places: int) -> date:
    """Releases `places` places on the last full working day of the booking window at the
    province's directorate, with the admin's capacity use case; returns the day."""
    from chalicelib.adapters.tables import Slot
    from chalicelib.contract import SlotCapacityRequest
    from chalicelib.clock import clock
    from chalicelib.domain.roles import Caller, Role
    from chalicelib.domain.booking import booking_window
    from chalicelib.domain.calendar import is_half_day, is_working_day
    from chalicelib.services import booking
    from chalicelib.settings import get_settings

    directorate = f"{province}-merkez"
    admin = Caller(account_id="assignment-bench", roles=frozenset({Role.ADMIN}))  # audited as the bench's doing
    day = booking_window(clock.today(), get_settings().slot_horizon_days).last_day
    while not is_working_day(day) or is_half_day(day):
        day -= timedelta(days=1)
    keys = [slot.start for slot in Slot.query(directorate, Slot.start.startswith(day.isoformat()), consistent_read=True)]
    for n, key in enumerate(keys):
        capacity = places // len(keys) + (n < places % len(keys))
        booking.set_slot_capacity(admin, directorate, key, SlotCapacityRequest(capacity=capacity))
    return day


def set_mode(world: World, province: str, mode: str) -> None:
    from chalicelib.contract import DemandModeRequest
    from chalicelib.services import demand

    demand.set_mode(world.admin, f"{province}-merkez", SERVICE, DemandModeRequest(mode=mode))


def open_trial(world: World, province: str, people: list[Person], places: int, rng: random.Random) -> Trial:
    """Everyone looks and books as fast as their kind does, in simulated-time order."""
    from chalicelib.adapters.tables import Applicant
    from chalicelib.contract import AvailabilityQuery, BookingRequest
    from chalicelib.domain.errors import DomainError, SlotFull
    from chalicelib.domain.roles import Caller, Role
    from chalicelib.services import booking

    started = time.perf_counter()
    trial = Trial("open", province, places)
    set_mode(world, province, "open")
    day = release_day(world, province, places)
    opened = world.fresh_window()
    items = [new_applicant(province, opened) for _ in people]
    with Applicant.batch_write() as batch:
        for item in items:
            batch.save(item)
    callers = [Caller(item.applicant_id, frozenset({Role.APPLICANT})) for item in items]
    query = AvailabilityQuery.model_validate({"directorate": f"{province}-merkez", "service": SERVICE,
                                             "from": day.isoformat(), "days": 1})
    LOOK, BOOK = 0, 1
    order = itertools.count()
    events = [(person.first_look_s, next(order), LOOK, n, "") for n, person in enumerate(people)]
    heapq.heapify(events)

    def delay(n: int, mean: float) -> float:
        return rng.expovariate(SPEEDUP / mean if people[n].fast else 1 / mean)

    while events and trial.won < places:
        at, _, kind, n, slot_id = heapq.heappop(events)
        world.at(opened + timedelta(seconds=at))
        if kind == LOOK:
            trial.looks += 1
            free = booking.availability(callers[n], query).slots
            if not free:
                trial.gave_up += 1
                continue
            heapq.heappush(events, (at + delay(n, REACTION_MEAN_S), next(order), BOOK, n, free[0].slot_id))
            continue
        trial.books += 1
        try:
            booked = booking.book(callers[n], BookingRequest(slot_id=slot_id, service=SERVICE))
        except SlotFull:
            trial.slot_full += 1
            heapq.heappush(events, (at + delay(n, FIRST_LOOK_MEAN_S), next(order), LOOK, n, ""))
            continue
        except DomainError as refused:
            trial.problems.append(f"open trial in {province}: {type(refused).__name__}: {refused}")
            continue
        trial.won += 1
        trial.won_fast += people[n].fast
        trial.gone_after_s = at
        trial.appointments[booked.appointment_id] = items[n].applicant_id
        world.told.add(booked.appointment_id)
    world.purge_notifications()
    trial.seconds = time.perf_counter() - started
    check_release(world, trial, day)
    return trial


def assigned_trial(world: World, province: str, people: list[Person], places: int) -> Trial:
    """Everyone files a request for the day at their first-look time; then the assigner."""
    from chalicelib.services import assignment

    began = time.perf_counter()
    trial = Trial("assigned", province, places)
    set_mode(world, province, "assigned")
    day = release_day(world, province, places)
    opened = world.fresh_window()
    filed = file_requests([(province, opened + timedelta(seconds=p.first_look_s)) for p in people], day=day)
    fast = {f.applicant_id for f, p in zip(filed, people) if p.fast}
    world.close_window(opened)
    world.purge_notifications()
    started = time.perf_counter()
    served = assignment.assign_province(province)
    trial.serve_s = time.perf_counter() - started
    world.told.update(served.assigned)
    world.purge_notifications()
    requests = stored_by_key(world, "requests", [f.request_id for f in filed])
    for f in filed:
        item = requests[f.request_id]
        if item is not None and item["status"]["S"] == "assigned":
            trial.won += 1
            trial.won_fast += f.applicant_id in fast
            trial.appointments[item["appointment_id"]["S"]] = f.applicant_id
    trial.waiting = served.waiting
    if len(served.assigned) != trial.won:
        trial.problems.append(f"assigned trial in {province}: the assigner said {len(served.assigned)}, "
                              f"the requests say {trial.won}")
    if served.waiting + trial.won != len(people) or served.withdrawn:
        trial.problems.append(f"assigned trial in {province}: {served.waiting} waiting + {trial.won} assigned "
                              f"≠ {len(people)} filed, {served.withdrawn} withdrawn")
    trial.seconds = time.perf_counter() - began
    check_release(world, trial, day)
    return trial


def check_release(world: World, trial: Trial, day: date) -> None:
    """Every place taken, each by one of the trial's people, on the released day, and the
    day's slots' counters equal to their appointments, none beyond its capacity."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    where = f"{trial.mode} trial in {trial.province}"
    directorate = f"{trial.province}-merkez"
    stored = stored_by_key(world, "appointments", list(trial.appointments))
    if trial.won != trial.places:
        trial.problems.append(f"{where}: {trial.won} of {trial.places} places taken")
    if len(set(trial.appointments.values())) != len(trial.appointments):
        trial.problems.append(f"{where}: someone was given two places")
    per_slot: Counter = Counter()
    for appointment_id, applicant_id in trial.appointments.items():
        item = stored[appointment_id]
        if item is None or item["applicant_id"]["S"] != applicant_id:
            trial.problems.append(f"{where}: appointment {appointment_id} not stored as told")
        elif item["directorate_id"]["S"] != directorate or not item["slot_start"]["S"].startswith(day.isoformat()):
            trial.problems.append(f"{where}: appointment {appointment_id} outside the released day")
        else:
            per_slot[item["slot_start"]["S"]] += 1
    with world.emulator.lock:
        partition = _moto_table(world, "slots").items.get(DynamoType({"S": directorate}), {})
        slots = [item.to_json()["Attributes"] for item in partition.values()]
    for slot in slots:
        start = slot["start"]["S"]
        if start.startswith(day.isoformat()):
            booked, capacity = int(slot["booked"]["N"]), int(slot["capacity"]["N"])
            if booked > capacity or booked != per_slot[start]:
                trial.problems.append(f"{where}: slot {start} booked {booked}, capacity {capacity}, "
                                      f"{per_slot[start]} appointments")


def measure_release_day(world: World, plan: Plan, log: TextIO) -> list[Trial]:
    """Assigned trials, with the open ones spread among them (open trial i has the same people's
    delays as assigned trial i; which of the two goes first alternates); each trial in a province
    of its own, with one directorate of two desks, whose released day figure 1 never reached."""
    from chalicelib.domain.catalogue import PROVINCES, directorates_in

    busy = {"34", "06", "35", "27"}
    provinces = [p.code for p in PROVINCES if len(directorates_in(p.code)) == 1 and p.code not in busy]
    provinces = [code for code in provinces if directorates_in(code)[0].desks == 2][::-1]
    window_s = world.window_minutes * 60 - 30  # 30 s to spare at the end of the window
    with_open = {round(i * plan.trials / plan.open_trials) for i in range(plan.open_trials)} if plan.open_trials else set()
    trials = []
    for trial_no in range(plan.trials):
        people = people_for(trial_no, plan.applicants, window_s)
        modes = ["assigned"]
        if trial_no in with_open:
            modes.insert(len(trials) % 2, "open")
        for mode in modes:
            province = provinces.pop(0)
            if mode == "open":
                trial = open_trial(world, province, people, plan.places, random.Random(SEED + trial_no))
            else:
                trial = assigned_trial(world, province, people, plan.places)
            detail = (f"{trial.looks} looks, {trial.books} bookings tried, {trial.slot_full} SLOT_FULL" if mode == "open"
                      else f"assigner {trial.serve_s:.1f} s")
            print(f"  [release day {trial_no} {mode} in {province}: fast share {trial.fast_share:.1%}; {detail}; "
                  f"{trial.seconds:.1f} s]", file=log, flush=True)
            trials.append(trial)
    return trials


# --- Figure 3: the cost of assigning places, whatever waits --------------------------------------


@dataclass
class ScaleRun:
    arm: str  # "small", "large" or "bare"
    assigned: int
    seconds: float
    read: int = 0  # due requests the assigner read
    messages: int = 0  # messages it took (the first and its follow-ups)
    calls: int = 0  # emulator calls


@dataclass
class Scale:
    runs: list[ScaleRun]
    places: int
    small: int
    large: int

    def median(self, arm: str, what: Callable[[ScaleRun], float]) -> float:
        return statistics.median(what(r) for r in self.runs if r.arm == arm)

    @property
    def cost_ratio(self) -> float:
        return self.median("large", lambda r: r.seconds) / self.median("small", lambda r: r.seconds)

    def rate(self, arm: str) -> float:
        return self.median(arm, lambda r: r.assigned / r.seconds if r.seconds else float("nan"))

    @property
    def throughput_ratio(self) -> float:
        return self.rate("small") / self.rate("bare")


def scale_provinces() -> tuple[str, str]:
    """Two provinces of one directorate each, not those figure 2 uses (two desks)."""
    from chalicelib.domain.catalogue import PROVINCES, directorates_in

    codes = [p.code for p in PROVINCES if len(directorates_in(p.code)) == 1 and directorates_in(p.code)[0].desks != 2]
    return codes[0], codes[1]


def no_free_places(province: str) -> list[tuple[str, str]]:
    """Every slot of the province's directorate in the booking window is left with no free
    place (capacity = booked); returns the keys of the slots offering the benchmark's service,
    earliest first (untimed set-up)."""
    from chalicelib.adapters.tables import Slot
    from chalicelib.clock import clock
    from chalicelib.domain.booking import booking_window
    from chalicelib.settings import get_settings

    directorate = f"{province}-merkez"
    window = booking_window(clock.today(), get_settings().slot_horizon_days)
    offering = []
    for slot in Slot.query(directorate, Slot.start.between(window.first_day.isoformat(), f"{window.last_day.isoformat()}T99:99")):
        slot.update(actions=[Slot.capacity.set(int(slot.booked or 0))])
        if SERVICE in slot.services and slot.start > f"{clock.today().isoformat()}T23:59":
            offering.append((directorate, slot.start))
    return offering


def add_places(slots: list[tuple[str, str]], places: int) -> None:
    """`places` more free places, spread over the slots (the same ones every round)."""
    from chalicelib.adapters.tables import Slot

    used = slots[: max(1, min(len(slots), places // 10 or 1))]
    for n, (directorate, start) in enumerate(used):
        more = places // len(used) + (n < places % len(used))
        Slot(directorate, start).update(actions=[Slot.capacity.add(more)])


def insert_waiting(world: World, province: str, count: int, at: datetime) -> None:
    """`count` waiting requests of `province` filed at `at`, put straight into the emulator's
    requests table (no applicants, no audit records: see `give_applicants`), with the queue's
    counters as the filing transactions would leave them."""
    from chalicelib.services import assignment

    counts: Counter = Counter()
    items = []
    for _ in range(count):
        request = assignment.new_request(applicant_id=str(uuid.uuid4()), province=province, service=SERVICE,
                                         directorate_id=None, now=at)
        items.append(request.serialize())
        counts[(request.waiting_province, request.window_start)] += 1
    with world.emulator.lock:
        table = _moto_table(world, "requests")
        for attributes in items:
            table.put_item(attributes)
    add_filed(counts)


def give_applicants(province: str, count: int) -> None:
    """Applicants (holding their waiting request) for the first `count` due requests of the
    province in queue order, where they have none yet: all the assigner can reach this round
    (untimed; it would withdraw a request whose applicant is missing, which the round reports)."""
    from chalicelib.adapters.tables import Applicant
    from chalicelib.clock import clock
    from chalicelib.services import waiting

    now = clock.now()
    reached = list(itertools.islice(waiting.due(province, now), count))
    have = {a.applicant_id for a in Applicant.batch_get([r.applicant_id for r in reached])}
    with Applicant.batch_write() as batch:
        for request in reached:
            if request.applicant_id not in have:
                batch.save(new_applicant(province, now, request.applicant_id, waiting_request=request.request_id))


def waiting_count(world: World, province: str) -> int:
    prefix = f"{province}#"
    with world.emulator.lock:
        table = _moto_table(world, "requests")
        return sum(1 for item in table.items.values()
                   if "waiting_province" in item.attrs and item.attrs["waiting_province"].value.startswith(prefix))


def serve_until_done(world: World, province: str, arm: str, places: int) -> ScaleRun:
    """The assigner as the queue handler runs it: a message, then each follow-up it sends
    (timed, as is sending them); the assignments queue is emptied afterwards (untimed)."""
    from chalicelib import wiring
    from chalicelib.resources import assignments_queue_name
    from chalicelib.services import assignment

    world.purge_notifications()
    before = world.timer.snapshot()
    run = ScaleRun(arm, 0, 0.0)
    after = None
    started = time.perf_counter()
    while True:
        served = assignment.assign_province(province, after=after, budget=assignment.Budget.of())
        run.messages += 1
        run.read += served.read
        run.assigned += len(served.assigned)
        world.told.update(served.assigned)
        if served.withdrawn:
            world.errors.append(f"figure 3, {arm}: {served.withdrawn} requests withdrawn")
        if served.continued_after is None:
            break
        after = served.continued_after
    run.seconds = time.perf_counter() - started
    run.calls = sum(world.timer.since(before)[1].values())
    wiring.sqs().purge_queue(QueueUrl=wiring.queue_url(assignments_queue_name()))
    if run.assigned != places:
        world.errors.append(f"figure 3, {arm}: {run.assigned} of {places} places assigned")
    return run


def measure_scale(world: World, plan: Plan, rng: random.Random, log: TextIO) -> Scale:
    """Rounds of three arms in a shuffled order: the assigner gives `places` places in a
    province where `small` wait, and in one where `large` wait (topped up each round), and bare
    transactions of the same shape give as many."""
    small_province, large_province = scale_provinces()
    slots = {small_province: no_free_places(small_province), large_province: no_free_places(large_province)}
    opened = world.fresh_window()
    started = time.perf_counter()
    insert_waiting(world, large_province, plan.scale_large, opened)
    world.close_window(opened)
    print(f"  [figure 3: {plan.scale_large:,} waiting inserted in {time.perf_counter() - started:.0f} s]", file=log, flush=True)
    bare = BareAssignments(world)
    runs = []
    for round_no in range(plan.scale_rounds):
        arms = ["small", "large", "bare"]
        rng.shuffle(arms)
        for arm in arms:
            if arm == "bare":
                people = bare.prepare(plan.scale_places)
                seconds = bare.run(people)
                bare.clean_up(people)
                run = ScaleRun("bare", len(people), seconds)
            elif arm == "small":
                filed_at = world.fresh_window()
                file_requests([(small_province, filed_at)] * plan.scale_small)
                world.close_window(filed_at)
                add_places(slots[small_province], plan.scale_places)
                run = serve_until_done(world, small_province, "small", plan.scale_places)
            else:
                missing = plan.scale_large - waiting_count(world, large_province)
                insert_waiting(world, large_province, missing, opened)  # back to `large` waiting
                give_applicants(large_province, plan.scale_places + 2 * 100)
                add_places(slots[large_province], plan.scale_places)
                run = serve_until_done(world, large_province, "large", plan.scale_places)
            runs.append(run)
            print(f"  [figure 3 round {round_no + 1}: {arm} {run.assigned} in {run.seconds:.1f} s"
                  f"{f', {run.read} read in {run.messages} messages' if arm != 'bare' else ''}]", file=log, flush=True)
    return Scale(runs, plan.scale_places, plan.scale_small, plan.scale_large)


def report_scale(result: Scale, plan: Plan, out: TextIO) -> None:
    ratio = result.cost_ratio
    verdict = "met" if ratio <= 1.5 else "MISSED"
    med = result.median
    print(f"assigning {result.places:,} places, {result.large:,} vs {result.small:,} waiting: {ratio:.2f}x the cost "
          f"(goal ≤ 1.5: {verdict})  [medians of {plan.scale_rounds} rounds side by side: "
          f"{med('large', lambda r: r.seconds):.2f} s vs {med('small', lambda r: r.seconds):.2f} s; requests read "
          f"{med('large', lambda r: r.read):,.0f} vs {med('small', lambda r: r.read):,.0f} in "
          f"{med('large', lambda r: r.messages):.0f} vs {med('small', lambda r: r.messages):.0f} messages (at most "
          f"{_max_items():,} requests each); emulator calls {med('large', lambda r: r.calls):,.0f} vs "
          f"{med('small', lambda r: r.calls):,.0f}; the {result.large:,} waiting were put straight into the "
          f"emulator's table (applicants only for those the assigner can reach), the {result.small:,} filed as "
          f"request_assignment stores them]", file=out)
    verdict = "met" if result.throughput_ratio >= 0.5 else "MISSED"
    print(f"assignment throughput at {result.places:,} places vs bare 8-item transactions: {result.throughput_ratio:.2f}x "
          f"(goal ≥ 0.5: {verdict})  [assigner {result.rate('small'):.1f} assignments/s with {result.small:,} waiting, "
          f"{result.rate('large'):.1f}/s with {result.large:,}; bare TransactWriteItems of the same items "
          f"{result.rate('bare'):.1f}/s; medians of {plan.scale_rounds} rounds]", file=out)


def _max_items() -> int:
    from chalicelib.settings import get_settings

    return get_settings().assignment_max_items


# --- Running it ----------------------------------------------------------------------------------


def run(plan: Plan, out: TextIO) -> int:
    started = time.perf_counter()
    log_file = tempfile.NamedTemporaryFile("w", prefix="assignment-bench-", suffix=".log", delete=False)
    throughput, trials, scale, times = None, [], None, {}
    try:
        with stdout_to(log_file):  # the app's JSON log lines
            from chalicelib.clock import clock
            from chalicelib.services.catalogue import extend_slot_horizon

            world = start_world()
            try:
                extend_slot_horizon()
                times["set-up"] = time.perf_counter() - started
                print(f"[emulator up, slots of every directorate made: {times['set-up']:.0f} s]", file=sys.stderr, flush=True)
                if plan.rounds:
                    throughput = measure_throughput(world, plan, random.Random(SEED), sys.stderr)
                    times["figure 1"] = time.perf_counter() - started - sum(times.values())
                if plan.trials:
                    trials = measure_release_day(world, plan, sys.stderr)
                    times["figure 2"] = time.perf_counter() - started - sum(times.values())
                if plan.scale_rounds:  # last: its waiting requests stay in the table
                    scale = measure_scale(world, plan, random.Random(SEED + 3), sys.stderr)
                    times["figure 3"] = time.perf_counter() - started - sum(times.values())
                final = check_everything(world)
                final.update(invariants.check(invariants.moto_reader(REGION, world.emulator.lock),
                                              skip_slot_partitions={BARE_PARTITION}))
            finally:
                world.emulator.stop()
                clock.reset()
    except BaseException:
        print(f"assignment bench stopped by an error; the app's log: {log_file.name}", file=sys.stderr)
        raise

    ok = report_throughput(throughput, plan, out) if throughput else True
    ok = (report_release_day(trials, plan, out) if trials else True) and ok
    if scale:
        report_scale(scale, plan, out)
    broken = {name: n for name, n in final.items() if n}
    for name, n in broken.items():
        print(f"  BROKEN at the end: {name}: {n}", file=out)
    for message in world.errors[:5]:
        print(f"  unexpected: {message}", file=out)
    ok = ok and not broken and not world.errors
    if not ok:
        print(f"  assignment bench FAILED; the app's log: {log_file.name}", file=out)
    else:
        os.unlink(log_file.name)
    print(f"[assignment bench took {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in times.items())
          + f"; {len(world.told):,} appointments checked at the end]", file=sys.stderr)
    return 0 if ok else 1


def report_throughput(result: Throughput, plan: Plan, out: TextIO) -> bool:
    ratios = result.round_ratios
    assigned = sum(s.assigned for s in result.assigner)
    verdict = "met" if result.ratio >= 0.5 else "MISSED"
    broken = {name: n for name, n in result.invariants.items() if n}
    print(f"assignment throughput vs bare TransactWriteItems: {result.ratio:.2f}x (goal ≥ 0.5: {verdict})  "
          f"[assigner {result.assigner_rate:.1f} assignments/s, bare 8-item transaction {result.bare_rate:.1f}/s; "
          f"medians of {plan.rounds} rounds of {plan.requests_per_round:,} requests over 81 provinces vs "
          f"{plan.bare_per_round:,} transactions, per-round ratios {min(ratios):.2f}–{max(ratios):.2f}; "
          f"{len(result.filed):,} requests filed (warm-up included), {assigned:,} assigned in measured rounds; "
          f"invariants: {'all hold' if not broken else 'BROKEN'}]", file=out)
    for name, n in broken.items():
        print(f"  BROKEN: {name}: {n}", file=out)
    seconds = sum((s.emulator_s for s in result.assigner), Counter())
    calls = sum((s.emulator_calls for s in result.assigner), Counter())
    total_s = sum(s.seconds for s in result.assigner)
    per = 1000 / assigned if assigned else float("nan")
    bare_ms = 1000 / result.bare_rate
    parts = ", ".join(f"{op} {seconds[op] * per:.1f} ({calls[op] / assigned:.2f} calls)"
                      for op in sorted(seconds, key=seconds.get, reverse=True) if seconds[op] * per >= 0.05)
    print(f"  where an assignment's {total_s * per:.1f} ms go (ms per assignment; a bare transaction takes "
          f"{bare_ms:.1f} ms): in the emulator {sum(seconds.values()) * per:.1f} — {parts}; in this process "
          f"(app, PynamoDB, boto3) {(total_s - sum(seconds.values())) * per:.1f}", file=out)
    (base, per_assignment), (base_error, per_assignment_error), servings = result.cost_model()
    if per_assignment > 0 and per_assignment_error < per_assignment / 4:
        print(f"  serving a province of one directorate costs {base * 1000:.0f} ± {base_error * 1000:.0f} ms plus "
              f"{per_assignment * 1000:.1f} ± {per_assignment_error * 1000:.1f} ms per assignment (least squares over "
              f"{servings} servings, ± a standard error), so the ratio grows with the requests per round; by this "
              f"model: {result.predicted_rate(2000) / result.bare_rate:.2f}x at 2,000 a round, "
              f"{bare_ms / (per_assignment * 1000):.2f}x at the margin", file=out)
    else:
        print(f"  (too few requests per province for a cost model: {per_assignment * 1000:.1f} ± "
              f"{per_assignment_error * 1000:.1f} ms per assignment)", file=out)
    return result.ok


def report_release_day(trials: list[Trial], plan: Plan, out: TextIO) -> bool:
    opened = [t for t in trials if t.mode == "open"]
    assigned = [t for t in trials if t.mode == "assigned"]
    won = sum(t.won for t in assigned)
    pooled = sum(t.won_fast for t in assigned) / won if won else float("nan")
    pooled_open = sum(t.won_fast for t in opened) / sum(t.won for t in opened) if opened else float("nan")
    # The standard error of the pooled share if the order is a fair lottery: each trial draws
    # K of N without replacement, 10 % of them fast.
    n, k = plan.applicants, plan.places
    se = (FAST_SHARE * (1 - FAST_SHARE) * (n - k) / (n - 1) / max(won, 1)) ** 0.5 * 100
    off = abs(pooled - FAST_SHARE) * 100
    if ASSIGNED_GOAL_POINTS / se < MIN_MARGIN_SE:  # a fair lottery would miss the goal too often to tell
        verdict = f"not judged, too few places: the goal's margin is under {MIN_MARGIN_SE:g} standard errors"
    else:
        verdict = "met" if off <= ASSIGNED_GOAL_POINTS else "MISSED"
    print(f"release day, share of places won by the 10 % fast clients: open {pooled_open:.1%}, assigned {pooled:.1%} "
          f"(goal for assigned: within {ASSIGNED_GOAL_POINTS:g} points of 10 %: {verdict})  "
          f"[assigned: {len(assigned)} trials pooled, {won:,} places, standard error of a fair lottery ±{se:.2f} points "
          f"(the goal's margin is {ASSIGNED_GOAL_POINTS / se:.1f} of them), trials "
          f"{', '.join(f'{t.fast_share:.1%}' for t in assigned)}; open: {len(opened)} trials, "
          f"{', '.join(f'{t.fast_share:.1%}' for t in opened)}; each trial {n:,} applicants ({round(n * FAST_SHARE)} fast) "
          f"for {k:,} places on one day]", file=out)
    if opened:
        print(f"  open mode per trial: {statistics.mean(t.looks for t in opened):.0f} looks at availability, "
              f"{statistics.mean(t.books for t in opened):.0f} bookings tried, "
              f"{statistics.mean(t.slot_full for t in opened):.0f} refused SLOT_FULL, places gone after "
              f"{statistics.mean(t.gone_after_s for t in opened):.1f} s of simulated time; assigned mode: the assigner "
              f"served each trial's {n:,} requests in {statistics.mean(t.serve_s for t in assigned):.1f} s", file=out)
    problems = [p for t in trials for p in t.problems]
    for problem in problems[:10]:
        print(f"  BROKEN: {problem}", file=out)
    return not problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="fewer requests, rounds and trials")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # the child's own flag
    for name, meaning in (("rounds", "figure 1: measured rounds"), ("requests-per-round", "figure 1: requests per round"),
                          ("bare-per-round", "figure 1: bare transactions per round"),
                          ("applicants", "figure 2: applicants per trial"), ("places", "figure 2: places per trial"),
                          ("trials", "figure 2: assigned trials"), ("open-trials", "figure 2: open trials"),
                          ("scale-rounds", "figure 3: rounds"), ("scale-places", "figure 3: places per round"),
                          ("scale-small", "figure 3: requests waiting, small arm"),
                          ("scale-large", "figure 3: requests waiting, large arm")):
        parser.add_argument(f"--{name}", type=int, help=f"{meaning} (overrides the plan)")
    args = parser.parse_args(argv)
    if not args.in_process:  # a fresh interpreter: see "Isolation" in the module docstring
        return in_fresh_interpreter("bench.assignment_bench", argv)
    if args.smoke:
        smoke.announce(stack=True)
    out = figures_stream()
    plan = SMOKE if args.smoke else QUICK if args.quick else FULL
    overrides = {name: getattr(args, name) for name in ("rounds", "requests_per_round", "bare_per_round", "applicants",
                                                        "places", "trials", "open_trials", "scale_rounds", "scale_places",
                                                        "scale_small", "scale_large") if getattr(args, name) is not None}
    code = run(dataclasses.replace(plan, **overrides), out)
    for stream in (out, sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)  # this child's last act: freeing the emulator's millions of objects one by one takes seconds


if __name__ == "__main__":
    raise SystemExit(main())
