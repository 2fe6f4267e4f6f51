"""Use cases of attendance: staff record it, and whatever is still unrecorded when the day is
over is a no-show, which locks the person out for 30 days from the missed appointment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import Applicant, Appointment
from chalicelib.contract import AppointmentOut, AttendanceRequest
from chalicelib.clock import clock
from chalicelib.domain import attendance
from chalicelib.domain.attendance import CONFIRMED, Outcome
from chalicelib.domain.calendar import ISTANBUL, local_day
from chalicelib.domain.catalogue import DIRECTORATES, Directorate, find_directorate
from chalicelib.domain.errors import AppointmentFinal, NotFound
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.services import audit, batches, corrections
from chalicelib.services.auth import staff_directorate
from chalicelib.services.booking import appointment_out

SYSTEM_ACTOR = "system:no-show-sweep"
# How far back the sweep looks, so that a missed run (an outage) is caught up by the next one.
SWEEP_LOOKBACK_DAYS = 7
SWEEP_PAGE = 100  # appointments per piece when the sweep is done in process (sweep_no_shows)
MAX_ATTEMPTS = 3


def record(caller: Caller, appointment_id: str, request: AttendanceRequest) -> AppointmentOut:
    """Staff of the appointment's directorate record attended / no-show, once it has started, once;
    attended only within the directorate's grace period after the start."""
    now = clock.now()
    appointment = appointment_at_callers_directorate(caller, appointment_id)
    outcome = Outcome(request.outcome)
    if appointment.attendance is not None:  # recorded already: a correction (with a reason, within 7 days)
        return corrections.correct_attendance(caller, appointment, outcome, request.reason, now)
    attendance.require_recordable(appointment.status, appointment.attendance, appointment.start, now)
    attendance.require_in_time(outcome, appointment.start, now, find_directorate(appointment.directorate_id).grace_minutes)
    attendance.require_checkin_code(request.checkin_code, appointment.checkin_code_hash, appointment.appointment_id)
    updated = _record(appointment, outcome, caller.account_id, audit.actor_role(caller), now=now)
    return appointment_out(updated)


@dataclass(frozen=True)
class CounterEntry:
    """One line of a directorate's day list, as staff see it at the counter."""

    appointment: AppointmentOut
    applicant_name: str
    document_number: str
    # Channels ("email", "sms") by which a message about it could not be delivered (given up).
    undelivered: tuple[str, ...] = ()


def day_list(caller: Caller, day: date) -> tuple[Directorate, list[CounterEntry]]:
    """A staff member's directorate and its appointments on `day`, by time (one Query on the
    directorate's index and one batch read of the people)."""
    directorate = staff_directorate(caller)
    if directorate is None:
        raise NotFound("This account works for no directorate.")
    start = datetime.combine(day, datetime.min.time(), tzinfo=ISTANBUL)
    appointments = list(Appointment.by_directorate.query(directorate.id, Appointment.start.between(start, start + timedelta(days=1) - timedelta(microseconds=1))))
    people = {a.applicant_id: a for a in Applicant.batch_get({a.applicant_id for a in appointments})} if appointments else {}
    entries = []
    for appointment in appointments:
        person = people.get(appointment.applicant_id)
        entries.append(
            CounterEntry(
                appointment_out(appointment),
                f"{person.given_name} {person.family_name}" if person else "",
                person.document_number if person else "",
                tuple(sorted(appointment.undelivered_channels or ())),
            )
        )
    return directorate, entries


def sweep_no_shows(now: datetime | None = None) -> int:
    """Mark every appointment still unrecorded at the end of its day as a no-show, every
    directorate in one go, here (the schedule fans the same pieces out over the batch-jobs queue
    instead: services/fanout.py). Returns how many were marked."""
    now = now or clock.now()
    marked = sum(
        batches.exhaust(lambda cursor, d=directorate.id: sweep_page(d, now, SWEEP_PAGE, cursor)) for directorate in DIRECTORATES
    )
    logger.info("no-show sweep done", extra={"marked": marked})
    return marked


def sweep_days(now: datetime) -> tuple[date, date]:
    """The first and last day the sweep at `now` looks at: back `SWEEP_LOOKBACK_DAYS` (so that a
    missed run, an outage, is caught up by the next one), up to the last day that is over."""
    today = local_day(now)
    last = today if attendance.day_is_over(today, now) else today - timedelta(days=1)
    return today - timedelta(days=SWEEP_LOOKBACK_DAYS), last


