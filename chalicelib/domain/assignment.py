"""Assignment under high demand: an order in which speed buys nothing.

Requests that arrive within one window are equals: their order is a random permutation drawn
from a seed that is recorded with the window, so anyone can re-draw it and check. Each
request's place in that permutation is its rank, a keyed hash of its id under the window's
seed (`lottery_rank`): the seed is drawn when the window opens, before anyone can know who will
be in it, so a rank can be computed and stored as the request is filed, and the stored queue
can be read in lottery order a page at a time, without the whole window. Windows are
served oldest first, and people whose appointment the authority cancelled (a closure) before
everyone else. Each request then gets the earliest slot its preferences accept that still has
capacity.

Pure: the assigner (`chalicelib/services/assignment.py`) records the seed, executes the plan
one booking transaction at a time and re-plans what a concurrent writer took meanwhile.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from chalicelib.domain.booking import SlotState
from chalicelib.domain.calendar import ISTANBUL, WORKING_HOURS, is_working_day, slots_for_day
from chalicelib.domain.catalogue import Directorate, Service, directorates_in
from chalicelib.domain.eligibility import Residency, require_eligible_for, require_in_province
from chalicelib.domain.errors import NotEligible, ValidationFailed, WrongProvince

PARTS_OF_DAY = ("any", "morning", "afternoon")


@dataclass(frozen=True)
class Preferences:
    """What a person can accept; everything left open accepts any slot of the booking window."""

    directorate_id: str | None = None
    earliest: date | None = None
    latest: date | None = None
    part_of_day: str = "any"
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))  # Monday = 0

    def accepts(self, slot: SlotState) -> bool:
        local = slot.start.astimezone(ISTANBUL)
        if self.directorate_id is not None and slot.directorate_id != self.directorate_id:
            return False
        if self.earliest is not None and local.date() < self.earliest:
            return False
        if self.latest is not None and local.date() > self.latest:
            return False
        if local.weekday() not in self.weekdays:
            return False
        morning = local.time() < WORKING_HOURS.morning.end
        return self.part_of_day == "any" or (self.part_of_day == "morning") == morning


@dataclass(frozen=True)
class WaitingRequest:
    request_id: str
    received_at: datetime
    service: str
    preferences: Preferences = Preferences()
    priority: bool = False  # a closure's victim: served before every window
    window_start: datetime | None = None  # the window it was filed in, as recorded (else derived)

    def window(self, window_minutes: int) -> datetime:
        return self.window_start or window_of(self.received_at, window_minutes)


def window_of(received_at: datetime, window_minutes: int) -> datetime:
    """The start of the window a request belongs to (UTC, aligned to the epoch)."""
    seconds = window_minutes * 60
    epoch = int(received_at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=timezone.utc)


def draw_seed() -> int:
    """A fresh seed for a window; the assigner records it before using it."""
    return secrets.randbits(63)


def lottery_rank(seed: int, window: datetime, request_id: str) -> str:
    """A request's place in its window's draw: HMAC-SHA256 of its id keyed by the window's seed
    (and start), as 16 hex digits, so ranks sort as strings. Uniform and unpredictable without
    the seed, which is published only once the window has closed; anyone can re-compute it then."""
    key = f"{seed}:{window.astimezone(timezone.utc).isoformat()}".encode()
    return hmac.new(key, request_id.encode(), hashlib.sha256).hexdigest()[:16]


def queue_place(priority: bool, window: datetime, seed: int, request_id: str) -> str:
    """Where a request stands in its province's queue, as a string that sorts in serving order:
    closure victims ("0") before everyone else ("1"), then windows oldest first (ISO UTC), then
    the rank drawn from the window's seed. The waiting index stores it as its sort key, so the
    queue is read in this order a page at a time."""
    return f"{0 if priority else 1}#{window.astimezone(timezone.utc).isoformat()}#{lottery_rank(seed, window, request_id)}#{request_id}"


def lottery_order(requests: Iterable[WaitingRequest], window_minutes: int, seeds: dict[datetime, int]) -> list[WaitingRequest]:
    """Priority requests first, then windows oldest first; within a window, by rank under that
    window's recorded seed (`queue_place`). The order people arrived in within a window — and
    so how fast they clicked — does not matter: a request's place depends only on its id and
    the seed."""

    def place(request: WaitingRequest) -> str:
        window = request.window(window_minutes)
        return queue_place(request.priority, window, seeds[window], request.request_id)

    return sorted(requests, key=place)


def choose_slot(request: WaitingRequest, slots: Sequence[SlotState]) -> SlotState | None:
    """The earliest open slot offering the service, with capacity left, that the preferences accept."""
    fitting = (
        s for s in slots
        if s.is_open and s.remaining > 0 and request.service in s.services and request.preferences.accepts(s)
    )
    return min(fitting, key=lambda s: s.start, default=None)


@dataclass(frozen=True)
class Assignment:
    request_id: str
    slot: SlotState


def plan(ordered: Sequence[WaitingRequest], slots: Sequence[SlotState]) -> tuple[list[Assignment], list[WaitingRequest]]:
    """Assign in lottery order against the capacity left; returns the assignments and the
    requests that keep waiting (nothing fits them now)."""
    remaining = {(s.directorate_id, s.start): s for s in slots}
    assigned, waiting = [], []
    for request in ordered:
        slot = choose_slot(request, list(remaining.values()))
        if slot is None:
            waiting.append(request)
            continue
        assigned.append(Assignment(request.request_id, slot))
        key = (slot.directorate_id, slot.start)
        remaining[key] = SlotState(**{**slot.__dict__, "booked": slot.booked + 1})
    return assigned, waiting


def directorates_for(service: Service, residency: Residency | None, chosen: Directorate | None) -> tuple[Directorate, ...]:
    """Where a person may be assigned for a service: the directorate they chose, or any of
    their province's that offers it (never another province's)."""
    if residency is None:
        raise NotEligible()
    if chosen is not None:
        require_in_province(chosen, residency)
    offering = offering_directorates(service.code, residency.province, chosen)
    if not offering:
        raise ValidationFailed(f"No directorate {'here' if chosen else 'in your province'} offers '{service.name}'.", field="service")
    return offering


def offering_directorates(service_code: str, province: str, chosen: Directorate | None) -> tuple[Directorate, ...]:
    """The directorates a request may be served at: the chosen one, or every directorate of
    the province, that offers the service."""
    candidates = (chosen,) if chosen is not None else directorates_in(province)
    return tuple(d for d in candidates if service_code in d.services)


def daily_capacity(directorates: Iterable[Directorate], service_code: str, day: date) -> int:
    """How many appointments for the service the directorates give on a working day."""
    return sum(
        spec.capacity
        for directorate in directorates
        for spec in slots_for_day(directorate, day)
        if service_code in spec.services
    )


def estimated_date(position: int, daily_capacity: int, first_day: date) -> date | None:
    """A rough day for someone at `position` (1-based) in the queue, counting working days
    from `first_day` at the directorate's capacity per day; None when capacity is unknown."""
    if daily_capacity <= 0 or position < 1:
        return None
    day = first_day
    full_days = (position - 1) // daily_capacity
    while not is_working_day(day) or full_days > 0:
        if is_working_day(day):
            full_days -= 1
        day += timedelta(days=1)
    return day


