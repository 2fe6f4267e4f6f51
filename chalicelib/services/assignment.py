"""Use cases of assignment under high demand: requests, the assigner, positions.

A request is checked like a booking (province, eligibility, lock), then stored in one
transaction with the applicant's marker of their one waiting request. Requests filed within
one window of a province are served together once the window has closed, in the order drawn
from the window's seed; the seed is drawn and recorded when the window opens (before anyone
could know who is in it) and never changes. The window's message waits on the assignments
queue until the window closes; a schedule re-drives every province with waiting requests, so a
lost message, new capacity or a new day only delays an assignment.

Each assignment is the booking transaction (capacity, lock, appointment, audit,
notification) plus the request's move from waiting to assigned, on condition that it is still
waiting: a redelivered message, or two assigners at once, can never assign anyone twice.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import observability, wiring
from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import Applicant, AssignmentRequest, AssignmentWindow, Notification, Slot
from chalicelib.contract import AssignmentRequestIn, AssignmentStatus
from chalicelib.clock import clock
from chalicelib.domain import assignment as rules
from chalicelib.domain import booking as booking_rules
from chalicelib.domain.calendar import is_working_day, local_day, wall_time
from chalicelib.domain.catalogue import PROVINCES, directorates_in, find_directorate, find_service
from chalicelib.domain.eligibility import last_day_offered, require_eligible_for
from chalicelib.domain.errors import AppointmentFinal, LockedOut, NotFound, RequestPending
from chalicelib.domain.lockout import require_not_locked
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.resources import assignments_queue_name
from chalicelib.services import audit, notifications
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
    except TransactWriteError as error:
        if "applicant" in write.failed(error):
            current = Applicant.get(applicant.applicant_id, consistent_read=True)
            if current.waiting_request:
                raise RequestPending(request_id=current.waiting_request) from None
            require_not_locked(current.locked_until, now)
            raise LockedOut("Your account cannot request an appointment right now. Please try again.") from None
        raise
    _open_window(request.province, request.window_start, now)
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
        waiting_province=province,
        queue_key=f"{0 if priority else 1}#{window}#{request_id}",
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
        if _withdraw(request, rules.BY_APPLICANT, now, actor_id=caller.account_id, actor_role=Role.APPLICANT.value) and not request.priority:
            _settle(request.province, Counter({request.window_start: 1}))
        request = AssignmentRequest.get(request_id, consistent_read=True)
    if request.status == ASSIGNED:  # before, or while, this call ran
        raise AppointmentFinal(
            "This request has been given an appointment already; a confirmed appointment cannot be cancelled.",
            appointment_id=request.appointment_id,
        )
    return status_out(request, now)


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
    position = estimated = seed = own = None
    if request.status == WAITING:
        position, own = _position(request, now)
        service = find_service(request.service)
        first_day = booking_rules.booking_window(local_day(now), get_settings().slot_horizon_days).first_day
        chosen = find_directorate(request.directorate_id) if request.directorate_id else None
        directorates = rules.offering_directorates(request.service, request.province, chosen)
        estimated = rules.estimated_date(position, rules.daily_capacity(directorates, service.code, _working_day_from(first_day)), first_day)
    if closes_at <= now:
        seed = int(own.seed) if own is not None else _recorded_seed(request.province, request.window_start)
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


def _position(request: AssignmentRequest, now: datetime) -> tuple[int, AssignmentWindow | None]:
    """1 + the province's waiting requests served before this one, from the windows' counters
    (never by counting requests: on release day thousands wait). Closure victims count only
    each other. Until a window has closed and its order can be drawn, everyone filed in it
    counts as ahead: the position is then the worst case. Also returns the request's own
    window, read on the way (its seed is published once it has closed)."""
    index = AssignmentRequest.waiting_by_province
    if request.priority:
        return index.count(request.province, AssignmentRequest.queue_key < request.queue_key) + 1, None
    oldest = next(iter(index.query(request.province, AssignmentRequest.queue_key.startswith("1#"), limit=1)), None)
    earlier = AssignmentWindow.query(
        request.province,
        AssignmentWindow.window_start.between(oldest.window_start if oldest else request.window_start, request.window_start),
    )
    windows = {w.window_start: w for w in earlier}
    own = windows.pop(request.window_start, None)
    ahead = sum(_unsettled(w) for w in windows.values())
    closes_at = datetime.fromisoformat(request.window_start) + timedelta(minutes=get_settings().assignment_window_minutes)
    if own is None or closes_at > now:
        return ahead + max(_unsettled(own) if own else 0, 1), own
    members = [_waiting(r) for r in index.query(request.province, AssignmentRequest.queue_key.startswith(request.queue_key.rsplit("#", 1)[0] + "#"))]
    ordered = rules.lottery_order(members, get_settings().assignment_window_minutes, {datetime.fromisoformat(request.window_start): int(own.seed)})
    within = next((i for i, r in enumerate(ordered) if r.request_id == request.request_id), len(ordered))
    return ahead + within + 1, own


def _unsettled(window: AssignmentWindow) -> int:
    return max(int(window.filed or 0) - int(window.settled or 0), 0)


def _working_day_from(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


# --- windows and the queue ----------------------------------------------------------------------


def _open_window(province: str, window_start: str, now: datetime) -> None:
    """Count the request in its window; the window's first request draws and records its seed
    and sends the one message that will have the window served when it closes. One atomic
    update: concurrent first requests cannot draw two seeds or send two messages."""
    window = AssignmentWindow(province, window_start)
    window.update(
        actions=[
            AssignmentWindow.filed.add(1),
            AssignmentWindow.seed.set(AssignmentWindow.seed | rules.draw_seed()),
            AssignmentWindow.drawn_at.set(AssignmentWindow.drawn_at | now),
        ]
    )
    if int(window.filed) == 1:
        closes_at = datetime.fromisoformat(window_start) + timedelta(minutes=get_settings().assignment_window_minutes)
        send_province(province, delay_seconds=int((closes_at - now).total_seconds()) + 1)


def _settle(province: str, left: Counter) -> None:
    """Requests left their windows' queues (assigned or withdrawn): one update per window, so
    the rest move up. Best effort, after the fact: the counters only feed position estimates."""
    for window_start, count in left.items():
        if count <= 0:
            continue
        try:
            AssignmentWindow(province, window_start).update(actions=[AssignmentWindow.settled.add(count)])
        except Exception:
            logger.exception("window counter not updated", extra={"province": province, "window_start": window_start})


def _recorded_seed(province: str, window_start: str) -> int | None:
    try:
        return int(AssignmentWindow.get(province, window_start).seed)
    except AssignmentWindow.DoesNotExist:
        return None


def _seed(province: str, window_start: str, now: datetime) -> int:
    """The window's recorded seed; a window whose opening was never recorded (a closure's
    priority requests) gets one now, once."""
    window = AssignmentWindow(province, window_start)
    window.update(
        actions=[
            AssignmentWindow.seed.set(AssignmentWindow.seed | rules.draw_seed()),
            AssignmentWindow.drawn_at.set(AssignmentWindow.drawn_at | now),
        ]
    )
    return int(window.seed)


def waiting_at(directorate_id: str, service_code: str | None = None) -> int:
    """How many waiting requests this directorate could serve (for one service, or any it
    offers): what an administrator's change of mode or capacity touches. One Query of the
    province's waiting requests."""
    directorate = find_directorate(directorate_id)
    if directorate is None:
        return 0
    return sum(
        1
        for r in AssignmentRequest.waiting_by_province.query(directorate.province)
        if (service_code is None or r.service == service_code)
        and directorate in rules.offering_directorates(r.service, r.province, find_directorate(r.directorate_id or ""))
    )