def sweep_page(
    directorate_id: str, now: datetime, limit: int, cursor: batches.Cursor | None = None, time_left: Callable[[], bool] = batches.always
) -> batches.Page:
    """One piece of the sweep: up to `limit` of a directorate's appointments still unrecorded on
    a day that is over (a page of a sparse index, never a Scan), from `cursor`. Marking is
    conditional on attendance being unrecorded, so running twice, or alongside staff, never
    marks anything twice."""

    def mark(appointment: Appointment) -> bool:
        try:
            _record(appointment, Outcome.NO_SHOW, SYSTEM_ACTOR, "system", now=now)
        except AppointmentFinal:
            return False  # recorded by staff meanwhile, or cancelled by the authority
        return True

    first, last = sweep_days(now)
    results = Appointment.unmarked_by_directorate.query(
        directorate_id,
        Appointment.unmarked_day.between(first.isoformat(), last.isoformat()),
        limit=limit,
        page_size=limit,
        last_evaluated_key=cursor,
    )
    return batches.walk(results, mark, limit, time_left)


def _record(appointment: Appointment, outcome: Outcome, actor_id: str, actor_role: str, now: datetime | None = None) -> Appointment:
    """One transaction: the appointment's attendance (condition: still unrecorded), on a no-show
    the applicant's lock (condition: unchanged since read, so no lock is ever shortened), and
    the audit record. Retried when the applicant's lock moved in between."""
    now = now or clock.now()
    for _ in range(MAX_ATTEMPTS):
        attendance.require_recordable(appointment.status, appointment.attendance, appointment.start, now)
        write = NamedTransaction()
        try:
            with write:
                before = after = None
                lock_actions = []
                if outcome is Outcome.NO_SHOW and not appointment.follow_up_of:  # a follow-up visit starts no lock
                    applicant = Applicant.get(appointment.applicant_id, consistent_read=True)
                    new_lock, lock_actions = corrections.lock_for_no_show(write, appointment, applicant)
                    before = {"locked_until": applicant.locked_until.isoformat() if applicant.locked_until else None}
                    after = {"locked_until": new_lock.isoformat()}
                write.update(
                    "appointment",
                    appointment,
                    actions=[
                        Appointment.attendance.set(outcome.value),
                        Appointment.attendance_at.set(now),
                        Appointment.unmarked_day.remove(),
                        *lock_actions,
                    ],
                    condition=Appointment.attendance.does_not_exist() & (Appointment.status == CONFIRMED),
                )
                write.save(
                    "audit",
                    audit.record(
                        audit.applicant_subject(appointment.applicant_id),
                        f"appointment.{outcome.value}",
                        actor_id=actor_id,
                        actor_role=actor_role,
                        at=now,
                        before={"appointment_id": appointment.appointment_id, **(before or {})},
                        after={"attendance": outcome.value, **(after or {})},
                    ),
                )
        except TransactWriteError as error:
            failed = write.failed(error)
            appointment = Appointment.get(appointment.appointment_id, consistent_read=True)
            if "appointment" in failed:
                continue  # re-checked above: now recorded or cancelled → AppointmentFinal
            if "applicant" in failed:
                continue  # the lock moved meanwhile: read it again
            raise
        appointment.attendance, appointment.attendance_at = outcome.value, now
        logger.info("attendance recorded", extra={"appointment_id": appointment.appointment_id, "outcome": outcome.value})
        return appointment
    attendance.require_recordable(appointment.status, appointment.attendance, appointment.start, now)
    raise AppointmentFinal("The appointment changed while attendance was being recorded. Please try again.")


def appointment_at_callers_directorate(caller: Caller, appointment_id: str) -> Appointment:
    not_found = NotFound("There is no appointment with this id at your directorate.")
    try:
        appointment = Appointment.get(appointment_id, consistent_read=True)
    except Appointment.DoesNotExist:
        raise not_found from None
    if Role.ADMIN in caller.roles:
        return appointment
    directorate = staff_directorate(caller)
    if directorate is None or directorate.id != appointment.directorate_id:
        raise not_found
    return appointment
