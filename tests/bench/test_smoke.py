"""Every benchmark has a tiny smoke run inside `make test`, so it cannot rot unseen.

Each benchmark runs with `--smoke` (every code path, every figure line, at a size where the
numbers mean nothing) in a process of its own, as `make bench` would run it. The test asserts
that it ends well and prints each of its figures; never how fast anything was.

A new benchmark: add its module and the start of each of its figure lines to BENCHMARKS.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.smoke import NOTE

ROOT = Path(__file__).resolve().parents[2]
SMOKE_SECONDS = 600  # a smoke run takes well under a minute; this only stops a hung one

# bench/<module>.py -> how each of its figure lines starts (a regular expression matched at the
# start of a line of standard output).
BENCHMARKS: dict[str, list[str]] = {
    "emulator_bench": [
        r"txn-cost ratio \(\S+/\S+ items\): ",
        r"lost writes under \d+ concurrent clients: ",
    ],
    "booking_bench": [
        r"booking vs bare transaction: ",
        r"  the booking use case alone vs bare transaction: ",
        r"data-store calls per successful booking: ",
        r"booking at \S+ vs \S+ slots: ",
        r"availability page vs bare query: ",
        r"  the bare query alone: ",
        r"bookings with \d+ concurrent clients: ",
        r"cold start, import app vs boto3 client: ",
    ],
    "assignment_bench": [
        r"assignment throughput vs bare TransactWriteItems: ",
        r"  where an assignment's ",
        r"  (serving a province of one directorate costs|\(too few requests per province for a cost model)",
        r"release day, share of places won by the 10 % fast clients: ",
        r"  open mode per trial: ",
        r"assigning \S+ places, \S+ vs \S+ waiting: \S+x the cost ",
        r"assignment throughput at \S+ places vs bare \d+-item transactions: ",
    ],
    "identity_bench": [
        r"sign-up refusals, median latency over 'not in the registry' ",
        r"  unknown again +\S+x \(the noise itself\)",
        r"  expired +\S+x ",
        r"  mismatch +\S+x ",
    ],
    "sms_bench": [
        r"sms segments per appointment, tr: before \S+ \(max \d+, UCS-2\), after \S+ \(max [123], GSM-7\); ",
        r"sms segments per appointment, en: before \S+ \(max \d+, UCS-2\), after \S+ \(max [123], GSM-7\); ",
        r"sms segments per appointment, ar: before \S+ \(max \d+, UCS-2\), after \S+ \(max [1234], UCS-2\); ",
        r"sms segments per appointment, fa: before \S+ \(max \d+, UCS-2\), after \S+ \(max [1234], UCS-2\); ",
        r"sms segments per appointment, ru: before \S+ \(max \d+, UCS-2\), after \S+ \(max [1234], UCS-2\); ",
        r"sms segments per appointment, uk: before \S+ \(max \d+, UCS-2\), after \S+ \(max [1234], UCS-2\); ",
    ],
    "fanout_bench": [
        r"fan-out reminders, biggest invocation at .+: \d+ vs \d+ items = \S+x \(goal ~1x, bound \d+: ",
        r"fan-out no-show sweep, biggest invocation at .+: \d+ vs \d+ items = \S+x \(goal ~1x, bound \d+: ",
        r"fan-out horizon and demand rule over \d+ directorates: ",
    ],
    "availability_bench": [
        r"availability page at \S+ vs \S+ slots in the partition: ",
        r"  read from the slots instead \(before the summary\): \S+ vs \S+ slots in the partition: ",
        r"statistics read vs a bare GetItem: ",
    ],
    "load_bench": [
        r"load test, open mode: \S+ requests/s, \d+ of \d+ applicants served on \d+ places, share won by the fastest 10 % of clients: ",
        r"  GET /v1/availability +\d+ ",
        r"  POST /v1/appointments +\d+ ",
        r"load test, assigned mode: \S+ requests/s, \d+ of \d+ applicants served on \d+ places, share won by the fastest 10 % of clients: ",
        r"  POST /v1/assignment-requests +\d+ ",
        r"  assigner: \d+ assigned in ",
        r"  answers other than 2xx, by status and code: ",
        r"load test invariants: oversold 0, ",
    ],
    "capacity_bench": [
        r"capacity per step \(DynamoDB on-demand read and write request units",
        r"  booking +\S+ RRU +\S+ WRU ",
        r"  one booking in all +\S+ RRU +\S+ WRU +\S+ SMS \(\S+ segments\) \S+ email ",
        r"  one assignment in all +\S+ RRU +\S+ WRU ",
        r"places a working day: largest directorate \(\S+\) [\d,]+, İstanbul [\d,]+, the country [\d,]+",
        r"  the country +release day: ",
        r"  İstanbul's release filed in its first 10 minutes: ",
    ],
    "portal_bench": [
        r"calendar page vs the same 31 days from the API: ",
        r"start page, first visit \(no session read or written\) vs a visitor with a session: ",
    ],
}


def run_smoke(module: str) -> subprocess.CompletedProcess:
    """`python -m bench.<module> --smoke` from the repository root. In a session of its own, so
    that a hung run is stopped with the fresh interpreter it started for its measurement."""
    process = subprocess.Popen([sys.executable, "-m", f"bench.{module}", "--smoke"], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=SMOKE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"bench.{module} --smoke did not end within {SMOKE_SECONDS} s\n{stdout}\n{stderr[-4000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_every_benchmark_has_a_smoke_run_here():
    on_disk = {path.stem for path in (ROOT / "bench").glob("*_bench.py")}
    assert on_disk == set(BENCHMARKS), "list each bench/*_bench.py in BENCHMARKS, with its figure lines"


@pytest.mark.timeout(SMOKE_SECONDS + 60)
@pytest.mark.parametrize("module", BENCHMARKS)
def test_smoke_run_ends_well_and_prints_every_figure(module):
    result = run_smoke(module)
    output = f"stdout:\n{result.stdout}\nstderr (end):\n{result.stderr[-4000:]}"
    assert result.returncode == 0, output
    missing = [figure for figure in BENCHMARKS[module] if not re.search(f"^{figure}", result.stdout, re.MULTILINE)]
    assert not missing, f"figure lines missing: {missing}\n{output}"
    assert NOTE in result.stderr, "a smoke run says that its figures are not measurements"