def send_province(province: str, delay_seconds: int = 0) -> None:
    """Ask the assigner to serve a province's due requests. Best effort: if this is lost, the
    re-drive schedule sends it again."""
    try:
        wiring.sqs().send_message(
            QueueUrl=wiring.queue_url(assignments_queue_name()),
            MessageBody=json.dumps({"province": province}),
            DelaySeconds=max(0, min(delay_seconds, 900)),
        )
    except Exception:
        logger.exception("assignment message not queued; the re-drive schedule will send it", extra={"province": province})


def redrive(now: datetime | None = None) -> int:
    """The schedule: every province with a waiting request that is due gets a message (new
    days, added capacity and lifted closures reach the waiting this way). One one-item Query
    per province on the sparse index of waiting requests."""
    now = now or clock.now()
    sent = 0
    for province in PROVINCES:
        first = next(iter(AssignmentRequest.waiting_by_province.query(province.code, limit=1)), None)
        if first is not None and _due(first, now):
            send_province(province.code)
            sent += 1
    logger.info("waiting requests re-driven", extra={"provinces": sent})
    return sent


def handle_queue_batch(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The SQS handler: each record names a province to serve; failures are reported per
    record (partial batch response), and a message failing five times rests in the DLQ."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    def serve(record: Any) -> None:
        body = json.loads(record.body)
        assign_province(str(body["province"]))

    return process_partial_response(event=event, record_handler=serve, processor=BatchProcessor(event_type=EventType.SQS), context=context)


# --- the assigner -------------------------------------------------------------------------------


@dataclass
class Served:
    assigned: list[str] = field(default_factory=list)  # appointment ids
    waiting: int = 0
    withdrawn: int = 0


def assign_province(province: str, now: datetime | None = None) -> Served:
    """Serve a province's due requests: closure victims, then closed windows oldest first,
    each window in its seed's order; each gets the earliest slot that fits it."""
    now = now or clock.now()
    served = Served()
    due = [r for r in AssignmentRequest.waiting_by_province.query(province) if _due(r, now)]
    if not due:
        return served
    window_minutes = get_settings().assignment_window_minutes
    window = booking_rules.booking_window(local_day(now), get_settings().slot_horizon_days)
    seeds = {datetime.fromisoformat(w): _seed(province, w, now) for w in {r.window_start for r in due}}
    applicants = {a.applicant_id: a for a in Applicant.batch_get([r.applicant_id for r in due])}
    items = {r.request_id: r for r in due}
    candidates, settled = [], Counter()  # settled: per window, the requests that left its queue here
    for request in due:
        reason = _why_not_entitled(request, applicants.get(request.applicant_id), now)
        if reason:
            if _withdraw(request, reason, now):
                served.withdrawn += 1
                settled[request.window_start] += 0 if request.priority else 1
        else:
            candidates.append(_waiting(request, applicants[request.applicant_id], window.last_day))
    ordered = rules.lottery_order(candidates, window_minutes, seeds)
    if not ordered:  # everyone due was withdrawn
        _settle(province, settled)
        return served
    chosen_directorates = {r.directorate_id for r in due}
    # First the earliest slots, about as many as there are requests; all of them only if some
    # request found nothing among those (its preferences, or places ran out).
    slots, frontier = _free_slots(province, chosen_directorates, now, enough=len(ordered))
    notices, elsewhere = [], 0  # elsewhere: served meanwhile by another assigner
    for _ in range(MAX_ROUNDS):
        usable = [s for s in slots.values() if frontier is None or s.start <= frontier]
        planned, unplanned = rules.plan(ordered, usable)
        retry = []
        for chosen in planned:
            request = items[chosen.request_id]
            slot = slots[(chosen.slot.directorate_id, chosen.slot.start)]
            outcome, owed = _assign(request, applicants[request.applicant_id], slot, now)
            if outcome == "assigned":
                served.assigned.append(request.appointment_id)
                notices.extend(owed)
                settled[request.window_start] += 0 if request.priority else 1
                slots[(chosen.slot.directorate_id, chosen.slot.start)] = _taken(chosen.slot)
            elif outcome == "done_elsewhere":
                elsewhere += 1
            elif outcome == "slot_taken":
                retry.append(chosen.request_id)
                slots.pop((chosen.slot.directorate_id, chosen.slot.start))  # re-read below
            elif outcome == "locked":
                if _withdraw(request, rules.LOCKED_OUT, now):
                    served.withdrawn += 1
                    settled[request.window_start] += 0 if request.priority else 1
        again = set(retry) | ({r.request_id for r in unplanned} if frontier is not None else set())
        if not again:
            break
        slots, frontier = _free_slots(province, chosen_directorates, now)
        ordered = [r for r in ordered if r.request_id in again]
    if notices:
        notifications.enqueue([n.notification_id for n in notices])
    _settle(province, settled)
    served.waiting = len(due) - len(served.assigned) - served.withdrawn - elsewhere
    logger.info("province served", extra={"province": province, "assigned": len(served.assigned), "waiting": served.waiting, "withdrawn": served.withdrawn})
    if served.assigned:
        observability.record(observability.ASSIGNMENTS, len(served.assigned))
    return served


def _due(request: AssignmentRequest, now: datetime) -> bool:
    """Closure victims at once; everyone else once their window has closed."""
    closes_at = datetime.fromisoformat(request.window_start) + timedelta(minutes=get_settings().assignment_window_minutes)
    return bool(request.priority) or closes_at <= now


def _why_not_entitled(request: AssignmentRequest, applicant: Applicant | None, now: datetime) -> str | None:
    """A request is withdrawn when its person may no longer have it served (the registry moved
    them, their permit ended, ...): domain/assignment.reason_to_withdraw."""
    if applicant is None:
        return rules.NO_ACCOUNT
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


def _free_slots(
    province: str, chosen: set[str | None], now: datetime, enough: int | None = None
) -> tuple[dict[tuple[str, datetime], rules.SlotState], datetime | None]:
    """Open slots with capacity left in the booking window, of the province's directorates (or
    only the chosen ones, when every request chose one), in time order: one Query per
    directorate. With `enough`, each directorate's earliest `enough` such slots only, and the
    frontier: the latest time up to which every directorate's slots are all read (None when
    everything was read). Only slots up to the frontier may be given out: a later one could
    lose to an unread earlier slot of another directorate."""
    directorates = directorates_in(province) if None in chosen else tuple(find_directorate(d) for d in chosen)
    window = booking_rules.booking_window(local_day(now), get_settings().slot_horizon_days)
    found: dict[tuple[str, datetime], rules.SlotState] = {}
    frontier: datetime | None = None
    for directorate in directorates:
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
            if state.start > now:
                found[(state.directorate_id, state.start)] = state
        if enough is not None and read >= enough and last is not None:  # there may be more
            frontier = last if frontier is None else min(frontier, last)
    return found, frontier


def _taken(slot: rules.SlotState) -> rules.SlotState:
    return rules.SlotState(**{**slot.__dict__, "booked": slot.booked + 1})


def _assign(request: AssignmentRequest, applicant: Applicant, state: rules.SlotState, now: datetime):
    """One assignment: the booking transaction plus the request's move waiting → assigned."""
    service = find_service(request.service)
    slot = Slot(state.directorate_id, wall_time(state.start))
    appointment = new_appointment(applicant, slot, service, state.start, now)
    appointment.assigned = True  # counted as served in assigned mode (public statistics)
    write = NamedTransaction()
    try:
        with write:
            notices = confirm_in(
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
                ],
                condition=AssignmentRequest.status == WAITING,
            )
    except TransactWriteError as error:
        failed = write.failed(error)
        if not failed:
            raise
        if "request" in failed:
            return "done_elsewhere", None  # another assigner (or a redelivery) got there first
        if "applicant" in failed:
            return "locked", None
        return "slot_taken", None
    request.appointment_id = appointment.appointment_id
    return "assigned", notices


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
    except TransactWriteError as error:
        if "request" in write.failed(error):
            return 0
        if "applicant" in write.failed(error):  # the account is gone or holds another request
            AssignmentRequest(request.request_id).update(
                actions=[AssignmentRequest.status.set(WITHDRAWN), AssignmentRequest.reason.set(reason), AssignmentRequest.waiting_province.remove()],
                condition=AssignmentRequest.status == WAITING,
            )
            return 1
        raise
    logger.info("assignment request withdrawn", extra={"request_id": request.request_id, "reason": reason})
    if notice is not None:
        notifications.enqueue([notice.notification_id])
    return 1


def _applicant(applicant_id: str) -> Applicant:
    try:
        return Applicant.get(applicant_id)
    except Applicant.DoesNotExist:
        raise NotFound("No applicant profile belongs to this account.") from None

