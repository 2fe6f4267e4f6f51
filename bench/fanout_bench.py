"""The batch jobs' per-invocation bound: what the biggest invocation does as the national volume grows.

`python -m bench.fanout_bench [--quick | --smoke]`, in a fresh interpreter with an in-process
emulator of its own (moto, provisioned from `chalicelib/resources.py`). The real schedules split
the work (services/fanout.py) and the real `@app.on_sqs_message` worker of app.py is invoked the
way Lambda would (batches of up to 10 messages from the batch-jobs queue, a Lambda context with
the function's time, partial batch failures honoured).

Today's national day is about 4,400 appointments over 88 directorates, 50 a directorate. The
bench fills one directorate's day with 1x and then 10x that (50 and 500 appointments, with the
worker's bound of 200 items scaled down as much, to 20: the shape of 10x and 100x at the real
bound, which the emulator cannot run in reasonable time; see FULL), written straight into the tables, with their applicants; the other 87 directorates are empty and
still get their message each), then runs at each volume the day-before reminder run and the
end-of-day no-show sweep. Directorates are independent shards, so one full directorate is where
the bound is tested; more of them add messages and invocations, not work per invocation. It
prints, per job, the most items any one invocation handled at each volume and their ratio (goal:
about 1x, never above the bound MAX_ITEMS_PER_INVOCATION), the messages and invocations, the
median time of the biggest invocations, and what a single national invocation did before the fan-out (all of
them). The horizon extension and the demand rule do not grow with appointments: one line says
how many messages they took over the whole catalogue and the most items (days, directorates) any
one invocation handled. `--quick` is the same shape at half the scale (25 and 250, a bound of 10).

Invariants checked after the run (a broken one fails the bench): no invocation over the bound,
every appointment reminded exactly once (one reminder, one check-in code), every one marked a no-show exactly once (one
audit record, its person locked), every directorate's days opened once, no message left over
and none in a dead-letter queue.

`--smoke` (for the test suite) runs 10 and 100 appointments in one directorate: its figures are
not measurements.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from bench import smoke
from bench.process import figures_stream, in_fresh_interpreter, stdout_to

REGION = "eu-west-1"
NATIONAL_PER_DIRECTORATE_DAY = 50  # about 4,400 a day over 88 directorates


@dataclass(frozen=True)
class Plan:
    directorates: int  # filled with appointments (the others are empty: one message each all the same)
    small: int  # appointments per directorate-day at the smaller volume
    large: int  # ... at the larger one
    bound: int  # items per invocation (services/fanout.py's MAX_ITEMS_PER_INVOCATION in FULL)
    horizon_days: str  # SLOT_HORIZON_DAYS for the catalogue's jobs


# FULL: 1x and 10x today's directorate-day, with the worker's bound scaled down as much (20 for
# 200): the same shape as 10x and 100x at the real bound. 10x and 100x themselves (500 and 5,000
# appointments) take over an hour here: the emulator's cost per reminder grows with the tables
# (0.6 s an item past 5,000), which DynamoDB's does not. QUICK: the same at half the scale.
FULL = Plan(directorates=1, small=NATIONAL_PER_DIRECTORATE_DAY, large=10 * NATIONAL_PER_DIRECTORATE_DAY, bound=20, horizon_days="12")
QUICK = Plan(directorates=1, small=25, large=250, bound=10, horizon_days="12")
SMOKE = Plan(directorates=1, small=10, large=100, bound=10, horizon_days="1")


@dataclass
class Run:
    """What the worker's invocations did for one job at one volume."""

    items: list[int] = field(default_factory=list)  # per invocation
    seconds: list[float] = field(default_factory=list)  # per invocation
    messages: int = 0  # delivered to the worker (the schedule's and the continuations)

    @property
    def biggest(self) -> int:
        return max(self.items, default=0)

    def full_median(self) -> float:
        """The median time of the invocations that handled the most items (like for like across volumes)."""
        full = sorted(t for t, n in zip(self.seconds, self.items) if n == self.biggest)
        return full[len(full) // 2] if full else 0.0


class Worker:
    """The batch-jobs worker of app.py, invoked as Lambda's event source mapping would."""

    def __init__(self) -> None:
        import app
        from chalicelib import wiring
        from chalicelib.resources import batch_jobs_queue_name
        from chalicelib.services import fanout

        self.handler = app.app.handler_map["run_batch_jobs"]
        [source] = [s for s in app.app.event_sources if getattr(s, "name", None) == "run_batch_jobs"]
        self.batch_size = source.batch_size
        self.sqs = wiring.sqs()
        self.url = wiring.queue_url(batch_jobs_queue_name())
        self.arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.budgets: list = []
        seen = self.budgets

        class Recorded(fanout.Budget):  # each invocation's budget, to read what it spent
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                seen.append(self)

        fanout.Budget = Recorded

    def drain(self) -> Run:
        from chalicelib.local.pump import LambdaContext, sqs_event

        run = Run()
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=self.batch_size, VisibilityTimeout=300).get("Messages", [])
            if not messages:
                return run
            context = LambdaContext("md-appointments-bench-run_batch_jobs", REGION, "123456789012", timeout_seconds=30)
            started = time.perf_counter()
            answer = self.handler(sqs_event(messages, self.arn, REGION), context)
            run.seconds.append(time.perf_counter() - started)
            run.items.append(self.budgets[-1].spent)
            run.messages += len(messages)
            failed = {f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])}
            if failed:
                raise RuntimeError(f"{len(failed)} batch-job messages failed")
            for message in messages:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


