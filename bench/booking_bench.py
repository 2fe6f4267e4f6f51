"""Benchmark of booking on the local stack (the stack `make run` starts), five figures:

1. booking vs bare transaction: median latency of `POST /v1/appointments` (a fresh applicant
   each time, on a slot with capacity left) against one bare boto3 `TransactWriteItems` of the
   same shape as the booking's (a ConditionCheck of the demand mode, the conditional Updates of
   a slot and of an applicant, the Puts of an appointment, an audit record and a notification,
   and the request's own checks the booking makes in its transaction, services/admission.py:
   a ConditionCheck of the token's validity and the conditional ADD of the account's booking
   counter; 8 items into the same eight tables) on the same emulator. Goal: at most 1.5x. With it, the calls the
   emulator served during the successful bookings, by operation (X-Amz-Target): the data-store
   calls per booking, of them the booking's own transactions (goal: 1, the TransactWriteItems;
   no read before it), and the TCP connections each booking opened.
2. booking at 100,000 vs 1,000 slots in the slots table (`Plan.big_slots`). Goal: at most 1.5x. The bare
   transaction is measured at both sizes too, so that emulator drift is told apart from the app.
3. availability page vs bare Query: `GET /v1/availability?...&days=7` against one boto3 `Query`
   of the same partition, range and filter.
4. bookings per second with 32 concurrent clients on a few slots of small capacity, and the
   oversell: afterwards the appointments table and the slots' `booked` counters are read
   directly and compared with the capacity and with what the clients were told. Oversell,
   a counter that differs from the appointments, a lost or phantom booking, a refusal on a
   slot that never filled, or any 5xx fail the run (exit status 1): these are hard invariants.
5. cold start: a fresh `python -c "import app"` against a fresh
   `python -c "import boto3; boto3.client('dynamodb', ...)"`. Goal: at most 1.5x. The ten
   imports with the largest cumulative time (`python -X importtime`) go to stderr.

Method
- Side by side: every figure runs its arms in rounds; each round runs every arm once, in a
  shuffled order (fixed seed), and only medians and their ratios are reported, so a noisy
  machine hurts every arm alike. The first rounds are warm-up and are discarded.
- Table size without a second stack: moto keeps a table's items in one dict (`Table.items`,
  partition key -> {sort key -> item}), and its state is global to the process, so two stacks
  cannot coexist. The slots table gets three such dicts that share the partitions the bench
  books into: "catalogue" (the 21,120 slots `make run` seeds), "small" (three directorates of
  Istanbul, the bare transaction's slot, filler to 1,000) and "big" (the catalogue plus
  filler slots of made-up directorates, to 100,000). Before each arm the bench points the
  table at one of them, under the emulator lock, i.e. between two requests: every request
  sees one whole table, and bookings at 1k and at 100k alternate round by round on one stack.
  The filler stays in memory in every state, so the heap (and the garbage collector's work)
  is the same for both sizes; only the table differs. Figures 1, 3 and 4 use the catalogue.
- Isolation: `main()` runs the measurement in a fresh interpreter, because moto's state is
  global to a process (`python -m bench` has just filled 101,000 items in its own emulator)
  and the stack imports `app` and rewrites `os.environ` for the rest of the process. The child
  sends the app's log lines (JSON on stdout, still formatted and masked, so still paid for) to
  a temporary file, named on failure.
- Applicants are made as people make them (`bench.population`: registry import, sign-up,
  SMS code, confirmation, sign-in), in one batch, since each can book only once in 30 days.
  Figure 4 runs first: the applicants it sees refused took no lock and book again in
  figures 1 and 2. One booking before figure 4 pays for the process's lazy set-up.
- The bench's HTTP clients do not read proxy settings from the environment (`client_session`):
  the HTTP arm is still a real request through the local server and the whole route.
- Absolute times depend on the machine and on whatever else runs on it; read the ratios.
- `--smoke` (for the test suite) runs every figure once or twice, with 4 clients in figure 4,
  a "big" table of 16,000 slots, on a shorter slot horizon (`bench/smoke.py`): its figures are
  not measurements.

Run from the repository root:  python -m bench.booking_bench [--quick | --smoke]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

import requests

from bench import smoke
from bench.process import figures_stream, in_fresh_interpreter, stdout_to

ROOT = Path(__file__).resolve().parents[1]
REGION = "eu-central-1"
SERVICE = "address_registration"
BOOKING_DIRECTORATES = ("34-fatih", "34-kadikoy", "34-esenyurt")  # figures 1 and 2
AVAILABILITY_DIRECTORATE = "34-fatih"  # figure 3
RACE_DIRECTORATE = "34-merkez"  # figure 4
BARE_PARTITION = "zz-bench-bare"  # the bare transaction's slot-like item
BARE_SLOT_START = "2099-01-05T09:00"
CATALOGUE, SMALL, BIG = "catalogue", "small", "big"  # the slots table's states, see the docstring
SMALL_SLOTS = 1_000
SEED = 20240501


@dataclass(frozen=True)
class Plan:
    rounds: int  # per arm, figures 1-2
    warmup: int
    availability_rounds: int
    race_threads: int
    race_per_thread: int  # booking attempts (one applicant each) per client
    race_slots: int
    race_capacity: int
    cold_runs: int  # per side
    big_slots: int  # figure 2's big table: the catalogue plus filler up to this many slots
    size_rounds: int  # figure 3's note: the bare query at both sizes (one costs up to a second)

    @property
    def bookings(self) -> int:
        """Applicants figures 1 and 2 book with (three sizes over HTTP, and the use case alone)."""
        return 4 * (self.rounds + self.warmup)

    @property
    def applicants(self) -> int:
        """To make: figure 4 runs first, and its refused applicants (a refusal takes no lock)
        book again in figures 1 and 2; without oversell exactly slots × capacity are taken."""
        taken = 1 + self.race_slots * self.race_capacity  # 1: the warm-up booking
        return max(1 + self.race_threads * self.race_per_thread, self.bookings + taken)


QUICK = Plan(rounds=15, warmup=3, availability_rounds=20, race_threads=32, race_per_thread=2,
             race_slots=4, race_capacity=4, cold_runs=4, big_slots=100_000, size_rounds=10)
FULL = Plan(rounds=60, warmup=5, availability_rounds=60, race_threads=32, race_per_thread=4,
            race_slots=8, race_capacity=8, cold_runs=12, big_slots=100_000, size_rounds=10)
# Every path once: figure 4 still has refusals (2 slots of 1 place for 4 clients), and the big
# table still gets filler beyond the catalogue (at most 14,081 slots on a 12-day horizon).
SMOKE = Plan(rounds=1, warmup=1, availability_rounds=1, race_threads=4, race_per_thread=1,
             race_slots=2, race_capacity=1, cold_runs=1, big_slots=16_000, size_rounds=1)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000 if samples else float("nan")


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(a) / statistics.median(b) if a and b else float("nan")


def goal(value: float, limit: float) -> str:
    return f"goal ≤ {limit:g}: {'met' if value <= limit else 'MISSED'}"


def interleaved(arms: dict[str, Callable[[], float]], rounds: int, warmup: int, rng: random.Random,
                before: Callable[[str], None] = lambda arm: None) -> dict[str, list[float]]:
    """Runs every arm once per round in a shuffled order; returns each arm's timings in
    seconds (warm-up rounds left out). An arm times itself, so its set-up is not counted."""
    timings: dict[str, list[float]] = {name: [] for name in arms}
    names = list(arms)
    for round_no in range(warmup + rounds):
        rng.shuffle(names)
        for name in names:
            before(name)
            elapsed = arms[name]()
            if round_no >= warmup:
                timings[name].append(elapsed)
    return timings


# --- Figure 5: cold start -------------------------------------------------------------------


@dataclass
class ColdStart:
    app_s: list[float]
    boto3_s: list[float]
    top_imports: list[tuple[int, int, str]]  # (cumulative µs, self µs, module with its nesting)

    @property
    def ratio(self) -> float:
        return ratio(self.app_s, self.boto3_s)


IMPORT_APP = "import app"
IMPORT_BOTO3 = "import boto3; boto3.client('dynamodb', region_name='eu-central-1')"


def _spawn(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure_cold_start(runs: int, env: dict[str, str]) -> ColdStart:
    """Fresh processes, alternating app/boto3 (one discarded warm-up pair fills the disk cache)."""
    timings = interleaved(
        {"app": lambda: _spawn(IMPORT_APP, env), "boto3": lambda: _spawn(IMPORT_BOTO3, env)},
        rounds=runs, warmup=1, rng=random.Random(SEED),
    )
    return ColdStart(timings["app"], timings["boto3"], import_profile(env))


def import_profile(env: dict[str, str], top: int = 10) -> list[tuple[int, int, str]]:
    """`python -X importtime -c "import app"`: the imports with the largest cumulative time."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", IMPORT_APP], cwd=ROOT, env=env,
                            check=True, capture_output=True, text=True)
    rows = []
    for line in result.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(.*)$", line)
        if found:
            rows.append((int(found.group(2)), int(found.group(1)), found.group(3).rstrip()))
    return sorted(rows, reverse=True)[:top]


