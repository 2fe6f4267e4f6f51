"""Use cases of assignment under high demand: requests, the assigner, positions.

A request is checked like a booking (province, eligibility, lock), then stored in one
transaction with the applicant's marker of their one waiting request. Requests filed within
one window of a province are served together once the window has closed, in the order drawn
from the window's seed; the seed is drawn and recorded when the window opens (before anyone
could know who is in it) and never changes, so each request's rank is computed and stored as it
is filed (services/waiting.py keeps the queue). The window's message waits on the assignments
queue until the window closes; a schedule re-drives every province with waiting requests, so a
lost message, new capacity or a new day only delays an assignment.

The assigner reads the due requests in queue order a page at a time and stops when the
province's free places run out or its budget does (the function's remaining time, and a number
of requests per message); then it continues in a follow-up message on the assignments queue
that names where it stopped. What one message costs follows what it assigns, not what waits.

Each assignment is the booking transaction (capacity, lock, appointment, audit,
notification) plus the request's move from waiting to assigned, on condition that it is still
waiting: a redelivered message, or two assigners at once, can never assign anyone twice.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import observability, wiring
from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import Applicant, AssignmentRequest, Notification, Slot
from chalicelib.contract import AssignmentRequestIn, AssignmentStatus
from chalicelib.clock import clock
from chalicelib.domain import assignment as rules
from chalicelib.domain import booking as booking_rules
from chalicelib.domain import retention
from chalicelib.domain.closure import CLOSED
from chalicelib.domain.calendar import is_working_day, local_day, wall_time
from chalicelib.domain.catalogue import PROVINCES, directorates_in, find_directorate, find_service
from chalicelib.domain.eligibility import last_day_offered, require_eligible_for
from chalicelib.domain.errors import AppointmentFinal, LockedOut, NotFound, RequestPending
from chalicelib.domain.lockout import require_not_locked
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.resources import assignments_queue_name
from chalicelib.services import audit, notifications, waiting
from chalicelib.services.booking import confirm_in, may_book, new_appointment, slot_state
from chalicelib.services.registry import residency_of
from chalicelib.settings import get_settings

WAITING, ASSIGNED, WITHDRAWN = "waiting", "assigned", "withdrawn"
SYSTEM_ACTOR = "system:assigner"
MAX_ROUNDS = 5  # re-plans after concurrent writers took planned slots; the rest waits for the next run


# --- requests -----------------------------------------------------------------------------------


def request_assignment(caller: Caller, body: AssignmentRequestIn) -> AssignmentStatus:
    """File a request: the same checks as a booking at request time, one waiting request per
    person (REQUEST_PENDING), then stored and announced on the assignments queue (202)."""
    now = clock.now()
    applicant = _applicant(caller.account_id)
    service = find_service(body.service)
    assert service is not None  # validated by the request model
    residency = residency_of(applicant)
    chosen = find_directorate(body.directorate) if body.directorate else None
    rules.directorates_for(service, residency, chosen)
    require_eligible_for(service, residency, local_day(now) + timedelta(days=1))
    require_not_locked(applicant.locked_until, now)
    if applicant.waiting_request:
        raise RequestPending(request_id=applicant.waiting_request)

    preferences = body.preferences
    request = new_request(
        applicant_id=applicant.applicant_id,
        province=residency.province,
        service=service.code,
        directorate_id=chosen.id if chosen else None,
        earliest=preferences.earliest if preferences else None,
        latest=preferences.latest if preferences else None,
        part_of_day=preferences.part_of_day if preferences else "any",
        weekdays=preferences.weekdays if preferences else None,
        now=now,
    )
    filed = audit.record(
        audit.applicant_subject(applicant.applicant_id),
        "assignment.requested",
        actor_id=caller.account_id,
        actor_role=Role.APPLICANT.value,
        at=now,
        after={"request_id": request.request_id, "service": service.code, "directorate": request.directorate_id or ""},
    )
    write = NamedTransaction()
    try:
        with write:
            write.update(
                "applicant",
                applicant,
                actions=[Applicant.waiting_request.set(request.request_id)],
                condition=may_book(now) & Applicant.waiting_request.does_not_exist(),
            )
            write.save("request", request, condition=AssignmentRequest.request_id.does_not_exist())
            write.save("audit", filed)
            waiting.file_in(write, request)
    except TransactWriteError as error:
        if "applicant" in write.failed(error):
            current = Applicant.get(applicant.applicant_id, consistent_read=True)
            if current.waiting_request:
                raise RequestPending(request_id=current.waiting_request) from None
            require_not_locked(current.locked_until, now)
            raise LockedOut("Your account cannot request an appointment right now. Please try again.") from None
        raise
    if waiting.announce(request.province, request.window_start):
        closes_at = datetime.fromisoformat(request.window_start) + timedelta(minutes=get_settings().assignment_window_minutes)
        send_province(request.province, delay_seconds=int((closes_at - now).total_seconds()) + 1)
    logger.info("assignment requested", extra={"request_id": request.request_id, "province": request.province})
    return status_out(request, now)


def new_request(
    *,
    applicant_id: str,
    province: str,
    service: str,
    directorate_id: str | None,
    now: datetime,
    earliest: date | None = None,
    latest: date | None = None,
    part_of_day: str = "any",
    weekdays: list[int] | None = None,
    priority: bool = False,
    reason: str | None = None,
) -> AssignmentRequest:
    request_id = str(uuid.uuid4())
    window = rules.window_of(now, get_settings().assignment_window_minutes).isoformat()
    stored_under, queue_key = waiting.place(province, priority, window, request_id, now)
    return AssignmentRequest(
        request_id,
        applicant_id=applicant_id,
        province=province,
        service=service,
        directorate_id=directorate_id,
        earliest=earliest.isoformat() if earliest else None,
        latest=latest.isoformat() if latest else None,
        part_of_day=part_of_day,
        weekdays="".join(str(d) for d in sorted(set(weekdays))) if weekdays else "01234",
        priority=priority,
        status=WAITING,
        received_at=now,
        window_start=window,
        reason=reason,
        waiting_province=stored_under,
        queue_key=queue_key,
    )


def request_status(caller: Caller, request_id: str) -> AssignmentStatus:
    """A request's status, position and estimated date (its applicant, or an admin)."""
    return status_out(_visible_request(caller, request_id), clock.now())