def populate(directorates: list, day: date, per_directorate: int) -> list[tuple[str, str]]:
    """`per_directorate` confirmed appointments on `day` at each directorate, each with a person of
    its own, written straight into the tables: (appointment id, applicant id) pairs."""
    from chalicelib.adapters.tables import Applicant, Appointment
    from chalicelib.domain.calendar import ISTANBUL

    now = datetime.combine(day - timedelta(days=3), clock_time(9), tzinfo=ISTANBUL)
    start = datetime.combine(day, clock_time(9), tzinfo=ISTANBUL)
    pairs = []
    with Applicant.batch_write() as people, Appointment.batch_write() as appointments:
        for directorate in directorates:
            for n in range(per_directorate):
                applicant_id, appointment_id = str(uuid.uuid4()), str(uuid.uuid4())
                people.save(Applicant(
                    applicant_id, status="active", document_type="foreign_id", document_number=f"99{uuid.uuid4().int % 10**9:09d}",
                    nationality="SYR", given_name="Bench", family_name="Person", birth_date="1990-01-01",
                    email=f"{applicant_id}@example.net", phone=f"+90555{uuid.uuid4().int % 10**7:07d}", language="en",
                    province=directorate.province, permit_status="residence_permit",
                    permit_valid_until=(day + timedelta(days=400)).isoformat(), created_at=now, updated_at=now,
                ))
                slot = start + timedelta(minutes=30 * (n % 16))
                appointments.save(Appointment(
                    appointment_id, reference=f"GOC-B{n:07d}", applicant_id=applicant_id, directorate_id=directorate.id,
                    slot_start=slot.strftime("%Y-%m-%dT%H:%M"), start=slot, end=slot + timedelta(minutes=30),
                    service="address_registration", status="confirmed", unmarked_day=day.isoformat(), created_at=now,
                ))
                pairs.append((appointment_id, applicant_id))
    return pairs


