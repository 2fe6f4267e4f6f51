"""The queue workers fit their limits: each has a reserved concurrency (it cannot starve the
API, nor be starved) and its SQS event source a maximum concurrency below it (so that SQS
does not hand batches to a throttled function, which would count them as failed receives
and send them to the dead-letter queue). Numbers come from `deployment.DeploymentSettings`.

The notification sender also keeps within the account's send quotas. Lambda runs at most
`worker_max_concurrency` of it at once (the event source's maximum; reserved concurrency is
not below it), and each process paces its sends (chalicelib/services/pacing.py) at the rate
given here, in one place (`notification_send_pace`):

    SMS per second per worker   = sms_quota_per_second x notification_send_share / worker_max_concurrency
    email per second per worker = ses_quota_per_second x notification_send_share / worker_max_concurrency

so all workers together send at most quota x share (defaults: 20 x 0.5 = 10 SMS/s, 2 per
worker; 14 x 0.5 = 7 emails/s, 1.4 per worker), whatever the batch size and however fast SNS and
SES answer. A batch must still end well within the function's timeout at that pace: batch size
x (1/SMS pace + 1/email pace) — 10 x (0.5 + 0.714) = 12.1 s of the 28 s — at most half of it
(the rest for the sends themselves), or the synthesis fails. The bound of failed sends per
channel (`notification_max_attempts`) must not exceed the queue's `max_receive_count`, so a
failing channel is given up (and shown to staff) before its message rests in the DLQ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from chalice.cdk import Chalice

from chalicelib.resources import QueueDefinition, notifications_queue_name
from infrastructure.stacks.deployment import DeploymentSettings


@dataclass(frozen=True)
class SendPace:
    """What one notification sender process may send per second, by channel."""

    sms_per_second: float
    email_per_second: float

    def batch_seconds(self, batch_size: int) -> float:
        """The longest a batch of notifications (one SMS and one email each) waits for its turns."""
        return batch_size * (1 / self.sms_per_second + 1 / self.email_per_second)


def notification_send_pace(settings: DeploymentSettings) -> SendPace:
    share = settings.notification_send_share / settings.worker_max_concurrency
    return SendPace(settings.sms_quota_per_second * share, settings.ses_quota_per_second * share)


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


def reads_queue(event: dict[str, Any], queue_name: str) -> bool:
    """Whether an SQS event of the Chalice template reads `queue_name` (Chalice names it in an
    `Fn::Sub` of the queue's ARN)."""
    queue = event.get("Properties", {}).get("Queue")
    return isinstance(queue, dict) and str(queue.get("Fn::Sub", "")).rsplit(":", 1)[-1] == queue_name


def limit_workers(
    chalice: Chalice, template: dict[str, Any], settings: DeploymentSettings, queues: Iterable[QueueDefinition] = ()
) -> dict[str, list[str]]:
    workers = sqs_workers(template)
    resources = template.get("Resources", {})
    for logical_id, events in workers.items():
        function = chalice.get_resource(logical_id)
        function.add_property_override("ReservedConcurrentExecutions", settings.worker_reserved_concurrency)
        for event in events:
            function.add_property_override(
                f"Events.{event}.Properties.ScalingConfig", {"MaximumConcurrency": settings.worker_max_concurrency}
            )
        properties = resources[logical_id]["Properties"]
        sender = [properties["Events"][e] for e in events if reads_queue(properties["Events"][e], notifications_queue_name())]
        if sender:
            _pace_sender(function, properties, sender, settings, {q.name: q for q in queues})
    return workers


def _pace_sender(function: Any, properties: dict[str, Any], events: list[dict[str, Any]], settings: DeploymentSettings, queues: dict[str, QueueDefinition]) -> None:
    pace = notification_send_pace(settings)
    timeout = int(properties.get("Timeout", 60))
    for event in events:
        batch_size = int(event["Properties"].get("BatchSize", 10))
        if pace.batch_seconds(batch_size) > timeout / 2:
            raise ValueError(
                f"a batch of {batch_size} notifications needs {pace.batch_seconds(batch_size):.1f} s at "
                f"{pace.sms_per_second:.2f} SMS/s and {pace.email_per_second:.2f} emails/s per worker: more than half "
                f"the function's {timeout} s timeout (lower the batch size, or raise the quotas or the share)"
            )
    receives = queues.get(notifications_queue_name())
    if receives is not None and settings.notification_max_attempts > receives.max_receive_count:
        raise ValueError(
            f"notification_max_attempts ({settings.notification_max_attempts}) must not exceed the notifications "
            f"queue's max_receive_count ({receives.max_receive_count})"
        )
    for name, value in (
        ("NOTIFICATION_SMS_PER_SECOND", f"{pace.sms_per_second:g}"),
        ("NOTIFICATION_EMAIL_PER_SECOND", f"{pace.email_per_second:g}"),
        ("NOTIFICATION_MAX_ATTEMPTS", str(settings.notification_max_attempts)),
    ):
        function.add_property_override(f"Environment.Variables.{name}", value)
