"""One synthesis of the CDK stack for the whole test session (packaging the app is the slow
part). cdk-nag checks its SAM-expanded template afterwards (infrastructure/checks.py): the only
other synthesis of the suite, of a stack without Chalice.

Synthesis packages the real Chalice app (`app.py`) with its dependencies; the first run in a
checkout downloads Lambda wheels from PyPI (Chalice caches them in .chalice/deployments).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")  # before jsii starts

import aws_cdk as cdk  # noqa: E402
import pytest  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from chalicelib.resources import Resources  # noqa: E402
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


def synthesize(described: Resources, workdir: Path) -> Synthesized:
    # Chalice packaging imports the service's `app` module and exports the stage's variables
    # into this process: both are undone afterwards, for the tests that run after this one.
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