# --- The stack and its slots table at three sizes -----------------------------------------------


class SlotTableSizes:
    """The slots table at several sizes, switched in O(1) under the emulator lock (see the
    module docstring). Partitions present in several sizes are the same dicts, so a booking
    made at one size is seen at every size."""

    def __init__(self, emulator: Any, table_name: str) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        self._lock = emulator.lock
        self._table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(table_name)
        self.states: dict[str, Any] = {CATALOGUE: self._table.items}
        self.current = CATALOGUE

    def derive(self, name: str, partitions: Callable[[str], bool] | None, total: int) -> None:
        """A new size: the catalogue's partitions that `partitions` keeps (all if None),
        then made-up directorates' slots up to `total` items."""
        with self._lock:
            catalogue = self.states[CATALOGUE]
            state = defaultdict(dict, {k: v for k, v in catalogue.items() if partitions is None or partitions(k.value)})
            self.states[name] = state
            self._table.items = state
            try:
                for item in itertools.islice(_filler_slots(name), max(total - self.count(name), 0)):
                    self._table.put_item(item)
            finally:
                self._table.items = self.states[self.current]

    def put_in_every_size(self, item: dict[str, Any]) -> None:
        """Call before `derive`: puts into the catalogue, whose partitions the others share."""
        with self._lock:
            self._table.items = self.states[CATALOGUE]
            self._table.put_item(item)
            self._table.items = self.states[self.current]

    def use(self, name: str) -> None:
        if name != self.current:
            with self._lock:
                self._table.items = self.states[name]
                self.current = name

    def count(self, name: str) -> int:
        return sum(len(partition) for partition in self.states[name].values())


