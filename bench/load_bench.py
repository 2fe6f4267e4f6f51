"""Load test: a release day in İstanbul on the local stack (the one `make run` starts), driven by
Locust (used as a library: `locust.env.Environment` and its local runner, headless).

Run from the repository root:  python -m bench.load_bench [--quick | --smoke]
(`make bench` / `python -m bench` runs it after the other benchmarks.)

What happens, bounded in count and in time (see `Plan`: every phase also has a time limit, after
which its runner is stopped and the unfinished journeys are counted and printed):
1. Start-up: `bench/load_stack.py` starts the stack in a process of its own on 127.0.0.1 and
   makes the applicants (İstanbul residents, signed up with the real use cases, in process; see
   `bench.population.create_applicants_in_process`). The admin, over HTTP, picks the first two
   days with slots of DIRECTORATE for SERVICE: the "open day" and the "assigned day", and sets each
   of their slots' capacity so that the day holds about half as many places as the phase has
   applicants (a release day: more people than places).
2. Open mode: the admin forces `open` (`PUT .../mode`). Fresh applicants arrive one after
   another over `arrival_seconds` (Locust's spawn rate); each opens the calendar of the open day
   (`GET /v1/availability`), books a slot with room chosen at random (`POST /v1/appointments`),
   and on 409 SLOT_FULL opens the calendar again and tries another, up to BOOKING_TRIES times or
   until the calendar shows no room.
3. Assigned mode: the admin forces `assigned`. Other fresh applicants arrive the same way, open
   the calendar (which now says `assigned`) and file an assignment request for the assigned day
   (`POST /v1/assignment-requests`, preferences earliest = latest = that day). Then the local
   clock moves past the end of the lottery window they were filed in (`POST /local/clock`, in two
   steps: see `run_assigner`) and the event pump runs the assigner (`POST /local/pump`) until no
   request changes any more. The assigner's time is printed apart from that of the schedules the
   clock move made due (the national demand evaluation, say).

Printed per phase: requests/s over the phase, and per endpoint the count, requests/s and
p50/p95/p99 latency (Locust's statistics, from the first arrival to the last answer, so they include queueing when
arrivals outpace the server, as on a release day); every answer that is not 2xx by HTTP status and error
code (the JSON body's `error.code`; SLOT_FULL is an expected refusal but is listed); oversells;
and the fairness figure:

- "fastest 10 %": the virtual applicants ranked by start order, i.e. by the instant their first
  request left (Locust starts them one after another at the spawn rate); the fastest 10 % are the
  first tenth to open the calendar. The figure is the share of the phase's successful bookings
  (open: 201 answers; assigned: requests the assigner served) that went to them. First come,
  first served gives them more than 10 % whenever places run out (with places for half, about
  20 %); the assigned mode's lottery within a window should give them about 10 %.

Afterwards the tables are read straight from the emulator (`check_invariants`, to be swapped for
`bench/invariants.py` once it is on main): no slot's confirmed appointments beyond its capacity
(an oversell), every slot's `booked` counter equal to its confirmed appointments, every booking a
client was told of stored and none it was not told of (save those of a client whose request got
no answer: done but never told, counted apart), nobody refused LOCKED_OUT or REQUEST_PENDING who
had made no earlier write, nobody holding two appointments, every
assignment request assigned at most once to an appointment of its own. Exit status 1 if any of
these fails, on any 5xx, or on any transport error (a connection the server reset or dropped).

Rate limits: nothing is raised. The stack runs with the production defaults of
`domain/limits.RateLimits` (`chalicelib/api/rate_limits.py` says which route counts what). The
journeys' routes count per account (ACCOUNT_BOOKINGS: 30 booking changes an hour; a journey makes
at most BOOKING_TRIES), and each virtual applicant is an account of its own. Each is also a device
of its own: its connections leave from an address of its own in the loopback range 127.0.0.0/8
(127.1.0.1, 127.1.0.2, …, bound with `source_address`; Linux delivers all of 127/8 on the loopback
interface, and the local server reports the socket's peer address as API Gateway's sourceIp), so
a per-IP rule counts each person as it would in AWS instead of lumping everyone on 127.0.0.1.
The applicants themselves are made in the stack's process, before the day, through the sign-up
use cases (the route-level per-IP limits are the only ones that path does not pass through).
The admin's few calls (capacity, mode) come from 127.0.0.1 with the local admin's account.

Sizes (`Plan`): full 1,000 + 1,000 applicants arriving over 180 s each phase; `--quick` 200 + 200
over 10 s; `--smoke` (the test suite: tests/bench/test_smoke.py) 12 + 12 over 2 s, on a shorter
slot horizon. The figures of a smoke run mean nothing. Absolute rates depend on the machine (2 shared
cores here, load generator and server on the same ones): the stack's limits show, not AWS's.

Isolation: `main()` runs the measurement in a fresh interpreter, since Locust patches the standard
library for gevent when imported (`python -m bench` runs other benchmarks with threads); the stack
runs in a third process, unpatched.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bench import smoke
from bench.process import figures_stream, in_fresh_interpreter

ROOT = Path(__file__).resolve().parents[1]
DIRECTORATE = "34-fatih"
SERVICE = "address_registration"
BOOKING_TRIES = 5
PLACES_PER_APPLICANT = 0.5
STARTUP_SECONDS = 900  # the stack plus the applicants (about 0.15 s each on 2 shared cores)
STOP_GRACE_SECONDS = 10
CLIENT_TIMEOUT_SECONDS = 120  # a virtual applicant gives up on a request after this long
AVAILABILITY, BOOK, REQUEST = "GET /v1/availability", "POST /v1/appointments", "POST /v1/assignment-requests"


@dataclass(frozen=True)
class Plan:
    open_applicants: int
    assigned_applicants: int
    arrival_seconds: float  # each phase's applicants start one after another over this long
    phase_seconds: float  # then a phase is stopped, whatever is unfinished


# Full: 1,000 arriving over 60 s queued requests beyond the client timeout on this 2-core machine
# (p99 113 s for a booking), so they arrive over 3 minutes: the server still saturates.
FULL = Plan(open_applicants=1000, assigned_applicants=1000, arrival_seconds=180, phase_seconds=900)
QUICK = Plan(open_applicants=200, assigned_applicants=200, arrival_seconds=10, phase_seconds=300)
SMOKE = Plan(open_applicants=12, assigned_applicants=12, arrival_seconds=2, phase_seconds=120)


@dataclass
class Journey:
    """One virtual applicant's go at the phase."""

    applicant_id: str
    token: str
    address: str  # the loopback address its connections leave from
    first_request_at: float = math.inf
    won: bool = False
    finished: bool = False
    appointment_ids: list[str] = field(default_factory=list)
    request_id: str | None = None
    gave_up: bool = False  # a request of theirs got no answer (timeout, dropped): it may have been carried out
    refused_as_holder: int = 0  # LOCKED_OUT / REQUEST_PENDING answers with no earlier write of theirs that could explain it


