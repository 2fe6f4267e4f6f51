"""The notifications outbox: what a write owes a person reaches the sender through the
notifications table's change stream, never through a send on the request path.

Every change that owes someone a message (a booking, a family's booking, an assignment, a
closure, a follow-up, a place given back, a withdrawn request, a reminder) writes its
Notification item in its own transaction, and does nothing more. The table's stream (in AWS a
Lambda event source mapping, locally the event pump: chalicelib/local/pump.py) hands each new
item to `handle_stream_batch`, which puts the ids of those with a channel still to deliver on
the notifications queue, ten to a SendMessageBatch. The queue's sender
(`notifications.handle_queue_batch`) delivers them as before.

Why the queue and not a delivery here: the sender keeps the pace of the account's SMS and email
quotas (services/pacing.py) and retries each notification on its own with back-off and a
dead-letter queue; delivering from the stream would hold a whole shard (every later
notification) behind one slow or failing send, and a stream retries whole batches in order.
Handing over to the queue is one fast call per ten notifications.

At least once, and idempotent: a record handed over twice queues the id twice, and the sender
claims each channel before sending it (pending → sending, conditional), so nothing is sent
twice. A batch whose hand-over fails is reported by SequenceNumber (`batchItemFailures`), so the
stream retries from the first record not queued. And if a queue message is lost all the same,
the re-queue schedule (`notifications.requeue_undelivered`) finds the item still undelivered.
"""

from __future__ import annotations

from typing import Any

from chalicelib.observability import logger
from chalicelib.services import notifications

QUEUE_BATCH = 10  # SendMessageBatch's limit


def handle_stream_batch(event: dict[str, Any], context: Any = None) -> dict[str, list[dict[str, str]]]:
    """The notifications table's stream handler: queue each notification inserted with a
    channel still to deliver; the records whose id could not be queued, as partial batch
    failures (Lambda retries the stream from the first of them)."""
    owed = [(record["dynamodb"]["SequenceNumber"], notification_id)
            for record in event.get("Records", []) if (notification_id := _owed(record)) is not None]
    failed: list[str] = []
    for start in range(0, len(owed), QUEUE_BATCH):
        chunk = owed[start:start + QUEUE_BATCH]
        not_queued = set(notifications.queue([notification_id for _, notification_id in chunk]))
        failed += [sequence for sequence, notification_id in chunk if notification_id in not_queued]
    if owed:
        logger.info("notifications handed to the sender", extra={"count": len(owed) - len(failed), "failed": len(failed)})
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


def _owed(record: dict[str, Any]) -> str | None:
    """The id of a notification this record inserted with a channel still to deliver, else None
    (its later changes, as the sender claims and settles channels, are not news)."""
    if record.get("eventName") != "INSERT":
        return None
    image = record.get("dynamodb", {}).get("NewImage") or {}
    statuses = [image.get(f"{channel}_status", {}).get("S", "pending") for channel in notifications.CHANNELS]
    if all(status in notifications.SETTLED for status in statuses):
        return None
    return image.get("notification_id", {}).get("S")