def _filler_slots(tag: str) -> Iterator[dict[str, Any]]:
    """Slot items of made-up directorates, shaped as the catalogue's: 16 a day, 15 days each."""
    services = {"SS": [SERVICE, "biometrics", "personal_data_update"]}
    starts = [8 * 60 + 30 + 30 * n for n in range(8)] + [13 * 60 + 30 + 30 * n for n in range(8)]
    times = [(f"{m // 60:02d}:{m % 60:02d}", f"{(m + 30) // 60:02d}:{(m + 30) % 60:02d}") for m in starts]
    for directorate in itertools.count():
        for day in range(1, 16):
            for start, end in times:
                yield {
                    "directorate_id": {"S": f"zz-filler-{tag}-{directorate:05d}"},
                    "start": {"S": f"2099-02-{day:02d}T{start}"},
                    "end": {"S": f"2099-02-{day:02d}T{end}"},
                    "capacity": {"N": "8"},
                    "booked": {"N": "0"},
                    "services": services,
                    "is_open": {"BOOL": True},
                }


class ApplicantPool:
    """Signed-up applicants with their tokens; each is handed out once, and those whose
    booking was refused can be handed back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._free: deque[Any] = deque()
        self._batches = 0
        self.made = 0
        self.seconds = 0.0

    def take(self, count: int) -> list[Any]:
        if len(self._free) < count:
            self.make(count - len(self._free))
        return [self._free.popleft() for _ in range(count)]

    def give_back(self, people: list[Any]) -> None:
        self._free.extend(people)

    def make(self, count: int) -> None:
        from bench import population

        started = time.perf_counter()
        # One batch per run normally; a second one (only after refusals went missing) gets
        # another seed, so that its document numbers differ.
        self._free.extend(population.create_applicants(self.url, count, seed=SEED + self._batches))
        self._batches += 1
        self.made += count
        self.seconds += time.perf_counter() - started


@dataclass
class Bench:
    """A running local stack with everything the figures need."""

    stack: Any
    plan: Plan
    slots: SlotTableSizes
    ddb: Any  # boto3 DynamoDB client to the emulator, no retries
    tables: dict[str, str]  # short name -> physical name
    applicants: ApplicantPool
    admin: str  # the local admin's token
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    errors: list[str] = field(default_factory=list)  # unexpected answers in figures 1-3

    @property
    def url(self) -> str:
        return self.stack.url


def client_session() -> requests.Session:
    """An HTTP client of the local stack that does not look for proxy settings: with its
    environment on (`trust_env`), requests scans the whole of `os.environ` twice per request
    (`get_environ_proxies`), and this process's environment holds the stack's settings too:
    the client's CPU per booking fell from 9.3 to 5.2 ms without it (cProfile on the thread's
    CPU clock, a loaded machine), a cost of this harness that no applicant's browser pays."""
    session = requests.Session()
    session.trust_env = False
    return session


