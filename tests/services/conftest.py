"""Use cases against the real adapters on an in-process emulator (no HTTP in between), for
rules that need a controlled clock or a look at the stored items."""

from __future__ import annotations

import boto3
import pytest

from chalicelib import wiring
from chalicelib.clock import clock
from chalicelib.local.emulator import Emulator
from chalicelib.local.provision import provision
from chalicelib.resources import resources
from tests.clock_at import restore_clock

# Its own region, so nothing else in this process's moto shares these tables.
REGION = "eu-west-3"


@pytest.fixture(scope="session")
def aws():
    with pytest.MonkeyPatch.context() as env, Emulator() as emulator:
        env.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)
        for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
            env.setenv(name, REGION)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        local = provision(boto3.session.Session(region_name=REGION), resources(), endpoint_url=emulator.endpoint_url)
        for key, value in local.environment().items():
            env.setenv(key, value)
        wiring.reset()
        yield local
    wiring.reset()


@pytest.fixture(scope="session", autouse=True)
def chosen_hour():
    """TEST_ISTANBUL_TIME (tests/clock_at.py): the whole run starts at that Istanbul time."""
    restore_clock()
    yield
    clock.reset()


@pytest.fixture
def frozen_clock():
    yield clock
    restore_clock()
