"""Availability page cost at a small and a large slot partition, side by side (issue 13, item 4).

The page (`services.booking.availability`, a 7-day view of one service, as staff: no permit
bound) is measured against the embedded emulator, in-process, for two directorates whose slot
partitions hold SMALL and LARGE slots (the booking horizon's days, plus earlier days as a
directorate's history accumulates). Each is measured twice, alternating: served from the
availability summary (services/availability.py, rebuilt from the slots) and read from the slots
themselves (what the page did before; still its fallback while a summary is not complete).

Printed: the median latency at each size and their ratio, and per page view the data-store
calls and the items they read (Query's ScannedCount, each item of a GetItem/TransactGetItems),
counted at PynamoDB's connection. Figures are ratios measured in one run: absolute times drift
on a shared machine.

Run from the repository root:  python -m bench.availability_bench [--quick | --smoke]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

from bench import smoke
from bench.process import figures_stream, in_fresh_interpreter, stdout_to

REGION = "eu-west-3"
SERVICE = "address_registration"
SMALL_DIRECTORATE, LARGE_DIRECTORATE = "42-merkez", "41-merkez"


@dataclass(frozen=True)
class Plan:
    small: int
    large: int
    rounds: int


FULL = Plan(small=1_000, large=100_000, rounds=60)
QUICK = Plan(small=1_000, large=20_000, rounds=20)
SMOKE = Plan(small=200, large=400, rounds=2)


class Meter:
    """Data-store calls and items read, counted at PynamoDB's connection (bench only)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items = 0

    def install(self) -> None:
        from pynamodb.connection.base import Connection

        original = Connection._make_api_call
        meter = self

        def counted(connection, operation_name, operation_kwargs):
            response = original(connection, operation_name, operation_kwargs)
            meter.calls[operation_name] += 1
            if operation_name in ("Query", "Scan"):
                meter.items += int(response.get("ScannedCount", response.get("Count", 0)))
            elif operation_name == "GetItem":
                meter.items += 1 if response.get("Item") else 0
            elif operation_name == "TransactGetItems":
                meter.items += sum(1 for r in response.get("Responses", []) if r.get("Item"))
            elif operation_name == "BatchGetItem":
                meter.items += sum(len(v) for v in response.get("Responses", {}).values())
            return response

        Connection._make_api_call = counted

    def reset(self) -> None:
        self.calls.clear()
        self.items = 0


def _fill_history(directorate_id: str, count: int, today: date) -> None:
    """Earlier days' slots, 16 a day, until the partition holds `count` slots."""
    from chalicelib.adapters.tables import Slot

    have = sum(1 for _ in Slot.query(directorate_id, Slot.start >= today.isoformat()))  # the horizon's
    missing = max(count - have, 0)
    day = today - timedelta(days=1)
    with Slot.batch_write() as batch:
        written = 0
        while written < missing:
            for n in range(16):
                if written >= missing:
                    break
                start = f"{day.isoformat()}T{8 + n // 2:02d}:{30 * (n % 2):02d}"
                end = f"{day.isoformat()}T{8 + (n + 1) // 2:02d}:{30 * ((n + 1) % 2):02d}"
                batch.save(Slot(directorate_id, start, end=end, capacity=3, booked=3,
                                services={SERVICE, "biometrics"}, is_open=True))
                written += 1
            day -= timedelta(days=1)


