"""Use cases of corrections and appeals (issue 12, item 4).

- Staff correct an attendance mark within 7 days, with a reason: no-show → attended gives back
  the lock the person had before the no-show; attended → no-show starts the no-show's lock.
- A supervisor (of a directorate where the person has an appointment) or an administrator lifts
  or shortens a lock, on grounds from a closed list and with a reason.
- Staff issue a follow-up visit for the same matter on a slot of their directorate: it takes a
  place, starts no lock, is not refused by the lock in force, and is linked to the original.
Each is one transaction with its audit record (and, for a follow-up, the notification owed);
the person sees each on My appointments (the appointment's `correction`, `lock_change`,
`follow_up_of` / `follow_up_id`)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import Applicant, Appointment, Slot
from chalicelib.clock import clock
from chalicelib.contract import AppointmentOut, FollowUpRequest, LockOut, LockRequest
from chalicelib.domain import booking as booking_rules
from chalicelib.domain import calendar, corrections as rules
from chalicelib.domain.attendance import CANCELLED_BY_AUTHORITY, CONFIRMED, Outcome
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import find_service
from chalicelib.domain.errors import AppointmentFinal, Forbidden, NotFound, SlotFull, ValidationFailed
from chalicelib.domain.lockout import LOCK_PERIOD, adjusted_lock, lock_after_booking, lock_after_corrected_no_show, lock_after_no_show
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.services import audit, notifications
from chalicelib.services.auth import staff_directorate
from chalicelib.services.booking import appointment_out, new_appointment, slot_state, take_places
from chalicelib.settings import get_settings

MAX_ATTEMPTS = 3
CORRECTED = "appointment.attendance_corrected"
LOCK_CHANGED = "applicant.lock_changed"
FOLLOW_UP = "appointment.follow_up_issued"


# --- the lock a no-show starts (shared with the first recording, services/attendance.py) ---------


def lock_for_no_show(write: NamedTransaction, appointment: Appointment, applicant: Applicant) -> tuple[datetime, list]:
    """Add the applicant's no-show lock to `write` (condition: the lock unchanged since read) and
    return it with the actions that keep, on the appointment, the lock it replaced and the lock it
    set (what a later correction to attended gives back)."""
    new_lock = lock_after_no_show(applicant.locked_until, appointment.start)
    write.update("applicant", applicant, actions=[Applicant.locked_until.set(new_lock)], condition=_lock_unchanged(applicant.locked_until))
    kept = Appointment.no_show_lock_before.set(applicant.locked_until) if applicant.locked_until else Appointment.no_show_lock_before.remove()
    return new_lock, [kept, Appointment.no_show_lock.set(new_lock)]


def _lock_unchanged(locked_until: datetime | None):
    return Applicant.locked_until.does_not_exist() if locked_until is None else Applicant.locked_until == locked_until


def _set_lock(locked_until: datetime | None):
    return Applicant.locked_until.set(locked_until) if locked_until is not None else Applicant.locked_until.remove()


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(ISTANBUL).isoformat() if moment else None


# --- correcting an attendance mark ---------------------------------------------------------------


def correct_attendance(caller: Caller, appointment: Appointment, outcome: Outcome, reason: str | None, now: datetime) -> AppointmentOut:
    """Staff of the directorate (the caller was checked) correct a recorded mark."""
    for _ in range(MAX_ATTEMPTS):
        recorded = appointment.attendance
        rules.require_correctable(appointment.status, recorded, outcome.value, appointment.start, now, reason)
        applicant = Applicant.get(appointment.applicant_id, consistent_read=True)
        write = NamedTransaction()
        actions = [
            Appointment.attendance.set(outcome.value),
            Appointment.attendance_at.set(now),
            Appointment.corrected_from.set(recorded),
            Appointment.correction_reason.set(reason),
            Appointment.corrected_at.set(now),
        ]
        new_lock = applicant.locked_until
        try:
            with write:
                if outcome is Outcome.NO_SHOW and not appointment.follow_up_of:
                    new_lock, lock_actions = lock_for_no_show(write, appointment, applicant)
                    actions += lock_actions
                elif outcome is Outcome.ATTENDED:
                    set_by, before = appointment.no_show_lock, appointment.no_show_lock_before
                    if set_by is None and not appointment.follow_up_of:  # marked before these were kept
                        set_by, before = appointment.start + LOCK_PERIOD, lock_after_booking(appointment.created_at)
                    new_lock = lock_after_corrected_no_show(applicant.locked_until, set_by, before)
                    if new_lock != applicant.locked_until:
                        write.update("applicant", applicant, actions=[_set_lock(new_lock)], condition=_lock_unchanged(applicant.locked_until))
                    actions += [Appointment.no_show_lock.remove(), Appointment.no_show_lock_before.remove()]
                write.update("appointment", appointment, actions=actions, condition=(Appointment.attendance == recorded) & (Appointment.status == CONFIRMED))
                write.save("audit", audit.record(
                    audit.applicant_subject(appointment.applicant_id), CORRECTED, actor_id=caller.account_id,
                    actor_role=audit.actor_role(caller), at=now, reason=reason,
                    before={"appointment_id": appointment.appointment_id, "attendance": recorded, "locked_until": _iso(applicant.locked_until)},
                    after={"attendance": outcome.value, "locked_until": _iso(new_lock)},
                ))
        except TransactWriteError as error:
            if not write.failed(error):
                raise
            appointment = Appointment.get(appointment.appointment_id, consistent_read=True)  # changed meanwhile: again
            continue
        logger.info("attendance corrected", extra={"appointment_id": appointment.appointment_id, "outcome": outcome.value})
        return appointment_out(Appointment.get(appointment.appointment_id, consistent_read=True))
    raise AppointmentFinal("The appointment changed while the correction was being recorded. Please try again.")


# --- lifting or shortening a lock ----------------------------------------------------------------


def change_lock(caller: Caller, applicant_id: str, request: LockRequest) -> LockOut:
    """A supervisor or an administrator lifts or shortens a person's lock (never starts or
    lengthens one). A supervisor may do so only for people with an appointment at their
    directorate; anyone else learns nothing (404)."""
    if not caller.has_any(frozenset({Role.SUPERVISOR, Role.ADMIN})):
        raise Forbidden("Only a supervisor or an administrator may lift or shorten a lock.")
    now = clock.now()
    try:
        applicant = Applicant.get(applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        raise NotFound("There is no such applicant.") from None
    appointments = list(Appointment.by_applicant.query(applicant_id, scan_index_forward=False))
    if Role.ADMIN not in caller.roles:
        directorate = staff_directorate(caller)
        if directorate is None or all(a.directorate_id != directorate.id for a in appointments):
            raise NotFound("There is no such applicant at your directorate.")
    for _ in range(MAX_ATTEMPTS):
        new_lock = adjusted_lock(applicant.locked_until, request.locked_until, now)
        change = "lifted" if new_lock is None else "shortened"
        source = _lock_source(appointments)
        write = NamedTransaction()
        try:
            with write:
                write.update("applicant", applicant, actions=[_set_lock(new_lock)], condition=_lock_unchanged(applicant.locked_until))
                if source is not None:
                    write.update("appointment", source, actions=[
                        Appointment.lock_change.set(change),
                        Appointment.lock_changed_until.set(new_lock) if new_lock else Appointment.lock_changed_until.remove(),
                        Appointment.lock_change_grounds.set(request.grounds),
                        Appointment.lock_change_reason.set(request.reason),
                        Appointment.lock_changed_at.set(now),
                    ])
                write.save("audit", audit.record(
                    audit.applicant_subject(applicant_id), LOCK_CHANGED, actor_id=caller.account_id, actor_role=audit.actor_role(caller),
                    at=now, reason=request.reason,
                    before={"locked_until": _iso(applicant.locked_until)},
                    after={"locked_until": _iso(new_lock), "change": change, "grounds": request.grounds,
                           "appointment_id": source.appointment_id if source else None},
                ))
        except TransactWriteError as error:
            if "applicant" not in write.failed(error):
                raise
            applicant = Applicant.get(applicant_id, consistent_read=True)  # the lock moved meanwhile
            continue
        logger.info("lock changed", extra={"applicant_id": applicant_id, "change": change, "grounds": request.grounds})
        return LockOut(applicant_id=applicant_id, locked_until=new_lock, change=change, appointment_id=source.appointment_id if source else None)
    raise ValidationFailed("The lock changed while this was being recorded. Reload and try again.", field="locked_until")


def _lock_source(appointments: list[Appointment]) -> Appointment | None:
    """The appointment whose lock is in force: the latest one that set a lock (a booking, kept
    or given back, or its no-show), newest by start; follow-ups and cancelled ones set none."""
    return next((a for a in appointments if not a.follow_up_of and a.status != CANCELLED_BY_AUTHORITY), None)


# --- a follow-up visit ---------------------------------------------------------------------------


def issue_follow_up(caller: Caller, appointment_id: str, request: FollowUpRequest) -> AppointmentOut:
    from chalicelib.services.attendance import appointment_at_callers_directorate

    now = clock.now()
    original = appointment_at_callers_directorate(caller, appointment_id)
    rules.require_follow_up_of(original.status)
    if original.follow_up_id:
        raise AppointmentFinal("A follow-up visit was already issued for this appointment.", follow_up_id=original.follow_up_id)
    parsed = calendar.parse_slot_id(request.slot_id)
    if parsed is None or parsed[0] != original.directorate_id:
        raise ValidationFailed("Choose a time slot of this appointment's directorate.", field="slot_id")
    service = find_service(original.service)
    try:
        slot = Slot.get(parsed[0], calendar.wall_time(parsed[1]), consistent_read=True)
    except Slot.DoesNotExist:
        slot = None
    window = booking_rules.booking_window(clock.today(), get_settings().slot_horizon_days)
    state = booking_rules.require_bookable_slot(slot_state(slot) if slot else None, service, now, window)
    booking_rules.require_capacity(state)
    applicant = Applicant.get(original.applicant_id, consistent_read=True)
    follow_up = new_appointment(applicant, slot, service, state.start, now)
    follow_up.follow_up_of, follow_up.follow_up_reason = original.appointment_id, request.reason
    notices = notifications.owed_for_new(follow_up, now, first=notifications.follow_up_for)
    write = NamedTransaction()
    try:
        with write:
            take_places(write, slot, 1)
            write.update("original", original, actions=[Appointment.follow_up_id.set(follow_up.appointment_id)],
                         condition=Appointment.follow_up_id.does_not_exist() & (Appointment.status == CONFIRMED))
            write.save("appointment", follow_up, condition=Appointment.appointment_id.does_not_exist())
            write.save("audit", audit.record(
                audit.applicant_subject(applicant.applicant_id), FOLLOW_UP, actor_id=caller.account_id, actor_role=audit.actor_role(caller),
                at=now, reason=request.reason,
                before={"appointment_id": original.appointment_id},
                after={"appointment_id": follow_up.appointment_id, "slot_id": request.slot_id, "locked_until": _iso(applicant.locked_until)},
            ))
            notifications.save_in(write, notices)
    except TransactWriteError as error:
        failed = write.failed(error)
        if "slot" in failed:
            raise SlotFull() from None
        if "original" in failed:
            raise AppointmentFinal("This appointment changed meanwhile (a follow-up was issued, or it was cancelled).") from None
        raise
    logger.info("follow-up issued", extra={"appointment_id": follow_up.appointment_id, "follow_up_of": original.appointment_id})
    return appointment_out(follow_up)
