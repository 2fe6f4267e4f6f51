"""What makes a slot bookable, and the order in which a booking is refused.

Each rule is one function; `check_booking` names them in the order a person should hear about
them (what they asked for is wrong, then where, then who, then when, then whether people pick
slots here at the moment, then how full).
The booking transaction holds the same rules as its conditions (services/booking.py), except the
slot's time, which the slot's key tells before writing (`bookable_time`); when the transaction is
cancelled, `check_booking` on what is read then gives the precise refusal.
"""

from __future__ import annotations

from collections.abc import Sequence

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.domain.calendar import local_day
from chalicelib.domain.catalogue import Directorate, Service
from chalicelib.domain.demand import Mode, require_open
from chalicelib.domain.eligibility import Residency, require_eligible_for, require_in_province
from chalicelib.domain.errors import SlotFull, ValidationFailed
from chalicelib.domain.kept_back import PUBLIC, Places, assisted_place
from chalicelib.domain.lockout import require_not_locked

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


@dataclass(frozen=True)
class SlotState:
    directorate_id: str
    start: datetime
    end: datetime
    capacity: int
    booked: int
    services: frozenset[str]
    is_open: bool
    # Kept-back places (domain/kept_back.py): `capacity` and `booked` are the public places.
    internal: int = 0
    internal_booked: int = 0

    @property
    def remaining(self) -> int:
        """The public places left: all that online availability, booking and the assigner see."""
        return max(self.capacity - self.booked, 0)

    @property
    def places(self) -> Places:
        return Places(self.capacity, self.internal, self.booked, self.internal_booked)


@dataclass(frozen=True)
class BookingWindow:
    """The days that can be booked: from tomorrow (staff prepare each day's list the day
    before) through the end of the rolling horizon."""

    first_day: date
    last_day: date

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def booking_window(today: date, horizon_days: int) -> BookingWindow:
    return BookingWindow(first_day=today + timedelta(days=1), last_day=today + timedelta(days=horizon_days))


def require_bookable_slot(slot: SlotState | None, service: Service, now: datetime, window: BookingWindow) -> SlotState:
    """The slot exists, is open, lies inside the booking window, and offers the service."""
    if slot is None or not slot.is_open:
        raise ValidationFailed("This time slot does not exist or is closed.", field="slot_id")
    if too_soon(slot.start, now, window):
        raise ValidationFailed("Appointments can be booked from tomorrow on; this time slot is too soon.", field="slot_id")
    if local_day(slot.start) > window.last_day:
        raise ValidationFailed("This time slot is not open for booking yet.", field="slot_id")
    if service.code not in slot.services:
        raise ValidationFailed(f"This directorate does not offer '{service.name}' at this time.", field="service")
    return slot


def too_soon(start: datetime, now: datetime, window: BookingWindow) -> bool:
    return start <= now or local_day(start) < window.first_day


def bookable_time(start: datetime, now: datetime, window: BookingWindow) -> bool:
    """Whether a slot starting at `start` lies inside the booking window and ahead of now: the
    time rules of `require_bookable_slot`, which a booking knows from the slot's key alone."""
    return not too_soon(start, now, window) and local_day(start) <= window.last_day


def require_capacity(slot: SlotState) -> None:
    """A public place left on the slot (a family's places: `seat_together`)."""
    if slot.remaining < 1:
        raise SlotFull()


def seat_together(count: int, chosen: SlotState, following: Sequence[SlotState] = ()) -> list[int]:
    """How many people of one booking each slot takes: all on the chosen slot when it has room for
    them (`following` is then not needed); otherwise as many as it has, then the slots right after
    it, each starting when the one before ends (no gap, so the same day and the same visit), until
    everyone has a place. Public places only. No room for everyone without a gap: SlotFull."""
    seats: list[int] = []
    left, previous = count, None
    for slot in (chosen, *following):
        if previous is not None and slot.start != previous.end:
            break
        take = min(left, slot.remaining)
        if take == 0:
            break
        seats.append(take)
        left, previous = left - take, slot
        if left == 0:
            return seats
    raise SlotFull(remaining=sum(seats)) if count > 1 else SlotFull()


def place_to_take(slot: SlotState, assisted: bool) -> str:
    """The kind of place a booking takes: online, a public one; the assisted channel, an internal
    one first, then a public one (domain/kept_back.py). A slot with none left: SlotFull."""
    if not assisted:
        require_capacity(slot)
        return PUBLIC
    place = assisted_place(slot.places)
    if place is None:
        raise SlotFull()
    return place


def check_booking(
    *,
    directorate: Directorate,
    service: Service,
    slot: SlotState | None,
    residency: Residency | None,
    locked_until: datetime | None,
    mode: Mode,
    now: datetime,
    window: BookingWindow,
    assisted: bool = False,
) -> SlotState:
    """The bookable slot (`place_to_take` then says which kind of place the booking takes). The
    assisted channel obeys every rule of an online booking, with one difference: a kept-back
    place is its own even while the directorate assigns its public places (the assigner never
    takes those)."""
    bookable = require_bookable_slot(slot, service, now, window)
    require_in_province(directorate, residency)
    require_eligible_for(service, residency, local_day(bookable.start))
    require_not_locked(locked_until, now)
    if not (assisted and bookable.places.internal_free > 0):
        require_open(mode)
    place_to_take(bookable, assisted)
    return bookable


def new_reference() -> str:
    """A short code people can read out at the counter and type without confusion."""
    return "GOC-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
