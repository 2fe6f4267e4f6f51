"""`make bench` / `python -m bench [--quick | --smoke]`: every benchmark of the project, each printing
ratios measured side by side in one run (absolute times drift on a shared machine)."""

from __future__ import annotations

import sys

from bench import assignment_bench, availability_bench, booking_bench, capacity_bench, emulator_bench, fanout_bench, identity_bench, load_bench, portal_bench, sms_bench


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    failed = emulator_bench.main(argv) or 0
    # In a fresh interpreter of its own (see booking_bench's docstring): moto's state is per process.
    failed = booking_bench.main(argv) or failed
    failed = assignment_bench.main(argv) or failed  # a fresh interpreter too
    failed = portal_bench.main(argv) or failed  # and this one
    failed = identity_bench.main(argv) or failed  # and this one
    failed = sms_bench.main(argv) or failed  # in-process: it renders texts, no stack
    failed = fanout_bench.main(argv) or failed  # a fresh interpreter, an in-process emulator
    failed = availability_bench.main(argv) or failed  # a fresh interpreter too
    failed = load_bench.main(argv) or failed  # Locust, in a fresh interpreter, against a stack process
    failed = capacity_bench.main(argv) or failed  # a fresh interpreter: docs/capacity.md's figures
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
