"""Use cases of giving a place back (issue 12, item 5). Not to be confused with
`services/release.py`, where staff release an online account.

The owner releases a confirmed appointment still to come: one transaction marks it `released`
(condition: still confirmed and unrecorded), takes it off the no-show sweep's index, stores the
secret moment its place returns, writes the audit record and the notification owed. The lock is
not touched: it stays. The place itself is not freed yet: the return schedule
(`return_due_places`, every 5 minutes) gives each place back to its slot once its moment has
passed, under a condition, so that running twice returns it once. Where the directorate assigns
this service, the moment is now and the assigner is asked to serve the province's queue at once
(online booking of the service is closed there: the queue is first)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import Applicant, Appointment, Notification, Slot
from chalicelib.clock import clock
from chalicelib.contract import GivenBack
from chalicelib.domain import giving_back as rules
from chalicelib.domain.attendance import CONFIRMED
from chalicelib.domain.calendar import local_day
from chalicelib.domain.catalogue import find_directorate
from chalicelib.domain.demand import Mode
from chalicelib.domain.errors import AppointmentFinal, NotFound
from chalicelib.domain.kept_back import INTERNAL
from chalicelib.domain.lockout import lock_in_force
from chalicelib.domain.roles import Caller
from chalicelib.observability import logger
from chalicelib.services import assignment, audit, booking, demand, notifications
from chalicelib.settings import get_settings

GIVEN_BACK = "appointment.given_back"
RETURN_LOOKBACK_DAYS = 3  # a missed run (an outage) is caught up by the next one


def give_back(caller: Caller, appointment_id: str) -> GivenBack:
    now = clock.now()
    try:
        appointment = Appointment.get(appointment_id, consistent_read=True)
    except Appointment.DoesNotExist:
        appointment = None
    if appointment is None or not booking.holds(caller, appointment):  # the person, or the guardian who booked it
        raise NotFound("There is no appointment with this id.")
    rules.require_releasable(appointment.status, appointment.attendance, appointment.start, now)
    to_queue = demand.current_mode(appointment.directorate_id, appointment.service) is Mode.ASSIGNED
    returns_at = now if to_queue else rules.return_moment(now, get_settings().place_return_delay)
    notice = notifications.given_back_for(appointment, now)
    write = NamedTransaction()
    try:
        with write:
            write.update("appointment", appointment, actions=[
                Appointment.status.set(rules.RELEASED),
                Appointment.released_at.set(now),
                Appointment.unmarked_day.remove(),  # never a no-show
                Appointment.place_returns_at.set(returns_at),
                Appointment.returning_day.set(local_day(returns_at).isoformat()),
                Appointment.place_to_queue.set(to_queue),
            ], condition=(Appointment.status == CONFIRMED) & Appointment.attendance.does_not_exist())
            write.save("audit", audit.record(
                audit.applicant_subject(appointment.applicant_id), GIVEN_BACK, actor_id=caller.account_id, actor_role=audit.actor_role(caller),
                at=now, before={"appointment_id": appointment.appointment_id, "status": CONFIRMED},
                after={"status": rules.RELEASED, "to_queue": to_queue},  # never the moment the place returns
            ))
            write.save("notification", notice, condition=Notification.notification_id.does_not_exist())
    except TransactWriteError as error:
        if "appointment" not in write.failed(error):
            raise
        current = Appointment.get(appointment_id, consistent_read=True)
        rules.require_releasable(current.status, current.attendance, current.start, now)
        raise AppointmentFinal("This appointment changed meanwhile. Reload it and try again.") from None
    logger.info("place given back", extra={"appointment_id": appointment_id, "to_queue": to_queue})
    if to_queue:
        return_due_places(now)
    applicant = Applicant.get(caller.account_id)
    return GivenBack(appointment_id=appointment_id, status=rules.RELEASED, locked_until=lock_in_force(applicant.locked_until, now))


def return_due_places(now: datetime | None = None) -> int:
    """The schedule: every place given back whose moment has passed goes back to its slot
    (unless the slot's time has passed), once. One Query per day on the sparse index."""
    now = now or clock.now()
    today = local_day(now)
    returned, provinces = 0, set()
    for back in range(RETURN_LOOKBACK_DAYS, -1, -1):
        day = (today - timedelta(days=back)).isoformat()
        for appointment in Appointment.returning_by_day.query(day, Appointment.place_returns_at <= now):
            if _return(appointment, now):
                returned += 1
                if appointment.place_to_queue:
                    provinces.add(find_directorate(appointment.directorate_id).province)
    for province in sorted(provinces):
        assignment.send_province(province)
    logger.info("places returned", extra={"returned": returned})
    return returned


def _free_place(write: NamedTransaction, appointment: Appointment) -> None:
    """The place goes back to the public pool, whatever kind it was: a public place is simply
    free again; a kept-back one (booked by the phone line or the counter, domain/kept_back.py)
    has served its purpose and becomes a public place of the slot, as every unused kept-back
    place does before the day."""
    slot = Slot(appointment.directorate_id, appointment.slot_start)
    if appointment.place == INTERNAL:
        write.update("slot", slot, actions=[Slot.internal_booked.add(-1), Slot.internal.add(-1), Slot.capacity.add(1)],
                     condition=Slot.internal_booked > 0)
    else:
        write.update("slot", slot, actions=[Slot.booked.add(-1)], condition=Slot.booked > 0)


def _return(appointment: Appointment, now: datetime) -> bool:
    """One place back in its slot and the appointment off the index, together; False when
    another run did it already."""
    write = NamedTransaction()
    try:
        with write:
            write.update("appointment", appointment, actions=[Appointment.returning_day.remove(), Appointment.place_returned_at.set(now)],
                         condition=Appointment.returning_day.exists())
            if appointment.start > now:  # a place whose time has passed is of no use to anyone
                _free_place(write, appointment)
    except TransactWriteError as error:
        if "appointment" in write.failed(error):
            return False
        raise
    return True