def _availability(session: requests.Session, url: str, token: str, directorate: str, days: int) -> requests.Response:
    return session.get(f"{url}/v1/availability", params={"directorate": directorate, "service": SERVICE, "days": days},
                       headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _book(session: requests.Session, url: str, token: str, slot_id: str) -> requests.Response:
    return session.post(f"{url}/v1/appointments", json={"slot_id": slot_id, "service": SERVICE},
                        headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _places(session: requests.Session, url: str, token: str, directorates: tuple[str, ...]) -> Iterator[str]:
    """Slot ids with capacity left, one per place, round-robin over the slots (so consecutive
    bookings hit different slots until each slot had one)."""
    remaining: dict[str, int] = {}
    for directorate in directorates:
        response = _availability(session, url, token, directorate, days=31)
        response.raise_for_status()
        for slot in response.json()["slots"]:
            remaining[slot["slot_id"]] = slot["remaining"]
    while remaining:
        for slot_id in list(remaining):
            yield slot_id
            remaining[slot_id] -= 1
            if remaining[slot_id] == 0:
                del remaining[slot_id]


# --- Figures 1 and 2: booking vs bare transaction, at three table sizes ------------------------


class BareBooking:
    """One TransactWriteItems shaped as a booking's (services/booking.py `try_booking`), straight
    to the emulator, into the same tables: a ConditionCheck of the demand mode, the conditional
    Update of a slot (a place left, open, offering the service), the conditional Update of a
    (fresh) applicant (may book, no lock, province, permit status and validity), the Puts of
    the appointment, its audit record and its notification, and the request's checks the booking
    makes in its transaction (services/admission.py): a ConditionCheck of the applicant's token
    validity (no instant stored: never revoked) and the conditional ADD of its booking counter
    of this hour (a fresh one, as a fresh applicant's)."""

    def __init__(self, bench: Bench, count: int) -> None:
        self.ddb = bench.ddb
        self.tables = bench.tables
        self._numbers = itertools.count()
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
        with bench.stack.emulator.lock:  # fresh applicant-like items, one per transaction
            applicants = backend.get_table(self.tables["applicants"])
            for n in range(count):
                applicants.put_item({
                    "applicant_id": {"S": f"bench-bare-{n}"}, "status": {"S": "active"},
                    "province": {"S": "34"}, "permit_status": {"S": "residence_permit"}, "permit_valid_until": {"S": "2099-12-31"},
                    "email": {"S": f"bench-bare-{n}@example.net"}, "updated_at": {"S": "2024-01-01T00:00:00.000000+0000"},
                })

    def __call__(self) -> float:
        n = next(self._numbers)
        now = "2024-05-01T09:00:00.000000+0000"
        appointment_id = str(uuid.uuid4())
        items = [
            {"Put": {
                "TableName": self.tables["appointments"],
                "Item": {
                    "appointment_id": {"S": appointment_id}, "reference": {"S": "GOC-BENCHBAR"},
                    "applicant_id": {"S": f"bench-bare-{n}"}, "directorate_id": {"S": BARE_PARTITION},
                    "slot_start": {"S": BARE_SLOT_START}, "start": {"S": "2099-01-05T06:00:00.000000+0000"},
                    "end": {"S": "2099-01-05T06:15:00.000000+0000"}, "service": {"S": SERVICE},
                    "status": {"S": "confirmed"}, "created_at": {"S": now},
                },
                "ConditionExpression": "attribute_not_exists(appointment_id)",
            }},
            {"Put": {
                "TableName": self.tables["audit"],
                "Item": {
                    "subject": {"S": f"applicant:bench-bare-{n}"}, "entry": {"S": f"{now}#{appointment_id}"},
                    "action": {"S": "appointment.booked"}, "actor_id": {"S": f"bench-bare-{n}"},
                    "actor_role": {"S": "applicant"}, "at": {"S": now},
                    "after": {"M": {"appointment_id": {"S": appointment_id}, "service": {"S": SERVICE}}},
                },
            }},
            {"Put": {
                "TableName": self.tables["notifications"],
                "Item": {
                    "notification_id": {"S": f"confirmation-{appointment_id}"}, "kind": {"S": "appointment.confirmed"},
                    "appointment_id": {"S": appointment_id}, "applicant_id": {"S": f"bench-bare-{n}"},
                    "created_at": {"S": now}, "sms_status": {"S": "sent"}, "email_status": {"S": "sent"},
                },
                "ConditionExpression": "attribute_not_exists(notification_id)",
            }},
            {"ConditionCheck": {
                "TableName": self.tables["demand-modes"],
                "Key": {"directorate_id": {"S": BARE_PARTITION}, "service": {"S": SERVICE}},
                "ConditionExpression": "attribute_not_exists(#s) OR #s = :open OR (#s = :auto AND auto_mode <> :assigned)",
                "ExpressionAttributeNames": {"#s": "setting"},
                "ExpressionAttributeValues": {":open": {"S": "open"}, ":auto": {"S": "auto"}, ":assigned": {"S": "assigned"}},
            }},
            {"Update": {
                "TableName": self.tables["slots"],
                "Key": {"directorate_id": {"S": BARE_PARTITION}, "start": {"S": BARE_SLOT_START}},
                "UpdateExpression": "ADD #b :one",
                "ConditionExpression": "#b < #c AND #o = :open AND contains(services, :service)",
                "ExpressionAttributeNames": {"#b": "booked", "#c": "capacity", "#o": "is_open"},
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":open": {"BOOL": True}, ":service": {"S": SERVICE}},
            }},
            {"ConditionCheck": {
                "TableName": self.tables["token-validity"],
                "Key": {"account_id": {"S": f"bench-bare-{n}"}},
                "ConditionExpression": "attribute_not_exists(valid_from) OR valid_from <= :iat",
                "ExpressionAttributeValues": {":iat": {"N": str(int(time.time()))}},
            }},
            {"Update": {
                "TableName": self.tables["rate-counters"],
                "Key": {"counter": {"S": f"account-bookings#bench-bare-{n}-{uuid.uuid4().hex}#3600s0"}},
                "UpdateExpression": "ADD #n :one SET expires = :expires",
                "ConditionExpression": "attribute_not_exists(#n) OR #n < :limit",
                "ExpressionAttributeNames": {"#n": "count"},
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":expires": {"N": "1714640400"}, ":limit": {"N": "1000000"}},
            }},
            {"Update": {
                "TableName": self.tables["applicants"],
                "Key": {"applicant_id": {"S": f"bench-bare-{n}"}},
                "UpdateExpression": "SET locked_until = :until",
                "ConditionExpression": "#s IN (:active, :offline) AND (attribute_not_exists(locked_until) OR locked_until <= :now) "
                                       "AND province = :province AND permit_status IN (:rp, :wp, :ip, :tp) AND permit_valid_until >= :day",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":until": {"S": "2024-05-31T09:00:00.000000+0000"}, ":active": {"S": "active"},
                                              ":offline": {"S": "offline"}, ":now": {"S": now}, ":province": {"S": "34"},
                                              ":rp": {"S": "residence_permit"}, ":wp": {"S": "work_permit"},
                                              ":ip": {"S": "international_protection"}, ":tp": {"S": "temporary_protection"},
                                              ":day": {"S": "2099-01-05"}},
            }},
        ]
        started = time.perf_counter()
        self.ddb.transact_write_items(TransactItems=items)
        return time.perf_counter() - started