@dataclass
class Phase:
    name: str
    journeys: list[Journey]
    seconds: float = 0.0
    stats: list[tuple[str, int, float, float, float, float]] = field(default_factory=list)  # name, n, rps, p50, p95, p99
    answers: Counter = field(default_factory=Counter)  # (endpoint, status, code) for every non-2xx answer
    places: int = 0
    day: str = ""
    assigner_seconds: float = 0.0
    clock_moved: timedelta = timedelta(0)
    schedules_seconds: float = 0.0
    pump_runs: int = 0
    windows: int = 0  # lottery windows the phase's requests were filed in
    wrong_mode: int = 0  # calendars that did not say `assigned` in assigned mode
    generator_saturated: bool = False  # Locust's own warning: its process used over 90 % of a core

    @property
    def requests(self) -> int:
        return sum(n for _, n, *_ in self.stats)

    @property
    def wins(self) -> int:
        return sum(j.won for j in self.journeys)

    @property
    def unfinished(self) -> int:
        return sum(not j.finished for j in self.journeys)

    def fastest_share(self) -> float:
        """The share of the phase's wins that went to the first 10 % to send a request."""
        started = sorted((j for j in self.journeys if j.first_request_at < math.inf), key=lambda j: j.first_request_at)
        fastest = started[: max(1, len(started) // 10)]
        return sum(j.won for j in fastest) / self.wins if self.wins else float("nan")

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status, _), n in self.answers.items() if status >= 500 or status == 0)


