"""The CDK stack, synthesized offline once per test session (packaging the app is the slow
part), for every test module of this folder."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")  # before jsii starts

import aws_cdk as cdk  # noqa: E402
import pytest  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from chalicelib.resources import QueueDefinition, Resources, resources  # noqa: E402
from chalicelib.settings import reset_settings, resource_prefix  # noqa: E402
from infrastructure.stacks.appointments import AppointmentsStack  # noqa: E402

REGION = "eu-central-1"


@dataclass(frozen=True)
class Synthesized:
    stack: AppointmentsStack
    template: Template
    json: dict[str, Any]
    resources: Resources
    prefix: str
    seconds: float

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return self.template.find_resources(resource_type)

    def logical_id(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)


@pytest.fixture(scope="session")
def described() -> Resources:
    # The service's resources, plus a queue whose settings are not QueueDefinition's defaults,
    # so that what the stack (and provisioning) builds is seen to come from each definition.
    real = resources()
    probe = QueueDefinition(f"{resource_prefix()}-probe", max_receive_count=3, local_visibility_timeout_seconds=0)
    return replace(real, queues=real.queues + (probe,))


@pytest.fixture(scope="session")
def synthesized(described: Resources, tmp_path_factory) -> Synthesized:
    """One synthesis for the whole session (packaging the app is the slow part)."""
    workdir = tmp_path_factory.mktemp("cdk")
    # Chalice packaging imports the service's `app` module and exports the stage's variables
    # into this process: both are undone afterwards, for the tests that run after this module.
    saved_environment = dict(os.environ)
    app_was_imported = "app" in sys.modules
    prefix = resource_prefix()
    started = time.monotonic()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(workdir)  # Chalice packages into ./chalice.out
            patch.setenv("AWS_DEFAULT_REGION", REGION)  # its packager asks boto3 for a region
            app = cdk.App(outdir=str(workdir / "cdk.out"))
            stack = AppointmentsStack(app, prefix, resources=described, prefix=prefix)
            template = Template.from_stack(stack)
            stack.remove_chalice_package()
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)
        if not app_was_imported:
            sys.modules.pop("app", None)
        reset_settings()
    return Synthesized(stack, template, template.to_json(), described, prefix, time.monotonic() - started)


