"""The one-answer refusal of sign-up: does its timing tell the three refusals apart?

`python -m bench.identity_bench [--quick | --smoke]`, in a fresh interpreter with a local stack of
its own (`--smoke`, for the test suite: a few rounds, figures that are not measurements).
Side by side in one run, arms shuffled each round (the machine is shared: absolute times drift,
ratios hold), `POST /v1/auth/signup` for
1. a document the registry does not hold,
2. a record whose permit has expired (every detail typed right),
3. a record whose details do not match (one birth date off).
All three must answer 403 NOT_ELIGIBLE with byte-identical bodies; the medians of 2 and 3 over
the median of 1 should stay within the noise of the same call: 0.9 to 1.1, or no further from
1 than a second, identical "unknown" arm is (that line shows the noise itself).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

import requests
from stdnum.tr import tckimlik

from bench import smoke
from bench.booking_bench import interleaved, median_ms, ratio
from bench.process import figures_stream, in_fresh_interpreter, stdout_to

SEED = 20261128
ARMS = ("unknown", "unknown again", "expired", "mismatch")
LOW, HIGH = 0.9, 1.1


@dataclass(frozen=True)
class Plan:
    rounds: int
    warmup: int


FULL = Plan(rounds=80, warmup=8)
QUICK = Plan(rounds=15, warmup=3)
SMOKE = Plan(rounds=3, warmup=1)


@dataclass
class Measured:
    timings: dict[str, list[float]]
    bodies: set[bytes]
    errors: list[str]

    def ratio_to_unknown(self, arm: str) -> float:
        return ratio(self.timings[arm], self.timings["unknown"])


def _foreign_id(rng: random.Random) -> str:
    body = "99" + f"{rng.randrange(10**7):07d}"
    return body + tckimlik.calc_check_digits(body)


def measure(url: str, admin_token: str, plan: Plan, rng: random.Random) -> Measured:
    """Imports one expired and one valid record, then times the refusals side by side."""
    identity = {"given_name": "Reza", "family_name": "Tehrani", "birth_date": "1984-09-30", "nationality": "IR"}
    expired, valid = _foreign_id(rng), _foreign_id(rng)
    today = date.today()
    records = [
        {"document_number": expired, "permit_status": "residence_permit", "province": "34",
         "permit_valid_until": (today - timedelta(days=40)).isoformat(), **identity},
        {"document_number": valid, "permit_status": "residence_permit", "province": "34",
         "permit_valid_until": (today + timedelta(days=400)).isoformat(), **identity},
    ]
    imported = requests.post(f"{url}/v1/admin/residents", json={"records": records},
                             headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
    imported.raise_for_status()
    session = requests.Session()
    bodies: set[bytes] = set()
    errors: list[str] = []

    def arm(number: Callable[[], str], **changes: str) -> Callable[[], float]:
        def call() -> float:
            body = {
                "document_type": "foreign_id", "document_number": number(), **identity, **changes,
                "email": f"bench.{rng.randrange(10**12)}@example.net", "phone": f"+90555{rng.randrange(10**7):07d}",
                "password": "Secret123pass", "language": "fa",
            }
            started = time.perf_counter()
            answer = session.post(f"{url}/v1/auth/signup", json=body, timeout=60)
            elapsed = time.perf_counter() - started
            if answer.status_code != 403:
                errors.append(f"HTTP {answer.status_code}: {answer.text[:120]}")
            bodies.add(answer.content)
            return elapsed

        return call

    timings = interleaved(
        {
            "unknown": arm(lambda: _foreign_id(rng)),
            "unknown again": arm(lambda: _foreign_id(rng)),
            "expired": arm(lambda: expired),
            "mismatch": arm(lambda: valid, birth_date="1984-09-29"),
        },
        plan.rounds, plan.warmup, rng,
    )
    if len(bodies) != 1:
        errors.append(f"{len(bodies)} different refusal bodies")
    return Measured(timings, bodies, errors)


def run(plan: Plan, out) -> int:
    from bench import population
    from chalicelib.local import stack as local_stack

    log_file = tempfile.NamedTemporaryFile("w", prefix="identity-bench-", suffix=".log", delete=False)
    with stdout_to(log_file):
        os.environ.update(local_stack.LOAD_TEST_RATE_LIMITS)  # every bench client is 127.0.0.1
        stack = local_stack.start(port=0, pump_interval=None, seed_residents=False)
        stack.serve_in_background()
        try:
            measured = measure(stack.url, population.admin_token(stack.url), plan, random.Random(SEED))
        finally:
            stack.stop()
    print(f"sign-up refusals, median latency over 'not in the registry' (goal {LOW:g}..{HIGH:g}; n={plan.rounds} each, "
          f"bodies byte-identical: {'yes' if len(measured.bodies) == 1 else 'NO'}):", file=out)
    noise = abs(measured.ratio_to_unknown("unknown again") - 1)
    for name in ARMS[1:]:
        value = measured.ratio_to_unknown(name)
        within = abs(value - 1) <= max(HIGH - 1, noise)
        verdict = "the noise itself" if name == "unknown again" else ("within the noise: met" if within else "MISSED")
        print(f"  {name:<14} {value:.2f}x ({verdict})  [median {median_ms(measured.timings[name]):.1f} ms vs "
              f"{median_ms(measured.timings['unknown']):.1f} ms]", file=out)
    for message in measured.errors[:5]:
        print(f"  unexpected: {message}", file=out)
    if measured.errors:
        print(f"  identity bench FAILED; the app's log: {log_file.name}", file=out)
        return 1
    os.unlink(log_file.name)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="fewer rounds")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # the child's own flag
    args = parser.parse_args(argv)
    if not args.in_process:  # a fresh interpreter: moto's state is per process
        return in_fresh_interpreter("bench.identity_bench", argv)
    out = figures_stream()
    if args.smoke:
        smoke.announce(stack=True)
    return run(SMOKE if args.smoke else QUICK if args.quick else FULL, out)


if __name__ == "__main__":
    raise SystemExit(main())
