"""Batch jobs that fan out: the reminder run, the no-show sweep, the horizon extension and the
demand evaluation, each split into one queue message per directorate, so that no invocation
does the whole country's work and each one's work is bounded whatever the national volume.

- A schedule only splits (`split_*`): one message per directorate (the reminders: per
  directorate and day), sent with SendMessageBatch on the batch-jobs queue. It reads nothing.
- The batch-jobs worker (`handle_queue_batch`, `@app.on_sqs_message`) dispatches each message by
  its `job` (JOBS) to one piece of that job's work (chalicelib/services/batches.py). One
  invocation handles at most `MAX_ITEMS_PER_INVOCATION` items over its whole batch, each message
  an even share of what is left (so a full directorate never starves the others of its batch:
  every message moves on, and what an empty directorate leaves goes to the next), and stops
  starting new ones when its Lambda context has less than `STOP_WITH_MS_LEFT` left; what is
  left of a message goes back on the queue as a continuation (the same message with the piece's
  cursor), and a message not started at all goes back unchanged. Failed messages are reported
  as partial batch failures (Powertools' BatchProcessor): only they come back, and after the
  queue's `max_receive_count` they rest in its dead-letter queue, which alarms.
- Every item's work is idempotent as it was before the fan-out (conditions on its write): a
  reminder is written on condition that neither it nor the appointment's code exists; a no-show
  on condition that attendance is unrecorded; a day on condition that it does not exist; a mode
  on condition that no evaluation at this moment or later was stored. A message delivered twice,
  or a piece redone after a failed continuation, changes nothing the second time.
- A message carries the moment its schedule fired (`at`): the piece works as of then, however
  late it runs (tomorrow's reminders stay tomorrow's, the sweep's days stay the ones that were over).

Message: {"job": "reminders" | "no_shows" | "horizon" | "demand", "directorate": id, "at": ISO time,
"day": "YYYY-MM-DD" (reminders), "cursor": where to go on (continuations only)}.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib import observability, wiring
from chalicelib.clock import clock
from chalicelib.domain.calendar import local_day
from chalicelib.domain.catalogue import DIRECTORATES, find_directorate
from chalicelib.observability import logger
from chalicelib.resources import batch_jobs_queue_name
from chalicelib.services import attendance, catalogue, demand, notifications
from chalicelib.services.batches import Page

REMINDERS, NO_SHOWS, HORIZON, DEMAND = "reminders", "no_shows", "horizon", "demand"
# Items one invocation handles at most (appointments reminded or swept, days opened, directorates
# evaluated; each costs at most one transaction): about 200 x 30 ms, well within a 30-second function.
MAX_ITEMS_PER_INVOCATION = 200
# No new item is started with less than this left of the function's time (sending the
# continuation and acknowledging the batch take well under a second).
STOP_WITH_MS_LEFT = 5_000

Message = dict[str, Any]


# -- the schedules: split the work, read nothing ------------------------------------------------


def split_reminders(now: datetime | None = None) -> int:
    """10:00 in Istanbul: tomorrow's reminders, one message per directorate."""
    now = now or clock.now()
    day = notifications.reminder_day(now)
    return send([{"job": REMINDERS, "directorate": d.id, "at": now.isoformat(), "day": day} for d in DIRECTORATES])


def split_no_show_sweep(now: datetime | None = None) -> int:
    """18:30 in Istanbul: the no-show sweep, one message per directorate."""
    now = now or clock.now()
    return send([{"job": NO_SHOWS, "directorate": d.id, "at": now.isoformat()} for d in DIRECTORATES])


def split_slot_horizon(now: datetime | None = None) -> int:
    """Midnight in Istanbul: the day entering the booking horizon, one message per directorate."""
    now = now or clock.now()
    return send([{"job": HORIZON, "directorate": d.id, "at": now.isoformat()} for d in DIRECTORATES])


def split_demand_evaluation(now: datetime | None = None) -> int:
    """Every 5 minutes: the demand rule, one message per directorate."""
    now = now or clock.now()
    return send([{"job": DEMAND, "directorate": d.id, "at": now.isoformat()} for d in DIRECTORATES])


def send(messages: list[Message]) -> int:
    """Put messages on the batch-jobs queue, ten per SendMessageBatch; raise if any was refused
    (a schedule is then retried by Lambda, a continuation's message comes back: either way the
    pieces already done are not redone with any effect)."""
    queue_url = wiring.queue_url(batch_jobs_queue_name())
    for start in range(0, len(messages), 10):
        chunk = messages[start:start + 10]
        answer = wiring.sqs().send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(chunk)]
        )
        if answer.get("Failed"):
            raise RuntimeError(f"{len(answer['Failed'])} of {len(chunk)} batch-job messages were not queued")
    return len(messages)


