"""The queue workers fit their limits: each has a reserved concurrency (it cannot starve the
API, nor be starved) and its SQS event source a maximum concurrency below it (so that SQS
does not hand batches to a throttled function, which would count them as failed receives
and send them to the dead-letter queue). Numbers come from `deployment.DeploymentSettings`.
"""

from __future__ import annotations

from typing import Any

from chalice.cdk import Chalice

from infrastructure.stacks.deployment import DeploymentSettings


def sqs_workers(template: dict[str, Any]) -> dict[str, list[str]]:
    """Functions of the Chalice template with SQS events: logical id -> their event names."""
    workers: dict[str, list[str]] = {}
    for logical_id, resource in sorted(template.get("Resources", {}).items()):
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        events = resource.get("Properties", {}).get("Events") or {}
        names = sorted(name for name, event in events.items() if event.get("Type") == "SQS")
        if names:
            workers[logical_id] = names
    return workers


def limit_workers(chalice: Chalice, template: dict[str, Any], settings: DeploymentSettings) -> dict[str, list[str]]:
    workers = sqs_workers(template)
    for logical_id, events in workers.items():
        function = chalice.get_resource(logical_id)
        function.add_property_override("ReservedConcurrentExecutions", settings.worker_reserved_concurrency)
        for event in events:
            function.add_property_override(
                f"Events.{event}.Properties.ScalingConfig", {"MaximumConcurrency": settings.worker_max_concurrency}
            )
    return workers