# Why a waiting request was withdrawn (stored on the request, shown on the portal, told by SMS
# and email when the system withdrew it).
BY_APPLICANT = "withdrawn_by_applicant"
MOVED_PROVINCE = "moved_province"  # the registry moved the person to another province
PERMIT_ENDED = "permit_ended"  # the permit is not in force on any day that could still be offered
NOT_ELIGIBLE = "not_eligible"  # the registry knows them no more, or their status no longer qualifies
NOT_OFFERED = "not_offered"  # no directorate the request may be served at offers the service now
LOCKED_OUT = "locked_out"  # a lock came into force (another appointment, a missed one)
ACCOUNT_CLOSED = "account_closed"  # its person closed the online account (services/closure.py)
NO_ACCOUNT = "no_account"  # the online account is gone: nobody to tell
SYSTEM_REASONS = (MOVED_PROVINCE, PERMIT_ENDED, NOT_ELIGIBLE, NOT_OFFERED, LOCKED_OUT)


def reason_to_withdraw(
    service: Service, residency: Residency | None, province: str, chosen: Directorate | None, first_day: date
) -> str | None:
    """Why a waiting request can no longer be served, by the same rules as filing it (province,
    eligibility, the permit in force on the first day that can be offered), or None."""
    try:
        directorates_for(service, residency, chosen)
        require_eligible_for(service, residency, first_day)
    except WrongProvince:
        return MOVED_PROVINCE
    except NotEligible as refused:
        return PERMIT_ENDED if "valid_until" in refused.details else NOT_ELIGIBLE
    except ValidationFailed:
        return NOT_OFFERED
    if residency.province != province:
        return MOVED_PROVINCE
    return None
