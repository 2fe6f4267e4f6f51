"""The load test's server process: the local stack `make run` starts, with a release day's
applicants already signed up, serving on loopback until it is told to stop (SIGTERM).

`python -m bench.load_stack --applicants N --out FILE` starts `chalicelib.local.stack` exactly as
`python -m chalicelib.local` does (a free port on 127.0.0.1, the event pump every second, the
rate limits of `domain/limits.RateLimits` as in production: nothing is raised), then makes N
applicants of İstanbul with `bench.population.create_applicants_in_process` (the registry import,
sign-up, the SMS code from the outbox, confirmation and sign-in, called in this process: see
there why), writes what the load generator needs to FILE as JSON and serves.

The load generator (`bench/load_bench.py`) runs in another process: Locust monkey-patches the
standard library for gevent, which must not reach the stack's threads.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

PROVINCE = "34"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, required=True)
    parser.add_argument("--out", required=True, help="where to write the JSON hand-over")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args(argv)

    from bench import population
    from chalicelib.adapters import tables as models
    from chalicelib.local import stack as local_stack

    started = time.perf_counter()
    stack = local_stack.start(port=0)  # as `make run`: the pump every second
    stack.serve_in_background()
    stack_s = time.perf_counter() - started
    started = time.perf_counter()
    people = population.create_applicants_in_process(stack.outbox, args.applicants, province=PROVINCE, seed=args.seed)
    seed_s = time.perf_counter() - started
    hand_over = {
        "url": stack.url,
        "emulator": stack.emulator.endpoint_url,
        "tables": {
            "appointments": models.Appointment.Meta.table_name,
            "slots": models.Slot.Meta.table_name,
            "requests": models.AssignmentRequest.Meta.table_name,
        },
        "applicants": [{"applicant_id": p.applicant_id, "token": p.token} for p in people],
        "stack_seconds": stack_s,
        "seed_seconds": seed_s,
    }
    with open(f"{args.out}.part", "w") as out:
        json.dump(hand_over, out)
    os.replace(f"{args.out}.part", args.out)  # the generator waits for the whole file
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("load stack ready", file=sys.stderr, flush=True)
    try:
        signal.pause()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
