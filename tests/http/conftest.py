"""HTTP tests run against the real local stack, started as `make run` starts it, in its own
process on a free port, with its log captured to a file (stack-notes 5: concurrency goes over
real HTTP)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests

from chalicelib.local.stack import LOAD_TEST_RATE_LIMITS
from tests.clock_at import chosen_moment
from tests.http.client import ADMIN_EMAIL, ADMIN_PASSWORD, HANG_GUARD_SECONDS, Api

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 180


# The stack binds a port of its own choosing (PORT=0) and names it in its start banner
# (chalicelib/local/__main__.py): a port picked here and bound there could be taken in between
# by another stack (the suite runs in several workers, each with stacks of its own).
READY_BANNER = re.compile(r"^\s*API:\s+(http://127\.0\.0\.1:\d+)/v1/health", re.MULTILINE)


@pytest.fixture(scope="session")
def server_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("local-stack") / "server.log"


@pytest.fixture(scope="session")
def base_url(server_log: Path):
    # The race tests book hundreds of appointments a minute on purpose: the demand rule would
    # rightly switch their directorate to assigned mode. Its thresholds are tested at service
    # level (tests/services/test_assignment.py); here a rush never switches a mode.
    # Likewise, every test client is 127.0.0.1: the per-IP and per-account limits are raised here
    # (LOAD_TEST_RATE_LIMITS) and their defaults tested on a stack of their own (test_flood.py).
    env = {**os.environ, "DEMAND_MAX_BOOKINGS_PER_MINUTE": "1000000", "DEMAND_ASSIGN_BELOW_FREE_SHARE": "0", **LOAD_TEST_RATE_LIMITS}
    process, url = start_stack(env, server_log)
    yield url
    process.terminate()
    process.wait(timeout=30)


def start_stack(env: dict[str, str], server_log: Path) -> tuple[subprocess.Popen, str]:
    """A local stack in its own process with `env`, answering on a free port, its clock at
    TEST_ISTANBUL_TIME when that is set."""
    env = {**env, "PORT": "0", "PYTHONUNBUFFERED": "1"}
    with server_log.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "chalicelib.local"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"the local stack exited during start:\n{server_log.read_text()[-4000:]}")
        ready = READY_BANNER.search(server_log.read_text())
        if ready:
            url = ready.group(1)
            try:
                if requests.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # too busy starting to answer
                pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the local stack did not answer within {STARTUP_SECONDS} s")
        time.sleep(0.2)  # polling for readiness, not papering over a race
    moment = chosen_moment(datetime.fromisoformat(requests.get(f"{url}/local/clock", timeout=5).json()["now"]))
    if moment is not None:  # TEST_ISTANBUL_TIME (tests/clock_at.py): the stack's clock starts there
        # Hours ahead, the move runs every schedule those hours owe: minutes on two busy cores.
        moved = requests.post(f"{url}/local/clock", json={"to": moment.isoformat()}, timeout=HANG_GUARD_SECONDS)
        assert moved.status_code == 200
    return process, url


@pytest.fixture(scope="session")
def browser():
    """One Chromium (Debian's package, installed by `make test`) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def api(base_url) -> Api:
    return Api(base_url)


@pytest.fixture(scope="session")
def admin_token(api: Api) -> str:
    return api.login(ADMIN_EMAIL, ADMIN_PASSWORD)


def sms_code_for(api: Api, phone_e164: str) -> str:
    messages = [m for m in api.get("/local/outbox").json() if m["channel"] == "sms" and m["to"] == phone_e164]
    assert messages, "no SMS reached this phone"
    return re.search(r"\b(\d{6})\b", messages[-1]["body"]).group(1)
