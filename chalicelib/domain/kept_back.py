"""Kept-back capacity (issue 12): each slot has public places, which the portal offers and online
bookings (and the assigner) take, and internal places, kept back for the assisted channel (the
phone line, the counter) and walk-ins. Internal places are never offered or bookable online.

How a slot item holds them (so that every rule is a plain comparison a DynamoDB condition can
make, with no arithmetic):

- `capacity`: the public places; `booked`: the public places taken. Online: `booked < capacity`.
- `internal`: the kept-back places; `internal_booked`: those taken. Assisted: an internal place
  while `internal_booked < internal`, otherwise a public one like anybody else.

An administrator speaks of a slot's places in total (`capacity` + `internal`) and how many of them
are kept back. Unused internal places go to the public a configurable time before the day, at a
moment drawn at random inside a window (`release_moment`), so nobody can wait for it with a script.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

MAX_CAPACITY = 500  # places of one slot, in total
INTERNAL, PUBLIC = "internal", "public"  # which kind of place an appointment took
MAX_SHARE_PERCENT = 100


@dataclass(frozen=True)
class Places:
    """A slot's places as an administrator speaks of them, and what is taken of each kind."""

    public: int
    internal: int
    public_booked: int = 0
    internal_booked: int = 0

    @property
    def total(self) -> int:
        return self.public + self.internal

    @property
    def booked(self) -> int:
        return self.public_booked + self.internal_booked

    @property
    def public_free(self) -> int:
        return max(self.public - self.public_booked, 0)

    @property
    def internal_free(self) -> int:
        return max(self.internal - self.internal_booked, 0)


def split(total: int, internal: int) -> tuple[int, int]:
    """(public, internal) places of a slot with `total` places of which `internal` are kept back."""
    return total - internal, internal


def refusal(places: Places, total: int, internal: int) -> str | None:
    """Why a slot may not be given `total` places with `internal` kept back (None: it may): the
    field to name. A booked appointment is never taken away, of either kind."""
    if not 0 <= total <= MAX_CAPACITY:
        return "capacity"
    if not 0 <= internal <= total:
        return "internal"
    if internal < places.internal_booked:
        return "internal"  # kept-back places already booked by the assisted channel
    if total - internal < places.public_booked:
        return "capacity"  # public places already booked online
    return None


def internal_for(total: int, share_percent: int) -> int:
    """How many of a slot's `total` places a directorate's default share keeps back (rounded
    down: a share never keeps back a place it does not cover fully)."""
    return total * max(0, min(share_percent, MAX_SHARE_PERCENT)) // 100


def with_share(places: Places, share_percent: int) -> Places:
    """A slot's places once the directorate's share applies to it: the same total; never fewer
    internal places than are booked, never fewer public ones than are booked."""
    wanted = internal_for(places.total, share_percent)
    internal = min(max(wanted, places.internal_booked), places.total - places.public_booked)
    return Places(places.total - internal, internal, places.public_booked, places.internal_booked)


@dataclass(frozen=True)
class ShareImpact:
    """What a new default share does to the slots it applies to (the horizon not yet released):
    how many public places it removes (kept back) or adds (given to the public)."""

    slots: int
    public_before: int
    public_after: int

    @property
    def public_removed(self) -> int:
        return max(self.public_before - self.public_after, 0)

    @property
    def public_added(self) -> int:
        return max(self.public_after - self.public_before, 0)


def share_impact(slots: list[Places], share_percent: int) -> ShareImpact:
    after = [with_share(p, share_percent) for p in slots]
    return ShareImpact(len(slots), sum(p.public for p in slots), sum(p.public for p in after))


def assisted_place(places: Places) -> str | None:
    """The kind of place the assisted channel takes: an internal one first, then a public one
    (None: the slot is full for everybody)."""
    if places.internal_free > 0:
        return INTERNAL
    if places.public_free > 0:
        return PUBLIC
    return None


@dataclass(frozen=True)
class ReleasePolicy:
    """Unused internal places of a day go to the public `lead` before its first slot, at a moment
    drawn at random in the `window` before that."""

    lead: timedelta = timedelta(hours=24)
    window: timedelta = timedelta(hours=6)

    def bounds(self, first_start: datetime) -> tuple[datetime, datetime]:
        latest = first_start - self.lead
        return latest - self.window, latest


def release_moment(policy: ReleasePolicy, first_start: datetime,
                   draw: Callable[[int], int] = secrets.randbelow) -> datetime:
    """The secret moment a day's unused internal places go public: uniform inside the window, to
    the second, drawn with a cryptographic generator (never guessable from the days before)."""
    earliest, latest = policy.bounds(first_start)
    return earliest + timedelta(seconds=draw(int((latest - earliest).total_seconds()) + 1))


def released(places: Places) -> Places:
    """A slot after its day's release: the unused internal places are public places now."""
    free = places.internal_free
    return Places(places.public + free, places.internal - free, places.public_booked, places.internal_booked)