def run(plan: Plan, out: TextIO) -> int:
    import boto3

    from chalicelib import wiring
    from chalicelib.local.emulator import Emulator
    from chalicelib.local.provision import provision
    from chalicelib.resources import resources

    with Emulator() as emulator:
        os.environ.update({"AWS_ENDPOINT_URL": emulator.endpoint_url, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
                           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
        local = provision(boto3.session.Session(region_name=REGION), resources(), endpoint_url=emulator.endpoint_url)
        os.environ.update(local.environment())
        wiring.reset()
        return _measure(plan, out)


def _measure(plan: Plan, out: TextIO) -> int:
    from chalicelib.adapters import availability_summary as summary_store
    from chalicelib.adapters.tables import AvailabilityDay, Slot
    from chalicelib.clock import clock
    from chalicelib.contract import AvailabilityQuery
    from chalicelib.domain.catalogue import find_directorate
    from chalicelib.domain.roles import Caller, Role
    from chalicelib.services import availability, booking
    from chalicelib.services.catalogue import extend_slot_horizon

    caller = Caller("bench-admin", frozenset({Role.ADMIN}))
    sizes = {SMALL_DIRECTORATE: plan.small, LARGE_DIRECTORATE: plan.large}
    for directorate_id, count in sizes.items():
        extend_slot_horizon(only=(find_directorate(directorate_id),))
        _fill_history(directorate_id, count, clock.today())
        availability.rebuild(directorate_id)
    meter = Meter()
    meter.install()
    timings: dict[tuple[str, str], list[float]] = {}
    reads: dict[tuple[str, str], tuple[int, int]] = {}
    for _ in range(plan.rounds):
        for path in ("summary", "slots"):
            for directorate_id in sizes:
                if path == "slots":  # as before the summary: the page reads the slots themselves
                    AvailabilityDay._get_connection().delete_item(*summary_store.built_item(directorate_id))
                query = AvailabilityQuery.model_validate({"directorate": directorate_id, "service": SERVICE, "days": 7})
                meter.reset()
                started = time.perf_counter()
                page = booking.availability(caller, query)
                timings.setdefault((path, directorate_id), []).append((time.perf_counter() - started) * 1000)
                reads[(path, directorate_id)] = (sum(meter.calls.values()), meter.items)
                if path == "slots":
                    summary_store.mark_built(directorate_id, time.time())
                assert page.slots, "the bench's page shows no slot"
    # The invariant the page may never break: no slot over its capacity.
    for directorate_id in sizes:
        for slot in Slot.query(directorate_id):
            assert slot.booked <= slot.capacity and (slot.internal_booked or 0) <= (slot.internal or 0), slot.start
    small, large = smoke.size(plan.small), smoke.size(plan.large)
    for path, label in (("summary", "availability page at"), ("slots", "  read from the slots instead (before the summary):")):
        a, b = (statistics.median(timings[(path, d)]) for d in sizes)
        (calls_a, items_a), (calls_b, items_b) = (reads[(path, d)] for d in sizes)
        print(f"{label} {small} vs {large} slots in the partition: {b / a:.2f}x "
              f"[median {a:.1f} vs {b:.1f} ms; per view {calls_a} vs {calls_b} data-store calls reading "
              f"{items_a} vs {items_b} items; n={plan.rounds}]", file=out)
    _statistics_read(plan, out, meter)
    return 0


def _statistics_read(plan: Plan, out: TextIO, meter: Meter) -> None:
    """The public statistics read (one Query of a province's published days) against a bare
    GetItem of one published day, alternating."""
    from chalicelib.adapters.tables import PublicStatistic, Slot
    from chalicelib.clock import clock
    from chalicelib.contract import StatisticsQuery
    from chalicelib.domain.catalogue import find_directorate
    from chalicelib.services import statistics

    today = clock.today()
    images = [slot.serialize() for slot in Slot.query(SMALL_DIRECTORATE, Slot.start >= today.isoformat())]
    records = [{"dynamodb": {"Keys": {k: image[k] for k in ("directorate_id", "start")}, "NewImage": image,
                             "SequenceNumber": str(n + 1)}} for n, image in enumerate(images)]
    for at in range(0, len(records), 100):
        assert statistics.handle_slot_batch({"Records": records[at:at + 100]}) == {"batchItemFailures": []}
    province = find_directorate(SMALL_DIRECTORATE).province
    query = StatisticsQuery.model_validate({"province": province, "from": today.isoformat(), "days": 14})
    row = next(iter(PublicStatistic.query(f"province#{province}")))
    read, bare = [], []
    for _ in range(plan.rounds):
        meter.reset()
        started = time.perf_counter()
        answer = statistics.statistics(query)
        read.append((time.perf_counter() - started) * 1000)
        calls, items = sum(meter.calls.values()), meter.items
        started = time.perf_counter()
        PublicStatistic.get(row.key, row.item)
        bare.append((time.perf_counter() - started) * 1000)
    a, b = statistics_median(read), statistics_median(bare)
    print(f"statistics read vs a bare GetItem: {a / b:.2f}x [median {a:.1f} vs {b:.1f} ms; per read {calls} data-store "
          f"call(s) reading {items} items: {len(answer.days)} days of a province; n={plan.rounds}]", file=out)


def statistics_median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="20k slots instead of 100k, fewer rounds")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.in_process:  # moto's state is per process: an emulator of its own
        return in_fresh_interpreter("bench.availability_bench", argv)
    os.environ.setdefault("SLOT_HORIZON_DAYS", "14")
    if args.smoke:
        smoke.announce()
    out = figures_stream()
    with open(os.devnull, "w") as quiet, stdout_to(quiet):  # the app's log lines, not among the figures
        return run(SMOKE if args.smoke else QUICK if args.quick else FULL, out)


if __name__ == "__main__":
    raise SystemExit(main())