# -- the worker: one bounded piece per message ---------------------------------------------------


class Budget:
    """What is left of one invocation: items, and time (from the Lambda context, when there is one)."""

    def __init__(self, context: Any = None, max_items: int | None = None) -> None:
        self.context = context
        self.items_left = MAX_ITEMS_PER_INVOCATION if max_items is None else max_items
        self.spent = 0

    def time_left(self) -> bool:
        return self.context is None or self.context.get_remaining_time_in_millis() > STOP_WITH_MS_LEFT

    def share(self, messages_left: int) -> int:
        """The items the next of `messages_left` messages may take: an even share of what is left,
        so every message of a batch moves on (what one leaves unused goes to the next ones)."""
        return -(-max(self.items_left, 0) // max(messages_left, 1))  # rounded up: never 0 while items are left

    def spend(self, items: int) -> None:
        self.items_left -= items
        self.spent += items


def handle_queue_batch(event: dict[str, Any], context: Any = None, budget: Budget | None = None) -> dict[str, Any]:
    """The SQS handler of the batch-jobs queue: each record is one piece of a job; failed records
    are reported as partial batch failures so only they come back (stack-notes 6)."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    budget = budget or Budget(context)
    messages_left = [len(event.get("Records", []))]

    def run_record(record: Any) -> None:
        share, messages_left[0] = budget.share(messages_left[0]), messages_left[0] - 1
        following = run_piece(json.loads(record.body), budget, share)
        if following is not None:
            send([following])

    return process_partial_response(event=event, record_handler=run_record, processor=BatchProcessor(event_type=EventType.SQS), context=context)


def run_piece(message: Message, budget: Budget, share: int | None = None) -> Message | None:
    """Do as much of one message's work as its share of the budget (all of it, by default) and
    the time allow: the message that carries on (with the piece's cursor, or unchanged when
    nothing could be started), or None when it is done."""
    work = JOBS.get(message.get("job"))
    if work is None:
        raise ValueError(f"unknown batch job {message.get('job')!r}")
    limit = budget.items_left if share is None else min(share, budget.items_left)
    if limit <= 0 or not budget.time_left():
        return message
    page = work(message, limit, budget.time_left)
    budget.spend(page.read)
    logger.info(
        "batch job piece done",
        extra={"job": message["job"], "directorate_id": message.get("directorate"), "read": page.read, "done": page.done, "continues": page.cursor is not None},
    )
    return None if page.cursor is None else {**message, "cursor": page.cursor}


def _at(message: Message) -> datetime:
    return datetime.fromisoformat(message["at"])


def _reminders(message: Message, limit: int, time_left: Callable[[], bool]) -> Page:
    return notifications.remind_page(message["directorate"], message["day"], _at(message), limit, message.get("cursor"), time_left)


def _no_shows(message: Message, limit: int, time_left: Callable[[], bool]) -> Page:
    return attendance.sweep_page(message["directorate"], _at(message), limit, message.get("cursor"), time_left)


def _horizon(message: Message, limit: int, time_left: Callable[[], bool]) -> Page:
    directorate = find_directorate(message["directorate"])
    if directorate is None:
        logger.warning("batch job for a directorate no longer in the catalogue", extra={"directorate_id": message["directorate"]})
        return Page(0, 0, None)
    page = catalogue.open_days_page(directorate, local_day(_at(message)), limit, message.get("cursor"), time_left)
    if page.cursor is None:
        # The nightly alarm "horizon not extended" waits for this (infrastructure/stacks/monitoring.py).
        observability.record(observability.SLOT_HORIZON_EXTENDED)
    return page


def _demand(message: Message, limit: int, time_left: Callable[[], bool]) -> Page:
    """One directorate's evaluation is one item (one Query of its coming days, an update per
    service whose counts or mode changed)."""
    directorate = find_directorate(message["directorate"])
    if directorate is None:
        logger.warning("batch job for a directorate no longer in the catalogue", extra={"directorate_id": message["directorate"]})
        return Page(0, 0, None)
    return Page(1, demand.evaluate_directorate(directorate, _at(message)), None)


# The dispatch table: a message's `job` -> the piece of work that serves it.
JOBS: dict[str, Callable[[Message, int, Callable[[], bool]], Page]] = {
    REMINDERS: _reminders,
    NO_SHOWS: _no_shows,
    HORIZON: _horizon,
    DEMAND: _demand,
}
