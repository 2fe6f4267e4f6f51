"""What the tests of the local stack share: an embedded emulator of their own per module."""

import pytest

from chalicelib.local.emulator import Emulator


@pytest.fixture(scope="module")
def emulator():
    with Emulator() as running:
        yield running