@dataclass
class CallCount:
    """What the emulator served during successful bookings (figure 1's booking arm): requests by
    operation (X-Amz-Target), and the TCP connections it accepted."""

    bookings: int = 0
    calls: Counter = field(default_factory=Counter)
    connections: int = 0

    def per_booking(self, operation: Callable[[str], bool] = lambda name: True) -> float:
        return sum(n for name, n in self.calls.items() if operation(name)) / self.bookings if self.bookings else float("nan")


def data_store(operation: str) -> bool:
    return operation.startswith("DynamoDB_")


def measure_booking(bench: Bench, counted: CallCount) -> dict[str, list[float]]:
    from chalicelib.local.emulator import Emulator

    plan = bench.plan
    session = client_session()
    places = _places(session, bench.url, bench.admin, BOOKING_DIRECTORATES)
    bare = BareBooking(bench, plan.bookings)
    emulator = bench.stack.emulator

    def booking() -> float:
        [person] = bench.applicants.take(1)
        slot_id = next(places)
        served, connections = emulator.served(), Emulator.connections()
        started = time.perf_counter()
        response = _book(session, bench.url, person.token, slot_id)
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            bench.errors.append(f"booking {slot_id}: HTTP {response.status_code} {response.text[:200]}")
        else:  # nothing else calls the emulator meanwhile: the pump does not run (pump_interval=None)
            counted.bookings += 1
            counted.calls += emulator.served() - served
            counted.connections += Emulator.connections() - connections
        return elapsed

    def use_case() -> float:
        """The same booking without HTTP and the API layer (the token's signature, the request's
        parsing and answer): `booking.book_for`, the use case the route calls, in this process,
        with the request's checks in its transaction as the route hands them (an Admission)."""
        from chalicelib.api import rate_limits
        from chalicelib.domain.roles import Role
        from chalicelib.services import booking as booking_service
        from chalicelib.services.admission import Admission

        [person] = bench.applicants.take(1)
        slot_id = next(places)
        started = time.perf_counter()
        try:
            checks = Admission(person.applicant_id, int(time.time()), (rate_limits.ACCOUNT_BOOKINGS.counted(),))
            booking_service.book_for(person.applicant_id, slot_id, SERVICE, booking_service.Booker(person.applicant_id, Role.APPLICANT.value),
                                     admission=checks)
        except Exception as error:  # a refusal here is as unexpected as a non-201 over HTTP
            bench.errors.append(f"use case booking {slot_id}: {type(error).__name__} {error}")
        return time.perf_counter() - started

    arms = {f"usecase@{CATALOGUE}": use_case}
    for size in (CATALOGUE, SMALL, BIG):
        arms[f"booking@{size}"] = booking
        arms[f"bare@{size}"] = bare
    return interleaved(arms, plan.rounds, plan.warmup, bench.rng, before=lambda arm: bench.slots.use(arm.split("@")[1]))


# --- Figure 3: availability page vs bare Query --------------------------------------------------


def measure_availability(bench: Bench, token: str) -> dict[str, list[float]]:
    from chalicelib.clock import clock

    session = client_session()
    today = clock.today()
    last = today + timedelta(days=6)
    query = {
        "TableName": bench.tables["slots"],
        "KeyConditionExpression": "#d = :d AND #s BETWEEN :first AND :last",
        "FilterExpression": "contains(services, :service) AND is_open = :open",
        "ExpressionAttributeNames": {"#d": "directorate_id", "#s": "start"},
        "ExpressionAttributeValues": {
            ":d": {"S": AVAILABILITY_DIRECTORATE}, ":first": {"S": today.isoformat()},
            ":last": {"S": f"{last.isoformat()}T99:99"}, ":service": {"S": SERVICE}, ":open": {"BOOL": True},
        },
    }

    def page() -> float:
        started = time.perf_counter()
        response = _availability(session, bench.url, token, AVAILABILITY_DIRECTORATE, days=7)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            bench.errors.append(f"availability: HTTP {response.status_code} {response.text[:200]}")
        return elapsed

    def bare() -> float:
        started = time.perf_counter()
        answer = bench.ddb.query(**query)
        elapsed = time.perf_counter() - started
        if "LastEvaluatedKey" in answer:
            bench.errors.append("bare query: more than one page")
        return elapsed

    use = lambda arm: bench.slots.use(arm.split("@")[1])  # noqa: E731
    timings = interleaved({f"page@{CATALOGUE}": page, f"query@{CATALOGUE}": bare},
                          bench.plan.availability_rounds, bench.plan.warmup, bench.rng, before=use)
    # How the bare query alone grows with the table: a few rounds, as one costs up to a second.
    timings |= interleaved({f"query@{SMALL}": bare, f"query@{BIG}": bare}, bench.plan.size_rounds, 1, bench.rng,
                           before=use)
    return timings


