"""What every benchmark's `--smoke` run shares.

A smoke run is a benchmark at a size far below measuring: it executes every code path and
prints every figure line, so that `make test` (tests/bench/test_smoke.py) notices a benchmark
that no longer runs. Its numbers mean nothing, and it says so; a missed performance goal never
fails it, only a broken invariant (oversell, a lost write...) does, as in a real run.
"""

from __future__ import annotations

import argparse
import os
import sys

NOTE = "[smoke run: figures are not measurements]"

# The local stack opens every directorate's days of the booking horizon at start, one
# transaction per directorate and day: most of a stack's start-up (21 days by default). The
# benchmarks need a first working day to book or assign on and a later full one to release
# (the assignment bench): twelve days hold at least two full working days whatever the date,
# even around Kurban Bayramı (its four days, the weekends next to them, its half-day eve and a
# national holiday falling close by); ten would not.
SLOT_HORIZON_DAYS = "12"


def add_size_flags(parser: argparse.ArgumentParser, quick: str) -> None:
    """`--quick` (help text `quick`) and `--smoke`, which exclude each other."""
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help=quick)
    sizes.add_argument("--smoke", action="store_true",
                       help="the smallest run that executes every code path and prints every figure "
                            "(for the test suite: the figures are not measurements)")


def announce(stack: bool = False) -> None:
    """Says on stderr that the figures to come are not measurements; with `stack`, also
    shortens the slot horizon of the local stack this process is about to start."""
    if stack:
        os.environ.setdefault("SLOT_HORIZON_DAYS", SLOT_HORIZON_DAYS)
        print(f"{NOTE} (slot horizon {os.environ['SLOT_HORIZON_DAYS']} days)", file=sys.stderr, flush=True)
    else:
        print(NOTE, file=sys.stderr, flush=True)


def size(count: int) -> str:
    """A table size for a figure's label: '100k' for 100,000, '1k' for 1,000; a size that is
    no whole thousand as it is ('21,121')."""
    return f"{count // 1000}k" if count and count % 1000 == 0 else f"{count:,}"
