"""Use case of a day closure: the authority closes a directorate's day.

The day's slots close (nobody can book or be assigned into them), and each confirmed
appointment of the day is cancelled by the authority in one transaction per appointment that
also gives the person back the lock they had before that booking, files a priority assignment
request for them (served before every window), writes the audit record and the notification
owed. Running the same closure again changes nothing more.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import Applicant, Appointment, DirectorateDay, Slot
from chalicelib.contract import ClosureOut, ClosureRequest
from chalicelib.clock import clock
from chalicelib.domain.attendance import CANCELLED_BY_AUTHORITY, CONFIRMED
from chalicelib.domain.calendar import ISTANBUL, local_day
from chalicelib.domain.catalogue import Directorate, find_directorate
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.lockout import lock_after_booking, lock_after_cancellation
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.services import assignment, audit, notifications, waiting
from chalicelib.services.auth import staff_directorate

MAX_ATTEMPTS = 3  # an applicant item changed under us (a concurrent write): read it again


def preview(caller: Caller, directorate_id: str, day: date) -> ClosureOut:
    """What closing the day would do, before anyone confirms it: the open slots that would
    close and the confirmed appointments (so the people) it would cancel and re-queue."""
    directorate = _directorate_of_caller(caller, directorate_id)
    slots = sum(1 for _ in Slot.query(directorate.id, Slot.start.startswith(day.isoformat()), filter_condition=Slot.is_open == True))  # noqa: E712
    confirmed = list(_confirmed_on(directorate, day))
    return ClosureOut(directorate=directorate.id, date=day, slots_closed=slots, appointments_cancelled=len(confirmed), requests_filed=len({a.applicant_id for a in confirmed}))


def _confirmed_on(directorate: Directorate, day: date):
    day_start = datetime.combine(day, datetime.min.time(), tzinfo=ISTANBUL)
    return Appointment.by_directorate.query(
        directorate.id,
        Appointment.start.between(day_start, day_start + timedelta(days=1) - timedelta(microseconds=1)),
        filter_condition=Appointment.status == CONFIRMED,
    )


def close_day(caller: Caller, directorate_id: str, request: ClosureRequest) -> ClosureOut:
    directorate = _directorate_of_caller(caller, directorate_id)
    now = clock.now()
    if request.date < local_day(now):
        raise ValidationFailed("A day that is over cannot be closed.", field="date")
    role = audit.actor_role(caller)
    _mark_day_closed(directorate, request, caller.account_id, now)
    slots_closed = _close_slots(directorate, request.date.isoformat())
    cancelled = 0
    for appointment in _confirmed_on(directorate, request.date):
        # Each cancellation's notification is queued by the notifications table's stream (services/outbox.py).
        if _cancel(appointment, directorate, request, caller.account_id, role, now) is not None:
            cancelled += 1
    if cancelled:
        assignment.send_province(directorate.province)
    logger.info("day closed", extra={"directorate_id": directorate.id, "day": request.date.isoformat(), "cancelled": cancelled})
    return ClosureOut(
        directorate=directorate.id, date=request.date, slots_closed=slots_closed, appointments_cancelled=cancelled, requests_filed=cancelled
    )


def _directorate_of_caller(caller: Caller, directorate_id: str) -> Directorate:
    """Staff close days of their own directorate only; an admin any (others learn nothing)."""
    directorate = find_directorate(directorate_id)
    if directorate is None:
        raise NotFound("There is no such directorate.")
    if Role.ADMIN not in caller.roles:
        own = staff_directorate(caller)
        if own is None or own.id != directorate.id:
            raise NotFound("There is no such directorate.")
    return directorate


def _mark_day_closed(directorate: Directorate, request: ClosureRequest, actor_id: str, now: datetime) -> None:
    """The day is closed for good: a day beyond the horizon is recorded closed before it is ever
    opened, and the horizon never opens it (it opens only days that do not exist yet)."""
    DirectorateDay(directorate.id, request.date.isoformat()).update(
        actions=[
            DirectorateDay.status.set("closed"),
            DirectorateDay.slot_count.set(DirectorateDay.slot_count | 0),
            DirectorateDay.closed_reason.set(request.reason),
            DirectorateDay.closed_by.set(actor_id),
            DirectorateDay.closed_at.set(now),
        ]
    )


def _close_slots(directorate: Directorate, day: str) -> int:
    closed = 0
    for slot in Slot.query(directorate.id, Slot.start.startswith(day), filter_condition=Slot.is_open == True):  # noqa: E712
        slot.update(actions=[Slot.is_open.set(False)])
        closed += 1
    return closed


def _cancel(appointment: Appointment, directorate: Directorate, request: ClosureRequest, actor_id: str, role: str, now: datetime):
    """Cancel one appointment; returns the notification owed, or None if it was not confirmed
    any more (cancelled by an earlier run, or attended)."""
    reason = request.reason
    for _ in range(MAX_ATTEMPTS):
        applicant = Applicant.get(appointment.applicant_id, consistent_read=True)
        restored = lock_after_cancellation(applicant.locked_until, lock_after_booking(appointment.created_at), appointment.lock_before)
        files_request = not applicant.waiting_request
        priority = assignment.new_request(
            applicant_id=applicant.applicant_id,
            province=applicant.province or directorate.province,
            service=appointment.service,
            directorate_id=directorate.id,
            now=now,
            priority=True,
            reason=f"closure:{directorate.id}:{request.date.isoformat()}",
        )
        notice = notifications.cancellation_for(appointment, reason, now)
        record = audit.record(
            audit.applicant_subject(applicant.applicant_id),
            "appointment.cancelled_by_authority",
            actor_id=actor_id,
            actor_role=role,
            at=now,
            reason=reason,
            before={"appointment_id": appointment.appointment_id, "locked_until": _iso(applicant.locked_until)},
            after={"locked_until": _iso(restored), "request_id": priority.request_id if files_request else ""},
        )
        lock_action = Applicant.locked_until.set(restored) if restored is not None else Applicant.locked_until.remove()
        unchanged = (
            Applicant.locked_until == applicant.locked_until if applicant.locked_until is not None else Applicant.locked_until.does_not_exist()
        )
        write = NamedTransaction()
        try:
            with write:
                write.update(
                    "appointment",
                    appointment,
                    actions=[
                        Appointment.status.set(CANCELLED_BY_AUTHORITY),
                        Appointment.cancelled_at.set(now),
                        Appointment.cancel_reason.set(reason),
                        Appointment.unmarked_day.remove(),
                    ],
                    condition=(Appointment.status == CONFIRMED) & Appointment.attendance.does_not_exist(),
                )
                if files_request:
                    write.update(
                        "applicant",
                        applicant,
                        actions=[lock_action, Applicant.waiting_request.set(priority.request_id)],
                        condition=unchanged & Applicant.waiting_request.does_not_exist(),
                    )
                    write.save("request", priority)
                    waiting.file_in(write, priority)  # its shard's total: the assigner opens only occupied shards
                else:
                    write.update("applicant", applicant, actions=[lock_action], condition=unchanged)
                write.save("audit", record)
                write.save("notification", notice)
        except TransactWriteError as error:
            failed = write.failed(error)
            if "appointment" in failed:
                return None
            if "applicant" in failed:
                continue
            raise
        return notice
    raise RuntimeError(f"appointment {appointment.appointment_id}: the applicant kept changing; run the closure again")


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(ISTANBUL).isoformat() if moment else ""