def check_once(pairs: list[tuple[str, str]], problems: list[str]) -> None:
    """Each appointment reminded once and marked a no-show once, its person locked."""
    from chalicelib.adapters.tables import Applicant, Appointment, Notification
    from chalicelib.services import audit

    appointments = {a.appointment_id: a for a in Appointment.batch_get([p[0] for p in pairs])}
    people = {a.applicant_id: a for a in Applicant.batch_get([p[1] for p in pairs])}
    reminders = {n.notification_id for n in Notification.batch_get([f"reminder-{p[0]}" for p in pairs])}
    for appointment_id, applicant_id in pairs:
        appointment = appointments[appointment_id]
        if f"reminder-{appointment_id}" not in reminders or appointment.checkin_code_hash is None:
            problems.append(f"appointment {appointment_id} not reminded")
        if appointment.attendance != "no_show" or people[applicant_id].locked_until is None:
            problems.append(f"appointment {appointment_id} not marked a no-show")
    sample = pairs[:: max(1, len(pairs) // 50)]  # the audit trail, for a sample of the people
    for appointment_id, applicant_id in sample:
        marks = [e for e in audit.trail(audit.applicant_subject(applicant_id)) if e.action == "appointment.no_show"]
        if len(marks) != 1:
            problems.append(f"appointment {appointment_id} marked {len(marks)} times")


def run(plan: Plan, out) -> int:
    import boto3

    from chalicelib import wiring
    from chalicelib.local.emulator import Emulator
    from chalicelib.local.provision import provision
    from chalicelib.resources import resources

    with Emulator() as emulator:
        environment = {
            "AWS_ENDPOINT_URL": emulator.endpoint_url, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        }
        os.environ.update(environment)
        local = provision(boto3.session.Session(region_name=REGION), resources(), endpoint_url=emulator.endpoint_url)
        os.environ.update(local.environment())
        from chalicelib.settings import reset_settings

        reset_settings()
        wiring.reset()
        return measure(plan, out)


def measure(plan: Plan, out) -> int:
    from chalicelib.adapters.tables import DirectorateDay
    from chalicelib.domain import calendar
    from chalicelib.domain.calendar import ISTANBUL
    from chalicelib.domain.catalogue import DIRECTORATES
    from chalicelib.services import fanout

    if plan.bound:
        fanout.MAX_ITEMS_PER_INVOCATION = plan.bound
    worker = Worker()
    chosen = list(DIRECTORATES[: plan.directorates])
    base = date(2027, 3, 1)  # a Monday
    problems: list[str] = []
    runs: dict[tuple[str, int], Run] = {}
    appointments: dict[int, int] = {}
    for volume, day in ((plan.small, base + timedelta(days=1)), (plan.large, base + timedelta(days=2))):
        pairs = populate(chosen, day, volume)
        appointments[volume] = len(pairs)
        day_before = datetime.combine(day - timedelta(days=1), clock_time(10), tzinfo=ISTANBUL)
        fanout.split_reminders(day_before)
        runs[("reminders", volume)] = worker.drain()
        fanout.split_no_show_sweep(datetime.combine(day, clock_time(18, 30), tzinfo=ISTANBUL))
        runs[("no-show sweep", volume)] = worker.drain()
        check_once(pairs, problems)

    # The catalogue's jobs: the first night opens every directorate's horizon, the second one day each.
    first_night = datetime.combine(base, clock_time(0), tzinfo=ISTANBUL)
    fanout.split_slot_horizon(first_night)
    horizon = worker.drain()
    fanout.split_slot_horizon(first_night + timedelta(days=1))
    horizon_next = worker.drain()
    fanout.split_demand_evaluation(first_night + timedelta(hours=9))
    demand = worker.drain()
    days_per_directorate = Counter(d.directorate_id for d in DirectorateDay.scan())
    horizon_days = _horizon_days()
    expected = len(set(calendar.horizon_days(base, horizon_days)) | set(calendar.horizon_days(base + timedelta(days=1), horizon_days)))
    wrong = [d.id for d in DIRECTORATES if days_per_directorate[d.id] != expected]
    if wrong:
        problems.append(f"{len(wrong)} directorates with days missing or opened twice (e.g. {wrong[0]})")
    leftover = _messages_left()
    if leftover:
        problems.append(f"{leftover} batch-job messages left on the queue or its dead-letter queue")

    bound = fanout.MAX_ITEMS_PER_INVOCATION
    over = [f"{job}: an invocation handled {run.biggest} items" for (job, _), run in runs.items() if run.biggest > bound]
    over += [f"{name}: an invocation handled {run.biggest} items" for name, run in (("horizon", horizon), ("horizon", horizon_next), ("demand", demand)) if run.biggest > bound]
    problems += [f"{o}, over the bound of {bound}" for o in over]
    small, large = plan.small, plan.large
    if small % NATIONAL_PER_DIRECTORATE_DAY == 0:
        label = f"{small // NATIONAL_PER_DIRECTORATE_DAY}x vs {large // NATIONAL_PER_DIRECTORATE_DAY}x the national day"
    else:
        label = f"{small} vs {large} appointments a directorate-day"
    for job in ("reminders", "no-show sweep"):
        a, b = runs[(job, small)], runs[(job, large)]
        ratio = b.biggest / a.biggest if a.biggest else float("inf")
        met = "MET" if ratio <= 1.5 else "MISSED"
        print(
            f"fan-out {job}, biggest invocation at {label}: {a.biggest} vs {b.biggest} items = {ratio:.2f}x "
            f"(goal ~1x, bound {bound}: {met})  [{appointments[small]:,} vs {appointments[large]:,} appointments over "
            f"{plan.directorates} of {len(DIRECTORATES)} directorates; messages {a.messages} vs {b.messages}, invocations "
            f"{len(a.items)} vs {len(b.items)}; median time of the biggest invocations {a.full_median() * 1000:.0f} vs {b.full_median() * 1000:.0f} ms; "
            f"before the fan-out one invocation did all {appointments[small]:,} vs {appointments[large]:,}]",
            file=out,
        )
    print(
        f"fan-out horizon and demand rule over {len(DIRECTORATES)} directorates: horizon first night {horizon.messages} messages, "
        f"biggest invocation {horizon.biggest} days (bound {bound}); next night {horizon_next.messages} messages, biggest {horizon_next.biggest}; "
        f"demand {demand.messages} messages, biggest invocation {demand.biggest} directorates  "
        f"[a {horizon_days}-day horizon]",
        file=out,
    )
    for problem in problems[:5]:
        print(f"  invariant broken: {problem}", file=out)
    if problems:
        print(f"  fan-out bench FAILED: {len(problems)} invariant(s) broken", file=out)
        return 1
    print("  invariants: no invocation over the bound, every appointment reminded once and marked once, every day opened once, no message left", file=out)
    return 0


def _horizon_days() -> int:
    from chalicelib.settings import get_settings

    return get_settings().slot_horizon_days


def _messages_left() -> int:
    from chalicelib import wiring
    from chalicelib.resources import batch_jobs_queue_name

    sqs = wiring.sqs()
    left = 0
    for name in (batch_jobs_queue_name(), batch_jobs_queue_name() + "-dlq"):
        attributes = sqs.get_queue_attributes(
            QueueUrl=wiring.queue_url(name), AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        left += int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
    return left


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="the same shape at half the scale: 25 and 250 appointments, a bound of 10 items")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # the child's own flag
    args = parser.parse_args(argv)
    if not args.in_process:  # a fresh interpreter: moto's state is per process
        return in_fresh_interpreter("bench.fanout_bench", argv)
    if args.smoke:
        smoke.announce()
    plan = SMOKE if args.smoke else QUICK if args.quick else FULL
    # The catalogue's jobs open every directorate's horizon: a short one, as the stack benches do.
    os.environ.setdefault("SLOT_HORIZON_DAYS", plan.horizon_days)
    out = figures_stream()
    log_file = tempfile.NamedTemporaryFile("w", prefix="fanout-bench-", suffix=".log", delete=False)
    with stdout_to(log_file):  # the app's log lines, not the figures
        failed = run(plan, out)
    if failed:
        print(f"  the app's log: {log_file.name}", file=out)
    else:
        os.unlink(log_file.name)
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