def withdraw_request(caller: Caller, request_id: str) -> AssignmentStatus:
    """The person no longer wants an appointment: a waiting request can be withdrawn (and a
    new one filed later); once assigned, the appointment is confirmed and final."""
    request = _visible_request(caller, request_id, owner_only=True)
    now = clock.now()
    if request.status == WAITING:
        _withdraw(request, rules.BY_APPLICANT, now, actor_id=caller.account_id, actor_role=Role.APPLICANT.value)
        request = AssignmentRequest.get(request_id, consistent_read=True)
    if request.status == ASSIGNED:  # before, or while, this call ran
        raise AppointmentFinal(
            "This request has been given an appointment already; a confirmed appointment cannot be cancelled.",
            appointment_id=request.appointment_id,
        )
    return status_out(request, now)


def withdraw_on_closure(applicant_id: str, request_id: str) -> int:
    """A person closing their account withdraws their waiting request (no notice: they asked for
    no more messages); 1 if this call ended it."""
    try:
        request = AssignmentRequest.get(request_id, consistent_read=True)
    except AssignmentRequest.DoesNotExist:
        return 0
    if request.applicant_id != applicant_id or request.status != WAITING:
        return 0
    return _withdraw(request, rules.ACCOUNT_CLOSED, clock.now(), actor_id=applicant_id, actor_role=Role.APPLICANT.value)


def _visible_request(caller: Caller, request_id: str, owner_only: bool = False) -> AssignmentRequest:
    try:
        request = AssignmentRequest.get(request_id, consistent_read=True)
    except AssignmentRequest.DoesNotExist:
        request = None
    allowed = request is not None and (
        request.applicant_id == caller.account_id or (Role.ADMIN in caller.roles and not owner_only)
    )
    if not allowed:
        raise NotFound("There is no assignment request with this id.")
    return request


