"""What the portal's pages cost on top of the API they share the use cases with.

`python -m bench.portal_bench [--quick | --smoke]`, in a fresh interpreter with a local stack of its own
(as `make run` starts it, without the event pump). Side by side in one run, arms shuffled each
round (the machine is shared: absolute times drift, ratios hold):

1. the booking calendar page (`GET /book/day`: session, sign-in check, 31 days of availability,
   the template) vs the same 31 days from the API (`GET /v1/availability`): goal ≤ 1.5;
2. the start page for a first visitor (no session: nothing is read or written, no cookie is
   set) vs a visitor who has a session (one read): what a crawler or a flood of first visits
   costs.

`--smoke` (for the test suite) runs one round after one warm-up round, on a stack with a shorter
slot horizon (`bench/smoke.py`): its figures are not measurements.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

import requests

from bench import smoke
from bench.booking_bench import goal, interleaved, median_ms, ratio
from bench.process import figures_stream, in_fresh_interpreter, stdout_to

SEED = 20261127
SERVICE = "address_registration"
DIRECTORATE = "06-merkez"


@dataclass(frozen=True)
class Plan:
    rounds: int
    warmup: int


FULL = Plan(rounds=60, warmup=5)
QUICK = Plan(rounds=12, warmup=2)
SMOKE = Plan(rounds=1, warmup=1)


def signed_in_portal(url: str, email: str, password: str) -> requests.Session:
    """A browser-like session: the cookie, the CSRF token of the sign-in form, signed in."""
    session = requests.Session()
    form = session.get(f"{url}/sign-in?lang=en", timeout=60)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    answer = session.post(f"{url}/sign-in", data={"csrf": csrf, "email": email, "password": password}, timeout=60)
    if not answer.url.endswith("/book"):
        raise RuntimeError(f"portal sign-in failed: {answer.status_code} {answer.url}")
    return session


def timed(call: Callable[[], requests.Response], errors: list[str], name: str) -> Callable[[], float]:
    def arm() -> float:
        started = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            errors.append(f"{name}: HTTP {response.status_code}")
        return elapsed

    return arm


def run(plan: Plan, out) -> int:
    from bench import population
    from chalicelib.local import stack as local_stack

    log_file = tempfile.NamedTemporaryFile("w", prefix="portal-bench-", suffix=".log", delete=False)
    errors: list[str] = []
    with stdout_to(log_file):
        os.environ.update(local_stack.LOAD_TEST_RATE_LIMITS)  # every bench client is 127.0.0.1
        stack = local_stack.start(port=0, pump_interval=None)
        stack.serve_in_background()
        try:
            url = stack.url
            [person] = population.create_applicants(url, 1, province="06", seed=SEED)
            portal = signed_in_portal(url, person.email, population.PASSWORD)
            api = requests.Session()
            known = requests.Session()
            known.get(f"{url}/sign-in", timeout=60)  # a form: has its session from now on
            if not known.cookies:
                errors.append("a visitor who saw a form has no session cookie")
            day = f"service={SERVICE}&directorate={DIRECTORATE}"
            calendar = interleaved(
                {
                    "page": timed(lambda: portal.get(f"{url}/book/day?{day}", timeout=60), errors, "calendar page"),
                    "api": timed(lambda: api.get(f"{url}/v1/availability?{day}&days=31", headers={"Authorization": f"Bearer {person.token}"}, timeout=60),
                                 errors, "availability"),
                },
                plan.rounds, plan.warmup, random.Random(SEED),
            )
            start = interleaved(
                {
                    "known": timed(lambda: known.get(f"{url}/", timeout=60), errors, "start page, known"),
                    "first": timed(lambda: requests.get(f"{url}/", timeout=60), errors, "start page, first visit"),
                },
                plan.rounds, plan.warmup, random.Random(SEED + 1),
            )
        finally:
            stack.stop()

    page_vs_api = ratio(calendar["page"], calendar["api"])
    print(f"calendar page vs the same 31 days from the API: {page_vs_api:.2f}x ({goal(page_vs_api, 1.5)})  "
          f"[median page {median_ms(calendar['page']):.1f} ms, API {median_ms(calendar['api']):.1f} ms, n={plan.rounds} each]", file=out)
    first_vs_known = ratio(start["first"], start["known"])
    print(f"start page, first visit (no session read or written) vs a visitor with a session: {first_vs_known:.2f}x  "
          f"[median {median_ms(start['first']):.1f} ms vs {median_ms(start['known']):.1f} ms, n={plan.rounds} each]", file=out)
    for message in errors[:5]:
        print(f"  unexpected: {message}", file=out)
    if errors:
        print(f"  portal bench FAILED; the app's log: {log_file.name}", file=out)
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
        return in_fresh_interpreter("bench.portal_bench", argv)
    if args.smoke:
        smoke.announce(stack=True)
    out = figures_stream()
    return run(SMOKE if args.smoke else QUICK if args.quick else FULL, out)


if __name__ == "__main__":
    raise SystemExit(main())