# --- Figure 4: concurrent bookings and oversell ---------------------------------------------------


@dataclass
class RaceReport:
    threads: int
    slots: int
    capacity: int
    attempts: int
    booked: int  # 201 answers
    refused: int  # 409 SLOT_FULL answers
    elapsed_s: float
    latencies: list[float]
    oversell: int  # sum over slots of max(0, appointments - capacity)
    counter_mismatch: int  # sum over slots of |booked counter - appointments|
    lost: int  # acknowledged bookings whose appointment is not stored
    phantom: int  # stored appointments no client was told about
    wrongly_refused: int  # SLOT_FULL on a slot that never filled
    http_5xx: int
    unexpected: list[str]

    @property
    def ok(self) -> bool:
        return not (self.oversell or self.counter_mismatch or self.lost or self.phantom
                    or self.wrongly_refused or self.http_5xx or self.unexpected)


def measure_race(bench: Bench, admin: str) -> RaceReport:
    """32 clients at once, each booking its own applicants in turn on a few small slots."""
    plan = bench.plan
    session = client_session()
    response = _availability(session, bench.url, admin, RACE_DIRECTORATE, days=31)
    response.raise_for_status()
    free = [slot["slot_id"] for slot in response.json()["slots"]]
    chosen, warmup_slot = free[: plan.race_slots], free[plan.race_slots]
    keys = {slot_id: slot_id.split("@", 1)[1] for slot_id in chosen}  # slot id -> slot's sort key
    for slot_id, start in keys.items():
        answer = session.put(f"{bench.url}/v1/admin/directorates/{RACE_DIRECTORATE}/slots/{start}/capacity",
                             json={"capacity": plan.race_capacity}, headers={"Authorization": f"Bearer {admin}"}, timeout=60)
        answer.raise_for_status()
    [person] = bench.applicants.take(1)  # the first booking of the process pays for lazy set-up
    if _book(session, bench.url, person.token, warmup_slot).status_code != 201:
        bench.errors.append("the warm-up booking was refused")

    people = [bench.applicants.take(plan.race_per_thread) for _ in range(plan.race_threads)]
    sessions = [client_session() for _ in range(plan.race_threads)]
    barrier = threading.Barrier(plan.race_threads)
    results: list[list[tuple[str, int, str, str, float]]] = [[] for _ in range(plan.race_threads)]
    refused_people: list[Any] = []  # no lock was taken: they can book again
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * plan.race_threads

    def client(thread_no: int) -> None:
        mine = results[thread_no]
        barrier.wait()
        began = time.perf_counter()
        for j, person in enumerate(people[thread_no]):
            slot_id = chosen[(thread_no * plan.race_per_thread + j) % len(chosen)]
            started = time.perf_counter()
            try:
                answer = _book(sessions[thread_no], bench.url, person.token, slot_id)
            except requests.RequestException as error:
                mine.append((slot_id, 0, f"{type(error).__name__}: {error}"[:300], "", time.perf_counter() - started))
                continue
            elapsed = time.perf_counter() - started
            body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
            code = body.get("error", {}).get("code", "") if answer.status_code >= 400 else ""
            mine.append((slot_id, answer.status_code, code, body.get("appointment_id", ""), elapsed))
            if answer.status_code == 409 and code == "SLOT_FULL":
                refused_people.append(person)
        spans[thread_no] = (began, time.perf_counter())

    workers = [threading.Thread(target=client, args=(n,)) for n in range(plan.race_threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    bench.applicants.give_back(refused_people)

    # What the tables hold, read straight from the emulator.
    stored: dict[str, set[str]] = defaultdict(set)  # slot key -> appointment ids
    paginator = bench.ddb.get_paginator("scan")
    for page in paginator.paginate(TableName=bench.tables["appointments"], ConsistentRead=True,
                                   FilterExpression="directorate_id = :d",
                                   ExpressionAttributeValues={":d": {"S": RACE_DIRECTORATE}}):
        for item in page["Items"]:
            if item["slot_start"]["S"] in keys.values():
                stored[item["slot_start"]["S"]].add(item["appointment_id"]["S"])
    counters = {}
    for start in keys.values():
        item = bench.ddb.get_item(TableName=bench.tables["slots"], ConsistentRead=True,
                                  Key={"directorate_id": {"S": RACE_DIRECTORATE}, "start": {"S": start}})["Item"]
        counters[start] = (int(item["booked"]["N"]), int(item["capacity"]["N"]))

    answers = [answer for thread in results for answer in thread]
    acknowledged = {appointment_id for _, status, _, appointment_id, _ in answers if status == 201}
    in_table = set().union(*stored.values()) if stored else set()
    refused_on = Counter(keys[slot_id] for slot_id, status, code, _, _ in answers if status == 409 and code == "SLOT_FULL")
    unexpected = [f"{slot_id}: HTTP {status} {code}" for slot_id, status, code, _, _ in answers
                  if status != 201 and not (status == 409 and code == "SLOT_FULL")]
    return RaceReport(
        threads=plan.race_threads,
        slots=len(keys),
        capacity=plan.race_capacity,
        attempts=len(answers),
        booked=sum(status == 201 for _, status, _, _, _ in answers),
        refused=sum(refused_on.values()),
        elapsed_s=elapsed,
        latencies=[latency for *_, latency in answers],
        oversell=sum(max(0, len(stored[s]) - capacity) for s, (_, capacity) in counters.items()),
        counter_mismatch=sum(abs(booked - len(stored[s])) for s, (booked, _) in counters.items()),
        lost=len(acknowledged - in_table),
        phantom=len(in_table - acknowledged),
        wrongly_refused=sum(n for s, n in refused_on.items() if len(stored[s]) < counters[s][1]),
        http_5xx=sum(status >= 500 for _, status, _, _, _ in answers),
        unexpected=unexpected,
    )


# --- Running it ------------------------------------------------------------------------------------


def start_bench(plan: Plan, log: TextIO) -> Bench:
    from bench import population
    from bench.emulator_bench import dynamodb_client
    from chalicelib.local import stack as local_stack

    started = time.perf_counter()
    os.environ.update(local_stack.LOAD_TEST_RATE_LIMITS)  # every bench client is 127.0.0.1
    stack = local_stack.start(port=0, pump_interval=None)
    stack.serve_in_background()
    from chalicelib.adapters import tables as models

    names = {"slots": models.Slot, "applicants": models.Applicant, "appointments": models.Appointment, "audit": models.AuditRecord,
             "notifications": models.Notification, "demand-modes": models.DemandMode, "token-validity": models.TokenValidity,
             "rate-counters": models.RateCounter}
    tables = {short: model.Meta.table_name for short, model in names.items()}
    slots = SlotTableSizes(stack.emulator, tables["slots"])
    slots.put_in_every_size({
        "directorate_id": {"S": BARE_PARTITION}, "start": {"S": BARE_SLOT_START}, "end": {"S": "2099-01-05T09:30"},
        "capacity": {"N": "1000000"}, "booked": {"N": "0"}, "services": {"SS": [SERVICE]}, "is_open": {"BOOL": True},
    })
    kept = set(BOOKING_DIRECTORATES) | {AVAILABILITY_DIRECTORATE, BARE_PARTITION}
    slots.derive(SMALL, lambda directorate: directorate in kept, SMALL_SLOTS)
    slots.derive(BIG, None, plan.big_slots)
    stack_s = time.perf_counter() - started

    applicants = ApplicantPool(stack.url)
    applicants.make(plan.applicants)
    print(f"[stack up and slots table sized in {stack_s:.1f} s; {applicants.made} applicants made in "
          f"{applicants.seconds:.1f} s; sizes: "
          + ", ".join(f"{name} {slots.count(name):,}" for name in slots.states) + "]", file=log, flush=True)
    admin = population.admin_token(stack.url)
    return Bench(stack, plan, slots, dynamodb_client(stack.emulator.endpoint_url), tables, applicants, admin)


def run(plan: Plan, out: TextIO) -> int:
    env = dict(os.environ)  # before the stack points this process at the emulator
    cold = measure_cold_start(plan.cold_runs, env)

    started = time.perf_counter()
    log_file = tempfile.NamedTemporaryFile("w", prefix="booking-bench-", suffix=".log", delete=False)
    try:
        with stdout_to(log_file):  # the app's JSON log lines, chalice's "Serving on ..."
            bench = start_bench(plan, sys.stderr)
            try:
                race = measure_race(bench, bench.admin)  # first: its refused applicants book again below
                counted = CallCount()
                booking = measure_booking(bench, counted)
                availability = measure_availability(bench, bench.admin)
            finally:
                bench.slots.use(CATALOGUE)
                bench.stack.stop()
    except BaseException:
        print(f"booking bench stopped by an error; the app's log: {log_file.name}", file=sys.stderr)
        raise

    b = {name: median_ms(samples) for name, samples in booking.items()}
    n = plan.rounds
    fig1 = ratio(booking[f"booking@{CATALOGUE}"], booking[f"bare@{CATALOGUE}"])
    print(f"booking vs bare transaction: {fig1:.2f}x ({goal(fig1, 1.5)})  [median booking {b['booking@catalogue']:.1f} ms, "
          f"bare {b['bare@catalogue']:.1f} ms (the booking's TransactWriteItems: 8 items), n={n}; "
          f"{bench.slots.count(CATALOGUE):,} slots]", file=out)
    use_case = ratio(booking[f"usecase@{CATALOGUE}"], booking[f"bare@{CATALOGUE}"])
    print(f"  the booking use case alone vs bare transaction: {use_case:.2f}x ({goal(use_case, 1.5)})  [median "
          f"{b['usecase@catalogue']:.1f} ms: booking.book_for in the stack's process with the request's checks in "
          f"its transaction, without HTTP and the token's signature; the same bare transaction, n={n}]", file=out)
    booking_calls = counted.per_booking(lambda name: name.endswith(("TransactWriteItems", "TransactGetItems")))
    by_operation = ", ".join(f"{name.split('.')[-1]} {n / counted.bookings:.2f}" for name, n in counted.calls.most_common()) or "none"
    print(f"data-store calls per successful booking: {counted.per_booking(data_store):.2f}, of them the booking's own "
          f"{booking_calls:.2f} ({goal(booking_calls, 1)})  [by operation (X-Amz-Target, counted at the emulator over "
          f"{counted.bookings} bookings): {by_operation}; TCP connections opened per booking: "
          f"{counted.connections / counted.bookings if counted.bookings else float('nan'):.2f}]", file=out)
    fig2 = ratio(booking[f"booking@{BIG}"], booking[f"booking@{SMALL}"])
    bare2 = ratio(booking[f"bare@{BIG}"], booking[f"bare@{SMALL}"])
    small, big = smoke.size(bench.slots.count(SMALL)), smoke.size(bench.slots.count(BIG))
    print(f"booking at {big} vs {small} slots: {fig2:.2f}x ({goal(fig2, 1.5)})  [median booking {b[f'booking@{SMALL}']:.1f} ms "
          f"vs {b[f'booking@{BIG}']:.1f} ms; bare transaction {b[f'bare@{SMALL}']:.1f} ms vs {b[f'bare@{BIG}']:.1f} ms "
          f"({bare2:.2f}x); n={n} each, sizes alternating every round]", file=out)
    a = {name: median_ms(samples) for name, samples in availability.items()}
    fig3 = ratio(availability[f"page@{CATALOGUE}"], availability[f"query@{CATALOGUE}"])
    print(f"availability page vs bare query: {fig3:.1f}x  [median page {a['page@catalogue']:.1f} ms, "
          f"bare query {a['query@catalogue']:.1f} ms, n={plan.availability_rounds}, 7 days, "
          f"{bench.slots.count(CATALOGUE):,} slots]", file=out)
    print(f"  the bare query alone: {a[f'query@{SMALL}']:.1f} ms at {small} slots, {a[f'query@{BIG}']:.1f} ms at {big} "
          f"({ratio(availability[f'query@{BIG}'], availability[f'query@{SMALL}']):.1f}x, n={plan.size_rounds})", file=out)
    print(f"bookings with {race.threads} concurrent clients: {race.booked / race.elapsed_s:.1f}/s, oversold: {race.oversell}  "
          f"[{race.booked} booked, {race.refused} refused SLOT_FULL of {race.attempts} attempts "
          f"({race.attempts / race.elapsed_s:.1f} answers/s) on {race.slots} slots × {race.capacity} places; "
          f"counters ≠ appointments: {race.counter_mismatch}, lost {race.lost}, phantom {race.phantom}, "
          f"wrongly refused {race.wrongly_refused}, 5xx {race.http_5xx}; "
          f"median latency {median_ms(race.latencies):.0f} ms; {race.elapsed_s:.1f} s]", file=out)
    for message in race.unexpected[:5]:
        print(f"  unexpected: {message}", file=out)
    print(f"cold start, import app vs boto3 client: {cold.ratio:.2f}x ({goal(cold.ratio, 1.5)})  "
          f"[median {median_ms(cold.app_s):.0f} ms vs {median_ms(cold.boto3_s):.0f} ms, "
          f"n={plan.cold_runs} each, alternating fresh processes]", file=out)
    print("largest cumulative imports of `import app` (python -X importtime, ms cumulative / self):", file=sys.stderr)
    for cumulative, own, name in cold.top_imports:
        print(f"  {cumulative / 1000:7.1f} {own / 1000:6.1f}  {name}", file=sys.stderr)
    for message in bench.errors[:5]:
        print(f"  unexpected: {message}", file=out)
    ok = race.ok and not bench.errors
    if not ok:
        print(f"  booking bench FAILED; the app's log: {log_file.name}", file=out)
    else:
        os.unlink(log_file.name)
    print(f"[booking bench took {time.perf_counter() - started:.0f} s after the cold-start runs]", file=sys.stderr)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="fewer rounds, applicants and processes")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # the child's own flag
    args = parser.parse_args(argv)
    if not args.in_process:  # a fresh interpreter: see "Isolation" in the module docstring
        return in_fresh_interpreter("bench.booking_bench", argv)
    if args.smoke:
        smoke.announce(stack=True)
    out = figures_stream()
    return run(SMOKE if args.smoke else QUICK if args.quick else FULL, out)


if __name__ == "__main__":
    raise SystemExit(main())
