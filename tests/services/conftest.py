"""Use cases against the real adapters on an in-process emulator (no HTTP in between), for
rules that need a controlled clock or a look at the stored items."""

from __future__ import annotations

import boto3
import pytest
import requests

from chalicelib import wiring
from chalicelib.clock import clock
from chalicelib.local.emulator import Emulator
from chalicelib.local.provision import provision
from chalicelib.resources import resources
from tests.clock_at import restore_clock

# Its own region, so nothing else in this process's moto shares these tables.
REGION = "eu-west-3"


@pytest.fixture(scope="session")
def emulator():
    with Emulator() as running:
        yield running


@pytest.fixture(scope="module")
def aws(emulator):
    """An empty AWS for each test module: moto's state is reset and the resources provisioned
    again, so that no module meets what another left in its worker (a slot filled at Fatih, a
    message on a queue, a province's demand mode). Three CI failures came from such leftovers,
    each in a different module."""
    reply = requests.post(f"{emulator.endpoint_url}/moto-api/reset", timeout=60)
    assert reply.status_code == 200, reply.text
    with pytest.MonkeyPatch.context() as env:
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