def loopback_address(n: int) -> str:
    """The n-th client's own address in 127.0.0.0/8: 127.1.0.1, 127.1.0.2, … (never 127.0.0.1)."""
    block, host = divmod(n, 254)
    return f"127.{1 + block // 256}.{block % 256}.{host + 1}"


def from_address(address: str) -> Any:
    """A `requests` transport adapter whose connections leave from `address` (any port)."""
    from requests.adapters import HTTPAdapter

    class FromAddress(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            kwargs["source_address"] = (address, 0)
            super().init_poolmanager(*args, **kwargs)

    return FromAddress()


# --- The stack --------------------------------------------------------------------------------


def start_stack(total: int, log: TextIO) -> tuple[subprocess.Popen, dict[str, Any]]:
    """`bench/load_stack.py` in a process of its own; its hand-over once it is serving."""
    import json

    out = Path(tempfile.mkdtemp(prefix="load-bench-")) / "hand-over.json"
    child = subprocess.Popen([sys.executable, "-m", "bench.load_stack", "--applicants", str(total), "--out", str(out)],
                             cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + STARTUP_SECONDS
    while not out.exists():
        if child.poll() is not None:
            raise RuntimeError(f"the load stack exited during start (status {child.returncode}); its log: {log.name}")
        if time.monotonic() > deadline:
            child.kill()
            raise RuntimeError(f"the load stack was not ready within {STARTUP_SECONDS} s; its log: {log.name}")
        time.sleep(0.5)  # polling for the child's hand-over file, not papering over a race
    hand_over = json.loads(out.read_text())
    shutil.rmtree(out.parent)  # it holds the applicants' tokens
    return child, hand_over


def stop(child: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL after a grace period: the stack lets a pump run in flight finish
    first (a national schedule can take a minute here), and all it holds is in memory."""
    child.terminate()
    try:
        child.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


class Admin:
    """The local admin over HTTP (sign-in with the TOTP code, as the admin's app would)."""

    def __init__(self, url: str) -> None:
        import requests

        from bench import population

        self.url = url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {population.admin_token(url)}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.url}{path}", timeout=120, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code} {response.text[:300]}")
        return response.json()

    def days_with_slots(self) -> dict[str, list[str]]:
        """Day -> the slot ids of that day, in time order, for the coming weeks."""
        offered = self.call("GET", "/v1/availability", params={"directorate": DIRECTORATE, "service": SERVICE, "days": 31})
        days: dict[str, list[str]] = defaultdict(list)
        for slot in offered["slots"]:
            days[slot["start"][:10]].append(slot["slot_id"])
        return dict(sorted(days.items()))

    def release(self, slot_ids: list[str], places: int) -> int:
        """Sets the day's slots' capacity so that they hold at least `places`; returns how many."""
        each = max(1, math.ceil(places / len(slot_ids)))
        for slot_id in slot_ids:
            start = slot_id.split("@", 1)[1]
            self.call("PUT", f"/v1/admin/directorates/{DIRECTORATE}/slots/{start}/capacity", json={"capacity": each})
        return each * len(slot_ids)

    def set_mode(self, mode: str) -> None:
        self.call("PUT", f"/v1/admin/directorates/{DIRECTORATE}/services/{SERVICE}/mode", json={"mode": mode})


# --- The phases, on Locust ---------------------------------------------------------------------


def run_phase(phase: Phase, url: str, plan: Plan, journey: Any) -> None:
    """Every journey of `phase` as one Locust user each, started at the spawn rate; stops when
    all have finished or at the phase's time limit. `journey(user, j)` is the user's one go."""
    import gevent
    from locust import HttpUser, constant, task
    from locust.env import Environment
    from locust.exception import StopUser

    waiting = list(reversed(phase.journeys))

    class Applicant(HttpUser):
        """One journey, then idle until the runner quits: a user that stopped would be replaced
        by a new one (the runner keeps `count` users), and there is nobody left to be."""

        host = url
        wait_time = constant(plan.phase_seconds)

        def on_start(self) -> None:
            if not waiting:
                raise StopUser()
            self.journey: Journey = waiting.pop()
            self.client.mount("http://", from_address(self.journey.address))
            self.client.headers["Authorization"] = f"Bearer {self.journey.token}"

        @task
        def go(self) -> None:
            if self.journey.finished:
                return
            try:
                journey(self, self.journey)
            finally:
                self.journey.finished = True

    env = Environment(user_classes=[Applicant])
    runner = env.create_local_runner()
    count = len(phase.journeys)
    started = time.perf_counter()
    runner.start(count, spawn_rate=count / plan.arrival_seconds)
    while time.perf_counter() - started < plan.phase_seconds:
        if all(j.finished for j in phase.journeys):
            break
        gevent.sleep(0.2)
    phase.seconds = time.perf_counter() - started
    phase.generator_saturated = runner.cpu_warning_emitted
    runner.quit()
    for entry in sorted(env.stats.entries.values(), key=lambda e: e.name):
        phase.stats.append((entry.name, entry.num_requests, entry.num_requests / phase.seconds,
                            entry.get_response_time_percentile(0.5), entry.get_response_time_percentile(0.95),
                            entry.get_response_time_percentile(0.99)))


def call(user: Any, phase: Phase, journey: Journey, method: str, path: str, name: str, ok: tuple[int, ...],
         expected: tuple[tuple[int, str], ...] = (), **kwargs: Any) -> tuple[int, str, dict]:
    """One request through Locust's client (so its statistics count it): its status, error code
    and JSON body. Answers in `ok`, or (status, code) in `expected`, count as successes."""
    journey.first_request_at = min(journey.first_request_at, time.perf_counter())
    with user.client.request(method, path, name=name, catch_response=True, timeout=CLIENT_TIMEOUT_SECONDS, **kwargs) as response:
        status = response.status_code or 0  # 0: no answer (the connection failed)
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        code = (body.get("error") or {}).get("code", "") if isinstance(body, dict) and status >= 300 else ""
        if status == 0:
            journey.gave_up = True
        elif code in ("LOCKED_OUT", "REQUEST_PENDING") and not journey.gave_up and not journey.won:
            journey.refused_as_holder += 1  # a fresh applicant, whose one journey this is
        if not 200 <= status < 300:
            phase.answers[(name, status, code or (type(response.error).__name__ if status == 0 else ""))] += 1
        if status in ok or (status, code) in expected:
            response.success()
        else:
            response.failure(f"HTTP {status} {code}")
        return status, code, body if isinstance(body, dict) else {}


def open_journey(phase: Phase):
    import random

    def journey(user: Any, j: Journey) -> None:
        rng = random.Random(j.applicant_id)
        for _ in range(BOOKING_TRIES):
            status, _, body = call(user, phase, j, "GET", "/v1/availability", AVAILABILITY, (200,),
                                   params={"directorate": DIRECTORATE, "service": SERVICE, "from": phase.day, "days": 1})
            room = [s["slot_id"] for s in body.get("slots", []) if s.get("remaining", 0) > 0] if status == 200 else []
            if not room:
                return
            status, code, body = call(user, phase, j, "POST", "/v1/appointments", BOOK, (201,), ((409, "SLOT_FULL"),),
                                      json={"slot_id": rng.choice(room), "service": SERVICE})
            if status == 201:
                j.won = True
                j.appointment_ids.append(body.get("appointment_id", ""))
                return
            if (status, code) != (409, "SLOT_FULL"):
                return
    return journey


def assigned_journey(phase: Phase):
    def journey(user: Any, j: Journey) -> None:
        status, _, body = call(user, phase, j, "GET", "/v1/availability", AVAILABILITY, (200,),
                               params={"directorate": DIRECTORATE, "service": SERVICE, "from": phase.day, "days": 1})
        if status == 200 and body.get("mode") != "assigned":
            phase.wrong_mode += 1
        status, _, body = call(user, phase, j, "POST", "/v1/assignment-requests", REQUEST, (202,),
                               json={"service": SERVICE, "directorate": DIRECTORATE,
                                     "preferences": {"earliest": phase.day, "latest": phase.day}})
        if status == 202:
            j.request_id = body.get("request_id")
    return journey


def run_assigner(phase: Phase, url: str, ddb: Any, tables: dict[str, str], deadline: float) -> None:
    """Moves the local clock past the lottery window the phase's requests were filed in (the last
    one's, if the phase straddled two) and runs the event pump until no request of the phase
    changes any more (or the deadline); the wins are the requests it assigned.

    The clock moves in two steps, each running the pump once (`POST /local/clock`): first to a
    second before the window closes, which runs every schedule that came due meanwhile (the
    national demand evaluation, say: issue 13 item 3's subject, timed apart as `schedules_seconds`);
    then a minute and a second on, past the window's end, when the once-a-minute redrive sends
    the province to the assigner: that step and the pump runs after it are `assigner_seconds`."""
    import requests

    def move_to(moment: datetime) -> float:
        started = time.perf_counter()
        requests.post(f"{url}/local/clock", json={"to": moment.isoformat()}, timeout=600).raise_for_status()
        return time.perf_counter() - started

    def clock_now() -> datetime:
        return datetime.fromisoformat(requests.get(f"{url}/local/clock", timeout=60).json()["now"])

    window = timedelta(minutes=int(os.environ.get("ASSIGNMENT_WINDOW_MINUTES", "10")))
    mine = {j.request_id: j for j in phase.journeys if j.request_id}
    starts = {datetime.fromisoformat(item["window_start"]["S"]) for item in _scan(ddb, tables["requests"]) if item["request_id"]["S"] in mine}
    phase.windows = len(starts)
    now = clock_now()
    closes = max(starts) + window if starts else now
    if closes - timedelta(seconds=1) > now:
        phase.schedules_seconds = move_to(closes - timedelta(seconds=1))
    # The schedules take real time, which the service's clock counts too: from whichever is later.
    target = max(closes, clock_now()) + timedelta(seconds=61)
    phase.clock_moved = target - now
    started = time.perf_counter()
    move_to(target)
    before = None
    while time.perf_counter() < deadline:
        statuses = {item["request_id"]["S"]: item["status"]["S"] for item in _scan(ddb, tables["requests"]) if item["request_id"]["S"] in mine}
        if statuses == before or all(s != "waiting" for s in statuses.values()):
            break
        before = statuses
        requests.post(f"{url}/local/pump", json={}, timeout=600).raise_for_status()
        phase.pump_runs += 1
    phase.assigner_seconds = time.perf_counter() - started
    for item in _scan(ddb, tables["requests"]):
        j = mine.get(item["request_id"]["S"])
        if j is not None and item["status"]["S"] == "assigned":
            j.won = True
            j.appointment_ids.append(item["appointment_id"]["S"])


# --- Invariants, read straight from the tables -------------------------------------------------


def _scan(ddb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page["Items"])
    return items


def check_invariants(ddb: Any, tables: dict[str, str], phases: list[Phase]) -> dict[str, int]:
    """What the tables hold after the run, against capacity and against what clients were told.
    Each figure counts violations (all must be 0). A small local check; `bench/invariants.py`
    (the assigner's shared checker) replaces it once it is on main."""
    slots = {}
    for page in ddb.get_paginator("query").paginate(
        TableName=tables["slots"], ConsistentRead=True, KeyConditionExpression="directorate_id = :d",
        ExpressionAttributeValues={":d": {"S": DIRECTORATE}},
    ):
        for item in page["Items"]:
            slots[item["start"]["S"]] = (int(item.get("booked", {"N": "0"})["N"]), int(item["capacity"]["N"]))
    confirmed: dict[str, set[str]] = defaultdict(set)  # slot start -> appointment ids
    holders: Counter = Counter()  # applicant -> confirmed appointments in the directorate
    stored_ids = set()
    for item in _scan(ddb, tables["appointments"]):
        if item["directorate_id"]["S"] != DIRECTORATE or item["status"]["S"] != "confirmed":
            continue
        if item.get("place", {}).get("S") == "internal":
            continue  # kept-back places count in `internal_booked`, not here (none in this run)
        confirmed[item["slot_start"]["S"]].add(item["appointment_id"]["S"])
        holders[item["applicant_id"]["S"]] += 1
        stored_ids.add(item["appointment_id"]["S"])
    told = {a for phase in phases for j in phase.journeys for a in j.appointment_ids}
    gave_up = {j.applicant_id for phase in phases for j in phase.journeys if j.gave_up}
    assigned_to: Counter = Counter()
    wrong_owner = 0
    owners = {item["appointment_id"]["S"]: item["applicant_id"]["S"] for item in _scan(ddb, tables["appointments"])}
    untold = stored_ids - told  # of someone whose request got no answer: done, but never told (not a phantom)
    for item in _scan(ddb, tables["requests"]):
        if item["status"]["S"] == "assigned":
            appointment_id = item["appointment_id"]["S"]
            assigned_to[appointment_id] += 1
            wrong_owner += owners.get(appointment_id) != item["applicant_id"]["S"]
    return {
        "oversold places": sum(max(0, len(confirmed[s]) - capacity) for s, (_, capacity) in slots.items()),
        "counters over capacity": sum(booked > capacity for booked, capacity in slots.values()),
        "counters ≠ appointments": sum(abs(booked - len(confirmed[s])) for s, (booked, _) in slots.items()),
        "lost (told, not stored)": len(told - stored_ids),
        "phantom (stored, not told)": sum(owners[a] not in gave_up for a in untold),
        "people holding two": sum(n > 1 for n in holders.values()),
        "appointments assigned twice": sum(n > 1 for n in assigned_to.values()),
        "assigned to someone else": wrong_owner,
        "refused as if holding one": sum(j.refused_as_holder for phase in phases for j in phase.journeys),
    }


# --- Running it --------------------------------------------------------------------------------


def report(phase: Phase, out: TextIO) -> None:
    share = phase.fastest_share()
    print(f"load test, {phase.name} mode: {phase.requests / phase.seconds:.1f} requests/s, "
          f"{phase.wins} of {len(phase.journeys)} applicants served on {phase.places} places, "
          f"share won by the fastest 10 % of clients: {share:.1%}  "
          f"[{len(phase.journeys)} virtual applicants, {phase.requests} requests in {phase.seconds:.1f} s, "
          f"day {phase.day}, {DIRECTORATE} {SERVICE}; unfinished {phase.unfinished}"
          + ("; the load generator's CPU went over 90 %: rates may be bound by the generator" if phase.generator_saturated else "")
          + "]", file=out)
    print(f"  {'endpoint':<30} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}", file=out)
    for name, n, rps, p50, p95, p99 in phase.stats:
        print(f"  {name:<30} {n:>8} {rps:>7.1f} {p50:>7.0f} {p95:>7.0f} {p99:>7.0f}", file=out)
    if phase.assigner_seconds:
        print(f"  assigner: {phase.wins} assigned in {phase.assigner_seconds:.1f} s after the window closed "
              f"({phase.pump_runs + 1} pump runs; requests filed in {phase.windows} lottery window(s)); before it, the "
              f"schedules due as the clock moved {phase.clock_moved.total_seconds() / 60:.1f} min took "
              f"{phase.schedules_seconds:.1f} s", file=out)
    answers = ", ".join(f"{name} {status} {code}: {n}" for (name, status, code), n in sorted(phase.answers.items())) or "none"
    print(f"  answers other than 2xx, by status and code: {answers}", file=out)


def run(plan: Plan, out: TextIO) -> int:
    from bench.emulator_bench import dynamodb_client

    started = time.perf_counter()
    log = tempfile.NamedTemporaryFile("w", prefix="load-bench-", suffix=".log", delete=False)
    child, hand_over = start_stack(plan.open_applicants + plan.assigned_applicants, log)
    try:
        url, tables = hand_over["url"], hand_over["tables"]
        print(f"[load stack up in {hand_over['stack_seconds']:.1f} s; {len(hand_over['applicants'])} applicants made in "
              f"{hand_over['seed_seconds']:.1f} s; server log {log.name}]", file=sys.stderr, flush=True)
        people = [Journey(a["applicant_id"], a["token"], loopback_address(n)) for n, a in enumerate(hand_over["applicants"])]
        admin = Admin(url)
        days = list(admin.days_with_slots().items())
        if len(days) < 2:
            raise RuntimeError(f"{DIRECTORATE} offers {SERVICE} on fewer than two days")
        opened = Phase("open", people[: plan.open_applicants], day=days[0][0])
        assigned = Phase("assigned", people[plan.open_applicants:], day=days[1][0])
        opened.places = admin.release(days[0][1], round(len(opened.journeys) * PLACES_PER_APPLICANT))
        assigned.places = admin.release(days[1][1], round(len(assigned.journeys) * PLACES_PER_APPLICANT))

        admin.set_mode("open")
        run_phase(opened, url, plan, open_journey(opened))
        admin.set_mode("assigned")
        run_phase(assigned, url, plan, assigned_journey(assigned))
        ddb = dynamodb_client(hand_over["emulator"])
        run_assigner(assigned, url, ddb, tables, time.perf_counter() + plan.phase_seconds)
        invariants = check_invariants(ddb, tables, [opened, assigned])
    finally:
        stop(child)

    for phase in (opened, assigned):
        report(phase, out)
    broken = {name: n for name, n in invariants.items() if n}
    print(f"load test invariants: oversold {invariants['oversold places']}, "
          + ", ".join(f"{name} {n}" for name, n in invariants.items() if name != "oversold places")
          + f"; 5xx or dropped connections: {opened.server_errors + assigned.server_errors}"
          + f"; calendars showing the wrong mode: {assigned.wrong_mode}", file=out)
    timed_out = [j for phase in (opened, assigned) for j in phase.journeys if j.gave_up]
    if timed_out:
        print(f"  {len(timed_out)} clients got no answer to a request (client timeout {CLIENT_TIMEOUT_SECONDS} s, or a "
              f"dropped connection); what they asked for may still have been done", file=out)
    ok = not broken and not (opened.server_errors or assigned.server_errors or assigned.wrong_mode)
    if not ok:
        print(f"  load test FAILED; the server's log: {log.name}", file=out)
    else:
        os.unlink(log.name)
    print(f"[load test took {time.perf_counter() - started:.0f} s]", file=sys.stderr)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="hundreds of applicants instead of thousands")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # the child's own flag
    args = parser.parse_args(argv)
    if not args.in_process:  # a fresh interpreter: see "Isolation" in the module docstring
        return in_fresh_interpreter("bench.load_bench", argv)
    from gevent import monkey  # before anything opens a socket; Locust would do it on import

    monkey.patch_all()
    if args.smoke:
        smoke.announce(stack=True)
    elif args.quick:
        os.environ.setdefault("SLOT_HORIZON_DAYS", smoke.SLOT_HORIZON_DAYS)  # a faster start; two days suffice
    out = figures_stream()
    return run(SMOKE if args.smoke else QUICK if args.quick else FULL, out)


if __name__ == "__main__":
    raise SystemExit(main())