def status_out(request: AssignmentRequest, now: datetime) -> AssignmentStatus:
    window_start = datetime.fromisoformat(request.window_start)
    closes_at = window_start + timedelta(minutes=get_settings().assignment_window_minutes)
    position = estimated = seed = None
    if request.status == WAITING:
        position = waiting.position(request, now)
        service = find_service(request.service)
        first_day = booking_rules.booking_window(local_day(now), get_settings().slot_horizon_days).first_day
        chosen = find_directorate(request.directorate_id) if request.directorate_id else None
        directorates = rules.offering_directorates(request.service, request.province, chosen)
        estimated = rules.estimated_date(position, rules.daily_capacity(directorates, service.code, _working_day_from(first_day)), first_day)
    if closes_at <= now:
        seed = waiting.recorded_seed(request.province, request.window_start)
    return AssignmentStatus(
        request_id=request.request_id,
        status=request.status,
        service=request.service,
        directorate=request.directorate_id,
        priority=bool(request.priority),
        position=position,
        estimated_date=estimated,
        appointment_id=request.appointment_id,
        reason=request.reason,
        received_at=request.received_at,
        window_start=window_start,
        window_closes_at=closes_at,
        window_seed=str(seed) if seed is not None else None,
    )


def _working_day_from(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


# --- the queue ---------------------------------------------------------------------------------


WAITING_AT_LIMIT = 2000  # waiting_at reads at most this many requests


def waiting_at(directorate_id: str, service_code: str | None = None) -> int:
    """How many waiting requests this directorate could serve (for one service, or any it
    offers): what an administrator's change of mode or capacity touches. Counted among the
    first WAITING_AT_LIMIT waiting requests of the province in queue order (those the next
    places go to), so the read stays bounded on a release day."""
    directorate = find_directorate(directorate_id)
    if directorate is None:
        return 0
    return sum(
        1
        for r in waiting.first(directorate.province, WAITING_AT_LIMIT)
        if (service_code is None or r.service == service_code)
        and directorate in rules.offering_directorates(r.service, r.province, find_directorate(r.directorate_id or ""))
    )


def send_province(province: str, delay_seconds: int = 0, after: str | None = None) -> None:
    """Ask the assigner to serve a province's due requests (after the queue place `after`: a
    follow-up of a run that stopped there). Best effort: if this is lost, the re-drive schedule
    sends it again."""
    body = {"province": province} if after is None else {"province": province, "after": after}
    try:
        wiring.sqs().send_message(
            QueueUrl=wiring.queue_url(assignments_queue_name()),
            MessageBody=json.dumps(body),
            DelaySeconds=max(0, min(delay_seconds, 900)),
        )
    except Exception:
        logger.exception("assignment message not queued; the re-drive schedule will send it", extra={"province": province})


def redrive(now: datetime | None = None) -> int:
    """The schedule: every province with a waiting request that is due gets a message (new
    days, added capacity and lifted closures reach the waiting this way). At most one one-item
    Query per shard of each province's waiting queue."""
    now = now or clock.now()
    sent = 0
    for province in PROVINCES:
        if waiting.any_due(province.code, now):
            send_province(province.code)
            sent += 1
    logger.info("waiting requests re-driven", extra={"provinces": sent})
    return sent


def handle_queue_batch(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The SQS handler: each record names a province to serve (and where a previous run
    stopped); the batch shares the function's remaining time. Failures are reported per record
    (partial batch response), and a message failing five times rests in the DLQ."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    budget = Budget.of(context)

    def serve(record: Any) -> None:
        body = json.loads(record.body)
        province, after = str(body["province"]), body.get("after")
        if budget.out_of_time():  # an earlier message took the time: this one goes back on the queue
            send_province(province, after=after)
            return
        assign_province(province, after=str(after) if after else None, budget=budget.fresh())

    return process_partial_response(event=event, record_handler=serve, processor=BatchProcessor(event_type=EventType.SQS), context=context)


# --- the assigner -------------------------------------------------------------------------------


@dataclass
class Budget:
    """How much one message may do: requests read (`max_items`; None: no limit) and the
    function's time (stops while more than `margin_ms` remain; no context: no time limit)."""

    max_items: int | None = None
    context: Any = None
    margin_ms: int = 5000
    read: int = 0

    @classmethod
    def of(cls, context: Any = None) -> "Budget":
        return cls(max_items=get_settings().assignment_max_items, context=context)

    def fresh(self) -> "Budget":
        return Budget(self.max_items, self.context, self.margin_ms)

    def out_of_time(self) -> bool:
        remaining = getattr(self.context, "get_remaining_time_in_millis", None)
        return remaining is not None and remaining() < self.margin_ms

    def spent(self) -> bool:
        return (self.max_items is not None and self.read >= self.max_items) or self.out_of_time()

    def page(self) -> int:
        """The next page's size: at most what is left of the item budget."""
        left = waiting.PAGE_SIZE if self.max_items is None else self.max_items - self.read
        return max(1, min(waiting.PAGE_SIZE, left))


@dataclass
class Served:
    assigned: list[str] = field(default_factory=list)  # appointment ids
    waiting: int = 0  # of the requests read, those still waiting (nothing fits them now)
    withdrawn: int = 0
    read: int = 0  # due requests read
    continued_after: str | None = None  # the queue place a follow-up message resumes after


def assign_province(province: str, now: datetime | None = None, after: str | None = None, budget: Budget | None = None) -> Served:
    """Serve a province's due requests in queue order (closure victims, then closed windows
    oldest first, each in its seed's order), resuming after the queue place `after`; each gets
    the earliest slot that fits it. Stops when the free places run out (the rest waits for new
    places and the re-drive), when the queue's due part ends, or when the budget does — then a
    follow-up message continues after the last request read. One page of requests at a time;
    paged or not, the same requests get the same slots."""
    now = now or clock.now()
    budget = budget or Budget()
    served = Served()
    started = time.perf_counter()
    stream = waiting.due(province, now, after)
    slots: FreeSlots | None = None
    last = after
    while True:
        page = list(itertools.islice(stream, budget.page() if slots is None else slots.page(budget.page())))
        if not page:
            break
        if slots is None:  # first the earliest slots, about as many as the requests in hand
            slots = FreeSlots(province, now, enough=len(page))
        budget.read += len(page)
        served.read += len(page)
        last = page[-1].queue_key
        _serve_page(page, slots, now, served)
        if slots.exhausted():
            break
        if budget.spent():
            served.continued_after = last
            break
    if served.continued_after is not None:
        send_province(province, after=served.continued_after)
    logger.info(
        "province served",
        extra={"province": province, "assigned": len(served.assigned), "waiting": served.waiting, "withdrawn": served.withdrawn,
               "read": served.read, "continued": served.continued_after is not None, "seconds": round(time.perf_counter() - started, 3)},
    )
    if served.assigned:
        observability.record(observability.ASSIGNMENTS, len(served.assigned))
    return served


def _serve_page(page: list[AssignmentRequest], slots: "FreeSlots", now: datetime, served: Served) -> None:
    """One page, in queue order: withdraw who may no longer be served, plan the rest against
    the free places, book each plan; re-plan what a concurrent writer took meanwhile."""
    last_day = booking_rules.booking_window(local_day(now), get_settings().slot_horizon_days).last_day
    applicants = {a.applicant_id: a for a in Applicant.batch_get([r.applicant_id for r in page])}
    items = {r.request_id: r for r in page}
    ordered = []
    for request in page:  # already in queue order: domain/assignment.queue_place
        reason = _why_not_entitled(request, applicants.get(request.applicant_id), now)
        if reason:
            served.withdrawn += _withdraw(request, reason, now)
        else:
            ordered.append(_waiting(request, applicants[request.applicant_id], last_day))
    left = len(ordered)
    for _ in range(MAX_ROUNDS):
        planned, unplanned = rules.plan(ordered, slots.usable())
        retry = []
        for chosen in planned:
            request = items[chosen.request_id]
            outcome = _assign(request, applicants[request.applicant_id], slots.get(chosen.slot), now)
            if outcome == "assigned":
                served.assigned.append(request.appointment_id)
                slots.take(chosen.slot)
                left -= 1
            elif outcome == "done_elsewhere":
                left -= 1
            elif outcome == "slot_taken":
                retry.append(chosen.request_id)
                slots.forget(chosen.slot)
            elif outcome == "locked":
                served.withdrawn += _withdraw(request, rules.LOCKED_OUT, now)
                left -= 1
        again = set(retry) | ({r.request_id for r in unplanned} if slots.frontier is not None else set())
        if not again:
            break
        slots.read_all()
        ordered = [r for r in ordered if r.request_id in again]
    served.waiting += left


def _due(request: AssignmentRequest, now: datetime) -> bool:
    """Closure victims at once; everyone else once their window has closed."""
    closes_at = datetime.fromisoformat(request.window_start) + timedelta(minutes=get_settings().assignment_window_minutes)
    return bool(request.priority) or closes_at <= now


def _why_not_entitled(request: AssignmentRequest, applicant: Applicant | None, now: datetime) -> str | None:
    """A request is withdrawn when its person may no longer have it served (the registry moved
    them, their permit ended, ...): domain/assignment.reason_to_withdraw."""
    if applicant is None:
        return rules.NO_ACCOUNT
    if applicant.status == CLOSED:  # a closure's own withdrawal did not happen (a crash half-way)
        return rules.ACCOUNT_CLOSED
    chosen = find_directorate(request.directorate_id) if request.directorate_id else None
    return rules.reason_to_withdraw(find_service(request.service), residency_of(applicant), request.province, chosen, local_day(now) + timedelta(days=1))


def _waiting(request: AssignmentRequest, applicant: Applicant | None = None, last_day: date | None = None) -> rules.WaitingRequest:
    """The request as the rules see it; given its applicant and the booking window's last day,
    its latest acceptable day is cut to the last day within the permit's validity."""
    latest = date.fromisoformat(request.latest) if request.latest else None
    if applicant is not None and last_day is not None:
        latest = last_day_offered(residency_of(applicant), latest or last_day)
    return rules.WaitingRequest(
        request.request_id,
        request.received_at,
        request.service,
        rules.Preferences(
            directorate_id=request.directorate_id,
            earliest=date.fromisoformat(request.earliest) if request.earliest else None,
            latest=latest,
            part_of_day=request.part_of_day or "any",
            weekdays=frozenset(int(d) for d in (request.weekdays or "01234")),
        ),
        priority=bool(request.priority),
        window_start=datetime.fromisoformat(request.window_start),
    )


class FreeSlots:
    """Open slots with capacity left in the booking window, of the province's directorates,
    as the assigner plans against them. First each directorate's earliest `enough` such slots
    only (one Query each), and the frontier: the latest time up to which every directorate's
    slots are all read (None when everything was read). Only slots up to the frontier may be
    given out: a later one could lose to an unread earlier slot of another directorate;
    `read_all` reads the rest when that is needed."""

    def __init__(self, province: str, now: datetime, enough: int | None = None) -> None:
        self.province, self.now = province, now
        self.found: dict[tuple[str, datetime], rules.SlotState] = {}
        self.frontier: datetime | None = None
        self._read(enough)

    def _read(self, enough: int | None) -> None:
        window = booking_rules.booking_window(local_day(self.now), get_settings().slot_horizon_days)
        self.found, self.frontier = {}, None
        for directorate in directorates_in(self.province):
            read = 0
            last = None
            for item in Slot.query(
                directorate.id,
                Slot.start.between(window.first_day.isoformat(), f"{window.last_day.isoformat()}T99:99"),
                filter_condition=(Slot.is_open == True) & (Slot.booked < Slot.capacity),  # noqa: E712
                limit=enough,
            ):
                state = slot_state(item)
                read += 1
                last = state.start
                if state.start > self.now:
                    self.found[(state.directorate_id, state.start)] = state
            if enough is not None and read >= enough and last is not None:  # there may be more
                self.frontier = last if self.frontier is None else min(self.frontier, last)

    def read_all(self) -> None:
        self._read(None)

    def usable(self) -> list[rules.SlotState]:
        return [s for s in self.found.values() if self.frontier is None or s.start <= self.frontier]

    def get(self, slot: rules.SlotState) -> rules.SlotState:
        return self.found[(slot.directorate_id, slot.start)]

    def take(self, slot: rules.SlotState) -> None:
        key = (slot.directorate_id, slot.start)
        self.found[key] = rules.SlotState(**{**self.found[key].__dict__, "booked": self.found[key].booked + 1})

    def forget(self, slot: rules.SlotState) -> None:
        self.found.pop((slot.directorate_id, slot.start), None)  # a concurrent writer took it: re-read

    def exhausted(self) -> bool:
        """No free place left anywhere in the booking window (read to its end when the places
        read so far are all taken)."""
        if any(s.remaining > 0 for s in self.usable()):
            return False
        if self.frontier is not None:
            self.read_all()
        return all(s.remaining <= 0 for s in self.found.values())

    def page(self, most: int) -> int:
        """The next page of requests: no more than the free places known (all read), if fewer."""
        if self.frontier is not None:
            return most
        return max(1, min(most, sum(max(s.remaining, 0) for s in self.found.values())))


def _assign(request: AssignmentRequest, applicant: Applicant, state: rules.SlotState, now: datetime):
    """One assignment: the booking transaction plus the request's move waiting → assigned. Its
    notifications are written in the transaction; the notifications table's stream queues them."""
    service = find_service(request.service)
    slot = Slot(state.directorate_id, wall_time(state.start))
    appointment = new_appointment(applicant, slot, service, state.start, now)
    appointment.assigned = True  # counted as served in assigned mode (public statistics)
    write = NamedTransaction()
    try:
        with write:
            confirm_in(
                write,
                slot,
                applicant,
                appointment,
                now,
                actor_id=SYSTEM_ACTOR,
                actor_role="system",
                applicant_actions=(Applicant.waiting_request.remove(),),
                applicant_condition=Applicant.waiting_request == request.request_id,
                audit_facts={"request_id": request.request_id},
            )
            write.update(
                "request",
                request,
                actions=[
                    AssignmentRequest.status.set(ASSIGNED),
                    AssignmentRequest.appointment_id.set(appointment.appointment_id),
                    AssignmentRequest.decided_at.set(now),
                    AssignmentRequest.waiting_province.remove(),
                    _due_for_retention(request, now),
                ],
                condition=AssignmentRequest.status == WAITING,
            )
            waiting.settle_in(write, request)
    except TransactWriteError as error:
        failed = write.failed(error)
        if not failed:
            raise
        if "request" in failed:
            return "done_elsewhere"  # another assigner (or a redelivery) got there first
        if "applicant" in failed:
            return "locked"
        return "slot_taken"
    request.appointment_id = appointment.appointment_id
    return "assigned"


def _withdraw(request: AssignmentRequest, reason: str, now: datetime, actor_id: str = SYSTEM_ACTOR, actor_role: str = "system") -> int:
    """End a waiting request (withdrawn by its person, or one they can no longer have served);
    1 if this call ended it. When the system withdraws it, the notice explaining why to the
    person (SMS and email) is written in the same transaction, then queued."""
    notice: Notification | None = notifications.withdrawal_for(request.request_id, request.applicant_id, reason, now) if actor_id == SYSTEM_ACTOR else None
    record = audit.record(
        audit.applicant_subject(request.applicant_id),
        "assignment.withdrawn",
        actor_id=actor_id,
        actor_role=actor_role,
        at=now,
        reason=reason,
        before={"request_id": request.request_id, "status": WAITING},
        after={"status": WITHDRAWN},
    )
    write = NamedTransaction()
    try:
        with write:
            write.save("audit", record)
            write.update(
                "request",
                request,
                actions=[
                    AssignmentRequest.status.set(WITHDRAWN),
                    AssignmentRequest.reason.set(reason),
                    AssignmentRequest.decided_at.set(now),
                    AssignmentRequest.waiting_province.remove(),
                    _due_for_retention(request, now),
                ],
                condition=AssignmentRequest.status == WAITING,
            )
            write.update(
                "applicant",
                Applicant(request.applicant_id),
                actions=[Applicant.waiting_request.remove()],
                condition=Applicant.waiting_request == request.request_id,
            )
            if notice is not None:
                write.save("notice", notice, condition=Notification.notification_id.does_not_exist())
            waiting.settle_in(write, request)
    except TransactWriteError as error:
        if "request" in write.failed(error):
            return 0
        if "applicant" in write.failed(error):  # the account is gone or holds another request
            alone = NamedTransaction()
            try:
                with alone:
                    alone.update(
                        "request",
                        AssignmentRequest(request.request_id),
                        actions=[
                            AssignmentRequest.status.set(WITHDRAWN), AssignmentRequest.reason.set(reason), AssignmentRequest.decided_at.set(now),
                            AssignmentRequest.waiting_province.remove(), _due_for_retention(request, now),
                        ],
                        condition=AssignmentRequest.status == WAITING,
                    )
                    waiting.settle_in(alone, request)
            except TransactWriteError as again:
                if "request" in alone.failed(again):
                    return 0
                raise
            return 1
        raise
    logger.info("assignment request withdrawn", extra={"request_id": request.request_id, "reason": reason})
    return 1


def _due_for_retention(request: AssignmentRequest, ended_at: datetime):
    """The action that puts an ending request on the retention schedule (domain/retention.py)."""
    return AssignmentRequest.retention_due.set(retention.due_key(retention.request_due(ended_at), request.request_id))


def _applicant(applicant_id: str) -> Applicant:
    try:
        return Applicant.get(applicant_id)
    except Applicant.DoesNotExist:
        raise NotFound("No applicant profile belongs to this account.") from None

