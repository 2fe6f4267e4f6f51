"""The stack is synthesized once per test session (tests/infrastructure/synthesis.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.resources import QueueDefinition, Resources, resources
from chalicelib.settings import resource_prefix
from tests.infrastructure.synthesis import Synthesized, synthesize


@pytest.fixture(scope="session")
def described() -> Resources:
    # The service's resources, plus a queue whose settings are not QueueDefinition's defaults,
    # so that what the stack (and provisioning) builds is seen to come from each definition.
    real = resources()
    probe = QueueDefinition(f"{resource_prefix()}-probe", max_receive_count=3, local_visibility_timeout_seconds=0)
    return replace(real, queues=real.queues + (probe,))


@pytest.fixture(scope="session")
def synthesized(described: Resources, tmp_path_factory) -> Synthesized:
    return synthesize(described, tmp_path_factory.mktemp("cdk"))
