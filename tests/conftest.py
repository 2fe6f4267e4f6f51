"""How the suite is spread over processes: pytest-xdist, one worker per core (pytest.ini:
`-n auto --dist loadfile --no-loadscope-reorder`), with the units of work below.

A unit of work runs whole, in collection order, in one worker. Units go to the workers in
collection order, so each worker runs a subsequence of the serial order: a test never sees on
its worker's shared stack the work of a module that comes after it (a clock moved forward, say).

- By default a test module is a unit: its module fixtures start once, and its tests live
  through the same history as in a serial run.
- `TOGETHER` folders are one unit: their modules share an expensive session fixture (the CDK
  synthesis of tests/infrastructure), which a second worker would build again.
- In `APART` modules each test is a unit of its own: long, self-contained tests (each bench
  smoke run is a process of its own) that would otherwise queue in one worker.

Each worker has its own session fixtures: its own shared local stack (tests/http/conftest.py),
its own browser, its own in-process emulator (tests/services/conftest.py). `-n 0` runs the suite
in this one process (for `-s`, `--pdb`, or one quick file).
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadFileScheduling

TOGETHER = ("tests/infrastructure/",)
APART = ("tests/bench/test_smoke.py",)


def unit_of_work(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    together = next((folder for folder in TOGETHER if module.startswith(folder)), None)
    if together:
        return together
    return nodeid if module in APART else module


class UnitsOfWork(LoadFileScheduling):
    """xdist's file-by-file scheduling with `unit_of_work` as the scope. (xdist's own
    `--dist loadgroup` marks do not reach the scheduler under pytest 9: it rewrites a private
    node attribute that pytest 9 no longer reads.)"""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of_work(nodeid)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") == "loadfile":
        return UnitsOfWork(config, log)
    return None
